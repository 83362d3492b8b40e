//! Flaky and hostile upstreams: transient failures are retried, permanent ones
//! dead-lettered, and the crawl always ends.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, LinkStyle, UpstreamSpec};

const QUICK_RETRY: &str = "[client]\nrate_per_sec = 2000.0\nburst = 50\nread_timeout = \"300ms\"\nconnect_timeout = \"300ms\"\n\
[retry]\nmax_attempts = 4\nbase_delay = \"10ms\"\nmax_delay = \"50ms\"\n";

#[test]
fn transient_failures_are_retried_to_completion() {
    let up = upstream(shape(2, 3, 6, 4));
    up.add_fault(
        Fault::new(FaultAction::Status(503))
            .origin(0)
            .every(3)
            .times(5),
    );
    up.add_fault(
        Fault::new(FaultAction::RateLimited { retry_after: None })
            .origin(1)
            .every(4)
            .times(3),
    );
    up.add_fault(Fault::new(FaultAction::Truncate).path("/s/1/p/2").times(1));
    up.add_fault(Fault::new(FaultAction::Stall).path("/s/2/p/3").times(1));
    // Ten faults in all: even if every one of them hit the same page, ten
    // attempts get it through (the fault rules count requests, so which page
    // a fault lands on depends on scheduling).
    let retries = QUICK_RETRY.replace("max_attempts = 4", "max_attempts = 11");
    let crawl = Crawl::of(&up).settings(&retries).write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 5 + 3 + 1 + 1, "{summary}");
    assert_eq!(summary["dead_letters"], 0);
}

#[test]
fn permanent_failures_are_dead_lettered_and_the_crawl_goes_on() {
    let up = upstream(shape(1, 4, 3, 2));
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/1/p/1"));
    up.add_fault(Fault::new(FaultAction::Html).path("/s/2/p/0"));
    let crawl = Crawl::of(&up).settings(QUICK_RETRY).write();
    crawl.run_expect(3);
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 2, "{summary}");
    assert_eq!(summary["retries"], 0, "4xx and bad bodies are not retried");
    // Stream 0 and 3 complete; stream 1 stops after its first page; stream 2 has nothing.
    let ids = crawl.ids("items");
    assert_eq!(ids.len(), 2 * 3 * 2 + 2);
    // Dead pages are not fetched again on the next run; the exit code still says so.
    up.log().clear();
    crawl.run_expect(3);
    assert!(up.log().is_empty());
}

#[test]
fn an_unreachable_upstream_does_not_hang_the_crawl() {
    let up = upstream(shape(1, 1, 2, 2));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut seeds = up.seeds();
    seeds.push(format!("http://127.0.0.1:{dead_port}/s/0/p/0"));
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)])
        .settings(QUICK_RETRY)
        .write();
    crawl.run_expect(3);
    crawl.assert_every_record_once(up.spec());
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 1);
    assert_eq!(summary["retries"], 3, "max_attempts = 4");
    assert_eq!(summary["transport_errors"], 4);
}

#[test]
fn redirects_are_followed_within_the_origin_only() {
    let spec = UpstreamSpec {
        link: LinkStyle::PathRelative,
        ..shape(1, 2, 3, 2)
    };
    let up = upstream(spec.clone());
    let elsewhere = upstream(spec);
    // Stream 0's seed moved within the origin; relative next links resolve
    // against where it moved. Stream 1's seed moved to another origin.
    up.add_fault(Fault::new(FaultAction::Redirect("/s/0/p/0".into())).path("/moved/0"));
    let away = format!("{}/s/1/p/0", elsewhere.origin_url(0));
    up.add_fault(Fault::new(FaultAction::Redirect(away)).path("/moved/1"));
    let seeds = vec![
        format!("{}/moved/0", up.origin_url(0)),
        format!("{}/moved/1", up.origin_url(0)),
    ];
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)])
        .settings(QUICK_RETRY)
        .write();
    crawl.run_expect(3);
    let ids = crawl.ids("items");
    assert_exactly_once(&ids, 6); // stream 0: 3 pages × 2 records
    assert!(
        elsewhere.log().is_empty(),
        "nothing sent to the other origin"
    );
    assert_eq!(crawl.summary()["dead_letters"], 1);
}

#[test]
fn a_trickling_body_is_cut_by_the_request_timeout_and_retried() {
    let up = upstream(shape(1, 2, 2, 3));
    // A byte every 20 ms: never silent for the 300 ms read timeout, so only
    // the whole-request timeout can end it.
    let trickle = FaultAction::Trickle(std::time::Duration::from_millis(20));
    up.add_fault(Fault::new(trickle).path("/s/1/p/0").times(1));
    let config = QUICK_RETRY.replace("[retry]", "request_timeout = \"600ms\"\n[retry]");
    let crawl = Crawl::of(&up).settings(&config).write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 1, "{summary}");
    assert_eq!(summary["transport_errors"], 1, "{summary}");
}
