//! Unit tests of the adaptive bucket, driven by hand-made instants.

use super::*;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// 10/s, burst 2, floor 1/s.
fn bucket(t0: Instant) -> AdaptiveBucket {
    let settings = AdaptiveSettings {
        min_rate_per_sec: 1.0,
        ..AdaptiveSettings::new(10.0, 2)
    };
    AdaptiveBucket::new(settings, t0)
}

fn quota(remaining: u64, reset_secs: u64) -> Quota {
    Quota {
        remaining,
        reset_in: secs(reset_secs),
    }
}

/// Sends of callers that honour every wait, from `t0` until `end`.
fn greedy_sends(b: &mut AdaptiveBucket, t0: Instant, end: Instant) -> usize {
    let mut now = t0;
    let mut sent = 0;
    loop {
        now += b.reserve(now);
        if now >= end {
            return sent;
        }
        sent += 1;
    }
}

#[test]
fn defaults() {
    let s = AdaptiveSettings::new(64.0, 4);
    assert_eq!(s.min_rate_per_sec, 2.0);
    assert_eq!(s.decrease_factor, 0.5);
    assert_eq!(s.backoff_share, 0.95);
    assert_eq!(s.probe_after, secs(3));
    assert_eq!(s.probe_gain, 0.01);
    assert_eq!(s.max_pause, secs(3600));
}

#[test]
fn first_contact_is_paced_then_the_burst_is_saved_up() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    assert_eq!(b.current_rate(t0), 10.0);
    assert_eq!(b.paused_until(t0), None);
    // One token at first: the server's own burst allowance is unknown.
    assert_eq!(b.reserve(t0), Duration::ZERO);
    assert_eq!(b.reserve(t0), ms(100));
    // After a quiet spell the configured burst (2) goes back to back.
    let t1 = t0 + secs(1);
    assert_eq!(b.reserve(t1), Duration::ZERO);
    assert_eq!(b.reserve(t1), Duration::ZERO);
    assert_eq!(b.reserve(t1), ms(100));
}

#[test]
#[should_panic(expected = "min_rate_per_sec")]
fn a_floor_above_the_rate_is_refused() {
    let settings = AdaptiveSettings {
        min_rate_per_sec: 20.0,
        ..AdaptiveSettings::new(10.0, 2)
    };
    AdaptiveBucket::new(settings, Instant::now());
}

/// `n` successes spread evenly over `from..to`.
fn successes(b: &mut AdaptiveBucket, n: u32, from: Instant, to: Instant) {
    for i in 1..=n {
        b.on_success(from + (to - from) * i / n);
    }
}

#[test]
fn a_first_429_with_nothing_measured_halves_once_per_burst() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    let t1 = t0 + ms(100);
    assert!(b.on_throttled(t0, t1));
    assert_eq!(b.current_rate(t1), 5.0);
    // In-flight requests sent before the decrease come back 429 too: same burst.
    assert!(!b.on_throttled(t0 + ms(99), t1 + ms(10)));
    assert_eq!(b.current_rate(t1), 5.0);
}

#[test]
fn a_429_soon_after_the_last_cools_down_without_cutting() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.on_throttled(t0, t0); // 5/s, cool-down until t0 + 200 ms
                            // Callers that reserved before it see it as a pause.
    assert_eq!(b.paused_until(t0), Some(t0 + ms(200)));
    assert_eq!(b.reserve(t0), ms(200));
    // Sent after the decrease, back 100 ms later: too soon to measure.
    let t1 = t0 + ms(300);
    assert!(b.on_throttled(t0 + ms(250), t1));
    assert_eq!(b.current_rate(t1), 5.0);
    assert_eq!(b.reserve(t1), ms(200));
}

#[test]
fn a_429_burst_sets_the_rate_under_the_rate_accepted_since_the_last() {
    let t0 = Instant::now();
    let settings = AdaptiveSettings::new(100.0, 5);
    let mut b = AdaptiveBucket::new(settings, t0);
    b.on_throttled(t0, t0); // 50/s
                            // The server took 40 in the next 2 s: 20/s.
    let t2 = t0 + secs(2);
    successes(&mut b, 40, t0, t2);
    assert!(b.on_throttled(t2 - ms(1), t2));
    assert!((b.current_rate(t2) - 0.95 * 20.0).abs() < 1e-9);
    // A measurement never raises the rate.
    successes(&mut b, 60, t2, t2 + secs(2));
    b.on_throttled(t2 + secs(2), t2 + secs(2));
    assert!((b.current_rate(t2 + secs(2)) - 19.0).abs() < 1e-9);
    // One answer in 2.5 s is too few to measure: the rate halves.
    let t = t2 + ms(4500);
    successes(&mut b, 1, t2 + secs(2), t);
    b.on_throttled(t, t);
    assert!((b.current_rate(t) - 9.5).abs() < 1e-9);
}

