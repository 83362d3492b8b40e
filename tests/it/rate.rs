//! Per-origin politeness, checked on the upstream's own request log.

use crate::util::*;
use harvest_testkit::{Upstream, UpstreamSpec};
use std::time::Duration;

#[test]
fn no_origin_exceeds_rate_times_window_plus_burst() {
    let (rate, burst) = (60.0, 5);
    let spec = UpstreamSpec {
        origins: 2,
        streams: 10,
        pages: 15,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        &format!(
            "[client]\nrate_per_sec = {rate}\nburst = {burst}\nmax_in_flight_per_origin = 16\n"
        ),
    );
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    // Tolerance: 2 requests, for scheduling jitter between the client sending
    // and the server logging (the bucket itself is exact, see harvest-policy).
    for window in [Duration::from_millis(500), Duration::from_secs(1)] {
        let limit = (rate * window.as_secs_f64()) as usize + burst + 2;
        for origin in 0..spec.origins {
            let seen = up.log().max_in_window(origin, window);
            assert!(
                seen <= limit,
                "origin {origin}: {seen} requests in {window:?}, limit {limit}"
            );
        }
    }
    // And the origins were crawled side by side: each one served at close to its rate.
    for origin in 0..spec.origins {
        assert!(up.log().max_in_window(origin, Duration::from_secs(1)) >= 30);
    }
}
