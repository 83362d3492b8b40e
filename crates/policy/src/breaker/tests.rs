//! Unit tests of the circuit breaker, driven by hand-made instants and a
//! seeded random source.

use super::*;
use rand::rngs::mock::StepRng;
use rand::{rngs::StdRng, SeedableRng};

use CallOutcome::{Failure, Neutral, Success};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A random source whose `gen::<f64>()` is always 0: no jitter.
fn no_jitter() -> StepRng {
    StepRng::new(0, 0)
}

/// Defaults without jitter, so open periods are exact.
fn exact() -> BreakerSettings {
    BreakerSettings {
        open_jitter: 0.0,
        ..BreakerSettings::default()
    }
}

fn record_all(b: &mut CircuitBreaker, outcomes: &[CallOutcome], now: Instant) {
    for o in outcomes {
        assert_eq!(b.admit(now), Admit::Yes);
        b.record(*o, now, &mut no_jitter());
    }
}

/// Trips a closed breaker by consecutive failures at `now`; returns `until`.
fn trip(b: &mut CircuitBreaker, now: Instant) -> Instant {
    for _ in 0..b.settings().consecutive_failures {
        b.record(Failure, now, &mut no_jitter());
    }
    b.next_transition().expect("open")
}

/// Half-opens at `until` and closes with one good probe.
fn heal(b: &mut CircuitBreaker, until: Instant) {
    assert_eq!(b.admit(until), Admit::Yes);
    assert_eq!(
        b.record(Success, until, &mut no_jitter()),
        Some(BreakerState::Closed)
    );
}

#[test]
fn defaults_are_the_documented_ones() {
    let s = BreakerSettings::default();
    assert_eq!(
        (
            s.failure_ratio,
            s.min_calls,
            s.window,
            s.consecutive_failures
        ),
        (0.5, 10, 20, 5)
    );
    assert_eq!((s.open_for, s.max_open_for), (secs(30), secs(600)));
    assert_eq!(
        (s.half_open_probes, s.open_jitter, s.healthy_factor),
        (1, 0.2, 4)
    );
}

#[test]
fn outcome_of_status() {
    assert_eq!(CallOutcome::of_status(200), Success);
    assert_eq!(CallOutcome::of_status(304), Success);
    for s in [500, 502, 503, 504, 599] {
        assert_eq!(CallOutcome::of_status(s), Failure, "{s}");
    }
    for s in [429, 400, 404, 408, 451, 100, 600] {
        assert_eq!(CallOutcome::of_status(s), Neutral, "{s}");
    }
}

#[test]
fn the_ratio_waits_for_min_calls() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    // Alternating: never 5 in a row, ratio 5/9 but only 9 calls.
    record_all(&mut b, &[Failure, Success, Failure, Success, Failure], t0);
    record_all(&mut b, &[Success, Failure, Success, Failure], t0);
    assert_eq!(b.state(), BreakerState::Closed);
    // The 10th call makes it count: 5/10 reaches 0.5.
    assert_eq!(
        b.record(Success, t0, &mut no_jitter()),
        Some(BreakerState::Open {
            until: t0 + secs(30)
        })
    );
}

#[test]
fn the_ratio_just_below_the_threshold_stays_closed() {
    let t0 = Instant::now();
    let settings = BreakerSettings {
        consecutive_failures: 0,
        ..exact()
    };
    let mut b = CircuitBreaker::new(settings);
    // 9 failures in the last 20: 0.45.
    record_all(&mut b, &[Success; 11], t0);
    record_all(&mut b, &[Failure; 9], t0);
    assert_eq!(b.state(), BreakerState::Closed);
    // One more slides a success out: 10 of 20 reaches 0.5.
    b.record(Failure, t0, &mut no_jitter());
    assert_eq!(b.state().as_str(), "open");
}

