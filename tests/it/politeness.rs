//! Per-origin politeness and resilience, judged on the upstream's request log:
//! `Retry-After` pauses the whole origin, and the circuit breaker stops
//! calling a failing origin for its open period without slowing the others.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, RequestRecord};
use std::time::Duration;

/// Requests to `origin` logged strictly between `from` and `to`.
fn between(log: &[RequestRecord], origin: usize, from: Duration, to: Duration) -> usize {
    log.iter()
        .filter(|r| r.origin == origin && r.at > from && r.at < to)
        .count()
}

#[test]
fn retry_after_pauses_the_whole_origin_once() {
    let up = upstream(shape(1, 4, 6, 2));
    up.add_fault(
        Fault::new(FaultAction::RateLimited {
            retry_after: Some("1".into()),
        })
        .path("/s/0/p/2")
        .times(1),
    );
    let crawl = Crawl::of(&up)
        .settings(
            "[client]\nrate_per_sec = 1000.0\nburst = 100\nmax_in_flight_per_origin = 4\n\
             [retry]\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n",
        )
        .write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    let log = up.log().snapshot();
    let hit = log
        .iter()
        .find(|r| r.status == 429)
        .expect("the 429 was served")
        .at;
    // Requests already on the wire when the 429 came back land within a few
    // ms (250 ms of slack for a busy machine); after that, nothing for the
    // second the server asked for. The one wall-clock slack left here: the
    // server cannot see when harvest applied the pause; only the engine's
    // test events could say, and a test of the binary does not reach them.
    let quiet = between(
        &log,
        0,
        hit + Duration::from_millis(250),
        hit + Duration::from_millis(900),
    );
    assert_eq!(quiet, 0, "requests during the Retry-After pause: {log:#?}");
    let retried = log
        .iter()
        .find(|r| r.path == "/s/0/p/2" && r.status == 200)
        .unwrap()
        .at;
    assert!(
        retried >= hit + Duration::from_millis(900),
        "retried {:?} after the 429",
        retried - hit
    );
    assert_eq!(crawl.summary()["retries"], 1);
}

#[test]
fn an_open_breaker_pauses_its_origin_and_never_the_others() {
    let up = upstream(shape(2, 1, 40, 1));
    // Origin 0 fails 4 times in a row: 3 open the breaker, the first probe fails too.
    up.add_fault(Fault::new(FaultAction::Status(503)).origin(0).times(4));
    let crawl = Crawl::of(&up)
        .settings(
            "[client]\nrate_per_sec = 40.0\nburst = 1\nmax_in_flight_per_origin = 1\n\
             [retry]\nmax_attempts = 10\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n\
             [breaker]\nconsecutive_failures = 3\nmin_calls = 100\nopen_for = \"500ms\"\nmax_open_for = \"5s\"\n",
        )
        .write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    let log = up.log().snapshot();
    let failures: Vec<Duration> = log
        .iter()
        .filter(|r| r.origin == 0 && r.status == 503)
        .map(|r| r.at)
        .collect();
    assert_eq!(failures.len(), 4, "{log:#?}");
    let next_after = |t: Duration| {
        log.iter()
            .find(|r| r.origin == 0 && r.at > t)
            .map(|r| r.at)
            .unwrap()
    };
    // Open for 500 ms less up to 20% jitter after the third failure; twice that after the failed probe.
    let first_gap = next_after(failures[2]) - failures[2];
    let second_gap = next_after(failures[3]) - failures[3];
    assert!(
        first_gap >= Duration::from_millis(390),
        "first open period {first_gap:?}"
    );
    assert!(
        second_gap >= Duration::from_millis(790),
        "second open period {second_gap:?}"
    );
    // Origin 1 kept its pace through both open periods.
    let other = between(&log, 1, failures[2], failures[2] + first_gap);
    assert!(
        other as f64 >= first_gap.as_secs_f64() * 40.0 * 0.5,
        "origin 1 served {other} in {first_gap:?}"
    );
}

#[test]
fn a_hundred_origins_each_within_its_rate_and_a_throttled_one_slows_no_other() {
    // 500 requests/s in all: the debug build keeps up even on a busy CI machine.
    let (rate, burst) = (5.0, 3);
    let up = upstream(shape(100, 5, 10, 1));
    let spec = up.spec();
    // Origin 0 is told to wait 2 s, three times.
    up.add_fault(
        Fault::new(FaultAction::RateLimited {
            retry_after: Some("2".into()),
        })
        .origin(0)
        .every(10)
        .times(3),
    );
    let crawl = Crawl::of(&up)
        .settings(&format!(
            "[client]\nrate_per_sec = {rate}\nburst = {burst}\nmax_in_flight_per_origin = 4\n\
             [retry]\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n"
        ))
        .write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
    let log = up.log().snapshot();
    let ideal = Duration::from_secs_f64((50 - burst) as f64 / rate);
    for origin in 0..spec.origins {
        // Within rate × window + burst (+2 for client/server scheduling jitter).
        let seen = up.log().max_in_window(origin, Duration::from_secs(1));
        assert!(
            seen <= rate as usize + burst + 2,
            "origin {origin}: {seen} requests in 1 s"
        );
        let times: Vec<Duration> = log
            .iter()
            .filter(|r| r.origin == origin)
            .map(|r| r.at)
            .collect();
        let span = *times.last().unwrap() - times[0];
        if origin == 0 {
            assert!(
                span >= ideal + Duration::from_secs(4),
                "origin 0 honoured its pauses: {span:?}"
            );
        } else {
            // Origin 0 lost ≥ 4 s to its pauses; the others lose none of it.
            assert!(
                span <= ideal + Duration::from_secs(3),
                "origin {origin} was slowed: {span:?} for an ideal {ideal:?}"
            );
        }
    }
}

#[test]
fn a_slow_origin_with_a_long_backlog_does_not_starve_the_others() {
    // 5,000 seeds of a 5 req/s origin come first in the frontier, more than
    // the in-memory window holds; the 50 seeds of a fast origin come after.
    let up = upstream(shape(2, 5000, 1, 1));
    let slow = (0..5000).map(|s| format!("{}/s/{s}/p/0", up.origin_url(0)));
    let fast = (0..50).map(|s| format!("{}/s/{s}/p/0", up.origin_url(1)));
    let crawl = Crawl::with(vec![Res::json_link("items", slow.chain(fast).collect())])
        .settings(&format!(
            "[client]\nrate_per_sec = 1000.0\nburst = 10\n[[client.origins]]\norigin = {:?}\nrate_per_sec = 5.0\nburst = 1\n",
            up.origin_url(0)
        ))
        .write();
    let child = crawl.spawn();
    let fast_done = || up.log().snapshot().iter().filter(|r| r.origin == 1).count() == 50;
    wait_until("the fast origin was crawled", fast_done);
    interrupt(&child);
    assert_exit(&child.wait_with_output().unwrap(), 130);
    let slow_served = up.log().snapshot().iter().filter(|r| r.origin == 0).count();
    assert!(
        slow_served < 100,
        "the fast origin finished long before the slow one ({slow_served} slow pages)"
    );
}
