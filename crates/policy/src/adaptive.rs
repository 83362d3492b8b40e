//! Adaptive per-origin rate: a [`TokenBucket`] whose rate follows what the
//! server says. Owns the rate decisions of one origin; reading headers is
//! `retry_after` / `rate_headers`, and waiting is the host actor's job.
//!
//! The effective rate is the least of the configured `rate_per_sec`, the
//! congestion rate (429s and successes steer it) and the quota rate (while
//! the server's window lasts). Nothing ever raises it above the configured
//! rate. The rules:
//!
//! 0. **First contact** is paced: the bucket starts with one token, not its
//!    burst, as after a pause. The server's own burst allowance is unknown,
//!    and a crawl starting many streams at once would otherwise meet a
//!    burst of 429s before anything could be measured. `burst` is saved up
//!    while the origin is quiet, as usual.
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
//! 3. **Headerless 429** ([`AdaptiveBucket::on_throttled`]): the server's
//!    accepted rate is estimated, and the congestion rate set just under it
//!    (`backoff_share`, 0.95), floored at `min_rate_per_sec`, never raised.
//!    Once per burst: a 429 for a request sent before the last decrease
//!    reflects the old rate, and one for a request sent during a pause (on
//!    a wait handed out before it) was sent against the pause: both are
//!    ignored. What the estimate is
//!    (`estimate.rs`), by what the answers show:
//!    - 2xx between this burst and the last, with no pause between: the
//!      server's rate (its allowance was spent at both ends);
//!    - the same across a pause: only a lower bound, as the server refilled
//!      meanwhile; the rate becomes the geometric mean of that bound and the
//!      rate that drew the burst (a bisection, in ratios);
//!    - on a first burst, the 2xx rate of the last second (after a second
//!      of sending without a pause);
//!    - too soon to tell (within 200 ms of the last burst, or within a
//!      second of it with fewer than 4 answers since): the rate stays, the
//!      measurement goes on;
//!    - nothing at all (a first burst before a second of sending, or fewer
//!      than 4 answers over longer): halve (`decrease_factor`).
//!
//!    In the last two cases nothing is sent for 200 ms (unless paused
//!    anyway), so that what the server lets through next measures its rate:
//!    a cool-down that [`AdaptiveBucket::paused_until`] reports like a
//!    pause, but that samples do not treat as one.
//! 4. **Probing** ([`AdaptiveBucket::on_success`]): after `probe_after`
//!    (3 s) without a headerless 429, the rate goes back up to the measured
//!    rate (so an isolated 429 at a correctly declared rate costs 5 % for
//!    3 s, not a halving); after a bisection it
//!    halves, in ratios, the way to the lowest rate that drew a burst, each
//!    `probe_after`, when that is within 1.5×. On top, it grows by
//!    `probe_gain` (1 %/s), a growth that itself grows by 1 %/s every 10 s,
//!    up to the configured rate: a limit that rose, or a demand that grew
//!    past an old measurement, is found within a minute or so.
//!
//! Why estimate, not halve (TCP Reno) and climb back over a minute: the
//! server's accepted rate is observable, as BBR observes a bottleneck's
//! delivery rate, so one 429 burst can set the rate instead of a dozen
//! halvings and climbs oscillating around it; and a stray 429 from jitter
//! at a correctly declared rate (the server's allowance is near empty when
//! the rate matches it) costs a 5 % dip instead of half the throughput for
//! half a minute. Probing stays gentle because a crossing is expensive: a
//! 429 usually comes with a `Retry-After` that pauses the whole origin.
//! The limits of the method: behind a `Retry-After` pause every run starts
//! with the server's own burst allowance, so only bounds are measurable and
//! learning takes a few pauses; a sliding-window server met with a burst
//! refuses for the rest of its window and then lets requests through in
//! lumps, so the rate settles somewhat below its limit.
//!
//! Waits handed out before a pause are not revoked: once its wait is over,
//! a caller checks [`AdaptiveBucket::paused_until`] and, when it is `Some`,
//! waits for the pause to end (keeping its token) instead of sending (the
//! engine's host actor does so before the breaker's admission).

