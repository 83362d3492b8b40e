//! Unit tests of the adaptive bucket, driven by hand-made instants.

use super::*;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// 10/s, burst 2, floor 1/s, full recovery in 90 s.
fn bucket(t0: Instant) -> AdaptiveBucket {
    let settings = AdaptiveSettings {
        min_rate_per_sec: 1.0,
        recovery_time: secs(90),
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
    assert_eq!(s.recovery_time, secs(60));
    assert_eq!(s.max_pause, secs(3600));
}

#[test]
fn starts_as_a_plain_bucket() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    assert_eq!(b.current_rate(t0), 10.0);
    assert_eq!(b.reserve(t0), Duration::ZERO);
    assert_eq!(b.reserve(t0), Duration::ZERO);
    assert_eq!(b.reserve(t0), ms(100));
    assert_eq!(b.paused_until(t0), None);
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

#[test]
fn headerless_429s_halve_once_per_burst_down_to_the_floor() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    let t1 = t0 + secs(1);
    assert!(b.on_throttled(t0, t1));
    assert_eq!(b.current_rate(t1), 5.0);
    // In-flight requests sent before the decrease come back 429 too: same burst.
    assert!(!b.on_throttled(t0 + ms(999), t1 + ms(10)));
    assert_eq!(b.current_rate(t1), 5.0);
    // A request sent after the decrease is a new signal.
    let mut now = t1;
    for expected in [2.5, 1.25, 1.0, 1.0] {
        let sent = now;
        now += ms(100);
        assert!(b.on_throttled(sent, now));
        assert_eq!(b.current_rate(now), expected);
    }
    // The bucket itself slowed down: 1/s once the burst is spent.
    b.reserve(now);
    b.reserve(now);
    assert_eq!(b.reserve(now), secs(1));
}

#[test]
fn success_recovers_linearly_up_to_the_configured_rate() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.on_throttled(t0, t0); // 5/s
                            // (10 − 1) / 90 s = 0.1/s per second of success.
    b.on_success(t0 + secs(10));
    assert!((b.current_rate(t0 + secs(10)) - 6.0).abs() < 1e-9);
    b.on_success(t0 + secs(30));
    assert!((b.current_rate(t0 + secs(30)) - 8.0).abs() < 1e-9);
    b.on_success(t0 + secs(600));
    assert_eq!(b.current_rate(t0 + secs(600)), 10.0);
    // Never above the configured rate.
    b.on_success(t0 + secs(6000));
    assert_eq!(b.current_rate(t0 + secs(6000)), 10.0);
}

#[test]
fn success_at_full_rate_is_a_no_op() {
    let t0 = Instant::now();
    let mut b = bucket(t0);
    b.on_success(t0 + secs(5));
    assert_eq!(b.current_rate(t0 + secs(5)), 10.0);
    // Recovery time already spent at full rate is not banked.
    b.on_throttled(t0 + secs(5), t0 + secs(5));
    b.on_success(t0 + secs(6));
    assert!((b.current_rate(t0 + secs(6)) - 5.1).abs() < 1e-9);
}

#[test]
fn zero_recovery_time_recovers_at_once() {
    let t0 = Instant::now();
    let settings = AdaptiveSettings {
        recovery_time: Duration::ZERO,
        ..AdaptiveSettings::new(10.0, 1)
    };
    let mut b = AdaptiveBucket::new(settings, t0);
    b.on_throttled(t0, t0);
    b.on_success(t0);
    assert_eq!(b.current_rate(t0), 10.0);
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
    b.on_throttled(t0, t0 + ms(1)); // 2.5/s
    assert_eq!(b.current_rate(t0 + ms(1)), 2.5);
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
        let expected = remaining.min(5 + 10 * reset);
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
