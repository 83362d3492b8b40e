//! `response_actions`: a resource's own rules for answers its status would
//! misjudge. Regression: a page_number stream without a total, on a server
//! answering 404 past its last page, harvested every record yet exited 3.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Route, Upstream, UpstreamSpec};

const QUICK: &str = "[client]\nrate_per_sec = 2000.0\nburst = 50\n\
[retry]\nmax_attempts = 4\nbase_delay = \"10ms\"\nmax_delay = \"50ms\"\n";

/// Two streams of three pages, 404 past the last.
fn not_found_past_end() -> UpstreamSpec {
    UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 3,
        records: 4,
        not_found_past_end: true,
        ..Default::default()
    }
}

/// A crawl of `up`'s `route` with `paginator`, `lines` appended to the
/// resource.
fn crawl(up: &Upstream, route: Route, paginator: &str, lines: &str) -> Crawl {
    let crawl = Crawl::new();
    crawl.write(
        &[Res {
            name: "items",
            seeds: up.seeds_for(route),
            data_selector: "data",
            paginator,
        }],
        QUICK,
    );
    crawl.append(lines);
    crawl
}

fn dead_letters(crawl: &Crawl) -> String {
    String::from_utf8_lossy(&crawl.admin(&["dead-letters"]).stdout).into_owned()
}

#[test]
fn a_404_past_the_last_page_ends_the_stream_with_an_end_stream_action() {
    let spec = not_found_past_end();
    let pages = r#"{ type = "page_number", base = 1 }"#;
    // Without an action the 404 is a dead letter (each stream's page 4).
    let up = Upstream::start(spec.clone()).unwrap();
    let plain = crawl(&up, Route::Pages, pages, "");
    assert_exit(&plain.run(), 3);
    assert_exactly_once(&plain.ids("items"), spec.total_records());
    assert_eq!(plain.summary()["dead_letters"], 2);
    assert!(dead_letters(&plain).contains("http_status"));

    let up = Upstream::start(spec.clone()).unwrap();
    let ended = crawl(
        &up,
        Route::Pages,
        pages,
        r#"response_actions = [{ status = 404, action = "end_stream" }]"#,
    );
    assert_exit(&ended.run(), 0);
    assert_exactly_once(&ended.ids("items"), spec.total_records());
    let summary = ended.summary();
    assert_eq!(summary["dead_letters"], 0, "{summary}");
    assert_eq!(up.log().len(), 2 * 4, "three pages and the 404, per stream");
}

/// Pages over 64 KiB, so a content rule reads only their start and the
/// parser gets those chunks back.
fn big_pages() -> UpstreamSpec {
    UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 3,
        records: 4,
        record_pad: 20_000,
        ..Default::default()
    }
}

#[test]
fn a_content_rule_retries_a_matching_200_and_leaves_other_pages_whole() {
    let spec = big_pages();
    let up = Upstream::start(spec.clone()).unwrap();
    // A 200 saying "Maintenance" in HTML, twice.
    up.add_fault(Fault::new(FaultAction::Html).path("/s/1/p/1").times(2));
    let crawl = crawl(
        &up,
        Route::JsonLink,
        r#"{ type = "json_link", next_url_path = "next" }"#,
        r#"response_actions = [{ content = "Maintenance", action = "retry" }]"#,
    );
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 2, "{summary}");
    assert_eq!(summary["dead_letters"], 0, "{summary}");
}

#[test]
fn a_dead_letter_action_names_its_rule_and_ignore_skips_the_page() {
    let spec = big_pages();
    let up = Upstream::start(spec.clone()).unwrap();
    up.add_fault(Fault::new(FaultAction::Html).path("/s/1/p/1"));
    up.add_fault(Fault::new(FaultAction::Status(410)).path("/s/0/p/2"));
    let crawl = crawl(
        &up,
        Route::JsonLink,
        r#"{ type = "json_link", next_url_path = "next" }"#,
        r#"response_actions = [{ status = 410, action = "ignore" }, { status = 200, content = "Maintenance", action = "dead_letter" }]"#,
    );
    assert_exit(&crawl.run(), 3);
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 1, "{summary}");
    assert_eq!(summary["retries"], 0, "{summary}");
    let letters = dead_letters(&crawl);
    assert!(
        letters.contains("response_action") && letters.contains("response_actions[1]"),
        "{letters}"
    );
    // Stream 1 stops at its dead page 1; stream 0's ignored page 2 is done
    // without records (and was its last page anyway).
    assert_eq!(crawl.ids("items").len(), 4 * (2 + 1));
}
