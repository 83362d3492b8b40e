//! One pass over a page body that copies the records out as raw bytes and
//! picks up the pagination fields on the way.
//!
//! The walk is a serde visitor over `serde_json`'s borrowed deserializer: it
//! descends only along the configured paths, skips every other value without
//! building it (`IgnoredAny`), and takes each record as a `&RawValue`, i.e. the
//! byte range the API sent. The whole body is still validated as JSON, so a
//! truncated page is an error and never yields a partial record set; serde_json's
//! recursion limit keeps deeply nested input stack-safe.
//!
//! Besides the records, the walk captures a few named scalar fields (a next
//! link, a cursor, a total, a has-more flag) at dotted paths, each checked
//! against what it may hold ([`Want`]) as it is met, so a wrong shape is an
//! error that names the path.
//!
//! JSON Lines needs one record per line, so raw newlines inside a record (only
//! possible as insignificant whitespace between tokens) become spaces; every
//! other byte is the API's.

use crate::PageError;
use harvest_config::Selector;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The most scalar fields one scan captures (they are tracked in a bit set).
pub const MAX_FIELDS: usize = 32;

/// What a captured field may hold; `null` is always allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A URL string (a wrong type is [`PageError::BadNext`]).
    Link,
    /// A string or an integer.
    Token,
    /// A non-negative integer (or a string of digits).
    Count,
    /// `true` or `false`.
    Flag,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Self::Link => "a URL string",
            Self::Token => "a string or an integer",
            Self::Count => "a non-negative integer",
            Self::Flag => "a boolean",
        }
    }
}

/// A captured scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
}

impl Scalar {
    /// A string, or an integer in decimal; `None` for null, `""` and booleans.
    pub fn as_token(&self) -> Option<String> {
        match self {
            Self::Str(s) if !s.is_empty() => Some(s.clone()),
            Self::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A non-negative integer (or a string of digits).
    pub fn as_count(&self) -> Option<u64> {
        match self {
            Self::Int(n) => u64::try_from(*n).ok(),
            Self::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Which paths of a page matter.
#[derive(Debug, Clone)]
pub struct ScanSpec {
    data: Selector,
    fields: Vec<(Selector, Want)>,
}

impl ScanSpec {
    /// The records at `data`, and a next link at `next` (if any).
    pub fn new(data: Selector, next: Option<Selector>) -> Self {
        Self::with_fields(data, next.map(|n| (n, Want::Link)).into_iter().collect())
    }

    /// The records at `data`, and the scalar `fields` (at most [`MAX_FIELDS`]);
    /// [`Scan::fields`] answers in the same order.
    pub fn with_fields(data: Selector, fields: Vec<(Selector, Want)>) -> Self {
        assert!(fields.len() <= MAX_FIELDS, "too many scan fields");
        Self { data, fields }
    }

    fn all_fields(&self) -> u32 {
        ((1u64 << self.fields.len()) - 1) as u32
    }
}

/// What the walk found besides the records it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    pub records: u64,
    /// One per spec field, in order: `None` when the path is not in the page.
    pub fields: Vec<Option<Scalar>>,
}

impl Scan {
    /// Field `i` as a non-empty string (`None` when missing, null or `""`).
    pub fn string(&self, i: usize) -> Option<&str> {
        match self.fields.get(i)? {
            Some(Scalar::Str(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    pub fn field(&self, i: usize) -> Option<&Scalar> {
        self.fields.get(i)?.as_ref()
    }
}

/// Walks `body`, appending one line per record to `out`.
/// On error `out` is left as it was.
pub fn scan_page(body: &[u8], spec: &ScanSpec, out: &mut Vec<u8>) -> Result<Scan, PageError> {
    scan_page_with(body, spec, b"", out)
}

/// [`scan_page`], with `members` (`"key":value,...`, see
/// [`crate::splice::members`]) spliced into every record that is an object.
pub fn scan_page_with(
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
        fields: vec![None; spec.fields.len()],
        error: None,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let walked = Node {
        depth: 0,
        on_data: true,
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
        return Err(PageError::SelectorMissing(spec.data.to_string()));
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
        self.on_data && self.state.spec.data.segments().len() == self.depth
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
        while let Some(key) = map.next_key_seed(Key)? {
            let on_data =
                self.on_data && spec.data.segments().get(depth).is_some_and(|s| *s == key);
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

/// Turns raw CR/LF (whitespace between tokens; JSON strings cannot hold them
/// unescaped) into spaces, so a record stays on one line.
fn newlines_to_spaces(line: &mut [u8]) {
    if memchr::memchr2(b'\n', b'\r', line).is_some() {
        for b in line {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

#[cfg(test)]
mod tests;
