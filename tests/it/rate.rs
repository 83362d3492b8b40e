//! Per-origin politeness, checked on the upstream's own request log.

use crate::util::*;
use std::time::Duration;

#[test]
fn no_origin_exceeds_rate_times_window_plus_burst() {
    let (rate, burst) = (60.0, 5);
    let up = upstream(shape(2, 10, 15, 2));
    let spec = up.spec();
    let crawl = Crawl::of(&up)
        .settings(&format!(
            "[client]\nrate_per_sec = {rate}\nburst = {burst}\nmax_in_flight_per_origin = 16\n"
        ))
        .write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
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
    // And the origins were crawled side by side, not one after the other:
    // judged on the order of the server's log, not on how fast this machine
    // is (each origin's 150 pages take 2.4 s at its rate).
    let log = up.log().snapshot();
    let first = |o: usize| log.iter().position(|r| r.origin == o).unwrap();
    let last = |o: usize| log.iter().rposition(|r| r.origin == o).unwrap();
    assert!(
        first(0) < last(1) && first(1) < last(0),
        "origin 0 was served as requests #{}..#{}, origin 1 as #{}..#{}",
        first(0),
        last(0),
        first(1),
        last(1)
    );
}

#[test]
fn an_idle_origin_stops_its_host_while_others_work() {
    // Origin 0 is done after a few pages; origin 1 crawls for ~2.5 s at 20/s.
    let up = upstream(shape(2, 1, 50, 1));
    let seeds = up.seeds();
    let crawl = Crawl::with(vec![
        Res::json_link("fast", vec![seeds[0].clone()]),
        Res::json_link("slow", vec![seeds[1].clone()]),
    ])
    .settings(&format!(
        "[client]\nidle_after = \"50ms\"\nrate_per_sec = 20.0\nburst = 1\n\
         [[client.origins]]\norigin = {:?}\nrate_per_sec = 1000.0\nburst = 50\n",
        up.origin_url(0)
    ))
    .write();
    let out = crawl.run_log("harvest_engine=debug");
    assert_exit(&out, 0);
    let log = stderr(&out);
    let stopped: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Idle host stopped."))
        .collect();
    // Origin 0's host stops while origin 1 works; origin 1's may stop too,
    // once, at the very end (idle while the last commit is written).
    let of = |i: usize| {
        stopped
            .iter()
            .filter(|l| l.contains(&up.origin_url(i)))
            .count()
    };
    assert_eq!(of(0), 1, "{log}");
    assert!(of(1) <= 1, "{log}");
    assert!(stopped[0].contains(&up.origin_url(0)), "{}", stopped[0]);
}
