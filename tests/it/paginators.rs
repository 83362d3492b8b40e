//! Every pagination style against the testkit's styled routes: every id
//! exactly once, each page fetched once, and the stream-ending edge cases.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Route, Upstream, UpstreamSpec};

const FAST: &str = "[client]\nrate_per_sec = 5000.0\nburst = 100\nmax_in_flight_per_origin = 8\n";

fn spec() -> UpstreamSpec {
    shape(2, 3, 4, 5)
}

/// Crawls `route`'s seeds with `paginator`; returns the crawl and upstream.
fn crawl(spec: UpstreamSpec, route: Route, paginator: &str) -> (Crawl, Upstream) {
    crawl_exiting(spec, route, paginator, 0)
}

/// [`crawl`], expecting exit `code`.
fn crawl_exiting(
    spec: UpstreamSpec,
    route: Route,
    paginator: &str,
    code: i32,
) -> (Crawl, Upstream) {
    let up = upstream(spec);
    let crawl = Crawl::with(vec![Res::new("items", up.seeds_for(route), paginator)])
        .settings(FAST)
        .write();
    crawl.run_expect(code);
    (crawl, up)
}

/// Every stream was cut short, once each, for `reason`: counted in the
/// summary and listed by `dead-letters`.
fn assert_every_stream_cut(crawl: &Crawl, spec: &UpstreamSpec, reason: &str) {
    let streams = (spec.origins * spec.streams) as u64;
    let summary = crawl.summary();
    assert_eq!(summary["streams_cut"], streams, "{summary}");
    let listing = stdout(&crawl.admin(&["dead-letters", "--json"]));
    let doc: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let cut = doc["cut_streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "items" && c["reason"] == reason)
        .count();
    assert_eq!(cut as u64, streams, "{listing}");
}

/// Every request as `origin:path`, sorted.
fn paths(up: &Upstream) -> Vec<String> {
    let mut paths: Vec<String> = up
        .log()
        .snapshot()
        .into_iter()
        .map(|r| format!("{}:{}", r.origin, r.path))
        .collect();
    paths.sort();
    paths
}

/// Without a total, a stream is walked to an empty page past its last one.
fn assert_every_page_and_one_empty_page_per_stream(up: &Upstream) {
    let spec = up.spec();
    assert_eq!(
        up.log().len() as u64,
        spec.total_pages() + (spec.origins * spec.streams) as u64
    );
}

fn assert_each_fetched_once(up: &Upstream) {
    let paths = paths(up);
    let mut unique = paths.clone();
    unique.dedup();
    assert_eq!(paths, unique, "a page was fetched twice");
}

const LINK: &str = r#"{ type = "header_link" }"#;
const CURSOR: &str =
    r#"{ type = "cursor", cursor_path = "meta.next_cursor", cursor_param = "cursor" }"#;
const PAGES: &str =
    r#"{ type = "page_number", page_param = "page", base = 1, total_pages_path = "total_pages" }"#;

#[test]
fn header_link_every_id_once() {
    let spec = spec();
    let (crawl, up) = crawl(spec.clone(), Route::Link, LINK);
    crawl.assert_every_record_once(&spec);
    assert_eq!(up.log().len() as u64, spec.total_pages());
    assert_each_fetched_once(&up);
}

#[test]
fn cursor_every_id_once() {
    let spec = spec();
    let (crawl, up) = crawl(spec.clone(), Route::Cursor, CURSOR);
    crawl.assert_every_record_once(&spec);
    assert_eq!(up.log().len() as u64, spec.total_pages());
}

#[test]
fn offset_every_id_once_without_total() {
    let spec = spec();
    // No total: walked page by page; the last full page is followed by one
    // empty page (the stream length is a multiple of the limit).
    let (crawl, up) = crawl(
        spec.clone(),
        Route::Offset,
        r#"{ type = "offset", limit = 5 }"#,
    );
    crawl.assert_every_record_once(&spec);
    assert_every_page_and_one_empty_page_per_stream(&up);
    assert_each_fetched_once(&up);
}

#[test]
fn offset_fans_out_after_the_first_page() {
    let spec = shape(1, 2, 6, 4);
    let (crawl, up) = crawl(
        spec.clone(),
        Route::Offset,
        r#"{ type = "offset", limit = 4, total_path = "total" }"#,
    );
    crawl.assert_every_record_once(&spec);
    let log = up.log().snapshot();
    for s in 0..spec.streams {
        let stream: Vec<&str> = log
            .iter()
            .map(|r| r.path.as_str())
            .filter(|p| p.starts_with(&format!("/offset/s/{s}?")))
            .collect();
        assert_eq!(
            stream[0],
            format!("/offset/s/{s}?limit=4"),
            "the seed first"
        );
        let mut rest: Vec<&str> = stream[1..].to_vec();
        rest.sort();
        let mut want: Vec<String> = (1..spec.pages)
            .map(|p| format!("/offset/s/{s}?limit=4&offset={}", p * 4))
            .collect();
        want.sort();
        assert_eq!(rest, want, "every remaining page, once, nothing more");
    }
}

#[test]
fn page_number_every_id_once() {
    let spec = spec();
    let (crawl, up) = crawl(spec.clone(), Route::Pages, PAGES);
    crawl.assert_every_record_once(&spec);
    assert_eq!(up.log().len() as u64, spec.total_pages());
    assert_each_fetched_once(&up);
}

#[test]
fn page_number_without_total_stops_on_the_empty_page() {
    let spec = spec();
    let (crawl, up) = crawl(
        spec.clone(),
        Route::Pages,
        r#"{ type = "page_number", base = 1 }"#,
    );
    crawl.assert_every_record_once(&spec);
    assert_every_page_and_one_empty_page_per_stream(&up);
}

#[test]
fn an_empty_first_page_ends_every_style() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 0,
        ..spec()
    };
    for (route, paginator) in [
        (Route::Link, LINK),
        (Route::Cursor, CURSOR),
        (
            Route::Offset,
            r#"{ type = "offset", limit = 5, total_path = "total" }"#,
        ),
        (Route::Pages, PAGES),
    ] {
        let up = upstream(spec.clone());
        let seed = format!("{}{}", up.origin_url(0), route.seed_path(7));
        let crawl = Crawl::with(vec![Res::new("items", vec![seed], paginator)])
            .settings(FAST)
            .write();
        crawl.run_expect(0);
        assert!(crawl.ids("items").is_empty());
        assert_eq!(up.log().len(), 1, "{route:?}: only the seed");
    }
}