#[test]
fn the_window_slides() {
    let t0 = Instant::now();
    let settings = BreakerSettings {
        consecutive_failures: 0,
        ..exact()
    };
    let mut b = CircuitBreaker::new(settings);
    // 4 failures then 16 successes fill the window; the failures then slide out.
    record_all(&mut b, &[Failure; 4], t0);
    record_all(&mut b, &[Success; 20], t0);
    // A window of 10 failures and 10 successes opens; 9 of 20 would not.
    record_all(&mut b, &[Failure; 9], t0);
    assert_eq!(b.state(), BreakerState::Closed);
    b.record(Failure, t0, &mut no_jitter());
    assert_eq!(b.state().as_str(), "open");
}

#[test]
fn min_calls_above_the_window_counts_as_the_window() {
    let t0 = Instant::now();
    let settings = BreakerSettings {
        min_calls: 50,
        window: 4,
        consecutive_failures: 0,
        ..exact()
    };
    let mut b = CircuitBreaker::new(settings);
    record_all(&mut b, &[Success, Failure, Success], t0);
    assert_eq!(b.state(), BreakerState::Closed);
    b.record(Failure, t0, &mut no_jitter());
    assert_eq!(b.state().as_str(), "open");
}

#[test]
fn consecutive_failures_open_before_min_calls() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    record_all(&mut b, &[Success], t0);
    record_all(&mut b, &[Failure; 4], t0);
    assert_eq!(b.state(), BreakerState::Closed);
    b.record(Failure, t0, &mut no_jitter());
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: t0 + secs(30)
        }
    );
}

#[test]
fn a_success_breaks_the_run_and_a_neutral_does_not() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    // The window keeps the ratio at most 0.45 throughout.
    record_all(&mut b, &[Success; 12], t0);
    record_all(&mut b, &[Failure, Failure, Failure, Failure, Success], t0);
    record_all(&mut b, &[Failure, Failure, Failure, Failure, Neutral], t0);
    assert_eq!(b.state(), BreakerState::Closed);
    b.record(Failure, t0, &mut no_jitter());
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: t0 + secs(30)
        }
    );
}

#[test]
fn neutral_outcomes_count_for_nothing() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    record_all(&mut b, &[Neutral; 100], t0);
    record_all(&mut b, &[Failure; 4], t0);
    assert_eq!(b.state(), BreakerState::Closed);
}

#[test]
fn open_admits_nothing_until_the_period_ends() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    assert_eq!(until, t0 + secs(30));
    assert_eq!(b.admit(t0 + secs(29)), Admit::WaitUntil(until));
    assert_eq!(b.poll(t0 + secs(29)), None);
    // Late outcomes of calls admitted before opening are ignored.
    assert_eq!(b.record(Success, t0 + secs(1), &mut no_jitter()), None);
    assert_eq!(b.state(), BreakerState::Open { until });
    assert_eq!(
        b.poll(until),
        Some(BreakerState::HalfOpen {
            probes_in_flight: 0
        })
    );
    assert_eq!(b.next_transition(), None);
    assert_eq!(b.poll(until), None);
}

#[test]
fn admit_half_opens_lazily() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    assert_eq!(b.admit(until + secs(5)), Admit::Yes);
    assert_eq!(
        b.state(),
        BreakerState::HalfOpen {
            probes_in_flight: 1
        }
    );
}

#[test]
fn half_open_admits_only_its_probes() {
    let t0 = Instant::now();
    let settings = BreakerSettings {
        half_open_probes: 2,
        ..exact()
    };
    let mut b = CircuitBreaker::new(settings);
    let until = trip(&mut b, t0);
    assert_eq!(b.admit(until), Admit::Yes);
    assert_eq!(b.admit(until), Admit::Yes);
    assert_eq!(b.admit(until), Admit::WaitForProbe);
}

/// Regression (issue 13): a probe answered with a 4xx, or with a 200 the
/// parser dead-letters, left the breaker half-open; any HTTP answer proves
/// the origin reachable.
#[test]
fn a_neutral_probe_closes_the_breaker() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    assert_eq!(b.admit(until), Admit::Yes);
    assert_eq!(
        b.record(Neutral, until, &mut no_jitter()),
        Some(BreakerState::Closed)
    );
    assert_eq!(b.admit(until), Admit::Yes);
}

