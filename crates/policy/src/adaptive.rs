//! Adaptive per-origin rate: a [`TokenBucket`] whose rate follows what the
//! server says. Owns the rate decisions of one origin; reading headers is
//! `retry_after` / `rate_headers`, and waiting is the host actor's job.
//!
//! The effective rate is the least of the configured `rate_per_sec`, the
//! congestion rate (429s and successes steer it) and the quota rate (while
//! the server's window lasts). Nothing ever raises it above the configured
//! rate. The rules:
//!
//! 1. **Pause** ([`AdaptiveBucket::pause_until`], from `Retry-After`): no
//!    request before the given instant; then one token (no burst right after
//!    a pause) and the effective rate. A pause to an instant at or before the
//!    current pause's end is ignored, so a burst of 429s carrying the same
//!    `Retry-After` pauses the origin once; a later instant extends the pause
//!    to it (pauses never add up). An instant not after `now` is ignored.
//! 2. **Quota** ([`AdaptiveBucket::apply_quota`]): `reset_in` is capped at
//!    `max_pause`. At zero remaining the origin pauses until the reset (rule 1).
//!    Otherwise the remaining requests are spread evenly over the time to
//!    reset: when `remaining / reset_in` is below the configured rate, it
//!    limits the rate until the reset instant; at or above, any earlier quota
//!    limit is lifted. The newest quota replaces the older one. Saved tokens
//!    are cut to `max(1, remaining − rate × reset_in)`, so a burst cannot
//!    overspend the window: callers that honour the waits send at most
//!    `remaining` requests before the reset.
//! 3. **Headerless 429** ([`AdaptiveBucket::on_throttled`]): the congestion
//!    rate is multiplied by `decrease_factor` (0.5), floored at
//!    `min_rate_per_sec`. Once per burst: a 429 for a request sent before the
//!    last decrease reflects the old rate and is ignored.
//! 4. **Success** ([`AdaptiveBucket::on_success`]): the congestion rate climbs
//!    linearly, `(rate_per_sec − min_rate_per_sec) / recovery_time` per second
//!    since the last decrease or success, up to the configured rate. So steady
//!    success climbs from the floor back to the full rate in `recovery_time`;
//!    an idle spell counts as healthy.
//!
//! Waits handed out before a pause are not revoked: just before sending, a
//! caller checks [`AdaptiveBucket::paused_until`] and, when it is `Some`,
//! reserves again instead of sending.

use crate::bucket::TokenBucket;
use crate::rate_headers::Quota;
use crate::retry_after::DEFAULT_MAX_RETRY_AFTER;
use std::time::{Duration, Instant};

/// Tunables of one origin's adaptive rate; [`AdaptiveSettings::new`] fills
/// in the defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveSettings {
    /// The configured rate, a ceiling nothing raises the rate above.
    pub rate_per_sec: f64,
    /// Requests that may go back to back after a quiet spell.
    pub burst: u32,
    /// Floor of the 429 decrease (default `rate_per_sec / 32`, five
    /// halvings). A server quota may still go lower: it said so.
    pub min_rate_per_sec: f64,
    /// Factor applied to the rate per burst of headerless 429s (default 0.5).
    pub decrease_factor: f64,
    /// Steady success climbs from the floor to `rate_per_sec` in this time
    /// (default 60 s).
    pub recovery_time: Duration,
    /// Longest wait a quota reset may impose (default 1 h, as Retry-After).
    pub max_pause: Duration,
}

impl AdaptiveSettings {
    /// The configured rate and burst, with the defaults for the rest.
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        Self {
            rate_per_sec,
            burst,
            min_rate_per_sec: rate_per_sec / 32.0,
            decrease_factor: 0.5,
            recovery_time: Duration::from_secs(60),
            max_pause: DEFAULT_MAX_RETRY_AFTER,
        }
    }
}

/// One origin's token bucket, adapting to pauses, quotas and 429s (module
/// doc). Pure: every call takes `now`.
#[derive(Debug, Clone)]
pub struct AdaptiveBucket {
    settings: AdaptiveSettings,
    bucket: TokenBucket,
    /// The rate 429s and successes steer, in `min_rate_per_sec..=rate_per_sec`.
    congestion_rate: f64,
    /// When the congestion rate last fell: 429s for requests sent earlier
    /// belong to that burst.
    decreased_at: Option<Instant>,
    /// Up to when recovery has been credited (the last decrease or success).
    recovered_to: Instant,
    /// The server's quota spread over its window: the rate, and the reset
    /// instant after which it no longer applies.
    quota_limit: Option<(f64, Instant)>,
    /// No request before this instant (Retry-After or an exhausted quota).
    paused_until: Option<Instant>,
}

