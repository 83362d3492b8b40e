//! When `offset` and `page_number` streams end, against a server that caps
//! the page size (asked for 500 records a page, it serves 100): a short page
//! never ends a stream before its total, and without a total only an empty
//! page does (unless `end_on_short_page`). Regression: 100 of 5,000 records
//! with exit 0.

use crate::util::*;
use harvest_testkit::{Route, UpstreamSpec};

const FAST: &str = "[client]\nrate_per_sec = 5000.0\nburst = 100\nmax_in_flight_per_origin = 8\n";

/// One stream of 5,000 records, 100 a page at most.
fn capped() -> UpstreamSpec {
    UpstreamSpec {
        max_page_size: Some(100),
        ..shape(1, 1, 50, 100)
    }
}

/// Crawls the capped upstream's `route` with `paginator`: the crawl (run to
/// exit 0) and the paths the server saw.
fn crawl(route: Route, paginator: &str) -> (Crawl, Vec<String>) {
    let up = upstream(capped());
    let crawl = Crawl::with(vec![Res::new("items", up.seeds_for(route), paginator)])
        .settings(FAST)
        .write();
    crawl.run_expect(0);
    let paths = up.log().snapshot().into_iter().map(|r| r.path).collect();
    (crawl, paths)
}

fn assert_each_once(paths: &[String]) {
    let mut unique = paths.to_vec();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), paths.len(), "a page was fetched twice");
}

#[test]
fn a_capped_page_size_no_longer_truncates_an_offset_stream_with_a_total() {
    let (crawl, paths) = crawl(
        Route::Offset,
        r#"{ type = "offset", limit = 500, total_path = "total" }"#,
    );
    assert_exactly_once(&crawl.ids("items"), 5000);
    // The seed, then the 49 slots of 100 the server really serves.
    assert_eq!(paths.len(), 50, "{paths:?}");
    assert_eq!(paths[0], "/offset/s/0?limit=500");
    assert!(paths.contains(&"/offset/s/0?limit=100&offset=4900".to_string()));
    assert_each_once(&paths);
}

#[test]
fn a_capped_page_size_no_longer_truncates_a_page_number_stream_with_a_total() {
    for total in [
        r#"total_path = "total""#,
        r#"total_pages_path = "total_pages""#,
    ] {
        let paginator = format!(
            "{{ type = \"page_number\", base = 1, {total}, page_size = 500, page_size_param = \"per_page\" }}"
        );
        let (crawl, paths) = crawl(Route::Pages, &paginator);
        assert_exactly_once(&crawl.ids("items"), 5000);
        assert_eq!(paths.len(), 50, "{total}: {paths:?}");
        assert_each_once(&paths);
    }
}

#[test]
fn without_a_total_a_stream_ends_on_its_empty_page_not_a_short_one() {
    for (route, paginator) in [
        (Route::Offset, r#"{ type = "offset", limit = 500 }"#),
        (
            Route::Pages,
            r#"{ type = "page_number", base = 1, page_size = 500, page_size_param = "per_page" }"#,
        ),
    ] {
        let (crawl, paths) = crawl(route, paginator);
        assert_exactly_once(&crawl.ids("items"), 5000);
        assert_eq!(paths.len(), 51, "{route:?}: 50 pages and the empty one");
        assert_each_once(&paths);
    }
}

#[test]
fn end_on_short_page_ends_a_stream_without_a_total_on_its_first_short_page() {
    let (crawl, paths) = crawl(
        Route::Offset,
        r#"{ type = "offset", limit = 500, end_on_short_page = true }"#,
    );
    assert_eq!(crawl.ids("items"), (0..100).collect::<Vec<_>>());
    assert_eq!(paths, ["/offset/s/0?limit=500"]);
}