/// A probe whose outcome never comes back frees its slot after
/// `probe_timeout`, so the breaker cannot stay half-open with nothing out.
#[test]
fn a_lost_probe_is_freed_after_probe_timeout() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    assert_eq!(b.admit(until), Admit::Yes);
    let deadline = until + b.settings().probe_timeout;
    assert_eq!(b.next_transition(), Some(deadline));
    assert_eq!(b.admit(deadline - secs(1)), Admit::WaitForProbe);
    assert_eq!(b.admit(deadline), Admit::Yes);
}

#[test]
fn half_open_with_no_probe_out_ignores_stale_outcomes() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    b.poll(until);
    assert_eq!(b.record(Failure, until, &mut no_jitter()), None);
    assert_eq!(
        b.state(),
        BreakerState::HalfOpen {
            probes_in_flight: 0
        }
    );
}

#[test]
fn a_probe_success_closes_with_a_fresh_window() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    heal(&mut b, until);
    assert_eq!(b.admit(until), Admit::Yes);
    // The failures that opened it are forgotten: 4 more do not reopen.
    record_all(&mut b, &[Failure; 4], until);
    assert_eq!(b.state(), BreakerState::Closed);
}

#[test]
fn a_probe_failure_reopens_for_twice_as_long() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    assert_eq!(b.admit(until), Admit::Yes);
    assert_eq!(
        b.record(Failure, until, &mut no_jitter()),
        Some(BreakerState::Open {
            until: until + secs(60)
        })
    );
}

#[test]
fn open_periods_double_up_to_the_cap() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let mut now = t0;
    let mut periods = Vec::new();
    let until = trip(&mut b, now);
    periods.push(until - now);
    now = until;
    for _ in 0..7 {
        assert_eq!(b.admit(now), Admit::Yes);
        b.record(Failure, now, &mut no_jitter());
        let until = b.next_transition().unwrap();
        periods.push(until - now);
        now = until;
    }
    let expected: Vec<_> = [30, 60, 120, 240, 480, 600, 600, 600]
        .into_iter()
        .map(secs)
        .collect();
    assert_eq!(periods, expected);
}

#[test]
fn reopening_soon_after_closing_keeps_growing() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let until = trip(&mut b, t0);
    heal(&mut b, until);
    // Healthy for less than 30 s × 4: the streak stands.
    let again = until + secs(119);
    assert_eq!(trip(&mut b, again), again + secs(60));
}

#[test]
fn a_long_healthy_spell_resets_the_growth() {
    let t0 = Instant::now();
    let mut b = CircuitBreaker::new(exact());
    let mut now = t0;
    // Three openings in a row: 30, 60, 120 s.
    let until = trip(&mut b, now);
    for _ in 0..2 {
        b.admit(until);
        b.record(Failure, until, &mut no_jitter());
    }
    now = b.next_transition().unwrap();
    heal(&mut b, now);
    let again = now + secs(120);
    assert_eq!(trip(&mut b, again), again + secs(30));
}

#[test]
fn jitter_only_shortens_within_bounds() {
    let t0 = Instant::now();
    let mut rng = StdRng::seed_from_u64(11);
    let mut seen = std::collections::HashSet::new();
    for streak_target in [0u32, 6] {
        for _ in 0..200 {
            let mut b = CircuitBreaker::new(BreakerSettings::default());
            // Reach the wanted streak without jitter, then open with jitter.
            let mut now = t0;
            for _ in 0..streak_target {
                let until = trip(&mut b, now);
                b.admit(until);
                b.record(Failure, until, &mut no_jitter());
                now = b.next_transition().unwrap();
                b.admit(now);
                b.record(Success, now, &mut no_jitter());
            }
            for _ in 0..5 {
                b.record(Failure, now, &mut rng);
            }
            let period = b.next_transition().unwrap() - now;
            let base = if streak_target == 0 {
                secs(30)
            } else {
                secs(600)
            };
            assert!(period <= base, "{period:?}");
            assert!(period >= base.mul_f64(0.8), "{period:?}");
            seen.insert(period);
        }
    }
    assert!(seen.len() > 300, "jitter spreads the periods");
}

