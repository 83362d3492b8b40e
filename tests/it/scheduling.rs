//! Crawl order, judged on the upstream's request log: depth-first, so only
//! about as many origins are active at once as requests may run; and host
//! bookkeeping, judged on the engine's debug log.

use crate::util::*;
use harvest_testkit::RequestRecord;
use std::collections::HashSet;

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

/// The most hosts alive at once, replayed from a `harvest_engine=debug`
/// log: a host counts from "Host actor started." until the supervisor
/// stops it ("Idle host stopped"). Both lines come from the one actix
/// thread, so their order is the order of events; a host is logged as
/// started a moment after the supervisor adds it, so the replay never
/// counts more hosts than the supervisor held.
fn most_hosts_alive(log: &str) -> usize {
    let origin = |line: &str| {
        let at = line.find("origin=").expect("the line names its origin") + 7;
        line[at..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    };
    let mut alive = HashSet::new();
    let mut most = 0;
    for line in log.lines() {
        if line.contains("Host actor started.") {
            alive.insert(origin(line));
        } else if line.contains("Idle host stopped") {
            alive.remove(&origin(line));
        }
        most = most.max(alive.len());
    }
    most
}

#[test]
fn streams_under_way_finish_before_new_origins_start() {
    let up = upstream(shape(30, 1, 6, 1));
    let spec = up.spec();
    // Two requests at once: at most four origins have hosts with work.
    let crawl = Crawl::of(&up).max_in_flight(2).write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
    let log = up.log().snapshot();
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
    let up = upstream(shape(40, 1, 2, 1));
    let spec = up.spec();
    // Two requests at once: at most 4 busy hosts and 4 idle ones.
    let crawl = Crawl::of(&up)
        .settings("[client]\nidle_after = \"60s\"\nrate_per_sec = 5.0\nburst = 1\n")
        .max_in_flight(2)
        .write();
    let out = crawl.run_log("harvest_engine=debug");
    assert_exit(&out, 0);
    crawl.assert_every_record_once(spec);
    let log = stderr(&out);
    let most = most_hosts_alive(&log);
    assert!(most >= 1, "hosts were logged:\n{log}");
    // Without the cap every finished origin kept its host for `idle_after`.
    assert!(most <= 8, "{most} hosts at once:\n{log}");
}
