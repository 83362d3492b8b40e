//! Crawl order, judged on the upstream's request log: depth-first, so only
//! about as many origins are active at once as requests may run.

use crate::util::*;
use harvest_testkit::{RequestRecord, Upstream, UpstreamSpec};

/// The most origins "under way" at once: an origin is under way from its
/// first request to its last one.
fn most_origins_under_way(log: &[RequestRecord], origins: usize) -> usize {
    let mut spans = vec![(usize::MAX, 0); origins];
    for (i, r) in log.iter().enumerate() {
        let span = &mut spans[r.origin];
        span.0 = span.0.min(i);
        span.1 = span.1.max(i);
    }
    (0..log.len())
        .map(|i| spans.iter().filter(|s| s.0 <= i && i <= s.1).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn streams_under_way_finish_before_new_origins_start() {
    let spec = UpstreamSpec {
        origins: 30,
        streams: 1,
        pages: 6,
        records: 1,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    let path = crawl.write(&[Res::json_link("items", up.seeds())], "");
    // Two requests at once: at most four origins have hosts with work.
    let toml = std::fs::read_to_string(path)
        .unwrap()
        .replace("max_in_flight = 32\n", "max_in_flight = 2\n");
    crawl.write_raw(&toml);
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let mut log = up.log().snapshot();
    log.sort_by_key(|r| r.at);
    assert_eq!(log.len() as u64, spec.total_pages());
    // Breadth-first, all 30 origins would be under way after the first 30
    // requests; depth-first, a new origin starts as one finishes.
    let most = most_origins_under_way(&log, spec.origins);
    assert!(most <= 6, "{most} origins under way at once");
}

#[test]
fn finished_origins_stop_their_hosts_beyond_the_idle_cap() {
    // 40 origins of one stream, two pages each, the second page a token
    // later (5 per second): a crawl of a few seconds in which origins finish
    // one after another, with `idle_after` far longer than the crawl.
    let spec = UpstreamSpec {
        origins: 40,
        streams: 1,
        pages: 2,
        records: 1,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let port = free_port();
    let crawl = Crawl::new();
    let path = crawl.write(
        &[Res::json_link("items", up.seeds())],
        &format!(
            "[metrics]\nlisten = \"127.0.0.1:{port}\"\n\
             [client]\nidle_after = \"60s\"\nrate_per_sec = 5.0\nburst = 1\n"
        ),
    );
    // Two requests at once: at most 4 busy hosts and 4 idle ones.
    let toml = std::fs::read_to_string(path)
        .unwrap()
        .replace("max_in_flight = 32\n", "max_in_flight = 2\n");
    crawl.write_raw(&toml);
    let mut child = crawl.spawn();
    let mut most = 0.0f64;
    let status = loop {
        if let Some(hosts) = scrape(port).and_then(|t| sample(&t, "harvest_hosts ")) {
            most = most.max(hosts);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    assert!(most >= 1.0, "the gauge was scraped");
    // Without the cap every finished origin kept its host for `idle_after`.
    assert!(most <= 8.0, "{most} hosts at once");
}
