//! Next-page derivation, one style at a time (pure: bodies and headers in,
//! `Next` out).

use crate::*;
use harvest_config::{Paginator, Seeds, Selector};

fn sel(p: &str) -> Selector {
    Selector::parse(p).unwrap()
}

fn rules(style: PageStyle, max_pages: Option<u32>) -> PageRules {
    PageRules::new(&resource(style, max_pages))
}

/// A resource `r` of records at `data`, paginated by `style`.
pub(crate) fn resource(style: PageStyle, max_pages: Option<u32>) -> Resource {
    Resource {
        name: "r".into(),
        seeds: Seeds::default(),
        parent: None,
        data_selector: sel("data").into(),
        paginator: Paginator { style, max_pages },
        allowed_origins: Vec::new(),
        request: Default::default(),
        auth: None,
        response_actions: Default::default(),
        incremental: None,
        max_depth: harvest_config::DEFAULT_MAX_DEPTH,
    }
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn no_headers(_: &str) -> Vec<String> {
    Vec::new()
}

fn parse_with(
    rules: &PageRules,
    page: &PageRequest,
    links: &[&str],
    body: &str,
) -> Result<Parsed, PageError> {
    let links: Vec<String> = links.iter().map(|s| s.to_string()).collect();
    let headers = move |name: &str| {
        if name.eq_ignore_ascii_case("link") {
            links.clone()
        } else {
            Vec::new()
        }
    };
    rules.parse(page, &headers, body.as_bytes(), &mut Vec::new())
}

fn next(rules: &PageRules, page: &PageRequest, body: &str) -> Next {
    rules
        .parse(page, &no_headers, body.as_bytes(), &mut Vec::new())
        .unwrap()
        .next
}

fn urls(next: &Next) -> Vec<String> {
    match next {
        Next::Page(r) => vec![r.url.to_string()],
        Next::Pages(rs) => rs.iter().map(|r| r.url.to_string()).collect(),
        other => panic!("not a page: {other:?}"),
    }
}

fn records(n: usize) -> String {
    (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

#[test]
fn json_link_follows_and_counts_pages() {
    let r = rules(
        PageStyle::JsonLink {
            next_url_path: sel("next"),
        },
        None,
    );
    let seed = PageRequest::seed(url("http://h/p/0"));
    let Next::Page(p1) = next(&r, &seed, r#"{"data":[1],"next":"/p/1"}"#) else {
        panic!()
    };
    assert_eq!(p1.url.as_str(), "http://h/p/1");
    assert_eq!(p1.pos.page, 1);
    assert_eq!(next(&r, &p1, r#"{"data":[1],"next":null}"#), Next::End);
    assert_eq!(
        next(&r, &p1, r#"{"data":[1],"next":"/p/1"}"#),
        Next::Refused(Cut::new(
            CutReason::SelfLink,
            "http://h/p/1",
            Position {
                page: 2,
                ..Position::default()
            }
        ))
    );
}

#[test]
fn max_pages_counts_the_seed_as_page_zero() {
    let r = rules(
        PageStyle::JsonLink {
            next_url_path: sel("next"),
        },
        Some(2),
    );
    let seed = PageRequest::seed(url("http://h/p/0"));
    let body = r#"{"data":[1],"next":"/p/9"}"#;
    let Next::Page(p1) = next(&r, &seed, body) else {
        panic!()
    };
    let cut = |target: &str, page| {
        Next::Refused(Cut::new(
            CutReason::MaxPages,
            target,
            Position {
                page,
                ..Position::default()
            },
        ))
    };
    assert_eq!(
        next(&r, &p1, r#"{"data":[1],"next":"/p/2"}"#),
        cut("http://h/p/2", 2),
        "page index 2 would be the third page: the stream is cut"
    );
    assert_eq!(
        next(&r, &p1, r#"{"data":[1],"next":null}"#),
        Next::End,
        "a stream ending at the cap is not cut"
    );
    let one = rules(PageStyle::HeaderLink, Some(1));
    assert_eq!(
        parse_with(&one, &seed, &["</p/1>; rel=next"], r#"{"data":[]}"#)
            .unwrap()
            .next,
        cut("http://h/p/1", 1)
    );
}

#[test]
fn header_link_uses_rel_next_and_resolves_relative_targets() {
    let r = rules(PageStyle::HeaderLink, None);
    let page = PageRequest::seed(url("http://h/v1/items?page=2"));
    let body = r#"{"data":[1,2]}"#;
    let parsed = parse_with(
        &r,
        &page,
        &[
            r#"<?page=1>; rel="prev first""#,
            r#"<?page=3>; rel="next", <?page=9>; rel="last""#,
        ],
        body,
    )
    .unwrap();
    assert_eq!(parsed.records, 2);
    assert_eq!(urls(&parsed.next), ["http://h/v1/items?page=3"]);
    assert_eq!(parse_with(&r, &page, &[], body).unwrap().next, Next::End);
    assert_eq!(
        parse_with(&r, &page, &["<?page=1>; rel=prev"], body)
            .unwrap()
            .next,
        Next::End
    );
    for (refused, reason) in [
        ("<?page=2>; rel=next", CutReason::SelfLink),
        (
            "<http://other/v1/items?page=3>; rel=next",
            CutReason::ForeignOrigin,
        ),
        ("<ftp://h/x>; rel=next", CutReason::BadScheme),
    ] {
        match parse_with(&r, &page, &[refused], body).unwrap().next {
            Next::Refused(cut) => assert_eq!(cut.reason, reason, "{refused}"),
            other => panic!("{refused}: {other:?}"),
        }
    }
}

fn cursor_rules(has_more: bool) -> PageRules {
    rules(
        PageStyle::Cursor {
            cursor_path: sel("meta.next_cursor"),
            cursor_param: "after".into(),
            has_more_path: has_more.then(|| sel("meta.has_more")),
        },
        None,
    )
}

#[test]
fn cursor_goes_back_as_a_query_parameter() {
    let r = cursor_rules(false);
    let seed = PageRequest::seed(url("http://h/items?sort=id"));
    let n = next(&r, &seed, r#"{"data":[1],"meta":{"next_cursor":"c 1"}}"#);
    assert_eq!(urls(&n), ["http://h/items?sort=id&after=c+1"]);
    let Next::Page(p1) = n else { panic!() };
    assert_eq!(p1.pos.page, 1);
    let n = next(&r, &p1, r#"{"data":[1],"meta":{"next_cursor":42}}"#);
    assert_eq!(urls(&n), ["http://h/items?sort=id&after=42"]);
    for end in [
        r#"{"data":[1],"meta":{"next_cursor":null}}"#,
        r#"{"data":[1],"meta":{"next_cursor":""}}"#,
        r#"{"data":[1],"meta":{}}"#,
        r#"{"data":[]}"#,
    ] {
        assert_eq!(next(&r, &p1, end), Next::End, "{end}");
    }
}

#[test]
fn a_repeated_cursor_is_refused() {
    let r = cursor_rules(false);
    let page = PageRequest::seed(url("http://h/items?after=abc"));
    let Next::Refused(cut) = next(&r, &page, r#"{"data":[1],"meta":{"next_cursor":"abc"}}"#) else {
        panic!("a repeated cursor is refused")
    };
    assert_eq!(cut.reason, CutReason::RepeatedCursor);
    assert_eq!(cut.target, "http://h/items?after=abc");
}

#[test]
fn has_more_false_ends_a_cursor_stream() {
    let r = cursor_rules(true);
    let seed = PageRequest::seed(url("http://h/items"));
    assert_eq!(
        next(
            &r,
            &seed,
            r#"{"data":[1],"meta":{"next_cursor":"x","has_more":false}}"#
        ),
        Next::End
    );
    assert_eq!(
        urls(&next(
            &r,
            &seed,
            r#"{"data":[1],"meta":{"next_cursor":"x","has_more":true}}"#
        )),
        ["http://h/items?after=x"]
    );
    assert_eq!(
        parse_with(&r, &seed, &[], r#"{"data":[1],"meta":{"has_more":"no"}}"#)
            .unwrap_err()
            .reason(),
        "bad_field"
    );
}

fn offset_rules(total: bool, max_pages: Option<u32>) -> PageRules {
    offset_rules_with(total, false, max_pages)
}

fn offset_rules_with(total: bool, end_on_short_page: bool, max_pages: Option<u32>) -> PageRules {
    rules(
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 3,
            total_path: total.then(|| sel("total")),
            total: None,
            end_on_short_page,
        },
        max_pages,
    )
}

#[test]
fn a_total_stated_in_the_config_fans_out_from_the_seed() {
    let r = rules(
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 3,
            total_path: None,
            total: Some(9),
            end_on_short_page: false,
        },
        None,
    );
    let seed = r.seed(url("http://h/items"));
    let full = format!("{{\"data\":[{}]}}", records(3));
    assert_eq!(
        urls(&next(&r, &seed, &full)),
        [
            "http://h/items?limit=3&offset=3",
            "http://h/items?limit=3&offset=6"
        ]
    );
    let pages = rules(
        PageStyle::PageNumber {
            page_param: "page".into(),
            base: 1,
            total: None,
            total_pages: Some(3),
            page_size: None,
            page_size_param: None,
            has_more_path: None,
            end_on_short_page: false,
        },
        None,
    );
    let first = pages.seed(url("http://h/items?page=1"));
    assert_eq!(
        urls(&next(&pages, &first, &full)),
        ["http://h/items?page=2", "http://h/items?page=3"]
    );
}

#[test]
fn offset_seed_carries_the_limit() {
    let r = offset_rules(false, None);
    let seed = r.seed(url("http://h/items?q=1"));
    assert_eq!(seed.url.as_str(), "http://h/items?q=1&limit=3");
    assert_eq!(seed.pos, Position::default());
}

#[test]
fn offset_without_total_walks_until_an_empty_page() {
    let r = offset_rules(false, None);
    let seed = r.seed(url("http://h/items"));
    let Next::Page(p1) = next(&r, &seed, &format!("{{\"data\":[{}]}}", records(3))) else {
        panic!()
    };
    assert_eq!(p1.url.as_str(), "http://h/items?limit=3&offset=3");
    assert_eq!(
        (p1.pos.page, p1.pos.offset, p1.pos.fanned_out),
        (1, 3, false)
    );
    assert_eq!(
        urls(&next(&r, &p1, &format!("{{\"data\":[{}]}}", records(3)))),
        ["http://h/items?limit=3&offset=6"]
    );
    // A short page is no end (the server may cap the page size): the next
    // offset counts the records it held.
    let Next::Page(p2) = next(&r, &p1, &format!("{{\"data\":[{}]}}", records(2))) else {
        panic!("a short page goes on")
    };
    assert_eq!(p2.url.as_str(), "http://h/items?limit=3&offset=5");
    assert_eq!(p2.pos.offset, 5);
    assert_eq!(next(&r, &p1, r#"{"data":[]}"#), Next::End);
    // Opted in, a short page ends it.
    let short_ends = offset_rules_with(false, true, None);
    assert_eq!(
        next(&short_ends, &p1, &format!("{{\"data\":[{}]}}", records(2))),
        Next::End
    );
    assert_eq!(
        urls(&next(
            &short_ends,
            &p1,
            &format!("{{\"data\":[{}]}}", records(3))
        )),
        ["http://h/items?limit=3&offset=6"]
    );
}

#[test]
fn offset_with_total_fans_out_once() {
    let r = offset_rules(true, None);
    let seed = r.seed(url("http://h/items"));
    let full = format!("{{\"data\":[{}],\"total\":10}}", records(3));
    let n = next(&r, &seed, &full);
    assert_eq!(
        urls(&n),
        [
            "http://h/items?limit=3&offset=3",
            "http://h/items?limit=3&offset=6",
            "http://h/items?limit=3&offset=9"
        ]
    );
    let Next::Pages(pages) = n else { panic!() };
    let marks: Vec<bool> = pages.iter().map(|p| p.pos.fanned_out).collect();
    assert_eq!(marks, [true, true, false], "the last page keeps walking");
    assert_eq!(
        pages
            .iter()
            .map(|p| (p.pos.page, p.pos.offset))
            .collect::<Vec<_>>(),
        [(1, 3), (2, 6), (3, 9)]
    );
    assert_eq!(
        next(&r, &pages[0], &full),
        Next::End,
        "fanned-out pages end"
    );
    // The last page: the same total ends the stream; a grown total goes on.
    assert_eq!(next(&r, &pages[2], &full), Next::End);
    let grown = format!("{{\"data\":[{}],\"total\":16}}", records(3));
    assert_eq!(
        urls(&next(&r, &pages[2], &grown)),
        [
            "http://h/items?limit=3&offset=12",
            "http://h/items?limit=3&offset=15"
        ]
    );
    // The total reached, an exact fit, an empty or short first page.
    let at9 = PageRequest::seed(url("http://h/items?limit=3&offset=9"));
    assert_eq!(next(&r, &at9, &full), Next::End);
    let exact = format!("{{\"data\":[{}],\"total\":3}}", records(3));
    assert_eq!(next(&r, &seed, &exact), Next::End);
    assert_eq!(next(&r, &seed, r#"{"data":[],"total":10}"#), Next::End);
    // max_pages trims the fan-out; the last page kept walks on, and cuts
    // the stream once it finds that the stream goes further.
    let capped = offset_rules(true, Some(3));
    let kept = next(&capped, &seed, &full);
    assert_eq!(urls(&kept).len(), 2);
    let Next::Pages(kept) = kept else { panic!() };
    assert_eq!(
        kept.iter().map(|p| p.pos.fanned_out).collect::<Vec<_>>(),
        [true, false]
    );
    let Next::Refused(cut) = next(&capped, &kept[1], &full) else {
        panic!("the last page kept cuts the stream")
    };
    assert_eq!(cut.reason, CutReason::MaxPages);
    assert_eq!(cut.target, "http://h/items?limit=3&offset=9");
    assert_eq!(cut.pos.page, 3);
    // A short page with records left goes further (cut); one reaching
    // the total ends the stream.
    let short = format!("{{\"data\":[{}],\"total\":10}}", records(2));
    assert!(matches!(next(&capped, &kept[1], &short), Next::Refused(_)));
    let last = format!("{{\"data\":[{}],\"total\":10}}", records(4));
    assert_eq!(
        next(&capped, &kept[1], &last),
        Next::End,
        "the total ends it"
    );
}

#[test]
fn offset_fan_out_is_bounded() {
    let r = offset_rules(true, None);
    let seed = r.seed(url("http://h/items"));
    let huge = format!("{{\"data\":[{}],\"total\":1000000000}}", records(3));
    let Next::Page(p1) = next(&r, &seed, &huge) else {
        panic!("a huge remainder is walked page by page")
    };
    assert!(!p1.pos.fanned_out);
    let near_end = PageRequest::seed(url(&format!(
        "http://h/items?limit=3&offset={}",
        1_000_000_000 - 3 * 20
    )));
    assert_eq!(urls(&next(&r, &near_end, &huge)).len(), 19);
}

fn page_rules(base: u64, total: Option<PageTotal>, page_size: Option<u64>) -> PageRules {
    page_rules_with(base, total, page_size, false)
}

fn page_rules_with(
    base: u64,
    total: Option<PageTotal>,
    page_size: Option<u64>,
    end_on_short_page: bool,
) -> PageRules {
    rules(
        PageStyle::PageNumber {
            page_param: "page".into(),
            base,
            total,
            total_pages: None,
            page_size,
            page_size_param: page_size.map(|_| "per_page".into()),
            has_more_path: Some(sel("more")),
            end_on_short_page,
        },
        None,
    )
}

#[test]
fn page_number_walks_from_the_base_until_empty() {
    for base in [0, 1] {
        let r = page_rules(base, None, None);
        let seed = r.seed(url("http://h/items"));
        let Next::Page(p) = next(&r, &seed, r#"{"data":[1]}"#) else {
            panic!()
        };
        assert_eq!(p.url.as_str(), format!("http://h/items?page={}", base + 1));
        assert_eq!(
            urls(&next(&r, &p, r#"{"data":[1]}"#)),
            [format!("http://h/items?page={}", base + 2)]
        );
        assert_eq!(next(&r, &p, r#"{"data":[]}"#), Next::End);
        assert_eq!(next(&r, &p, r#"{"data":[1],"more":false}"#), Next::End);
    }
}

#[test]
fn page_number_fans_out_from_total_pages_or_total_records() {
    let r = page_rules(1, Some(PageTotal::Pages(sel("total_pages"))), None);
    let seed = r.seed(url("http://h/items"));
    let n = next(&r, &seed, r#"{"data":[1],"total_pages":4}"#);
    assert_eq!(
        urls(&n),
        [
            "http://h/items?page=2",
            "http://h/items?page=3",
            "http://h/items?page=4"
        ]
    );
    let Next::Pages(pages) = n else { panic!() };
    assert_eq!(pages[2].pos.page, 3);
    assert_eq!(
        next(&r, &pages[0], r#"{"data":[1],"total_pages":4}"#),
        Next::End
    );
    assert_eq!(
        next(&r, &seed, r#"{"data":[1],"total_pages":1}"#),
        Next::End
    );
    assert_eq!(
        next(&r, &seed, r#"{"data":[1],"total_pages":0}"#),
        Next::End
    );

    let r = page_rules(0, Some(PageTotal::Records(sel("total"))), Some(2));
    let seed = r.seed(url("http://h/items"));
    assert_eq!(seed.url.as_str(), "http://h/items?per_page=2");
    assert_eq!(
        urls(&next(&r, &seed, r#"{"data":[1,2],"total":5}"#)),
        [
            "http://h/items?per_page=2&page=1",
            "http://h/items?per_page=2&page=2"
        ]
    );
    assert_eq!(
        next(&r, &seed, r#"{"data":[1,2],"total":4}"#),
        Next::Pages(vec![PageRequest {
            url: url("http://h/items?per_page=2&page=1"),
            pos: Position {
                page: 1,
                offset: 2,
                fanned_out: false
            }
        }]),
        "the last page carries the records before it"
    );
}

#[test]
fn wrong_field_types_are_page_errors() {
    let r = offset_rules(true, None);
    let seed = r.seed(url("http://h/items"));
    let e = parse_with(&r, &seed, &[], r#"{"data":[1],"total":"many"}"#).unwrap_err();
    assert_eq!(e.reason(), "bad_field");
    assert!(e.to_string().contains("`total`"), "{e}");
}

#[test]
fn parent_pages_name_child_pages_and_children_carry_the_copied_fields() {
    let text = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n\
        [[resources]]\nname = \"users\"\nseeds = [\"http://h/users\"]\ndata_selector = \"data\"\npaginator = { type = \"json_link\" }\n\
        [[resources]]\nname = \"orders\"\nparent = { resource = \"users\", url = \"http://h/u/{id}/orders\", copy = { user_id = \"id\" } }\ndata_selector = \"data\"\npaginator = { type = \"json_link\" }\n\
        [[resources]]\nname = \"items\"\nparent = { resource = \"orders\", url = \"http://h/u/{user_id}/o/{no}\" }\ndata_selector = \"\"\npaginator = { type = \"single_page\" }\n";
    let config = harvest_config::parse(text, std::path::Path::new("c.toml")).unwrap();
    let rules = PageRules::for_config(&config);
    let page = PageRequest::seed(url("http://h/users"));

    let mut out = Vec::new();
    let body = r#"{"data":[{"id":7},{"id":"a b"},{"name":"no id"}],"next":null}"#;
    let parsed = rules[0]
        .parse(&page, &no_headers, body.as_bytes(), &mut out)
        .unwrap();
    assert_eq!(parsed.records, 3);
    assert_eq!(parsed.children_skipped, 1);
    let urls: Vec<&str> = parsed.children.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(urls, ["http://h/u/7/orders", "http://h/u/a%20b/orders"]);
    assert!(parsed.children.iter().all(|c| c.resource == 1));
    assert_eq!(
        parsed.children[1].parent,
        [("user_id".into(), "\"a b\"".into())]
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"id\":7}\n{\"id\":\"a b\"}\n{\"name\":\"no id\"}\n"
    );

    // A child page: the copied field goes into each record, and a grandchild
    // template may use it.
    let mut out = Vec::new();
    let body = r#"{"data":[{"no":1},{},[2]]}"#;
    let child = &parsed.children[0];
    let parsed = rules[1]
        .parse_child(&page, &no_headers, body.as_bytes(), &child.parent, &mut out)
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"user_id\":7,\"no\":1}\n{\"user_id\":7}\n[2]\n"
    );
    let urls: Vec<&str> = parsed.children.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(urls, ["http://h/u/7/o/1"]);
    assert_eq!(parsed.children[0].resource, 2);
    assert_eq!(parsed.children_skipped, 2);
    assert!(rules[2]
        .parse(&page, &no_headers, b"[]", &mut Vec::new())
        .unwrap()
        .children
        .is_empty());
}

/// Feeds `body` to a page parser in `chunk`-byte pieces, moving the lines
/// out after every piece as the engine's spill would.
fn stream(
    rules: &PageRules,
    page: &PageRequest,
    parent: &[(String, String)],
    body: &[u8],
    chunk: usize,
) -> (Result<Parsed, PageError>, Vec<u8>) {
    let mut parser = rules.page_parser(page, parent);
    let mut out = Vec::new();
    let mut spilled = Vec::new();
    for piece in body.chunks(chunk) {
        if let Err(e) = parser.feed(piece, &mut out) {
            return (Err(e), spilled);
        }
        spilled.append(&mut out);
    }
    let parsed = parser.finish(&no_headers, &mut out);
    spilled.append(&mut out);
    (parsed, spilled)
}

#[test]
fn a_streamed_page_parses_as_the_whole_body_does() {
    let text = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n\
        [[resources]]\nname = \"users\"\nseeds = [\"http://h/users\"]\ndata_selector = \"data\"\npaginator = { type = \"json_link\", next_url_path = \"links.next\" }\n\
        [[resources]]\nname = \"orders\"\nparent = { resource = \"users\", url = \"http://h/u/{id}/orders\", copy = { user_id = \"id\" } }\ndata_selector = \"data\"\npaginator = { type = \"json_link\" }\n";
    let config = harvest_config::parse(text, std::path::Path::new("c.toml")).unwrap();
    let rules = PageRules::for_config(&config);
    let page = PageRequest::seed(url("http://h/users"));
    let body = br#"{"links":{"next":"/users?p=2"},"data":[{"id":7},
        {"id":"a b", "s":"\u00e9\"}"},{"name":"no id"}]}"#;
    let parent = [("p".to_string(), "1".to_string())];
    for (rules, parent) in [(&rules[0], &[][..]), (&rules[1], &parent[..])] {
        let mut whole = Vec::new();
        let want = rules.parse_child(&page, &no_headers, body, parent, &mut whole);
        for chunk in [1, 2, 7, 64, body.len()] {
            let (got, spilled) = stream(rules, &page, parent, body, chunk);
            assert_eq!(got, want, "chunks of {chunk}");
            assert_eq!(spilled, whole, "chunks of {chunk}");
        }
    }
    let parsed = rules[0]
        .parse(&page, &no_headers, body, &mut Vec::new())
        .unwrap();
    assert_eq!(parsed.records, 3);
    assert_eq!(urls(&parsed.next), ["http://h/users?p=2"]);
    assert_eq!(parsed.children.len(), 2);
}

#[test]
fn a_broken_page_leaves_the_buffer_as_it_was() {
    let r = rules(PageStyle::SinglePage, None);
    let seed = PageRequest::seed(url("http://h/p"));
    let mut out = b"kept\n".to_vec();
    let e = r
        .parse(&seed, &no_headers, br#"{"data":[1,2,{"#, &mut out)
        .unwrap_err();
    assert_eq!(e.reason(), "not_json");
    assert_eq!(out, b"kept\n");
    let (r, _) = stream(&r, &seed, &[], br#"{"data":[1,2,{"#, 3);
    assert_eq!(r.unwrap_err().reason(), "not_json");
}

#[test]
fn a_record_nested_deeper_than_the_resources_max_depth_is_refused() {
    let r = rules(PageStyle::SinglePage, None);
    let seed = PageRequest::seed(url("http://h/p"));
    let deep = |n: usize| format!("{{\"data\":[{}{}]}}", "[".repeat(n), "]".repeat(n));
    assert!(parse_with(&r, &seed, &[], &deep(harvest_config::DEFAULT_MAX_DEPTH)).is_ok());
    let e = parse_with(&r, &seed, &[], &deep(harvest_config::DEFAULT_MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(e.reason(), "too_deep");
    assert!(e.to_string().contains("max_depth (512)"), "{e}");
}

mod end_of_stream;
mod single_object;