#[test]
fn an_isolated_429_costs_five_percent_not_half() {
    // A correctly declared 10/s, fully used for 3 s, then one stray 429.
    let t0 = Instant::now();
    let mut b = bucket(t0);
    let t3 = t0 + secs(3);
    successes(&mut b, 30, t0, t3);
    assert!(b.on_throttled(t3 - ms(5), t3));
    let rate = b.current_rate(t3);
    assert!((9.0..=9.6).contains(&rate), "{rate}");
}

#[test]
fn a_429_across_a_pause_bisects_between_what_got_through_and_the_rate() {
    let t0 = Instant::now();
    let settings = AdaptiveSettings::new(100.0, 5);
    let mut b = AdaptiveBucket::new(settings, t0);
    b.on_throttled(t0, t0); // 50/s
    b.pause_until(t0 + secs(1), t0);
    // 8 got through in the 2 s since the last 429, a pause included: the
    // server takes at least 4/s, and 50/s was too much.
    let t2 = t0 + secs(2);
    successes(&mut b, 8, t0 + secs(1), t2);
    b.on_throttled(t2, t2);
    assert!((b.current_rate(t2) - (4.0f64 * 50.0).sqrt()).abs() < 1e-9);
}

#[test]
fn after_probe_after_the_rate_returns_to_a_precise_measurement() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    let t3 = t0 + secs(3);
    successes(&mut b, 30, t0, t3);
    b.on_throttled(t3 - ms(5), t3);
    assert!(b.current_rate(t3) < 9.6);
    // Clean for `probe_after`: back to what was measured (about 10/s).
    let t6 = t3 + secs(3) + ms(1);
    successes(&mut b, 30, t3, t6);
    let rate = b.current_rate(t6);
    assert!((9.8..=10.0).contains(&rate), "{rate}");
}

#[test]
fn across_pauses_probing_bisects_towards_the_lowest_rate_that_drew_429s() {
    let t0 = Instant::now();
    let settings = AdaptiveSettings::new(100.0, 5);
    let mut b = AdaptiveBucket::new(settings, t0);
    b.on_throttled(t0, t0); // nothing measured: 50/s
    b.pause_until(t0 + secs(1), t0);
    let t2 = t0 + secs(2);
    successes(&mut b, 8, t0 + secs(1), t2);
    b.on_throttled(t2, t2); // at least 4/s: √(4 × 50)
    let first = (4.0f64 * 50.0).sqrt();
    assert!((b.current_rate(t2) - first).abs() < 1e-9);
    b.pause_until(t2 + secs(1), t2);
    let t4 = t2 + secs(2);
    successes(&mut b, 20, t2 + secs(1), t4);
    b.on_throttled(t4, t4); // at least 10/s: √(10 × 14.1)
    let second = (10.0 * first).sqrt();
    assert!((b.current_rate(t4) - second).abs() < 1e-9);
    // `probe_after` without a 429: halfway (in ratio) to the 14.1/s that
    // drew the last burst; 50/s, far above, no longer counts.
    let t7 = t4 + secs(3) + ms(1);
    successes(&mut b, 30, t4, t7);
    let expected = (second * first).sqrt();
    assert!((b.current_rate(t7) - expected).abs() < 1e-3);
}

#[test]
fn after_a_clean_spell_the_rate_probes_upwards_to_the_configured_rate() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.on_throttled(t0, t0); // 5/s
                            // Nothing for `probe_after` (3 s), then +1 %/s, accelerating by 1 %/s
                            // every 10 s: after 10 s the rate grew by e^(0.01 × (10 + 10²/20)).
    b.on_success(t0 + secs(3));
    assert_eq!(b.current_rate(t0 + secs(3)), 5.0);
    b.on_success(t0 + secs(8));
    b.on_success(t0 + secs(13));
    let expected = 5.0 * (0.15f64).exp();
    assert!((b.current_rate(t0 + secs(13)) - expected).abs() < 1e-9);
    // Never above the configured rate.
    b.on_success(t0 + secs(600));
    assert_eq!(b.current_rate(t0 + secs(600)), 10.0);
}

