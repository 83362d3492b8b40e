//! When `offset` and `page_number` streams end: a server that serves fewer
//! records than asked (a capped page size) costs requests, never records.

use super::*;

/// `offset` asking `limit=500`, the total at `total`.
fn offset_500(end_on_short_page: bool) -> PageRules {
    rules(
        PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 500,
            total_path: Some(sel("total")),
            total: None,
            end_on_short_page,
        },
        None,
    )
}

fn body(n: usize, total: Option<u64>) -> String {
    match total {
        Some(t) => format!("{{\"data\":[{}],\"total\":{t}}}", records(n)),
        None => format!("{{\"data\":[{}]}}", records(n)),
    }
}

fn offsets_and_limits(next: &Next) -> Vec<(String, String)> {
    let Next::Pages(pages) = next else {
        panic!("not a fan-out: {next:?}")
    };
    pages
        .iter()
        .map(|p| {
            let get = |k: &str| query::param(&p.url, k).unwrap();
            (get("offset"), get("limit"))
        })
        .collect()
}

#[test]
fn a_capped_page_size_no_longer_ends_an_offset_stream_with_a_total() {
    let r = offset_500(false);
    let seed = r.seed(url("http://h/items"));
    // Asked for 500, served 100 of 5,000: the rest is fanned out in steps
    // of what the server served, each page asking for exactly its slot.
    let n = next(&r, &seed, &body(100, Some(5000)));
    let got = offsets_and_limits(&n);
    assert_eq!(got.len(), 49);
    assert_eq!(got[0], ("100".into(), "100".into()));
    assert_eq!(got[48], ("4900".into(), "100".into()));
    let Next::Pages(pages) = n else {
        unreachable!()
    };
    assert!(pages[..48].iter().all(|p| p.pos.fanned_out));
    assert!(!pages[48].pos.fanned_out, "the last page keeps walking");
    assert_eq!(pages[1].pos.offset, 200);
    // The last page reaches the total.
    assert_eq!(next(&r, &pages[48], &body(100, Some(5000))), Next::End);
}

#[test]
fn a_short_fanned_out_offset_page_fetches_the_rest_of_its_slot() {
    let r = offset_500(false);
    let Next::Pages(pages) = next(&r, &r.seed(url("http://h/items")), &body(100, Some(5000)))
    else {
        panic!()
    };
    let slot = &pages[0]; // offset 100, limit 100
    assert_eq!(next(&r, slot, &body(100, Some(5000))), Next::End, "full");
    let Next::Page(rest) = next(&r, slot, &body(60, Some(5000))) else {
        panic!("a short slot goes on")
    };
    assert_eq!(rest.url.as_str(), "http://h/items?limit=40&offset=160");
    assert!(rest.pos.fanned_out, "the rest stays inside the slot");
    assert_eq!(rest.pos.offset, 160);
    assert_eq!(next(&r, &rest, &body(40, Some(5000))), Next::End);
    let Next::Page(rest2) = next(&r, &rest, &body(15, None)) else {
        panic!("no total in the body: the slot still bounds it")
    };
    assert_eq!(rest2.url.as_str(), "http://h/items?limit=25&offset=175");
    assert_eq!(next(&r, &rest, &body(0, Some(5000))), Next::End);
    // A short slot at the total: the stream shrank, nothing is missing.
    assert_eq!(next(&r, slot, &body(60, Some(160))), Next::End);
}

#[test]
fn an_offset_stream_walked_past_the_fan_out_bound_steps_by_what_was_served() {
    let r = offset_500(false);
    let seed = r.seed(url("http://h/items"));
    let Next::Page(p1) = next(&r, &seed, &body(10, Some(1_000_000))) else {
        panic!("a remainder of 99,999 pages is walked")
    };
    assert_eq!(p1.url.as_str(), "http://h/items?limit=500&offset=10");
    assert!(!p1.pos.fanned_out);
    // A short page before the total does not end it, with or without the
    // opt-in (which is about streams without a total).
    let short_ends = offset_500(true);
    assert_eq!(
        urls(&next(&short_ends, &p1, &body(10, Some(1_000_000)))),
        ["http://h/items?limit=500&offset=20"]
    );
    assert_eq!(next(&r, &p1, &body(0, Some(1_000_000))), Next::End);
}

#[test]
fn a_capped_page_size_no_longer_ends_a_page_number_stream_with_a_record_total() {
    // Asks per_page=500, the server serves 100 of 5,000: pages = 5,000 / 100.
    let r = page_rules(1, Some(PageTotal::Records(sel("total"))), Some(500));
    let seed = r.seed(url("http://h/items"));
    let n = next(&r, &seed, &body(100, Some(5000)));
    let Next::Pages(pages) = &n else {
        panic!("{n:?}")
    };
    assert_eq!(pages.len(), 49);
    assert_eq!(pages[0].url.as_str(), "http://h/items?per_page=500&page=2");
    assert_eq!(
        pages[48].url.as_str(),
        "http://h/items?per_page=500&page=50"
    );
    assert_eq!(
        (pages[48].pos.offset, pages[48].pos.fanned_out),
        (4900, false)
    );
    // The last page: the total is reached, even by a short page.
    assert_eq!(next(&r, &pages[48], &body(100, Some(5000))), Next::End);
    assert_eq!(next(&r, &pages[48], &body(50, Some(4950))), Next::End);
    // A total that grew meanwhile goes on from the last page.
    assert_eq!(
        urls(&next(&r, &pages[48], &body(100, Some(5200)))),
        [
            "http://h/items?per_page=500&page=51",
            "http://h/items?per_page=500&page=52"
        ]
    );
    // A seed mid-way: the pages before it are taken to be as large.
    let mid = PageRequest::seed(url("http://h/items?per_page=500&page=49"));
    assert_eq!(
        urls(&next(&r, &mid, &body(100, Some(5000)))),
        ["http://h/items?per_page=500&page=50"]
    );
}

#[test]
fn a_short_page_with_pages_left_does_not_end_a_page_number_stream() {
    let r = page_rules_with(1, Some(PageTotal::Pages(sel("pages"))), Some(500), true);
    let seed = r.seed(url("http://h/items"));
    let n = next(&r, &seed, r#"{"data":[1,2],"pages":3}"#);
    assert_eq!(
        urls(&n),
        [
            "http://h/items?per_page=500&page=2",
            "http://h/items?per_page=500&page=3"
        ]
    );
}

#[test]
fn without_a_total_only_an_empty_page_ends_a_page_number_stream_unless_opted_in() {
    let r = page_rules(1, None, Some(500));
    let seed = r.seed(url("http://h/items"));
    assert_eq!(
        urls(&next(&r, &seed, r#"{"data":[1,2]}"#)),
        ["http://h/items?per_page=500&page=2"]
    );
    assert_eq!(next(&r, &seed, r#"{"data":[]}"#), Next::End);
    assert_eq!(next(&r, &seed, r#"{"data":[1],"more":false}"#), Next::End);
    let short_ends = page_rules_with(1, None, Some(500), true);
    assert_eq!(next(&short_ends, &seed, r#"{"data":[1,2]}"#), Next::End);
    let full = format!("{{\"data\":[{}]}}", records(500));
    assert_eq!(
        urls(&next(&short_ends, &seed, &full)),
        ["http://h/items?per_page=500&page=2"]
    );
}