#[test]
fn a_last_page_linking_to_itself_cuts_the_stream() {
    let spec = UpstreamSpec {
        self_link_at_end: true,
        ..spec()
    };
    let (crawl, up) = crawl_exiting(spec.clone(), Route::Link, LINK, 3);
    crawl.assert_every_record_once(&spec);
    assert_eq!(up.log().len() as u64, spec.total_pages());
    assert_every_stream_cut(&crawl, &spec, "self_link");
}

#[test]
fn a_link_header_with_several_relations_and_headers() {
    // Every testkit `/link` page sends `first` and `next` in one header
    // (the next link with a quoted, comma-holding title) and `last` in a
    // second one; only `next` is followed.
    let spec = shape(1, 1, 5, 2);
    let (crawl, up) = crawl(spec.clone(), Route::Link, LINK);
    crawl.assert_every_record_once(&spec);
    let want: Vec<String> = std::iter::once("0:/link/s/0".to_string())
        .chain((1..5).map(|p| format!("0:/link/s/0?page={p}")))
        .collect();
    let mut want = want;
    want.sort();
    assert_eq!(paths(&up), want);
}

#[test]
fn a_repeated_cursor_cuts_the_stream() {
    let spec = UpstreamSpec {
        self_link_at_end: true,
        ..spec()
    };
    let (crawl, up) = crawl_exiting(spec.clone(), Route::Cursor, CURSOR, 3);
    crawl.assert_every_record_once(&spec);
    assert_eq!(up.log().len() as u64, spec.total_pages());
    assert_every_stream_cut(&crawl, &spec, "repeated_cursor");
}

