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
        not_found_past_end: true,
        ..shape(1, 2, 3, 4)
    }
}

/// A crawl of `up`'s `route` with `paginator`, `lines` appended to the
/// resource.
fn crawl(up: &Upstream, route: Route, paginator: &str, lines: &str) -> Crawl {
    let crawl = Crawl::with(vec![Res::new("items", up.seeds_for(route), paginator)])
        .settings(QUICK)
        .write();
    crawl.append(lines);
    crawl
}

#[test]
fn a_404_past_the_last_page_ends_the_stream_with_an_end_stream_action() {
    let spec = not_found_past_end();
    let pages = r#"{ type = "page_number", base = 1 }"#;
    // Without an action the 404 is a dead letter (each stream's page 4).
    let up = upstream(spec.clone());
    let plain = crawl(&up, Route::Pages, pages, "");
    plain.run_expect(3);
    plain.assert_every_record_once(&spec);
    assert_eq!(plain.summary()["dead_letters"], 2);
    assert!(plain.dead_letters().contains("http_404"));

    let up = upstream(spec.clone());
    let ended = crawl(
        &up,
        Route::Pages,
        pages,
        r#"response_actions = [{ status = 404, action = "end_stream" }]"#,
    );
    ended.run_expect(0);
    ended.assert_every_record_once(&spec);
    let summary = ended.summary();
    assert_eq!(summary["dead_letters"], 0, "{summary}");
    assert_eq!(up.log().len(), 2 * 4, "three pages and the 404, per stream");
}

/// Pages over 64 KiB, so a content rule reads only their start and the
/// parser gets those chunks back.
fn big_pages() -> UpstreamSpec {
    UpstreamSpec {
        record_pad: 20_000,
        ..shape(1, 2, 3, 4)
    }
}

#[test]
fn a_content_rule_retries_a_matching_200_and_leaves_other_pages_whole() {
    let up = upstream(big_pages());
    // A 200 saying "Maintenance" in HTML, twice.
    up.add_fault(Fault::new(FaultAction::Html).path("/s/1/p/1").times(2));
    let crawl = crawl(
        &up,
        Route::JsonLink,
        r#"{ type = "json_link", next_url_path = "next" }"#,
        r#"response_actions = [{ content = "Maintenance", action = "retry" }]"#,
    );
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 2, "{summary}");
    assert_eq!(summary["dead_letters"], 0, "{summary}");
}

#[test]
fn a_dead_letter_action_names_its_rule_and_ignore_skips_the_page() {
    let up = upstream(big_pages());
    up.add_fault(Fault::new(FaultAction::Html).path("/s/1/p/1"));
    up.add_fault(Fault::new(FaultAction::Status(410)).path("/s/0/p/2"));
    let crawl = crawl(
        &up,
        Route::JsonLink,
        r#"{ type = "json_link", next_url_path = "next" }"#,
        r#"response_actions = [{ status = 410, action = "ignore" }, { status = 200, content = "Maintenance", action = "dead_letter" }]"#,
    );
    crawl.run_expect(3);
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 1, "{summary}");
    assert_eq!(summary["retries"], 0, "{summary}");
    let letters = crawl.dead_letters();
    assert_contains(&letters, &["response_action", "response_actions[1]"]);
    // Stream 1 stops at its dead page 1; stream 0's ignored page 2 is done
    // without records (and was its last page anyway).
    assert_eq!(crawl.ids("items").len(), 4 * (2 + 1));
}