impl AdaptiveBucket {
    /// A full bucket at the configured rate.
    ///
    /// Panics unless `0 < min_rate_per_sec <= rate_per_sec` and
    /// `0 < decrease_factor < 1` (the config layer validates them first).
    pub fn new(settings: AdaptiveSettings, now: Instant) -> Self {
        let s = &settings;
        assert!(
            s.min_rate_per_sec > 0.0 && s.min_rate_per_sec <= s.rate_per_sec,
            "need 0 < min_rate_per_sec <= rate_per_sec"
        );
        assert!(
            s.decrease_factor > 0.0 && s.decrease_factor < 1.0,
            "need 0 < decrease_factor < 1"
        );
        Self {
            bucket: TokenBucket::new(s.rate_per_sec, s.burst, now),
            congestion_rate: s.rate_per_sec,
            decreased_at: None,
            recovered_to: now,
            quota_limit: None,
            paused_until: None,
            settings,
        }
    }

    pub fn settings(&self) -> &AdaptiveSettings {
        &self.settings
    }

    /// Reserves one token and returns how long to wait before using it; the
    /// wait covers any pause.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        self.sync(now);
        self.bucket.reserve(now)
    }

    /// The end of the pause in force at `now`, if any.
    pub fn paused_until(&self, now: Instant) -> Option<Instant> {
        self.paused_until.filter(|until| *until > now)
    }

    /// The rate in force at `now`, requests per second, for metrics: zero
    /// while paused.
    pub fn current_rate(&self, now: Instant) -> f64 {
        if self.paused_until(now).is_some() {
            0.0
        } else {
            self.effective_rate(now)
        }
    }

    /// Pauses the whole origin until `until` (rule 1). Returns whether the
    /// pause started or grew.
    pub fn pause_until(&mut self, until: Instant, now: Instant) -> bool {
        if until <= now || self.paused_until.is_some_and(|p| p >= until) {
            return false;
        }
        self.paused_until = Some(until);
        self.bucket.hold_until(until);
        true
    }

    /// Takes the quota a response announced (rule 2).
    pub fn apply_quota(&mut self, quota: Quota, now: Instant) {
        let reset_in = quota.reset_in.min(self.settings.max_pause);
        // Only a max_pause beyond Instant's range can fail here.
        let Some(reset_at) = now.checked_add(reset_in) else {
            return;
        };
        if quota.remaining == 0 {
            self.quota_limit = None;
            self.pause_until(reset_at, now);
        } else {
            let capped = Quota {
                remaining: quota.remaining,
                reset_in,
            };
            let spread = capped.spread_rate_per_sec();
            let limited = spread < self.settings.rate_per_sec;
            self.quota_limit = limited.then_some((spread, reset_at));
            let rate = spread.min(self.settings.rate_per_sec);
            let spare = quota.remaining as f64 - rate * reset_in.as_secs_f64();
            self.bucket.cap_tokens(spare.max(1.0), now);
        }
        self.sync(now);
    }

    /// A 429 without Retry-After or quota headers, for a request sent at
    /// `sent_at` (rule 3). Returns whether it lowered the rate.
    pub fn on_throttled(&mut self, sent_at: Instant, now: Instant) -> bool {
        if self.decreased_at.is_some_and(|d| sent_at < d) {
            return false;
        }
        let s = &self.settings;
        self.congestion_rate = (self.congestion_rate * s.decrease_factor).max(s.min_rate_per_sec);
        self.decreased_at = Some(now);
        self.recovered_to = self.recovered_to.max(now);
        self.sync(now);
        true
    }

    /// A successful response (rule 4).
    pub fn on_success(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.recovered_to);
        self.recovered_to = self.recovered_to.max(now);
        let s = &self.settings;
        if self.congestion_rate >= s.rate_per_sec {
            return;
        }
        let climb = if s.recovery_time.is_zero() {
            f64::INFINITY
        } else {
            (s.rate_per_sec - s.min_rate_per_sec) * elapsed.as_secs_f64()
                / s.recovery_time.as_secs_f64()
        };
        self.congestion_rate = (self.congestion_rate + climb).min(s.rate_per_sec);
        self.sync(now);
    }

    fn effective_rate(&self, now: Instant) -> f64 {
        let quota = match self.quota_limit {
            Some((rate, until)) if until > now => rate,
            _ => f64::INFINITY,
        };
        self.settings
            .rate_per_sec
            .min(self.congestion_rate)
            .min(quota)
    }

    /// Forgets an expired quota and hands the effective rate to the bucket.
    fn sync(&mut self, now: Instant) {
        if self.quota_limit.is_some_and(|(_, until)| until <= now) {
            self.quota_limit = None;
        }
        let rate = self.effective_rate(now);
        if rate != self.bucket.rate_per_sec() {
            self.bucket.set_rate(rate, now);
        }
    }
}

#[cfg(test)]
mod tests;