use crate::bucket::TokenBucket;
use crate::quota::Quota;
use crate::retry_after::DEFAULT_MAX_RETRY_AFTER;
use estimate::{AcceptedRate, Sample};
use std::time::{Duration, Instant};

/// After a 429 burst nothing could be measured from, no request for this
/// long (unless paused anyway): the server refills a little, and the next
/// answers say how much.
const COOL_DOWN: Duration = estimate::MIN_SPAN;

/// Probing bisects towards a ceiling only within this ratio of it: a
/// ceiling far above (a wild first guess) says little about the limit.
const BISECT_WITHIN: f64 = 1.5;

/// Probing accelerates: its growth rate rises by `probe_gain` per this much
/// time without a 429, so a rate far below the limit (a demand that grew,
/// a limit that rose) is caught up with in a minute or so.
const PROBE_ACCELERATION: Duration = Duration::from_secs(10);

/// Tunables of one origin's adaptive rate; [`AdaptiveSettings::new`] fills
/// in the defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveSettings {
    /// The configured rate, a ceiling nothing raises the rate above.
    pub rate_per_sec: f64,
    /// Requests that may go back to back after a quiet spell.
    pub burst: u32,
    /// Floor of the 429 decrease (default `rate_per_sec / 32`). A server
    /// quota may still go lower: it said so.
    pub min_rate_per_sec: f64,
    /// Factor applied to the rate by a 429 burst when nothing has been
    /// measured yet (default 0.5).
    pub decrease_factor: f64,
    /// Share of the measured accepted rate a 429 burst sets the rate to
    /// (default 0.95): just under what the server takes.
    pub backoff_share: f64,
    /// Time without a 429 after which the rate starts probing upwards
    /// (default 3 s).
    pub probe_after: Duration,
    /// Growth of the rate while probing, per second (default 0.01: about
    /// +1 %/s at first, +2 %/s after 10 s, +3 %/s after 20 s, ...).
    pub probe_gain: f64,
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
            backoff_share: 0.95,
            probe_after: Duration::from_secs(3),
            probe_gain: 0.01,
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
    /// Up to when probing growth has been credited.
    probed_to: Instant,
    /// What the server's answers say it accepts.
    accepted: AcceptedRate,
    /// The accepted rate the last 429 burst measured precisely: the rate
    /// goes back up to it after `probe_after`, then probes beyond.
    measured: Option<f64>,
    /// The lowest rate that drew a 429 burst when only bounds could be
    /// measured: each `probe_after` without a 429 bisects the way to it.
    ceiling: Option<f64>,
    /// When probing next steps towards `measured` or `ceiling`.
    next_step: Instant,
    /// The server's quota spread over its window: the rate, and the reset
    /// instant after which it no longer applies.
    quota_limit: Option<(f64, Instant)>,
    /// No request before this instant (Retry-After or an exhausted quota).
    paused_until: Option<Instant>,
    /// When the latest pause began: a request sent during a pause (on a wait
    /// handed out before it) that draws a 429 tells nothing new.
    paused_from: Option<Instant>,
    /// No request before this instant either: the cool-down after a 429
    /// burst nothing was measured from (too short to count as a pause).
    cool_until: Option<Instant>,
}

