//! Host table tests: the host cap, idle reaping and surplus idle hosts,
//! with explicit `now`s (no clock, no actors).
use super::*;
use std::sync::atomic::Ordering;

const IDLE_AFTER: Duration = Duration::from_secs(30);

/// A table with `origins` started, each holding one job; the receivers
/// tell whether a host was stopped (its channel closed).
fn table(max_busy: usize, origins: &[&str]) -> (HostTable, Vec<async_channel::Receiver<Leased>>) {
    let mut t = HostTable::new(max_busy, IDLE_AFTER);
    let mut rxs = Vec::new();
    for origin in origins {
        let (tx, rx) = async_channel::bounded(4);
        t.insert(origin.to_string(), tx);
        t.handed(origin, 1);
        rxs.push(rx);
    }
    (t, rxs)
}

fn holds_none(_: &str) -> bool {
    false
}

#[test]
fn a_host_idle_longer_than_idle_after_is_stopped_and_one_that_got_work_is_not() {
    let t0 = Instant::now();
    let (mut t, rxs) = table(8, &["a", "b"]);
    assert_eq!(t.in_flight(), 2);
    assert!(t.returned("a", t0, holds_none).is_empty());
    assert!(t.returned("b", t0, holds_none).is_empty());
    assert_eq!(t.in_flight(), 0);
    // `b` gets work again before its idle time is up.
    t.handed("b", 1);
    let just_before = t0 + IDLE_AFTER - Duration::from_millis(1);
    assert!(t.reap_idle(just_before, holds_none).is_empty());
    assert_eq!(t.reap_idle(t0 + IDLE_AFTER, holds_none), vec!["a"]);
    assert!(!t.has("a") && t.has("b"));
    assert!(rxs[0].is_closed(), "the stopped host's job stream ended");
    assert!(!rxs[1].is_closed());
    // Idle again later: reaped `idle_after` after its own return.
    let t1 = t0 + Duration::from_secs(40);
    assert!(t.returned("b", t1, holds_none).is_empty());
    assert!(t.reap_idle(t1 + IDLE_AFTER / 2, holds_none).is_empty());
    assert_eq!(t.reap_idle(t1 + IDLE_AFTER, holds_none), vec!["b"]);
    assert_eq!(t.len(), 0);
}

#[test]
fn an_idle_host_whose_origin_holds_jobs_in_memory_is_kept() {
    let t0 = Instant::now();
    let (mut t, _rxs) = table(8, &["a"]);
    t.returned("a", t0, holds_none);
    // A retry of `a` waits in the frontier: the host keeps its bucket.
    let later = t0 + 10 * IDLE_AFTER;
    assert!(t.reap_idle(later, |o| o == "a").is_empty());
    assert_eq!(t.reap_idle(later, holds_none), vec!["a"]);
}

#[test]
fn past_max_busy_idle_hosts_the_longest_idle_stop_at_once() {
    let t0 = Instant::now();
    let (mut t, rxs) = table(2, &["a", "b", "c", "d"]);
    let at = |s: u64| t0 + Duration::from_secs(s);
    assert!(t.returned("a", at(1), holds_none).is_empty());
    assert!(t.returned("b", at(2), holds_none).is_empty());
    // Four hosts, one busy, three idle: one too many. `a` is the longest
    // idle but holds jobs (its entry is dropped: `idle_after` reaps it
    // later), so `b` stops.
    assert_eq!(t.returned("c", at(3), |o| o == "a"), vec!["b"]);
    assert!(rxs[1].is_closed());
    assert_eq!(t.returned("d", at(4), holds_none), vec!["c"]);
    assert_eq!(t.len(), 2);
    assert!(t.has("a") && t.has("d"));
    assert_eq!(t.reap_idle(at(1) + IDLE_AFTER, holds_none), vec!["a"]);
}

#[test]
fn the_host_cap_counts_busy_hosts_and_grows_with_open_breakers() {
    let (mut t, _rxs) = table(2, &["a", "b"]);
    assert!(!t.must_wait("a"), "an origin with a host never waits");
    assert!(t.must_wait("c"));
    t.wait_for_host("c".into());
    t.wait_for_host("d".into());
    assert!(t.admit_awaiting().is_empty(), "no room");
    // An open breaker holds its host's jobs for a while: one more may start.
    t.open_breakers_counter().fetch_add(1, Ordering::Relaxed);
    assert_eq!(t.open_breakers(), 1);
    assert!(!t.must_wait("c"));
    assert_eq!(t.admit_awaiting(), vec!["c"]);
    t.open_breakers_counter().fetch_sub(1, Ordering::Relaxed);
    // A host going idle makes room for the next one waiting.
    t.returned("a", Instant::now(), holds_none);
    assert_eq!(t.admit_awaiting(), vec!["d"]);
}

#[test]
fn a_removed_host_no_longer_counts_as_busy() {
    let (mut t, _rxs) = table(1, &["a"]);
    assert!(t.must_wait("b"));
    t.remove("a");
    assert!(!t.must_wait("b"));
    assert!(t.sender("a").is_none());
    // Its outcome may still come back: counted, nothing else.
    assert!(t.returned("a", Instant::now(), holds_none).is_empty());
    assert_eq!(t.in_flight(), 0);
}
