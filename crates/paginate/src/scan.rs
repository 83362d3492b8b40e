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
mod tests {
    use super::*;

    fn spec(data: &str, next: Option<&str>) -> ScanSpec {
        ScanSpec::new(
            Selector::parse(data).unwrap(),
            next.map(|n| Selector::parse(n).unwrap()),
        )
    }

    fn scan(body: &str, data: &str, next: Option<&str>) -> (Result<Scan, PageError>, String) {
        let mut out = Vec::new();
        let r = scan_page(body.as_bytes(), &spec(data, next), &mut out);
        (r, String::from_utf8(out).unwrap())
    }

    #[test]
    fn records_are_the_exact_bytes_sent() {
        let body = r#"{"next":"/p/2","data":[ {"id":1, "n":1.50e0,"s":"caf\u00e9"} ,{"id":2}],"x":{"data":[9]}}"#;
        let (r, out) = scan(body, "data", Some("next"));
        assert_eq!(
            r.unwrap(),
            Scan {
                records: 2,
                fields: vec![Some(Scalar::Str("/p/2".into()))]
            }
        );
        assert_eq!(
            out,
            "{\"id\":1, \"n\":1.50e0,\"s\":\"caf\\u00e9\"}\n{\"id\":2}\n"
        );
    }

    #[test]
    fn nested_paths_and_root_arrays() {
        let body = r#"{"meta":{"links":{"next":null}},"result":{"items":[1,"two",{"three":3}]}}"#;
        let (r, out) = scan(body, "result.items", Some("meta.links.next"));
        assert_eq!(
            r.unwrap(),
            Scan {
                records: 3,
                fields: vec![Some(Scalar::Null)]
            }
        );
        assert_eq!(out, "1\n\"two\"\n{\"three\":3}\n");
        let (r, out) = scan("[{\"a\":1},\n{\"a\":2}]", "", None);
        assert_eq!(r.unwrap().records, 2);
        assert_eq!(out, "{\"a\":1}\n{\"a\":2}\n");
    }

    #[test]
    fn pretty_printed_records_stay_one_per_line() {
        let (r, out) = scan(
            "{\"data\":[{\n  \"id\": 1,\r\n  \"s\": \"a\\nb\"\n}]}",
            "data",
            None,
        );
        assert_eq!(r.unwrap().records, 1);
        assert_eq!(out, "{   \"id\": 1,    \"s\": \"a\\nb\" }\n");
    }

