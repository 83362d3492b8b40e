//! The low-speed guard: a body trickling in slower than `min_bytes_per_sec`
//! over `min_speed_window` is abandoned as `too_slow` and retried, instead
//! of holding its request for `request_timeout`.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction};
use std::time::Duration;

/// 100 B/s over 1 s, a whole-request timeout far beyond the test, quick retries.
const GUARDED: &str = "[client]\nmin_bytes_per_sec = 100\nmin_speed_window = \"1s\"\n\
request_timeout = \"600s\"\nread_timeout = \"60s\"\n\
[retry]\nmax_attempts = 3\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n";

#[test]
fn a_trickling_body_is_retried_as_too_slow_and_dead_lettered_after_max_attempts() {
    let up = upstream(shape(1, 2, 2, 3));
    // A byte every 100 ms (10 B/s): a page of ~150 bytes would take ~15 s
    // per attempt, never silent long enough for read_timeout.
    let trickle = FaultAction::Trickle(Duration::from_millis(100));
    up.add_fault(Fault::new(trickle).path("/s/1/p/0"));
    let crawl = Crawl::of(&up).settings(GUARDED).write();
    crawl.run_expect(3);

    let attempts = up
        .log()
        .snapshot()
        .iter()
        .filter(|r| r.path.starts_with("/s/1/p/0"))
        .count();
    assert_eq!(attempts, 3, "one request per attempt");
    // Stream 0 is whole; stream 1 never got past its first page.
    assert_exactly_once(&crawl.ids("items"), 2 * 3);
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 2, "{summary}");
    assert_eq!(summary["dead_letters"], 1, "{summary}");

    let text = crawl.dead_letters();
    assert_contains(&text, &[" too_slow ", "/s/1/p/0"]);
    assert!(text.contains("below min_bytes_per_sec (100 B/s)"), "{text}");
}

#[test]
fn a_page_that_trickles_once_is_fetched_on_the_next_attempt() {
    let up = upstream(shape(1, 2, 3, 2));
    let trickle = FaultAction::Trickle(Duration::from_millis(100));
    up.add_fault(Fault::new(trickle).path("/s/0/p/1").times(1));
    let crawl = Crawl::of(&up).settings(GUARDED).write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 1, "{summary}");
    assert_eq!(summary["transport_errors"], 1, "{summary}");
}
