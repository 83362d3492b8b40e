//! Tests of the page scan: exact record bytes, fields, shape errors, broken
//! bodies, and the splitter fed in chunks.
use super::*;
use crate::TopKeys;

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
    let missing = scan(r#"{"items":[],"next":null}"#, "data", None).0;
    assert_eq!(
        missing,
        Err(PageError::SelectorMissing {
            path: "data".into(),
            keys: TopKeys {
                shown: vec!["items".into(), "next".into()],
                more: 0
            }
        })
    );
    assert_eq!(
        missing.unwrap_err().to_string(),
        "data_selector `data` is not in the page (its top-level keys: `items`, `next`)"
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
        Err(PageError::SelectorMissing {
            path: "data".into(),
            keys: TopKeys::default()
        })
    );
    assert_eq!(
        scan(r#"[1]"#, "data", None).0.unwrap_err().to_string(),
        "data_selector `data` is not in the page"
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
    // Values are scanned with an explicit bit stack, as serde_json skipped
    // them, so a 100,000-deep value is just a valid record, not a stack
    // overflow.
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
    let body =
        r#"{"meta":{"next_cursor":"abc","total":"12","more":true},"data":[1,2],"page":{"n":7}}"#;
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

#[test]
fn nesting_deeper_than_max_depth_is_refused_clearly() {
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    // A record: too deep for any max_depth.
    let (r, out) = scan(&format!("{{\"data\":[{deep}]}}"), "data", None);
    assert_eq!(r.unwrap_err().reason(), "too_deep");
    assert!(out.is_empty());
    // A value off every path: not JSON harvest will walk.
    let (r, _) = scan(&format!("{{\"data\":[],\"x\":{deep}}}"), "data", None);
    let Err(PageError::NotJson(why)) = r else {
        panic!("{r:?}")
    };
    assert!(why.contains("nested deeper"), "{why}");
}

/// `[[...1...]]` nested `depth` levels (`{"a":` on odd levels).
fn nested(depth: usize) -> String {
    let open: String = (0..depth)
        .map(|i| if i % 2 == 0 { "[" } else { "{\"a\":" })
        .collect();
    let close: String = (0..depth)
        .rev()
        .map(|i| if i % 2 == 0 { "]" } else { "}" })
        .collect();
    format!("{open}1{close}")
}

#[test]
fn a_record_nested_deeper_than_the_specs_max_depth_fails_the_page() {
    let spec = spec("data", None).with_max_depth(4);
    for (depth, ok) in [
        (0, true),
        (3, true),
        (4, true),
        (5, false),
        (200_000, false),
    ] {
        let body = format!(
            "{{\"data\":[{{\"id\":1}},{}],\"x\":{}}}",
            nested(depth),
            nested(9)
        );
        for chunk in [1, 7, body.len()] {
            let mut splitter = PageSplitter::new(&spec, b"");
            let mut out = Vec::new();
            let r = body
                .as_bytes()
                .chunks(chunk)
                .try_for_each(|c| splitter.feed(c, &mut out))
                .and_then(|()| splitter.finish(&mut out));
            match r {
                Ok(scan) => {
                    assert!(ok, "depth {depth} passed");
                    assert_eq!(scan.records, 2);
                }
                Err(e) => {
                    assert!(!ok, "depth {depth}: {e}");
                    assert_eq!(
                        e,
                        PageError::TooDeep {
                            max_depth: 4,
                            // `{"data":[{"id":1},` then `[{"a":[{"a":`: the
                            // fifth container of the second record.
                            at: 18 + (1 + 5 + 1 + 5),
                        },
                        "depth {depth}, chunks of {chunk}"
                    );
                }
            }
        }
    }
}

/// Feeds `body` one byte at a time, noting the lines out after each byte.
fn byte_by_byte(body: &str, spec: &ScanSpec) -> (Result<Scan, PageError>, Vec<usize>) {
    let mut splitter = PageSplitter::new(spec, b"");
    let mut out = Vec::new();
    let mut lines = Vec::new();
    for b in body.as_bytes() {
        if let Err(e) = splitter.feed(std::slice::from_ref(b), &mut out) {
            return (Err(e), lines);
        }
        lines.push(out.iter().filter(|b| **b == b'\n').count());
    }
    (splitter.finish(&mut out), lines)
}

#[test]
fn each_record_is_written_as_soon_as_it_completes() {
    let body = r#"{"data":[{"a":"x\"y"},12,[true]],"next":"/p/2"}"#;
    let (r, lines) = byte_by_byte(body, &spec("data", Some("next")));
    assert_eq!(r.unwrap().records, 3);
    let at = |n| lines.iter().position(|l| *l == n).unwrap();
    assert_eq!(
        at(1),
        body.find('}').unwrap(),
        "after the record's closing brace"
    );
    assert_eq!(at(2), body.find(",[").unwrap(), "a number ends at the `,`");
    assert_eq!(at(3), body.find("]]").unwrap());
}

#[test]
fn memory_is_bounded_by_the_largest_record() {
    let record = r#"{"id":123456,"name":"rec-1","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    let spec = spec("data", None);
    let mut splitter = PageSplitter::new(&spec, b"");
    let mut out = Vec::new();
    splitter.feed(b"{\"data\":[", &mut out).unwrap();
    for i in 0..10_000 {
        let sep = if i == 0 { "" } else { "," };
        for chunk in format!("{sep}{record}").as_bytes().chunks(7) {
            splitter.feed(chunk, &mut out).unwrap();
        }
        out.clear();
        assert!(splitter.held() <= 2 * record.len(), "{}", splitter.held());
    }
    splitter.feed(b"]}", &mut out).unwrap();
    assert_eq!(splitter.finish(&mut out).unwrap().records, 10_000);
}

#[test]
fn an_error_is_repeated_by_later_calls() {
    let spec = spec("data", None);
    let mut splitter = PageSplitter::new(&spec, b"");
    let mut out = Vec::new();
    let first = splitter.feed(b"{\"data\":[1,}", &mut out).unwrap_err();
    assert_eq!(splitter.feed(b"]}", &mut out), Err(first.clone()));
    assert_eq!(splitter.finish(&mut out), Err(first));
}

#[test]
fn a_scalar_cut_by_the_end_of_the_body() {
    // serde_json hands a number over at the end of input: a shape error.
    assert_eq!(
        scan(r#"{"data":[],"next":5"#, "data", Some("next")).0,
        Err(PageError::BadNext {
            path: "next".into(),
            found: "a number"
        })
    );
    for body in [
        r#"{"data":[],"next":"/p"#,
        r#"{"data":[],"next":nul"#,
        r#"{"data":[1"#,
    ] {
        let (r, _) = scan(body, "data", Some("next"));
        assert!(matches!(r, Err(PageError::NotJson(_))), "{body}: {r:?}");
    }
}

#[test]
fn records_get_the_parent_members_across_chunks() {
    let spec = spec("", None);
    let body = b"[ {\"id\":1} ,{ },[2]]";
    let mut out = Vec::new();
    let mut splitter = PageSplitter::new(&spec, br#""u":7"#);
    for chunk in body.chunks(3) {
        splitter.feed(chunk, &mut out).unwrap();
    }
    assert_eq!(splitter.finish(&mut out).unwrap().records, 3);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"u\":7,\"id\":1}\n{\"u\":7 }\n[2]\n"
    );
}
