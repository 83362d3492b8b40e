//! The serde visitor page scan this crate used before the streaming
//! splitter, kept as the oracle of the differential tests: a visitor over
//! `serde_json`'s borrowed deserializer that descends only along the
//! configured paths, skips every other value (`IgnoredAny`) and takes each
//! record as a `&RawValue`. Test-only; never on a hot path. With
//! `data_selector = "."` it walks the body for its fields first, then reads
//! the body again as one `&RawValue`: the record.

use super::{Scalar, Scan, ScanSpec, Want};
use crate::object_key::Key;
use crate::splice::newlines_to_spaces;
use crate::{PageError, TopKeys};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// `scan_page_with` as it was: on error `out` is left as it was.
pub(super) fn scan_page_with(
    body: &[u8],
    spec: &ScanSpec,
    members: &[u8],
    out: &mut Vec<u8>,
) -> Result<Scan, PageError> {
    let mark = out.len();
    scan_into(body, spec, members, out).inspect_err(|_| out.truncate(mark))
}

fn scan_into(
    body: &[u8],
    spec: &ScanSpec,
    members: &[u8],
    out: &mut Vec<u8>,
) -> Result<Scan, PageError> {
    let mut state = State {
        spec,
        members,
        out,
        records: 0,
        data_found: false,
        top_keys: TopKeys::default(),
        fields: vec![None; spec.fields.len()],
        error: None,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let walked = Node {
        depth: 0,
        on_data: !spec.whole_body(),
        fields: spec.all_fields(),
        state: &mut state,
    }
    .deserialize(&mut de);
    let walked = walked.and_then(|()| de.end());
    if let Some(err) = state.error.take() {
        return Err(err);
    }
    walked.map_err(|e| PageError::NotJson(e.to_string()))?;
    if !state.data_found {
        return Err(PageError::SelectorMissing {
            path: spec.data.to_string(),
            keys: state.top_keys,
        });
    }
    if spec.whole_body() {
        let raw: &RawValue =
            serde_json::from_slice(body).map_err(|e| PageError::NotJson(e.to_string()))?;
        let out = &mut *state.out;
        let start = out.len();
        crate::splice::push_record(out, raw.get().as_bytes(), members);
        newlines_to_spaces(&mut out[start..]);
        out.push(b'\n');
        state.records += 1;
    }
    Ok(Scan {
        records: state.records,
        fields: state.fields,
    })
}

struct State<'s> {
    spec: &'s ScanSpec,
    /// Copied parent members spliced into each object record (often empty).
    members: &'s [u8],
    out: &'s mut Vec<u8>,
    records: u64,
    data_found: bool,
    /// The top-level keys met.
    top_keys: TopKeys,
    fields: Vec<Option<Scalar>>,
    /// A shape error found mid-walk; reported instead of serde's generic one.
    error: Option<PageError>,
}

/// A position in the document that lies on the data path, a field path, or both.
struct Node<'a, 's> {
    depth: usize,
    on_data: bool,
    /// Bit `i`: this node lies on field `i`'s path.
    fields: u32,
    state: &'a mut State<'s>,
}

impl Node<'_, '_> {
    fn data_here(&self) -> bool {
        self.on_data && self.state.spec.data.items().map(|p| p.segments().len()) == Some(self.depth)
    }

    /// `data_selector = "."` and the document, of kind `found`, is not an
    /// object: records the shape error.
    fn not_a_body<E: de::Error>(&mut self, found: &'static str) -> Result<(), E> {
        if self.depth == 0 && self.state.spec.whole_body() && found != "an object" {
            self.state.error = Some(PageError::NotAnObject { found });
            return Err(E::custom("page shape"));
        }
        Ok(())
    }

    /// The fields whose path ends here.
    fn fields_here(&self) -> u32 {
        let mut here = 0;
        for (i, (path, _)) in self.state.spec.fields.iter().enumerate() {
            if self.fields & (1 << i) != 0 && path.segments().len() == self.depth {
                here |= 1 << i;
            }
        }
        here
    }

