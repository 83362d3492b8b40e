//! Per-origin circuit breaker, pure: every call takes `now`, and the caller
//! passes the random source for jitter. Owns the open/closed decision of one
//! origin; the host actor does the waiting and schedules a wake-up at
//! [`CircuitBreaker::next_transition`].
//!
//! The rules:
//! - **Closed → Open** when, over the last `window` Success/Failure outcomes
//!   (at least `min_calls` of them; a `min_calls` above `window` counts as
//!   `window`), failures make up `failure_ratio` or more; or after
//!   `consecutive_failures` failures in a row (0 turns this rule off).
//!   Neutral outcomes (429 — a rate signal, the bucket's business — and other
//!   4xx) count for nothing and do not break a run of failures.
//! - **Open** for `open_for × 2^streak`, capped at `max_open_for`, then
//!   shortened by a random share of up to `open_jitter` (so 0.2 gives 80–100%
//!   of that), so breakers that tripped together do not probe together.
//!   `streak` counts the openings since the origin was last healthy: each
//!   opening adds one, and it goes back to zero when the breaker, once
//!   closed, stays closed for `open_for × healthy_factor` (checked when it
//!   next opens). Open admits nothing: jobs wait, never drop.
//! - **Open → HalfOpen** when the open period ends: [`CircuitBreaker::poll`]
//!   does it, and so do `admit` and `record`, lazily.
//! - **HalfOpen** admits up to `half_open_probes` calls at once. A probe
//!   that gets any HTTP answer (Success or Neutral: a 4xx, even a 200 the
//!   parser refuses, proves the origin reachable) closes the breaker (with
//!   a fresh window); a probe Failure opens it again, for longer.
//!
//! Every admitted call must be recorded (the host's fetch task records a
//! cancelled or panicked call as Neutral). As a last resort a probe slot
//! still taken `probe_timeout` after it was handed out is freed, so no
//! lost record can leave the breaker half-open with nothing out: from every
//! state a transition is reachable (`next_transition` names when).
//! Outcomes that arrive while open, or while half-open with no probe out,
//! come from calls admitted before the breaker opened and are ignored. One
//! admitted before opening that ends while a probe is out counts as that
//! probe; keeping `open_for` above the request timeout rules that out.

use crate::StatusClass;
use rand::Rng;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Tunables of the breaker (`[breaker]` in the config).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerSettings {
    /// Share of failures in the window that opens the breaker.
    pub failure_ratio: f64,
    /// Outcomes the window must hold before the ratio counts, so that one
    /// early failure is not a 100% failure rate.
    pub min_calls: u32,
    /// How many of the latest outcomes the ratio looks at.
    pub window: u32,
    /// Failures in a row that open the breaker whatever the ratio; 0 = off.
    pub consecutive_failures: u32,
    /// The first open period.
    pub open_for: Duration,
    /// Cap of the doubling open period.
    pub max_open_for: Duration,
    /// Calls admitted at once while half-open.
    pub half_open_probes: u32,
    /// Largest share of an open period that jitter takes off, in `0..=1`.
    pub open_jitter: f64,
    /// The opening streak resets once the breaker stays closed for
    /// `open_for × healthy_factor`.
    pub healthy_factor: u32,
    /// A half-open probe not recorded this long after it went out is
    /// taken as lost and its slot freed (above the request timeout).
    pub probe_timeout: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            failure_ratio: 0.5,
            min_calls: 10,
            window: 20,
            consecutive_failures: 5,
            open_for: Duration::from_secs(30),
            max_open_for: Duration::from_secs(600),
            half_open_probes: 1,
            open_jitter: 0.2,
            healthy_factor: 4,
            probe_timeout: Duration::from_secs(150),
        }
    }
}

/// How a call went, as far as the origin's health is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The origin answered properly (2xx, 3xx).
    Success,
    /// The origin is unwell: 5xx, connect or read error, timeout.
    Failure,
    /// Says nothing about health: 429 (a rate signal) and other 4xx.
    Neutral,
}