impl AdaptiveBucket {
    /// A bucket at the configured rate, with one token (rule 0).
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
        assert!(
            s.backoff_share > 0.0 && s.backoff_share <= 1.0,
            "need 0 < backoff_share <= 1"
        );
        // First contact is paced: one token, not the burst (module doc).
        let mut bucket = TokenBucket::new(s.rate_per_sec, s.burst, now);
        bucket.hold_until(now);
        Self {
            bucket,
            congestion_rate: s.rate_per_sec,
            decreased_at: None,
            probed_to: now,
            accepted: AcceptedRate::new(now),
            measured: None,
            ceiling: None,
            next_step: now,
            quota_limit: None,
            paused_until: None,
            paused_from: None,
            cool_until: None,
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

    /// The end of the pause in force at `now`, if any; the cool-down after
    /// a 429 burst nothing could be measured from (rule 3) counts as one.
    pub fn paused_until(&self, now: Instant) -> Option<Instant> {
        self.paused_until
            .max(self.cool_until)
            .filter(|until| *until > now)
    }

    /// The rate in force at `now`, requests per second, for metrics: zero
    /// while paused (a 200 ms cool-down aside).
    pub fn current_rate(&self, now: Instant) -> f64 {
        if self.paused_until.is_some_and(|until| until > now) {
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
        if self.paused_until.is_none_or(|p| p <= now) {
            self.paused_from = Some(now);
        }
        self.paused_until = Some(until);
        self.bucket.hold_until(until);
        self.accepted.on_pause(until, now);
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
    /// `sent_at` (rule 3). Returns whether it began a new burst (and so
    /// set the rate).
    pub fn on_throttled(&mut self, sent_at: Instant, now: Instant) -> bool {
        let sent_paused = self
            .paused_from
            .zip(self.paused_until)
            .is_some_and(|(from, until)| from < sent_at && sent_at < until);
        if sent_paused || self.decreased_at.is_some_and(|d| sent_at < d) {
            return false;
        }
        let s = &self.settings;
        let rate = self.congestion_rate;
        let sample = self.accepted.on_throttled(now);
        // Going back up stops at the rate that drew this burst.
        self.measured = match sample {
            Sample::Between(measured) | Sample::Recent(measured) => Some(measured.min(rate)),
            Sample::TooSoon => self.measured,
            _ => None,
        };
        self.ceiling = match sample {
            Sample::AtLeast(_) => Some(self.ceiling.map_or(rate, |c| c.min(rate))),
            Sample::TooSoon => self.ceiling,
            _ => None,
        };
        self.next_step = now + s.probe_after;
        let target = match sample {
            Sample::Between(measured) | Sample::Recent(measured) => s.backoff_share * measured,
            // Bisect, in ratios, between what got through and what did not.
            Sample::AtLeast(least) => (least * rate).sqrt(),
            Sample::Unknown => rate * s.decrease_factor,
            Sample::TooSoon => rate,
        };
        self.congestion_rate = target.min(rate).max(s.min_rate_per_sec);
        self.decreased_at = Some(now);
        self.probed_to = self.probed_to.max(now);
        self.sync(now);
        // Not knowing the server's rate yet, cool down: it refills a little,
        // and what it lets through next is what it takes.
        let unsure = matches!(sample, Sample::Unknown | Sample::TooSoon);
        if unsure && self.paused_until(now).is_none() {
            // Callers check it before sending, as a pause; the estimate does
            // not count it as one: too short for the server to save up much.
            self.cool_until = Some(now + COOL_DOWN);
            self.bucket.hold_until(now + COOL_DOWN);
        }
        true
    }

    /// A successful response: counted for the estimate, and probing (rule 4).
    pub fn on_success(&mut self, now: Instant) {
        self.accepted.on_success(now);
        let s = &self.settings;
        let Some(decreased_at) = self.decreased_at else {
            return;
        };
        let from = self.probed_to.max(decreased_at + s.probe_after);
        self.probed_to = self.probed_to.max(now);
        if now <= from {
            return;
        }
        let mut rate = self.congestion_rate;
        while self.next_step <= now {
            self.next_step += s.probe_after;
            if let Some(measured) = self.measured.take() {
                rate = rate.max(measured);
            }
            match self.ceiling {
                Some(c) if rate * BISECT_WITHIN >= c => rate = rate.max((rate * c).sqrt()),
                _ => {}
            }
            if self.ceiling.is_some_and(|c| rate >= 0.99 * c) {
                self.ceiling = None;
            }
        }
        // Clean seconds of probing at `from` and at `now`: the growth rate
        // itself grows, by `probe_gain` every `PROBE_ACCELERATION`.
        let probe_start = decreased_at + s.probe_after;
        let t1 = from.saturating_duration_since(probe_start).as_secs_f64();
        let t2 = now.saturating_duration_since(probe_start).as_secs_f64();
        let per = PROBE_ACCELERATION.as_secs_f64();
        rate *= (s.probe_gain * ((t2 - t1) + (t2 * t2 - t1 * t1) / (2.0 * per))).exp();
        self.congestion_rate = rate.min(s.rate_per_sec);
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
mod convergence;
mod estimate;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;
