//! Tests of `data_selector = "."`: the body as one record — its exact bytes
//! (the newline rule included), the fields found inside it, the shapes it
//! refuses, its depth, and the same result however the body is chunked.
//! The differential tests (`differential`) check it against the oracle too.

use super::*;
use harvest_config::DataSelector;

fn body_spec(fields: &[(&str, Want)]) -> ScanSpec {
    let fields = fields
        .iter()
        .map(|(p, w)| (Selector::parse(p).unwrap(), *w))
        .collect();
    ScanSpec::with_fields(DataSelector::Body, fields)
}

/// Feeds `body` in `chunk`-byte pieces; the lines out, and the result.
fn split(
    body: &str,
    spec: &ScanSpec,
    members: &[u8],
    chunk: usize,
) -> (Result<Scan, PageError>, String) {
    let mut splitter = PageSplitter::new(spec, members);
    let mut out = Vec::new();
    let r = body
        .as_bytes()
        .chunks(chunk)
        .try_for_each(|c| splitter.feed(c, &mut out))
        .and_then(|()| splitter.finish(&mut out));
    (r, String::from_utf8(out).unwrap())
}

/// The same outcome whole and in chunks of 1, 3 and 7 bytes.
fn each_way(body: &str, spec: &ScanSpec, members: &[u8]) -> (Result<Scan, PageError>, String) {
    let whole = split(body, spec, members, body.len().max(1));
    for chunk in [1, 3, 7] {
        assert_eq!(
            split(body, spec, members, chunk),
            whole,
            "chunks of {chunk}"
        );
    }
    whole
}

#[test]
fn an_object_body_is_one_record_of_its_exact_bytes() {
    let body = " \r\n{\"id\": 7,\n  \"name\":\"caf\\u00e9 é\",\"tags\":[1, {\"a\":null}]}\n\n";
    let (r, out) = each_way(body, &body_spec(&[]), b"");
    assert_eq!(r.unwrap().records, 1);
    // The whitespace around the body goes; raw newlines inside become spaces.
    assert_eq!(
        out,
        "{\"id\": 7,   \"name\":\"caf\\u00e9 é\",\"tags\":[1, {\"a\":null}]}\n"
    );
    let (r, out) = each_way("{}", &body_spec(&[]), b"");
    assert_eq!((r.unwrap().records, out.as_str()), (1, "{}\n"));
}

#[test]
fn pagination_fields_are_read_from_inside_the_record() {
    let spec = body_spec(&[("links.next", Want::Link), ("total", Want::Count)]);
    let body = r#"{"id":1,"links":{"self":"/u/1","next":"/u/2"},"total":"3"}"#;
    let (r, out) = each_way(body, &spec, b"");
    assert_eq!(
        r.unwrap(),
        Scan {
            records: 1,
            fields: vec![
                Some(Scalar::Str("/u/2".into())),
                Some(Scalar::Str("3".into()))
            ],
        }
    );
    assert_eq!(out, format!("{body}\n"));
    // A field of the wrong type fails the page as it does for any selector.
    let (r, out) = each_way(r#"{"links":{"next":5}}"#, &spec, b"");
    assert_eq!(r.unwrap_err().reason(), "bad_next");
    assert_eq!(out, "");
}

#[test]
fn copied_parent_fields_go_first_in_the_record() {
    let (r, out) = each_way("{\n\"id\":3}", &body_spec(&[]), br#""user_id":7"#);
    assert_eq!(r.unwrap().records, 1);
    assert_eq!(out, "{\"user_id\":7, \"id\":3}\n");
    let (_, out) = each_way("{ }", &body_spec(&[]), br#""user_id":7"#);
    assert_eq!(out, "{\"user_id\":7 }\n");
}

#[test]
fn an_array_or_a_scalar_body_is_not_a_record() {
    for (body, found) in [
        ("[{\"id\":1},{\"id\":2}]", "an array"),
        ("[]", "an array"),
        ("\"text\"", "a string"),
        ("42", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let (r, out) = each_way(body, &body_spec(&[]), b"");
        assert_eq!(r, Err(PageError::NotAnObject { found }), "{body}");
        assert_eq!(r.unwrap_err().reason(), "not_an_object");
        assert_eq!(out, "", "{body}");
    }
}

#[test]
fn a_broken_body_writes_no_record() {
    for body in [
        "{\"id\":1",
        "{\"id\":1}}",
        "{\"id\":1} {\"id\":2}",
        "{\"id\":01}",
        "",
        "  ",
    ] {
        let (r, out) = each_way(body, &body_spec(&[]), b"");
        assert_eq!(r.unwrap_err().reason(), "not_json", "{body:?}");
        assert_eq!(out, "", "{body:?}");
    }
    // Bytes that are not UTF-8, in a string the walk skips.
    let mut spec_out = Vec::new();
    let r = scan_page(b"{\"s\":\"\xff\"}", &body_spec(&[]), &mut spec_out);
    assert_eq!(r.unwrap_err().reason(), "not_json");
    assert!(spec_out.is_empty());
}

#[test]
fn the_record_is_written_only_once_the_body_is_complete() {
    let body = r#"{"a":[1,2],"next":"/p/2","b":{"c":{}}}"#;
    let spec = body_spec(&[("next", Want::Link)]);
    let mut splitter = PageSplitter::new(&spec, b"");
    let mut out = Vec::new();
    for b in body.as_bytes() {
        splitter.feed(std::slice::from_ref(b), &mut out).unwrap();
        assert!(out.is_empty());
    }
    assert_eq!(splitter.finish(&mut out).unwrap().records, 1);
    assert_eq!(out, format!("{body}\n").into_bytes());
}

#[test]
fn the_body_s_depth_counts_from_the_document() {
    // `{"a":[[...]]}` holds `1 + n` levels; the walked `links` object counts
    // as one of them.
    let spec = body_spec(&[("links.next", Want::Link)]).with_max_depth(4);
    for (n, ok) in [(0, true), (3, true), (4, false)] {
        let body = format!(
            "{{\"links\":{{\"next\":null}},\"a\":{}1{}}}",
            "[".repeat(n),
            "]".repeat(n)
        );
        match each_way(&body, &spec, b"").0 {
            Ok(scan) => assert!(ok && scan.records == 1, "{n}"),
            Err(e) => {
                assert!(!ok, "{n}: {e}");
                // `{"links":{"next":null},"a":` then the fourth `[`.
                let at = 27 + 3;
                assert_eq!(e, PageError::TooDeep { max_depth: 4, at }, "{n}");
            }
        }
    }
    // A walked object past the bound is refused too.
    let spec = body_spec(&[("a.b.next", Want::Link)]).with_max_depth(2);
    let (r, _) = each_way(r#"{"a":{"b":{"next":null}}}"#, &spec, b"");
    assert_eq!(
        r,
        Err(PageError::TooDeep {
            max_depth: 2,
            at: 10
        })
    );
}