#[test]
fn success_before_any_429_is_a_no_op() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.on_success(t0 + secs(5));
    assert_eq!(b.current_rate(t0 + secs(5)), 10.0);
    // Time spent at full rate is not banked as probing.
    b.on_throttled(t0 + secs(5), t0 + secs(5) + ms(10));
    b.on_success(t0 + secs(6));
    assert!(b.current_rate(t0 + secs(6)) < 10.0);
}

#[test]
fn a_pause_holds_every_request_then_restarts_without_burst() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    let until = t0 + secs(30);
    assert!(b.pause_until(until, t0));
    assert_eq!(b.paused_until(t0), Some(until));
    assert_eq!(b.current_rate(t0), 0.0);
    assert_eq!(b.reserve(t0), secs(30));
    assert_eq!(b.reserve(t0 + secs(10)), secs(20) + ms(100));
    assert_eq!(b.paused_until(until), None);
    assert_eq!(b.current_rate(until), 10.0);
}

#[test]
fn pauses_do_not_stack() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    let until = t0 + secs(30);
    assert!(b.pause_until(until, t0));
    // The burst of 429s behind the first one: same or earlier end, ignored.
    assert!(!b.pause_until(until, t0 + secs(1)));
    assert!(!b.pause_until(t0 + secs(20), t0 + secs(2)));
    assert_eq!(b.reserve(t0 + secs(3)), secs(27));
    // A later end extends the pause to it, not by it.
    assert!(b.pause_until(t0 + secs(40), t0 + secs(4)));
    assert_eq!(b.paused_until(t0 + secs(4)), Some(t0 + secs(40)));
    // Past or present ends do nothing.
    assert!(!b.pause_until(t0 + secs(4), t0 + secs(4)));
    // After the pause, a new one is a new pause.
    assert!(b.pause_until(t0 + secs(50), t0 + secs(45)));
}

#[test]
fn a_low_quota_is_spread_over_the_window() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.apply_quota(quota(20, 10), t0);
    assert_eq!(b.current_rate(t0), 2.0);
    // The limit lifts at the reset.
    assert_eq!(b.current_rate(t0 + secs(10)), 10.0);
    b.reserve(t0 + secs(10));
    assert_eq!(b.current_rate(t0 + secs(10)), 10.0);
}

#[test]
fn a_generous_quota_never_raises_the_rate() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.apply_quota(quota(5, 10), t0);
    assert_eq!(b.current_rate(t0), 0.5);
    // The newest quota replaces the older one, and is capped by the config.
    b.apply_quota(quota(10_000, 10), t0 + secs(1));
    assert_eq!(b.current_rate(t0 + secs(1)), 10.0);
    // The congestion rate still binds under a generous quota.
    b.on_throttled(t0, t0 + secs(2));
    b.apply_quota(quota(10_000, 10), t0 + secs(2));
    assert_eq!(b.current_rate(t0 + secs(2)), 5.0);
}

#[test]
fn quota_and_congestion_take_the_lower() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.apply_quota(quota(30, 10), t0); // 3/s
    b.on_throttled(t0, t0); // 5/s
    assert_eq!(b.current_rate(t0), 3.0);
    let t1 = t0 + secs(1);
    b.on_throttled(t1, t1); // nothing got through since: 2.5/s
    assert_eq!(b.current_rate(t1), 2.5);
}

#[test]
fn an_exhausted_quota_pauses_until_the_reset() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.apply_quota(quota(0, 42), t0);
    assert_eq!(b.paused_until(t0), Some(t0 + secs(42)));
    assert_eq!(b.reserve(t0), secs(42));
    // The same news from the other in-flight responses changes nothing.
    b.apply_quota(quota(0, 41), t0 + secs(1));
    assert_eq!(b.paused_until(t0 + secs(1)), Some(t0 + secs(42)));
    // Zero remaining with the reset now: nothing to wait for.
    let mut b = bucket(t0);
    b.apply_quota(quota(0, 0), t0);
    assert_eq!(b.paused_until(t0), None);
}

#[test]
fn quota_waits_are_capped_by_max_pause() {
    let t0 = Instant::now();
    let settings = AdaptiveSettings {
        max_pause: secs(60),
        ..AdaptiveSettings::new(10.0, 2)
    };
    let mut b = AdaptiveBucket::new(settings, t0);
    b.apply_quota(quota(0, 86_400), t0);
    assert_eq!(b.paused_until(t0), Some(t0 + secs(60)));
    let mut b = AdaptiveBucket::new(settings, t0);
    b.apply_quota(quota(30, 86_400), t0);
    assert_eq!(b.current_rate(t0), 0.5);
    let mut b = AdaptiveBucket::new(settings, t0);
    b.apply_quota(
        Quota {
            remaining: 1,
            reset_in: Duration::MAX,
        },
        t0,
    );
    assert!((b.current_rate(t0) - 1.0 / 60.0).abs() < 1e-12);
}