    #[test]
    fn escaped_keys_match() {
        let (r, _) = scan(r#"{"d\u0061ta":[1]}"#, "data", None);
        assert_eq!(r.unwrap().records, 1);
    }

    #[test]
    fn shape_errors_name_the_path() {
        assert_eq!(
            scan(r#"{"items":[]}"#, "data", None).0,
            Err(PageError::SelectorMissing("data".into()))
        );
        assert_eq!(
            scan(r#"{"data":{"a":1}}"#, "data", None).0,
            Err(PageError::NotAnArray {
                path: "data".into(),
                found: "an object"
            })
        );
        assert_eq!(
            scan(r#"{"data":null}"#, "data", None).0,
            Err(PageError::NotAnArray {
                path: "data".into(),
                found: "null"
            })
        );
        assert_eq!(
            scan(r#"{"data":[],"next":5}"#, "data", Some("next")).0,
            Err(PageError::BadNext {
                path: "next".into(),
                found: "a number"
            })
        );
        assert_eq!(
            scan(r#"[1]"#, "data", None).0,
            Err(PageError::SelectorMissing("data".into()))
        );
    }

    #[test]
    fn broken_bodies_are_not_json() {
        for body in [
            "<html>oops</html>",
            r#"{"data":[{"id":1},{"id":"#,
            r#"{"data":[]} trailing"#,
            "",
        ] {
            let (r, out) = scan(body, "data", None);
            assert!(matches!(r, Err(PageError::NotJson(_))), "{body}: {r:?}");
            assert!(out.is_empty(), "nothing is written from a broken page");
        }
    }

    #[test]
    fn deep_nesting_is_stack_safe() {
        // serde_json skips values (records, ignored fields) iteratively, so a
        // 100,000-deep value is just a valid record, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (r, out) = scan(&format!("{{\"data\":[{deep}]}}"), "data", None);
        assert_eq!(r.unwrap().records, 1);
        assert_eq!(out.len(), deep.len() + 1);
        assert_eq!(
            scan(&format!("{{\"x\":{deep},\"data\":[]}}"), "data", None)
                .0
                .unwrap()
                .records,
            0
        );
        // Deep nesting on the walked path itself hits the recursion limit cleanly.
        let (r, _) = scan(
            &format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)),
            "a.a.a",
            None,
        );
        assert!(r.is_err());
    }

    #[test]
    fn non_utf8_is_not_json() {
        let mut out = Vec::new();
        let r = scan_page(b"{\"data\":[\"\xff\"]}", &spec("data", None), &mut out);
        assert!(matches!(r, Err(PageError::NotJson(_))));
    }

    fn fields_spec(fields: &[(&str, Want)]) -> ScanSpec {
        ScanSpec::with_fields(
            Selector::parse("data").unwrap(),
            fields
                .iter()
                .map(|(p, w)| (Selector::parse(p).unwrap(), *w))
                .collect(),
        )
    }

    fn scan_fields(body: &str, fields: &[(&str, Want)]) -> Result<Scan, PageError> {
        scan_page(body.as_bytes(), &fields_spec(fields), &mut Vec::new())
    }

    #[test]
    fn several_fields_in_one_pass() {
        let body = r#"{"meta":{"next_cursor":"abc","total":"12","more":true},"data":[1,2],"page":{"n":7}}"#;
        let s = scan_fields(
            body,
            &[
                ("meta.next_cursor", Want::Token),
                ("meta.total", Want::Count),
                ("meta.more", Want::Flag),
                ("page.n", Want::Count),
                ("meta.absent", Want::Token),
            ],
        )
        .unwrap();
        assert_eq!(s.records, 2);
        assert_eq!(s.string(0), Some("abc"));
        assert_eq!(s.field(1).and_then(Scalar::as_count), Some(12));
        assert_eq!(s.field(2), Some(&Scalar::Bool(true)));
        assert_eq!(s.field(3), Some(&Scalar::Int(7)));
        assert_eq!(s.field(4), None);
    }

    #[test]
    fn integer_cursors_and_nulls() {
        let s = scan_fields(r#"{"data":[],"c":12345678901}"#, &[("c", Want::Token)]).unwrap();
        assert_eq!(
            s.field(0).and_then(Scalar::as_token).as_deref(),
            Some("12345678901")
        );
        let s = scan_fields(r#"{"data":[],"c":null}"#, &[("c", Want::Token)]).unwrap();
        assert_eq!(s.field(0), Some(&Scalar::Null));
        assert_eq!(s.field(0).and_then(Scalar::as_token), None);
        let s = scan_fields(r#"{"data":[],"c":""}"#, &[("c", Want::Token)]).unwrap();
        assert_eq!(s.field(0).and_then(Scalar::as_token), None);
    }

    #[test]
    fn two_fields_on_one_path_and_a_field_inside_the_data_path() {
        let s = scan_fields(
            r#"{"data":[1],"n":3}"#,
            &[("n", Want::Count), ("n", Want::Token)],
        )
        .unwrap();
        assert_eq!(s.fields, vec![Some(Scalar::Int(3)), Some(Scalar::Int(3))]);
    }

    #[test]
    fn wrong_field_types_name_the_path_and_the_want() {
        let bad = |body: &str, want: Want| scan_fields(body, &[("m.x", want)]).unwrap_err();
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":-1}}"#, Want::Count),
            PageError::BadField {
                path: "m.x".into(),
                found: "a number",
                want: "a non-negative integer"
            }
        );
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":"yes"}}"#, Want::Flag).reason(),
            "bad_field"
        );
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":1.5}}"#, Want::Token).reason(),
            "bad_field"
        );
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":[1]}}"#, Want::Token).reason(),
            "bad_field"
        );
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":{}}}"#, Want::Count).reason(),
            "bad_field"
        );
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":"12a"}}"#, Want::Count).reason(),
            "bad_field"
        );
        assert_eq!(
            bad(r#"{"data":[],"m":{"x":18446744073709551615}}"#, Want::Token).reason(),
            "bad_field"
        );
        // A field under a scalar is simply missing.
        let s = scan_fields(r#"{"data":[],"m":3}"#, &[("m.x", Want::Count)]).unwrap();
        assert_eq!(s.field(0), None);
    }
}
