//! What the server accepts: the adaptive bucket's measurement of an origin's
//! real rate from its answers (2xx and headerless 429s). Owns the counting
//! and the samples; what to do with a sample is `adaptive`'s business.
//!
//! Two measurements, both O(1) in memory:
//! - **Between 429s.** A 429 says the server's allowance was spent at that
//!   instant. Between two 429 bursts the server accepted exactly what its
//!   limit refilled, so the 2xx between them over the time between them is
//!   its rate: exact when no pause lay between and requests kept coming
//!   (the server could not save up), a lower bound otherwise (it may have
//!   refilled to its own burst and let that through for free).
//! - **Recent.** 2xx per second, exponentially weighted over about a second
//!   ([`TAU`]): what the server accepted just before a first 429, trusted
//!   only after a second of sending without a pause.

use std::time::{Duration, Instant};

/// Time constant of the recent 2xx rate.
pub(super) const TAU: Duration = Duration::from_secs(1);

/// Shortest time between two 429 bursts that makes a sample: shorter spans
/// hold too few answers to count on.
pub(super) const MIN_SPAN: Duration = Duration::from_millis(200);

/// Fewest 2xx that make a sample. Between two 429 bursts fewer than this
/// within [`TAU`] means "wait and see" (a server that refills in bulk, a
/// sliding window, shows its rate only over a longer span); over a longer
/// span, or in the recent rate, it means the origin was idle or the server
/// took next to nothing: no measurement either way.
pub(super) const MIN_COUNT: u64 = 4;

/// Longest time between two 429 bursts that still makes a sample: an older
/// 429 belongs to another episode (the limit or the load may have changed).
pub(super) const MAX_SPAN: Duration = Duration::from_secs(10);

/// What the answers say the server's accepted rate is, requests per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Sample {
    /// 2xx between two 429 bursts with no pause between: the server's rate
    /// (to about one count).
    Between(f64),
    /// 2xx between two 429 bursts with a pause between: at least this much.
    AtLeast(f64),
    /// 2xx per second over the last second or so, before a first 429 (or
    /// long after the last).
    Recent(f64),
    /// Too soon after the last 429 burst to tell: that burst's sample is
    /// still being gathered.
    TooSoon,
    /// Nothing to go by yet.
    Unknown,
}

/// The last 429 burst: when, and the 2xx count then.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: Instant,
    accepted: u64,
    /// When the first pause since began (or `at`, if one was under way).
    paused_at: Option<Instant>,
}

/// Counts of one origin's answers (module doc). Pure: every call takes `now`.
#[derive(Debug, Clone)]
pub(super) struct AcceptedRate {
    /// 2xx per second, exponentially weighted with time constant [`TAU`].
    recent: f64,
    /// When `recent` was last brought up to date.
    updated: Instant,
    /// Since when the origin has been sent to without a pause: `recent`
    /// counts only once this is [`TAU`] old.
    active_since: Instant,
    /// 2xx answers so far.
    accepted: u64,
    last_throttle: Option<Mark>,
}

impl AcceptedRate {
    pub(super) fn new(now: Instant) -> Self {
        Self {
            recent: 0.0,
            updated: now,
            active_since: now,
            accepted: 0,
            last_throttle: None,
        }
    }

    /// A 2xx answer arrived.
    pub(super) fn on_success(&mut self, now: Instant) {
        self.decay(now);
        self.recent += 1.0 / TAU.as_secs_f64();
        self.accepted += 1;
    }

    /// The origin pauses from `now` until `until` (or a pause under way
    /// grows): samples across it are lower bounds, and the recent rate
    /// starts over when it ends. Whether this comes before or after the
    /// `on_throttled` of the same 429 makes no difference.
    pub(super) fn on_pause(&mut self, until: Instant, now: Instant) {
        if let Some(mark) = &mut self.last_throttle {
            mark.paused_at.get_or_insert(now);
        }
        self.active_since = self.active_since.max(until);
    }

    /// A new 429 burst at `now`: what the answers up to it say, and the burst
    /// marked as the start of the next sample.
    pub(super) fn on_throttled(&mut self, now: Instant) -> Sample {
        self.decay(now);
        if let Some(mark) = self.last_throttle {
            let span = now.saturating_duration_since(mark.at);
            let counted = self.accepted - mark.accepted;
            if span < MIN_SPAN || (counted < MIN_COUNT && span < TAU) {
                return Sample::TooSoon;
            }
        }
        let between = self.last_throttle.and_then(|mark| {
            let span = now.checked_duration_since(mark.at)?;
            let counted = self.accepted - mark.accepted;
            let rate = counted as f64 / span.as_secs_f64();
            // A pause that begins with this very burst is not between.
            let paused = mark.paused_at.is_some_and(|at| at < now);
            (span <= MAX_SPAN && counted >= MIN_COUNT).then_some(if paused {
                Sample::AtLeast(rate)
            } else {
                Sample::Between(rate)
            })
        });
        let active = now
            .checked_duration_since(self.active_since)
            .is_some_and(|active| active >= TAU);
        let recent = (active && self.recent * TAU.as_secs_f64() >= MIN_COUNT as f64)
            .then_some(Sample::Recent(self.recent));
        self.last_throttle = Some(Mark {
            at: now,
            accepted: self.accepted,
            paused_at: (self.active_since > now).then_some(now),
        });
        between.or(recent).unwrap_or(Sample::Unknown)
    }

    fn decay(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated);
        self.recent *= (-elapsed.as_secs_f64() / TAU.as_secs_f64()).exp();
        self.updated = self.updated.max(now);
    }
}