impl CallOutcome {
    /// The outcome of a response status; transport errors are `Failure`.
    pub fn of_status(status: u16) -> Self {
        match StatusClass::of(status) {
            StatusClass::Success | StatusClass::Redirect => Self::Success,
            StatusClass::ServerError => Self::Failure,
            StatusClass::ClientError | StatusClass::Other => Self::Neutral,
        }
    }
}

/// Where the breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    /// Admits nothing until `until`.
    Open {
        until: Instant,
    },
    /// Admits up to `half_open_probes` calls; `probes_in_flight` are out.
    HalfOpen {
        probes_in_flight: u32,
    },
}

impl BreakerState {
    /// A bounded label: `closed`, `open`, `half_open`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open { .. } => "open",
            Self::HalfOpen { .. } => "half_open",
        }
    }

    fn same_kind(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// The answer to "may I call the origin now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Yes,
    /// Open: ask again at this instant.
    WaitUntil(Instant),
    /// Half-open with every probe out: ask again after the next `record`.
    WaitForProbe,
}

/// One origin's circuit breaker (module doc).
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    settings: BreakerSettings,
    state: BreakerState,
    /// The latest outcomes while closed, `true` for a failure; at most
    /// `window` of them.
    outcomes: VecDeque<bool>,
    /// Failures in `outcomes`, kept to avoid a scan per call.
    failures: u32,
    /// Current run of failures while closed.
    failures_in_row: u32,
    /// Openings since the origin was last healthy.
    streak: u32,
    /// When the breaker last closed after an opening: the healthy spell that
    /// resets `streak` runs from here.
    closed_at: Option<Instant>,
    /// Half-open with probes out: when the latest one is taken as lost.
    probe_deadline: Option<Instant>,
}

impl CircuitBreaker {
    pub fn new(settings: BreakerSettings) -> Self {
        Self {
            settings,
            state: BreakerState::Closed,
            outcomes: VecDeque::with_capacity(settings.window.max(1) as usize),
            failures: 0,
            failures_in_row: 0,
            streak: 0,
            closed_at: None,
            probe_deadline: None,
        }
    }

    pub fn settings(&self) -> &BreakerSettings {
        &self.settings
    }

    /// The state as last moved; see `poll` for the timed move.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// When the breaker will move by itself, if it will: the end of an open
    /// period, or when probes still out are taken as lost. The instant to
    /// call `poll` at.
    pub fn next_transition(&self) -> Option<Instant> {
        match self.state {
            BreakerState::Open { until } => Some(until),
            BreakerState::HalfOpen {
                probes_in_flight: 1..,
            } => self.probe_deadline,
            _ => None,
        }
    }

    /// Moves Open → HalfOpen once the open period is over, and frees the
    /// probe slots of probes out past `probe_timeout`; returns the new state
    /// when it changed kind.
    pub fn poll(&mut self, now: Instant) -> Option<BreakerState> {
        match self.state {
            BreakerState::Open { until } if now >= until => {
                self.state = BreakerState::HalfOpen {
                    probes_in_flight: 0,
                };
                self.probe_deadline = None;
                Some(self.state)
            }
            BreakerState::HalfOpen {
                probes_in_flight: 1..,
            } if self.probe_deadline.is_some_and(|at| now >= at) => {
                self.state = BreakerState::HalfOpen {
                    probes_in_flight: 0,
                };
                self.probe_deadline = None;
                None
            }
            _ => None,
        }
    }

