//! `init`'s guesses on hand-made pages of every style, the ambiguous and
//! empty cases, and the drafted text read back by the config crate.

use super::*;
use harvest_config::{PageStyle, PageTotal, Paginator, Selector};
use std::time::{Duration, UNIX_EPOCH};

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

fn page(url: &str, headers: &[(&str, &str)], body: &str) -> (Url, Page) {
    let url = Url::parse(url).unwrap();
    let page = Page {
        url: url.clone(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: serde_json::from_str(body).unwrap(),
    };
    (url, page)
}

fn draft_of(url: &str, headers: &[(&str, &str)], body: &str) -> Draft {
    let (url, page) = page(url, headers, body);
    let name = resource_name(&url);
    let defaults = defaults(&url, &name).unwrap();
    guess(&url, name, 200, body.len(), &page, defaults, now())
}

fn sel(path: &str) -> Selector {
    Selector::parse(path).unwrap()
}

/// The draft's text, which must validate, as a config.
fn parsed(draft: &Draft) -> harvest_config::Config {
    let text = draft.render();
    harvest_config::parse_with_env(&text, std::path::Path::new("x.toml"), &|_| None)
        .unwrap_or_else(|e| panic!("the draft does not validate: {e}\n{text}"))
}

/// The draft's text read back: its one resource's selector and paginator.
fn read_back(draft: &Draft) -> (Selector, Paginator, harvest_config::Config) {
    let text = draft.render();
    let config = parsed(draft);
    let r = config.resources[0].clone();
    let harvest_config::DataSelector::Items(selector) = r.data_selector else {
        panic!("the draft names a record array: {text}");
    };
    (selector, r.paginator, config)
}

/// Guesses `body` (+ headers) at `url` and checks the paginator, which the
/// rendered text must read back as.
fn assert_guess(url: &str, headers: &[(&str, &str)], body: &str, want: PageStyle) -> Draft {
    let draft = draft_of(url, headers, body);
    assert_eq!(
        draft.paginator.paginator,
        Paginator::new(want),
        "{draft:#?}"
    );
    let (selector, paginator, _) = read_back(&draft);
    assert_eq!(paginator, draft.paginator.paginator);
    assert_eq!(selector, sel(&draft.records.selector));
    draft
}

const RECORDS: &str = r#"[{"id":1},{"id":2},{"id":3}]"#;

#[test]
fn a_link_header_with_rel_next_is_header_link() {
    let d = assert_guess(
        "http://api.test/v1/orders",
        &[(
            "Link",
            "</v1/orders?page=2>; rel=\"next\", </v1/orders?page=9>; rel=\"last\"",
        )],
        &format!(r#"{{"data":{RECORDS}}}"#),
        PageStyle::HeaderLink,
    );
    assert_eq!(d.records.selector, "data");
    assert_eq!(d.records.count, 3);
    assert!(
        d.paginator.seen[0].contains("</v1/orders?page=2>")
            || d.paginator.seen[0].contains("/v1/orders?page=2")
    );
    assert_eq!(d.name, "orders");
}

#[test]
fn a_next_url_in_the_body_is_json_link() {
    assert_guess(
        "http://api.test/s/0/p/0",
        &[],
        &format!(r#"{{"data":{RECORDS},"next":"http://api.test/s/0/p/1"}}"#),
        PageStyle::JsonLink {
            next_url_path: sel("next"),
        },
    );
    // Nested, relative, and the `{ "next": { "href": ... } }` form.
    assert_guess(
        "http://api.test/items",
        &[],
        &format!(r#"{{"results":{RECORDS},"links":{{"self":"/items","next":"/items?page=2"}}}}"#),
        PageStyle::JsonLink {
            next_url_path: sel("links.next"),
        },
    );
    assert_guess(
        "http://api.test/items",
        &[],
        &format!(
            r#"{{"items":{RECORDS},"_links":{{"next":{{"href":"https://api.test/items?p=2"}}}}}}"#
        ),
        PageStyle::JsonLink {
            next_url_path: sel("_links.next.href"),
        },
    );
}

#[test]
fn a_cursor_with_has_more_is_cursor() {
    let d = assert_guess(
        "http://api.test/cursor/s/0",
        &[],
        &format!(r#"{{"data":{RECORDS},"meta":{{"next_cursor":1001}}}}"#),
        PageStyle::Cursor {
            cursor_path: sel("meta.next_cursor"),
            cursor_param: "cursor".into(),
            has_more_path: None,
        },
    );
    assert_eq!(
        d.paginator.seen[0],
        "the body's `meta.next_cursor` held 1001"
    );
    assert_guess(
        "http://api.test/events",
        &[],
        &format!(r#"{{"events":{RECORDS},"nextPageToken":"abc==","has_more":true}}"#),
        PageStyle::Cursor {
            cursor_path: sel("nextPageToken"),
            cursor_param: "pageToken".into(),
            has_more_path: Some(sel("has_more")),
        },
    );
    // A cursor parameter already in the query names the parameter.
    assert_guess(
        "http://api.test/events?after=x1",
        &[],
        &format!(r#"{{"events":{RECORDS},"paging":{{"end_cursor":"x4"}}}}"#),
        PageStyle::Cursor {
            cursor_path: sel("paging.end_cursor"),
            cursor_param: "after".into(),
            has_more_path: None,
        },
    );
}

#[test]
fn offset_and_limit_in_the_query_with_a_total_is_offset() {
    let d = assert_guess(
        "http://api.test/offset/s/0?offset=0&limit=3",
        &[],
        &format!(r#"{{"data":{RECORDS},"total":12}}"#),
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 3,
            total_path: Some(sel("total")),
            total: None,
            end_on_short_page: false,
        },
    );
    assert!(
        d.paginator
            .seen
            .iter()
            .any(|l| l.contains("`total` held 12")),
        "{d:#?}"
    );
    // Only in the body, other names.
    assert_guess(
        "http://api.test/users",
        &[],
        &format!(r#"{{"users":{RECORDS},"skip":0,"take":3}}"#),
        PageStyle::Offset {
            offset_param: "skip".into(),
            limit_param: "take".into(),
            limit: 3,
            total_path: None,
            total: None,
            end_on_short_page: false,
        },
    );
}

#[test]
fn a_page_number_with_totals_is_page_number() {
    assert_guess(
        "http://api.test/pages/s/0?page=1",
        &[],
        &format!(r#"{{"data":{RECORDS},"total_pages":4,"total":12}}"#),
        PageStyle::PageNumber {
            page_param: "page".into(),
            base: 1,
            total: Some(PageTotal::Pages(sel("total_pages"))),
            total_pages: None,
            page_size: None,
            page_size_param: None,
            has_more_path: None,
            end_on_short_page: false,
        },
    );
    // A record total needs the page size: the query's, sent every time.
    assert_guess(
        "http://api.test/things?page=0&per_page=3",
        &[],
        &format!(r#"{{"things":{RECORDS},"meta":{{"total":12}}}}"#),
        PageStyle::PageNumber {
            page_param: "page".into(),
            base: 0,
            total: Some(PageTotal::Records(sel("meta.total"))),
            total_pages: None,
            page_size: Some(3),
            page_size_param: Some("per_page".into()),
            has_more_path: None,
            end_on_short_page: false,
        },
    );
    // Page totals in the body alone.
    assert_guess(
        "http://api.test/pages/s/0",
        &[],
        &format!(r#"{{"data":{RECORDS},"totalPages":4}}"#),
        PageStyle::PageNumber {
            page_param: "page".into(),
            base: 1,
            total: Some(PageTotal::Pages(sel("totalPages"))),
            total_pages: None,
            page_size: None,
            page_size_param: None,
            has_more_path: None,
            end_on_short_page: false,
        },
    );
}

#[test]
fn the_first_fit_wins_and_the_others_are_alternatives() {
    let d = assert_guess(
        "http://api.test/items?page=1",
        &[("link", "<http://api.test/items?page=2>; rel=\"next\"")],
        &format!(r#"{{"data":{RECORDS},"next":"http://api.test/items?page=2","total_pages":3}}"#),
        PageStyle::HeaderLink,
    );
    let alternatives: Vec<String> = d
        .paginator
        .alternatives
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    assert_eq!(alternatives.len(), 2, "{alternatives:?}");
    assert!(alternatives[0].contains("json_link"), "{alternatives:?}");
    assert!(alternatives[1].contains("page_number"), "{alternatives:?}");
    let text = d.render();
    assert!(
        text.contains("# paginator = { type = \"json_link\""),
        "{text}"
    );
}

#[test]
fn a_null_next_on_the_last_page_is_still_a_guess() {
    let d = assert_guess(
        "http://api.test/items",
        &[],
        &format!(r#"{{"data":{RECORDS},"next":null}}"#),
        PageStyle::JsonLink {
            next_url_path: sel("next"),
        },
    );
    assert!(d.paginator.seen[0].contains("null on this page"), "{d:#?}");
}

#[test]
fn nothing_paginated_is_single_page_saying_why() {
    let d = assert_guess(
        "http://api.test/items",
        &[],
        &format!(r#"{{"data":{RECORDS}}}"#),
        PageStyle::SinglePage,
    );
    assert!(d.paginator.seen[0].starts_with("no Link"), "{d:#?}");
    // A total beyond the page: say how to find the paging.
    let d = assert_guess(
        "http://api.test/items",
        &[],
        &format!(r#"{{"data":{RECORDS},"total":40}}"#),
        PageStyle::SinglePage,
    );
    let why = d.paginator.seen.join("\n");
    assert!(
        why.contains("`total` is 40, more than this page's 3 records"),
        "{why}"
    );
    assert!(why.contains("?offset=0&limit=3"), "{why}");
}

#[test]
fn records_are_the_largest_array_of_objects() {
    let d = draft_of(
        "http://api.test/x",
        &[],
        r#"{"meta":{"tags":["a","b","c","d"]},"result":{"items":[{"a":1},{"a":2}]},"errors":[{"e":1}]}"#,
    );
    assert_eq!(d.records.selector, "result.items");
    assert_eq!(d.records.count, 2);
    assert!(
        d.records.seen[1].contains("meta.tags"),
        "{:?}",
        d.records.seen
    );
    // A root array.
    let d = draft_of("http://api.test/x", &[], RECORDS);
    assert_eq!(d.records.selector, "");
    assert_eq!(read_back(&d).0, sel(""));
}

#[test]
fn a_single_object_or_no_array_is_said_so() {
    let d = draft_of(
        "http://api.test/users/42",
        &[],
        r#"{"id":42,"name":"ada","tags":["x"]}"#,
    );
    assert!(d.records.single_object);
    assert_eq!((d.records.selector.as_str(), d.records.count), (".", 1));
    assert_eq!(d.name, "users");
    let text = d.render();
    assert!(text.contains("the body is one JSON object"), "{text}");
    assert!(text.contains("data_selector = \".\""), "{text}");
    assert_eq!(
        parsed(&d).resources[0].data_selector,
        harvest_config::DataSelector::Body
    );
    assert!(text.contains("other arrays: `tags` (1)"), "{text}");
    // No object anywhere.
    let d = draft_of("http://api.test/ids", &[], "[1,2,3]");
    assert!(!d.records.single_object);
    assert_eq!(d.records.selector, "");
    assert!(
        d.records.seen[0].contains("holds no object"),
        "{:?}",
        d.records.seen
    );
    // An empty record array is named, with a warning.
    let d = draft_of("http://api.test/ids", &[], r#"{"data":[],"next":null}"#);
    assert_eq!(d.records.selector, "data");
    assert!(
        d.records.seen[0].contains("empty array"),
        "{:?}",
        d.records.seen
    );
}

#[test]
fn rate_limit_headers_become_a_suggestion() {
    let d = draft_of(
        "http://api.test/items",
        &[
            ("X-RateLimit-Limit", "600"),
            ("X-RateLimit-Remaining", "120"),
            ("X-RateLimit-Reset", "60"),
        ],
        &format!(r#"{{"data":{RECORDS}}}"#),
    );
    assert!(d.rate.from_headers, "{:?}", d.rate);
    assert_eq!((d.rate.rate_per_sec, d.rate.burst), (2.0, 2));
    let (_, _, config) = read_back(&d);
    assert_eq!(config.client.defaults.rate_per_sec, 2.0);
    assert_eq!(config.client.defaults.burst, 2);
    // The IETF fields, with the window from the policy.
    let d = draft_of(
        "http://api.test/items",
        &[
            ("RateLimit-Policy", "\"d\";q=100;w=50"),
            ("RateLimit", "\"d\";r=25"),
        ],
        &format!(r#"{{"data":{RECORDS}}}"#),
    );
    assert_eq!((d.rate.rate_per_sec, d.rate.burst), (0.5, 1));
}

#[test]
fn without_rate_headers_the_defaults_say_so() {
    let d = draft_of(
        "http://api.test/items",
        &[],
        &format!(r#"{{"data":{RECORDS}}}"#),
    );
    let defaults = &d.defaults.client.defaults;
    assert!(!d.rate.from_headers);
    assert_eq!(
        (d.rate.rate_per_sec, d.rate.burst),
        (defaults.rate_per_sec, defaults.burst)
    );
    assert!(d.rate.seen[0].starts_with("no rate-limit headers"));
    // A generous quota keeps the defaults too.
    let d = draft_of(
        "http://api.test/items",
        &[
            ("X-RateLimit-Remaining", "5000"),
            ("X-RateLimit-Reset", "10"),
        ],
        &format!(r#"{{"data":{RECORDS}}}"#),
    );
    assert!(!d.rate.from_headers, "{:?}", d.rate);
}

#[test]
fn every_default_is_written_as_the_config_crate_has_it() {
    let d = draft_of(
        "http://127.0.0.1:8080/v1/orders/",
        &[],
        &format!(r#"{{"data":{RECORDS}}}"#),
    );
    let (_, _, config) = read_back(&d);
    let want = &d.defaults;
    assert_eq!(
        config.crawl.state_dir,
        std::path::Path::new("state/127.0.0.1-8080")
    );
    assert_eq!(
        config.crawl.output_dir,
        std::path::Path::new("out/127.0.0.1-8080")
    );
    assert_eq!(config.crawl.max_in_flight, want.crawl.max_in_flight);
    assert_eq!(config.client.defaults, want.client.defaults);
    assert_eq!(config.client.read_timeout, want.client.read_timeout);
    assert_eq!(config.client.request_timeout, want.client.request_timeout);
    assert_eq!(config.client.max_retry_after, want.client.max_retry_after);
    assert_eq!(config.client.max_body_bytes, want.client.max_body_bytes);
    assert_eq!(
        config.client.request_id_header,
        want.client.request_id_header
    );
    assert_eq!(config.retry, want.retry);
    assert_eq!(config.breaker.open_for, want.breaker.open_for);
    assert_eq!(config.breaker.failure_ratio, want.breaker.failure_ratio);
    assert_eq!(config.give_up_after, want.give_up_after);
    assert_eq!(config.metrics, want.metrics);
    assert_eq!(config.resources[0].name, "orders");
    assert_eq!(config.resources[0].max_depth, want.resources[0].max_depth);
}

#[test]
fn resource_names_come_from_the_path() {
    let name = |u: &str| resource_name(&Url::parse(u).unwrap());
    assert_eq!(name("http://a.test/v1/users/42/orders"), "orders");
    assert_eq!(name("http://a.test/v1/users/42"), "users");
    assert_eq!(name("http://a.test/data/list.json"), "list");
    assert_eq!(name("http://a.test/a%20b"), "a_20b");
    assert_eq!(name("http://a.test/"), "items");
    assert_eq!(name("http://a.test/123"), "items");
}