#[test]
fn max_pages_caps_each_stream_and_cuts_it() {
    let spec = spec();
    let (crawl, up) = crawl_exiting(
        spec.clone(),
        Route::Pages,
        r#"{ type = "page_number", total_pages_path = "total_pages", max_pages = 2 }"#,
        3,
    );
    assert_every_stream_cut(&crawl, &spec, "max_pages");
    let streams = (spec.origins * spec.streams) as u64;
    assert_eq!(
        crawl.ids("items").len() as u64,
        streams * 2 * spec.records as u64
    );
    assert_eq!(up.log().len() as u64, streams * 2);
}

/// An offset stream of `pages` pages behind `delay` per request, with at most
/// `cap` in flight: returns the upstream after the crawl.
fn slow_offset_crawl(
    pages: usize,
    delay: std::time::Duration,
    cap: usize,
    paginator: &str,
) -> Upstream {
    let up = upstream(shape(1, 1, pages, 2));
    up.add_fault(Fault::new(FaultAction::Delay(delay)));
    let crawl = Crawl::with(vec![Res::new(
        "items",
        up.seeds_for(Route::Offset),
        paginator,
    )])
    .settings(&format!(
        "[client]\nrate_per_sec = 100000.0\nburst = 1000\nmax_in_flight_per_origin = {cap}\n"
    ))
    .write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    up
}

#[test]
fn fanned_out_pages_are_fetched_concurrently_within_the_origin_cap() {
    let delay = std::time::Duration::from_millis(50);
    let up = slow_offset_crawl(
        40,
        delay,
        8,
        r#"{ type = "offset", limit = 2, total_path = "total" }"#,
    );
    // Every request takes ≥ 50 ms, so those answered within one 50 ms window
    // were all in flight together.
    let together = up.log().max_in_window(0, delay);
    assert!(
        together >= 4,
        "fanned-out pages overlap: {together} answered within {delay:?}"
    );
    assert!(
        together <= 8 + 1,
        "the per-origin cap of 8 holds: {together}"
    );
}

/// The fan-out benchmark of the issue: 2,000 offset pages, 20 ms per request,
/// 32 in flight. Run: `cargo test --release --test it -- --ignored fan_out_speedup --nocapture`.
#[test]
#[ignore]
fn fan_out_speedup() {
    let delay = std::time::Duration::from_millis(20);
    let span = |up: &Upstream| {
        let log = up.log().snapshot();
        log.last().unwrap().at - log.first().unwrap().at
    };
    let seq = slow_offset_crawl(2000, delay, 32, r#"{ type = "offset", limit = 2 }"#);
    let fan = slow_offset_crawl(
        2000,
        delay,
        32,
        r#"{ type = "offset", limit = 2, total_path = "total" }"#,
    );
    let (seq, fan) = (span(&seq), span(&fan));
    println!(
        "2,000 offset pages, 20 ms each, 32 in flight: sequential {seq:?}, fan-out {fan:?}, {:.1}x",
        seq.as_secs_f64() / fan.as_secs_f64()
    );
}

#[test]
fn a_total_that_changes_between_pages_loses_nothing() {
    // The first page under-reports the total by 6 records (2 pages: records
    // added while paging), then over-reports it by 6 (records removed).
    for drift in [-6, 6] {
        let spec = UpstreamSpec {
            first_total_drift: drift,
            ..shape(1, 2, 6, 3)
        };
        let (crawl, up) = crawl(
            spec.clone(),
            Route::Offset,
            r#"{ type = "offset", limit = 3, total_path = "total" }"#,
        );
        crawl.assert_every_record_once(&spec);
        // Growth is followed from the last fanned-out page; pages past a
        // shrunk total come back empty and end the stream. Nothing twice.
        let mut paths: Vec<String> = up.log().snapshot().into_iter().map(|r| r.path).collect();
        let all = paths.len();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), all, "drift {drift}: no page fetched twice");
    }
}