#[test]
fn honoured_waits_never_overspend_the_quota() {
    for (remaining, reset) in [(1, 10), (3, 1), (20, 10), (50, 10), (99, 10), (150, 10)] {
        let t0 = Instant::now();
        let settings = AdaptiveSettings::new(10.0, 5);
        let mut b = AdaptiveBucket::new(settings, t0);
        b.apply_quota(quota(remaining, reset), t0);
        let sent = greedy_sends(&mut b, t0, t0 + secs(reset));
        assert!(
            sent as u64 <= remaining,
            "{sent} sends for {remaining} in {reset} s"
        );
        // And the quota is used, not wasted: at least all but one.
        let expected = remaining.min(1 + 10 * reset);
        assert!(sent as u64 + 1 >= expected, "{sent} of {expected}");
    }
}

#[test]
fn a_tiny_quota_still_sends_its_first_request_at_once() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.apply_quota(quota(2, 100), t0);
    assert_eq!(b.reserve(t0), Duration::ZERO);
    assert_eq!(b.reserve(t0), secs(50));
}

#[test]
fn random_signals_keep_the_rate_within_bounds() {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(3);
    let t0 = Instant::now();
    let settings = AdaptiveSettings::new(10.0, 3);
    let mut b = AdaptiveBucket::new(settings, t0);
    let mut now = t0;
    for _ in 0..20_000 {
        now += ms(rng.gen_range(0..2_000));
        match rng.gen_range(0..5) {
            0 => {
                b.on_throttled(now - ms(rng.gen_range(0..3_000)), now);
            }
            1 => b.on_success(now),
            2 => b.apply_quota(quota(rng.gen_range(0..50), rng.gen_range(0..120)), now),
            3 => {
                b.pause_until(now + ms(rng.gen_range(0..60_000)), now);
            }
            _ => {
                let wait = b.reserve(now);
                // At most the longest pause plus a queue drained at ≥ 1/3600 s.
                assert!(wait < secs(3600 * 3), "{wait:?}");
            }
        }
        let rate = b.current_rate(now);
        assert!(rate <= 10.0, "{rate}");
        assert!(rate > 0.0 || b.paused_until(now).is_some(), "{rate}");
    }
}

#[test]
fn a_retry_after_pause_counts_the_same_before_or_after_its_429() {
    // The host actor pauses on Retry-After first, then reports the 429: the
    // pause must count for the span after that 429, not the one before.
    let rates = |pause_first: bool| {
        let t0 = Instant::now();
        let mut b = AdaptiveBucket::new(AdaptiveSettings::new(100.0, 5), t0);
        b.on_throttled(t0, t0); // no Retry-After, nothing measured: 50/s
        let t2 = t0 + secs(2);
        successes(&mut b, 40, t0, t2);
        if pause_first {
            b.pause_until(t2 + secs(1), t2);
            b.on_throttled(t2, t2);
        } else {
            b.on_throttled(t2, t2);
            b.pause_until(t2 + secs(1), t2);
        }
        let between = b.current_rate(t2 + secs(1));
        let t4 = t2 + secs(2);
        successes(&mut b, 8, t2 + secs(1), t4);
        b.on_throttled(t4, t4);
        (between, b.current_rate(t4))
    };
    // 40 in 2 s with no pause between: 20/s, so 19/s. Then 8 in 2 s across
    // the pause: at least 4/s, so √(4 × 19).
    let expected = (19.0, (4.0f64 * 19.0).sqrt());
    for pause_first in [true, false] {
        let (between, across) = rates(pause_first);
        assert!((between - expected.0).abs() < 1e-9, "{between}");
        assert!((across - expected.1).abs() < 1e-9, "{across}");
    }
}

#[test]
fn a_429_for_a_request_sent_during_a_pause_is_no_new_burst() {
    // A wait handed out before the pause ran out during it, and the caller
    // sent anyway: its 429 neither cuts the rate nor starts a sample.
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.pause_until(t0 + secs(1), t0);
    assert!(b.on_throttled(t0, t0)); // the 429 that brought the pause: 5/s
    assert!(!b.on_throttled(t0 + ms(500), t0 + secs(2)));
    assert_eq!(b.current_rate(t0 + secs(2)), 5.0);
    // Sent after the pause: a new burst.
    assert!(b.on_throttled(t0 + secs(2), t0 + secs(3)));
}