    /// Records a shape error for the data array and returns serde's signal to stop.
    fn fail_data<E: de::Error>(&mut self, found: &'static str) -> E {
        self.state.error = Some(PageError::NotAnArray {
            path: self.state.spec.data.to_string(),
            found,
        });
        E::custom("page shape")
    }

    /// Records a shape error for field `i`.
    fn fail_field<E: de::Error>(&mut self, i: usize, found: &'static str) -> E {
        let (path, want) = &self.state.spec.fields[i];
        let path = path.to_string();
        self.state.error = Some(match want {
            Want::Link => PageError::BadNext { path, found },
            want => PageError::BadField {
                path,
                found,
                want: want.describe(),
            },
        });
        E::custom("page shape")
    }

    /// A scalar value met here: stored into the fields that end here and
    /// accept it, a shape error otherwise.
    fn scalar<E: de::Error>(
        &mut self,
        found: &'static str,
        value: impl Fn(Want) -> Option<Scalar>,
    ) -> Result<(), E> {
        self.not_a_body(found)?;
        if self.data_here() {
            return Err(self.fail_data(found));
        }
        let here = self.fields_here();
        for i in 0..self.state.spec.fields.len() {
            if here & (1 << i) == 0 {
                continue;
            }
            match value(self.state.spec.fields[i].1) {
                Some(v) => self.state.fields[i] = Some(v),
                None => return Err(self.fail_field(i, found)),
            }
        }
        Ok(())
    }

    /// A container met here: fails when a field ends here.
    fn no_field_here<E: de::Error>(&mut self, found: &'static str) -> Result<(), E> {
        let here = self.fields_here();
        if here != 0 {
            return Err(self.fail_field(here.trailing_zeros() as usize, found));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON page")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.not_a_body("an array")?;
        if !self.data_here() {
            self.no_field_here("an array")?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        self.state.data_found = true;
        let out = &mut *self.state.out;
        let members = self.state.members;
        let mut records = 0;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            let start = out.len();
            crate::splice::push_record(out, raw.get().as_bytes(), members);
            newlines_to_spaces(&mut out[start..]);
            out.push(b'\n');
            records += 1;
        }
        self.state.records += records;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.data_here() {
            return Err(self.fail_data("an object"));
        }
        self.no_field_here("an object")?;
        let depth = self.depth;
        let spec = self.state.spec;
        if depth == 0 && spec.whole_body() {
            self.state.data_found = true;
        }
        while let Some(key) = map.next_key_seed(Key)? {
            if depth == 0 {
                self.state.top_keys.push(&key);
            }
            let on_data = self.on_data
                && spec
                    .data
                    .items()
                    .and_then(|p| p.segments().get(depth))
                    .is_some_and(|s| *s == key);
            let mut fields = 0;
            for (i, (path, _)) in spec.fields.iter().enumerate() {
                if self.fields & (1 << i) != 0
                    && path.segments().get(depth).is_some_and(|s| *s == key)
                {
                    fields |= 1 << i;
                }
            }
            if on_data || fields != 0 {
                map.next_value_seed(Node {
                    depth: depth + 1,
                    on_data,
                    fields,
                    state: self.state,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.visit_str(v)
    }

    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.scalar("a string", |want| match want {
            Want::Link | Want::Token => Some(Scalar::Str(v.to_owned())),
            Want::Count => v
                .trim()
                .parse::<u64>()
                .ok()
                .map(|_| Scalar::Str(v.to_owned())),
            Want::Flag => None,
        })
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        // A null field is "not there": a null next link ends the stream.
        self.scalar("null", |_| Some(Scalar::Null))
    }

    fn visit_bool<E: de::Error>(mut self, v: bool) -> Result<(), E> {
        self.scalar("a boolean", |want| {
            (want == Want::Flag).then_some(Scalar::Bool(v))
        })
    }

    fn visit_i64<E: de::Error>(mut self, v: i64) -> Result<(), E> {
        self.scalar("a number", |want| match want {
            Want::Token => Some(Scalar::Int(v)),
            Want::Count if v >= 0 => Some(Scalar::Int(v)),
            _ => None,
        })
    }

    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => self.scalar("a number too large", |_| None),
        }
    }

    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.scalar("a number", |_| None)
    }
}
