//! One pass over a page body that copies the records out as raw bytes and
//! picks up the pagination field on the way.
//!
//! The walk is a serde visitor over `serde_json`'s borrowed deserializer: it
//! descends only along the configured paths, skips every other value without
//! building it (`IgnoredAny`), and takes each record as a `&RawValue`, i.e. the
//! byte range the API sent. The whole body is still validated as JSON, so a
//! truncated page is an error and never yields a partial record set; serde_json's
//! recursion limit keeps deeply nested input stack-safe.
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

/// Which paths of a page matter.
#[derive(Debug, Clone)]
pub struct ScanSpec {
    data: Selector,
    next: Option<Selector>,
}

impl ScanSpec {
    pub fn new(data: Selector, next: Option<Selector>) -> Self {
        Self { data, next }
    }
}

/// What the walk found besides the records it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    pub records: u64,
    /// The pagination field, if present and a non-null string.
    pub next: Option<String>,
}

/// Walks `body`, appending one line per record to `out`.
/// On error `out` is left as it was.
pub fn scan_page(body: &[u8], spec: &ScanSpec, out: &mut Vec<u8>) -> Result<Scan, PageError> {
    let mark = out.len();
    scan_into(body, spec, out).inspect_err(|_| out.truncate(mark))
}

fn scan_into(body: &[u8], spec: &ScanSpec, out: &mut Vec<u8>) -> Result<Scan, PageError> {
    let mut state = State {
        spec,
        out,
        records: 0,
        data_found: false,
        next: None,
        error: None,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let walked = Node {
        depth: 0,
        on_data: true,
        on_next: spec.next.is_some(),
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
        next: state.next,
    })
}

struct State<'s> {
    spec: &'s ScanSpec,
    out: &'s mut Vec<u8>,
    records: u64,
    data_found: bool,
    next: Option<String>,
    /// A shape error found mid-walk; reported instead of serde's generic one.
    error: Option<PageError>,
}

/// A position in the document that lies on the data path, the next path, or both.
struct Node<'a, 's> {
    depth: usize,
    on_data: bool,
    on_next: bool,
    state: &'a mut State<'s>,
}

impl Node<'_, '_> {
    fn data_here(&self) -> bool {
        self.on_data && self.state.spec.data.segments().len() == self.depth
    }

    fn next_here(&self) -> bool {
        self.on_next
            && self
                .state
                .spec
                .next
                .as_ref()
                .is_some_and(|n| n.segments().len() == self.depth)
    }

    /// Records a shape error and returns serde's signal to stop walking.
    fn fail<E: de::Error>(&mut self, found: &'static str) -> E {
        let spec = self.state.spec;
        let err = if self.data_here() {
            PageError::NotAnArray {
                path: spec.data.to_string(),
                found,
            }
        } else {
            PageError::BadNext {
                path: spec
                    .next
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                found,
            }
        };
        self.state.error = Some(err);
        E::custom("page shape")
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
            if self.next_here() {
                return Err(self.fail("an array"));
            }
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        self.state.data_found = true;
        let out = &mut *self.state.out;
        let mut records = 0;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            push_line(out, raw.get().as_bytes());
            records += 1;
        }
        self.state.records += records;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.data_here() {
            return Err(self.fail("an object"));
        }
        if self.next_here() {
            return Err(self.fail("an object"));
        }
        let depth = self.depth;
        let spec = self.state.spec;
        while let Some(key) = map.next_key_seed(Key)? {
            let on_data =
                self.on_data && spec.data.segments().get(depth).is_some_and(|s| *s == key);
            let on_next = self.on_next
                && spec
                    .next
                    .as_ref()
                    .and_then(|n| n.segments().get(depth))
                    .is_some_and(|s| *s == key);
            if on_data || on_next {
                map.next_value_seed(Node {
                    depth: depth + 1,
                    on_data,
                    on_next,
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
        if self.data_here() {
            return Err(self.fail("a string"));
        }
        if self.next_here() {
            self.state.next = Some(v.to_owned());
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        if self.data_here() {
            return Err(self.fail("null"));
        }
        Ok(()) // a null next link ends the stream
    }

    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        self.scalar("a boolean")
    }

    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        self.scalar("a number")
    }

    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.scalar("a number")
    }
}

impl Node<'_, '_> {
    fn scalar<E: de::Error>(&mut self, found: &'static str) -> Result<(), E> {
        if self.data_here() || self.next_here() {
            return Err(self.fail(found));
        }
        Ok(())
    }
}

/// Appends `record` and a newline, turning raw CR/LF (whitespace between
/// tokens; JSON strings cannot hold them unescaped) into spaces.
fn push_line(out: &mut Vec<u8>, record: &[u8]) {
    let start = out.len();
    out.extend_from_slice(record);
    if memchr::memchr2(b'\n', b'\r', record).is_some() {
        for b in &mut out[start..] {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
    }
    out.push(b'\n');
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
                next: Some("/p/2".into())
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
                next: None
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
}
