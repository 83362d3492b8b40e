//! A pass's pages parsed (`pass`): the lines kept, the ones left out and
//! why, the page's maximum, the parameters on every page, children only
//! from the kept records.

use crate::*;
use harvest_config::{Incremental, OnMissing, Selector};
use harvest_incremental::{CursorValue, PassStart, RecordKey};

fn sel(p: &str) -> Selector {
    Selector::parse(p).unwrap()
}

fn inc(on_missing: OnMissing) -> Incremental {
    Incremental {
        cursor_path: sel("at"),
        param: "since".into(),
        initial_value: Some(CursorValue::int(10)),
        primary_key: vec![sel("id")],
        end: None,
        lag: None,
        on_missing,
    }
}

fn rules(style: PageStyle, pass: PassRules) -> PageRules {
    PageRules::new(&crate::tests::resource(style, None)).with_pass(pass)
}

fn json_link() -> PageStyle {
    PageStyle::JsonLink {
        next_url_path: sel("next"),
    }
}

/// Parses `body` at `page`, in chunks of `chunk` bytes; the lines written.
fn parse(
    rules: &PageRules,
    page: &str,
    body: &str,
    chunk: usize,
) -> (Result<Parsed, PageError>, String) {
    let req = PageRequest::seed(Url::parse(page).unwrap());
    let mut parser = rules.page_parser(&req, &[]);
    let mut out = Vec::new();
    let fed = body
        .as_bytes()
        .chunks(chunk)
        .try_for_each(|c| parser.feed(c, &mut out));
    let result = fed.and_then(|()| parser.finish(&|_| Vec::new(), &mut out));
    (result, String::from_utf8(out).unwrap())
}

const PAGE: &str =
    r#"{"data":[{"id":1,"at":9},{"id":2,"at":10},{"id":3,"at":10},{"id":4,"at":12}],"next":"/p2"}"#;

/// Start 10, record 2 at 10 already written by the last pass.
fn pass(on_missing: OnMissing) -> PassRules {
    let seen = RecordKey::of_fields(&["2"], &CursorValue::int(10));
    PassRules::new(
        &inc(on_missing),
        Some(PassStart {
            value: CursorValue::int(10),
            seen: vec![seen],
        }),
    )
}

#[test]
fn only_new_records_are_written_in_any_chunking() {
    let rules = rules(json_link(), pass(OnMissing::DeadLetter));
    for chunk in [1, 7, PAGE.len()] {
        let (parsed, lines) = parse(&rules, "http://h/p1?since=10", PAGE, chunk);
        let parsed = parsed.unwrap();
        assert_eq!(
            lines, "{\"id\":3,\"at\":10}\n{\"id\":4,\"at\":12}\n",
            "chunk {chunk}"
        );
        assert_eq!(parsed.records, 2);
        let judged = parsed.judged.unwrap();
        assert_eq!(
            (judged.seen, judged.below_start, judged.past_end),
            (1, 1, 0)
        );
        assert_eq!(judged.max.max(), Some(&CursorValue::int(12)));
    }
}

#[test]
fn the_pass_s_start_goes_on_the_seed_and_on_next_links_without_it() {
    let link = rules(json_link(), pass(OnMissing::DeadLetter));
    let seed = link.seed(Url::parse("http://h/p1?since=3&x=1").unwrap());
    assert_eq!(
        seed.url.as_str(),
        "http://h/p1?since=10&x=1",
        "the pass's start replaces one written"
    );
    let (parsed, _) = parse(&link, "http://h/p1?since=10", PAGE, 64);
    let Next::Page(next) = parsed.unwrap().next else {
        panic!("a next page");
    };
    assert_eq!(next.url.as_str(), "http://h/p2?since=10");
    // A cursor page keeps its own copy of the URL's parameters.
    let cursor = rules(
        PageStyle::Cursor {
            cursor_path: sel("next"),
            cursor_param: "cursor".into(),
            has_more_path: None,
        },
        pass(OnMissing::DeadLetter),
    );
    let (parsed, _) = parse(
        &cursor,
        "http://h/o?since=10",
        r#"{"data":[{"id":9,"at":11}],"next":"c2"}"#,
        64,
    );
    let Next::Page(next) = parsed.unwrap().next else {
        panic!("a next page");
    };
    assert_eq!(next.url.as_str(), "http://h/o?since=10&cursor=c2");
}

#[test]
fn an_offset_stream_advances_past_the_records_left_out() {
    let offset = rules(
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 4,
            total: None,
            total_path: None,
            end_on_short_page: true,
        },
        pass(OnMissing::DeadLetter),
    );
    let (parsed, _) = parse(&offset, "http://h/o?since=10&limit=4&offset=0", PAGE, 64);
    let parsed = parsed.unwrap();
    assert_eq!(parsed.records, 2, "written");
    let Next::Page(next) = parsed.next else {
        panic!("a full page of 4 goes on: {:?}", parsed.next);
    };
    assert!(next.url.as_str().contains("offset=4"), "{}", next.url);
}

#[test]
fn a_record_without_a_cursor_follows_on_missing() {
    let body = r#"{"data":[{"id":5,"at":11},{"id":6}]}"#;
    let (dead, _) = parse(
        &rules(json_link(), pass(OnMissing::DeadLetter)),
        "http://h/p",
        body,
        64,
    );
    assert_eq!(dead.unwrap_err().reason(), "cursor_missing");
    let (kept, lines) = parse(
        &rules(json_link(), pass(OnMissing::Include)),
        "http://h/p",
        body,
        64,
    );
    assert_eq!(kept.unwrap().judged.unwrap().missing, 1);
    assert_eq!(lines.lines().count(), 2);
    let (_, lines) = parse(
        &rules(json_link(), pass(OnMissing::Exclude)),
        "http://h/p",
        body,
        64,
    );
    assert_eq!(lines, "{\"id\":5,\"at\":11}\n");
}

#[test]
fn cursors_of_two_kinds_in_one_page_refuse_it() {
    let mut first = inc(OnMissing::DeadLetter);
    first.initial_value = None;
    let rules = rules(json_link(), PassRules::new(&first, None));
    let body = r#"{"data":[{"id":1,"at":11},{"id":2,"at":"2024-01-01T00:00:00Z"}]}"#;
    let (err, _) = parse(&rules, "http://h/p", body, 64);
    let err = err.unwrap_err();
    assert_eq!(err.reason(), "bad_cursor");
    assert!(err.to_string().contains("an RFC 3339 timestamp"), "{err}");
    let (err, _) = parse(&rules, "http://h/p", r#"{"data":[{"id":1,"at":true}]}"#, 64);
    assert_eq!(
        err.unwrap_err().to_string(),
        "the cursor `at` of a record: a cursor must be a number or a string, not a boolean"
    );
}