#[test]
fn the_breaker_state_labels() {
    let t0 = Instant::now();
    assert_eq!(BreakerState::Closed.as_str(), "closed");
    assert_eq!(BreakerState::Open { until: t0 }.as_str(), "open");
    let half = BreakerState::HalfOpen {
        probes_in_flight: 0,
    };
    assert_eq!(half.as_str(), "half_open");
}

#[test]
fn random_traffic_keeps_the_invariants() {
    let mut rng = StdRng::seed_from_u64(5);
    let settings = BreakerSettings {
        half_open_probes: 3,
        ..BreakerSettings::default()
    };
    let mut b = CircuitBreaker::new(settings);
    let t0 = Instant::now();
    let mut now = t0;
    let mut in_flight = 0u32;
    for _ in 0..50_000 {
        now += Duration::from_millis(rng.gen_range(0..5_000));
        if rng.gen_bool(0.5) {
            let before = b.state();
            match b.admit(now) {
                Admit::Yes => in_flight += 1,
                Admit::WaitUntil(until) => {
                    assert!(until > now);
                    assert!(until - now <= secs(600));
                    assert!(matches!(before, BreakerState::Open { .. }));
                }
                Admit::WaitForProbe => assert_eq!(
                    b.state(),
                    BreakerState::HalfOpen {
                        probes_in_flight: 3
                    }
                ),
            }
        } else if in_flight > 0 {
            in_flight -= 1;
            let outcome = [Success, Failure, Failure, Neutral][rng.gen_range(0..4)];
            b.record(outcome, now, &mut rng);
        }
        if let BreakerState::HalfOpen { probes_in_flight } = b.state() {
            assert!(probes_in_flight <= 3);
        }
    }
}

/// Liveness, checked over random schedules on a fake clock: whatever
/// happened before, once every call out is recorded (or lost past
/// `probe_timeout`) and the clock passes `next_transition`, a call is
/// admitted. No state of the breaker waits for nothing.
#[test]
fn every_state_reaches_an_admission() {
    use rand::Rng;
    for seed in 0..300u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let settings = BreakerSettings {
            half_open_probes: rng.gen_range(1..4),
            min_calls: rng.gen_range(1..6),
            window: rng.gen_range(1..8),
            consecutive_failures: rng.gen_range(0..4),
            open_for: secs(rng.gen_range(1..10)),
            max_open_for: secs(rng.gen_range(10..100)),
            probe_timeout: secs(rng.gen_range(1..200)),
            ..BreakerSettings::default()
        };
        let mut b = CircuitBreaker::new(settings);
        let mut now = Instant::now();
        // Calls admitted and not yet recorded.
        let mut out = 0u32;
        for _ in 0..200 {
            now += Duration::from_millis(rng.gen_range(0..3000));
            match rng.gen_range(0..4) {
                0 | 1 => {
                    if b.admit(now) == Admit::Yes {
                        out += 1;
                    }
                }
                2 if out > 0 => {
                    out -= 1;
                    let o = [Success, Failure, Failure, Neutral][rng.gen_range(0..4)];
                    b.record(o, now, &mut rng);
                }
                // A call whose outcome is lost.
                _ if out > 0 && rng.gen_bool(0.1) => out -= 1,
                _ => {}
            }
            // From here, with nothing more recorded, time alone must lead
            // to an admission.
            let mut probe = b.clone();
            let mut t = now;
            let admitted = (0..4).any(|_| {
                if probe.admit(t) == Admit::Yes {
                    return true;
                }
                t = probe.next_transition().map_or(t, |at| at.max(t));
                false
            });
            assert!(
                admitted,
                "seed {seed}: stuck in {:?} with {out} calls out",
                b.state()
            );
        }
    }
}