    /// Whether a call may go now; a half-open `Yes` takes a probe slot.
    pub fn admit(&mut self, now: Instant) -> Admit {
        self.poll(now);
        match &mut self.state {
            BreakerState::Closed => Admit::Yes,
            BreakerState::Open { until } => Admit::WaitUntil(*until),
            BreakerState::HalfOpen { probes_in_flight } => {
                if *probes_in_flight < self.settings.half_open_probes.max(1) {
                    *probes_in_flight += 1;
                    self.probe_deadline = now.checked_add(self.settings.probe_timeout);
                    Admit::Yes
                } else {
                    Admit::WaitForProbe
                }
            }
        }
    }

    /// Takes the outcome of an admitted call. Returns the new state when the
    /// state changed kind (closed, open, half-open) during the call.
    pub fn record<R: Rng + ?Sized>(
        &mut self,
        outcome: CallOutcome,
        now: Instant,
        rng: &mut R,
    ) -> Option<BreakerState> {
        let before = self.state;
        self.poll(now);
        match self.state {
            BreakerState::Closed if outcome != CallOutcome::Neutral => {
                self.push(outcome == CallOutcome::Failure);
                if self.should_trip() {
                    self.open(now, rng);
                }
            }
            // Neutral, or stale: admitted before the breaker opened.
            BreakerState::Closed
            | BreakerState::Open { .. }
            | BreakerState::HalfOpen {
                probes_in_flight: 0,
            } => {}
            // Any HTTP answer proves the origin reachable.
            BreakerState::HalfOpen { .. } => match outcome {
                CallOutcome::Success | CallOutcome::Neutral => self.close(now),
                CallOutcome::Failure => self.open(now, rng),
            },
        }
        (!self.state.same_kind(&before)).then_some(self.state)
    }

    fn push(&mut self, failed: bool) {
        let full = self.outcomes.len() >= self.settings.window.max(1) as usize;
        if full && self.outcomes.pop_front() == Some(true) {
            self.failures -= 1;
        }
        self.outcomes.push_back(failed);
        self.failures += u32::from(failed);
        self.failures_in_row = if failed { self.failures_in_row + 1 } else { 0 };
    }

    fn should_trip(&self) -> bool {
        let s = &self.settings;
        let in_row = s.consecutive_failures > 0 && self.failures_in_row >= s.consecutive_failures;
        let calls = self.outcomes.len();
        let enough = calls >= s.min_calls.min(s.window.max(1)) as usize;
        let ratio = f64::from(self.failures) / calls as f64;
        in_row || (enough && ratio >= s.failure_ratio)
    }

    fn open<R: Rng + ?Sized>(&mut self, now: Instant, rng: &mut R) {
        let s = &self.settings;
        let healthy_for = s.open_for.saturating_mul(s.healthy_factor);
        if self
            .closed_at
            .is_some_and(|closed| now.saturating_duration_since(closed) >= healthy_for)
        {
            self.streak = 0;
        }
        let keep = 1.0 - s.open_jitter.clamp(0.0, 1.0) * rng.gen::<f64>();
        let period = self.open_period();
        let open_for = Duration::try_from_secs_f64(period.as_secs_f64() * keep).unwrap_or(period);
        // Only an absurd `max_open_for` overflows an Instant: then a day it is.
        let until = now
            .checked_add(open_for)
            .unwrap_or_else(|| now + Duration::from_secs(86_400));
        self.state = BreakerState::Open { until };
        self.streak = self.streak.saturating_add(1);
        self.closed_at = None;
        self.reset_window();
    }

    /// `open_for × 2^streak`, capped at `max_open_for`, before jitter.
    fn open_period(&self) -> Duration {
        let s = &self.settings;
        s.open_for
            .saturating_mul(1u32 << self.streak.min(31))
            .min(s.max_open_for)
    }

    fn close(&mut self, now: Instant) {
        self.state = BreakerState::Closed;
        self.probe_deadline = None;
        self.closed_at = Some(now);
        self.reset_window();
    }

    fn reset_window(&mut self) {
        self.outcomes.clear();
        self.failures = 0;
        self.failures_in_row = 0;
    }
}

#[cfg(test)]
mod tests;
