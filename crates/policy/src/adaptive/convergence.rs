//! Convergence tests: the adaptive bucket against simulated rate-limited
//! servers (`sim`), on a fake clock. The server's limit is undeclared: no
//! quota headers, no `Retry-After` unless said.

use super::sim::{run, Limit, Run, Scenario};
use super::*;

/// nginx `limit_req` at 20 r/s with `burst=5 nodelay`, as the bench's
/// `ratelimited` upstream.
const NGINX: Limit = Limit::TokenBucket {
    rate: 20.0,
    burst: 5,
};

/// A crawl configured five times too fast, with a burst of 20.
fn too_fast(limit: Limit, seed: u64) -> Scenario {
    Scenario {
        streams: 6,
        seed,
        ..Scenario::new(limit, 100.0, 20)
    }
}

fn describe(r: &Run) -> String {
    let rates: Vec<String> = r.rates.iter().map(|x| format!("{x:.1}")).collect();
    format!(
        "{} accepted, 429s sent at {:?}, rate per 100 ms: {}",
        r.accepted.len(),
        r.throttled,
        rates.join(" ")
    )
}

#[test]
fn an_undeclared_limit_is_learned_within_a_second() {
    for seed in 1..=5 {
        let r = run(&too_fast(NGINX, seed), |_, _| {});
        // Under the server's rate from 1 s on, never much above: 5 % under
        // what a few answers measured (which may be a count off), then, once
        // `probe_after` has passed, back at that measurement.
        for tenth in 10..100 {
            let rate = r.rate_at(f64::from(tenth) / 10.0);
            let least = if tenth < 40 { 16.0 } else { 17.5 };
            assert!((least..=22.0).contains(&rate), "{}", describe(&r));
        }
        // Within 10 % of the 200 the server would take in 10 s.
        assert!(r.accepted.len() >= 180, "{}", describe(&r));
    }
}

#[test]
fn learning_an_undeclared_limit_draws_at_most_two_percent_429s() {
    // However many streams start at once: first contact is paced.
    for streams in [4, 6, 10, 16] {
        for seed in 1..=5 {
            let r = run(
                &Scenario {
                    streams,
                    ..too_fast(NGINX, seed)
                },
                |_, _| {},
            );
            assert!(r.throttled_share() <= 0.02, "{}", describe(&r));
        }
    }
}

#[test]
fn an_isolated_429_at_the_declared_rate_costs_under_five_percent() {
    // Declared right: 20/s burst 5 against nginx's 20 r/s burst 5.
    let declared = Scenario {
        length: Duration::from_secs(16),
        ..Scenario::new(NGINX, 20.0, 5)
    };
    let clean = run(&declared, |_, _| {});
    assert!(clean.throttled.is_empty(), "{}", describe(&clean));
    // One stray 429 (say, a proxy's hiccup) at 5 s.
    let (mut start, mut fired) = (None, false);
    let hit = run(&declared, |b, now| {
        let t0 = *start.get_or_insert(now);
        if !fired && now >= t0 + Duration::from_secs(5) {
            fired = true;
            assert!(b.on_throttled(now - Duration::from_millis(2), now));
        }
    });
    assert!(fired);
    let before = clean.accepted_between(5.0, 15.0);
    let after = hit.accepted_between(5.0, 15.0);
    assert!(
        after as f64 >= 0.95 * before as f64,
        "{after} of {before}: {}",
        describe(&hit)
    );
}

#[test]
fn with_retry_after_the_limit_is_learned_in_two_more_pauses() {
    // The bench's upstream: every 429 carries `Retry-After: 1`, which pauses
    // the origin, so the server refills while nothing is measured and only
    // bounds can be learned: a few pauses, then just under the rate.
    for seed in 1..=5 {
        let scenario = Scenario {
            streams: 10,
            retry_after: Some(Duration::from_secs(1)),
            ..too_fast(NGINX, seed)
        };
        let r = run(&scenario, |_, _| {});
        let after_start = r.throttled.iter().filter(|t| **t > 0.1).count();
        assert!(after_start <= 2, "{}", describe(&r));
        // Then a binary search: each clean `probe_after` halves the way to
        // the lowest rate that drew a 429.
        for tenth in 55..100 {
            let rate = r.rate_at(f64::from(tenth) / 10.0);
            assert!((17.0..=23.0).contains(&rate), "{}", describe(&r));
        }
        assert!(r.accepted_between(0.0, 10.0) >= 145, "{}", describe(&r));
    }
}

#[test]
fn a_sliding_window_limit_settles_below_its_rate() {
    // 20 per any second, met with a burst: nothing more is taken for the
    // rest of that second, and what the window lets through later comes in
    // lumps. The rate settles below the limit rather than above it.
    let window = Limit::SlidingWindow {
        limit: 20,
        window: Duration::from_secs(1),
    };
    for seed in 1..=5 {
        let r = run(&too_fast(window, seed), |_, _| {});
        for tenth in 25..100 {
            let rate = r.rate_at(f64::from(tenth) / 10.0);
            assert!((12.0..=20.0).contains(&rate), "{}", describe(&r));
        }
        assert!(r.throttled.iter().all(|t| *t < 2.5), "{}", describe(&r));
        assert!(r.accepted_between(0.0, 10.0) >= 140, "{}", describe(&r));
    }
}
