//! Flaky and hostile upstreams: transient failures are retried, permanent ones
//! dead-lettered, and the crawl always ends.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream, UpstreamSpec};

const QUICK_RETRY: &str = "[client]\nrate_per_sec = 2000.0\nburst = 50\nread_timeout = \"300ms\"\nconnect_timeout = \"300ms\"\n\
[retry]\nmax_attempts = 4\nbase_delay = \"10ms\"\nmax_delay = \"50ms\"\n";

#[test]
fn transient_failures_are_retried_to_completion() {
    let spec = UpstreamSpec {
        origins: 2,
        streams: 3,
        pages: 6,
        records: 4,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
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
    let crawl = Crawl::new();
    // Ten faults in all: even if every one of them hit the same page, ten
    // attempts get it through (the fault rules count requests, so which page
    // a fault lands on depends on scheduling).
    let retries = QUICK_RETRY.replace("max_attempts = 4", "max_attempts = 11");
    crawl.write(&[Res::json_link("items", up.seeds())], &retries);
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 5 + 3 + 1 + 1, "{summary}");
    assert_eq!(summary["dead_letters"], 0);
}

#[test]
fn permanent_failures_are_dead_lettered_and_the_crawl_goes_on() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 4,
        pages: 3,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/1/p/1"));
    up.add_fault(Fault::new(FaultAction::Html).path("/s/2/p/0"));
    let crawl = Crawl::new();
    crawl.write(&[Res::json_link("items", up.seeds())], QUICK_RETRY);
    let out = crawl.run();
    assert_exit(&out, 3);
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 2, "{summary}");
    assert_eq!(summary["retries"], 0, "4xx and bad bodies are not retried");
    // Stream 0 and 3 complete; stream 1 stops after its first page; stream 2 has nothing.
    let ids = crawl.ids("items");
    assert_eq!(ids.len(), 2 * 3 * 2 + 2);
    // Dead pages are not fetched again on the next run; the exit code still says so.
    up.log().clear();
    assert_exit(&crawl.run(), 3);
    assert!(up.log().is_empty());
}

#[test]
fn an_unreachable_upstream_does_not_hang_the_crawl() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 1,
        pages: 2,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut seeds = up.seeds();
    seeds.push(format!("http://127.0.0.1:{dead_port}/s/0/p/0"));
    let crawl = Crawl::new();
    crawl.write(&[Res::json_link("items", seeds)], QUICK_RETRY);
    let out = crawl.run();
    assert_exit(&out, 3);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 1);
    assert_eq!(summary["retries"], 3, "max_attempts = 4");
    assert_eq!(summary["transport_errors"], 4);
}

#[test]
fn redirects_are_followed_within_the_origin_only() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 3,
        records: 2,
        link: harvest_testkit::LinkStyle::PathRelative,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let elsewhere = Upstream::start(spec.clone()).unwrap();
    // Stream 0's seed moved within the origin; relative next links resolve
    // against where it moved. Stream 1's seed moved to another origin.
    up.add_fault(Fault::new(FaultAction::Redirect("/s/0/p/0".into())).path("/moved/0"));
    let away = format!("{}/s/1/p/0", elsewhere.origin_url(0));
    up.add_fault(Fault::new(FaultAction::Redirect(away)).path("/moved/1"));
    let crawl = Crawl::new();
    let seeds = vec![
        format!("{}/moved/0", up.origin_url(0)),
        format!("{}/moved/1", up.origin_url(0)),
    ];
    crawl.write(&[Res::json_link("items", seeds)], QUICK_RETRY);
    let out = crawl.run();
    assert_exit(&out, 3);
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
    let spec = UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 2,
        records: 3,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    // A byte every 20 ms: never silent for the 300 ms read timeout, so only
    // the whole-request timeout can end it.
    let trickle = FaultAction::Trickle(std::time::Duration::from_millis(20));
    up.add_fault(Fault::new(trickle).path("/s/1/p/0").times(1));
    let crawl = Crawl::new();
    let config = QUICK_RETRY.replace("[retry]", "request_timeout = \"600ms\"\n[retry]");
    crawl.write(&[Res::json_link("items", up.seeds())], &config);
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 1, "{summary}");
    assert_eq!(summary["transport_errors"], 1, "{summary}");
}
