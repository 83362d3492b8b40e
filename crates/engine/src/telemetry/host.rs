//! Events of an origin's host actor: started and stopped, waits for a
//! token, the origin asking to slow down, and the circuit breaker's moves.
//! The per-origin counters start at 0 once an origin gets its label
//! ([`register_zero`]).

use super::names::{BREAKER_OPENS, BREAKER_STATE, BUCKET_WAIT, RATE_LIMITED};
use super::InternalEvent;
use harvest_policy::BreakerState;
use metrics::{counter, gauge};
use std::time::Duration;

/// Exports the per-origin counters of `label` at 0.
pub(super) fn register_zero(label: &'static str) {
    counter!(RATE_LIMITED, "origin" => label).increment(0);
    counter!(BREAKER_OPENS, "origin" => label).increment(0);
    counter!(BUCKET_WAIT, "origin" => label).increment(0);
}

/// A host actor started for `origin`; its breaker starts closed.
pub(crate) struct HostStarted<'a> {
    pub origin: &'a str,
    pub label: &'static str,
}

impl InternalEvent for HostStarted<'_> {
    fn emit(self) {
        tracing::debug!(origin = %self.origin, "Host actor started.");
        breaker_gauge(self.label, BreakerState::Closed);
    }
}

/// A host actor stopped (idle, or the crawl ended).
pub(crate) struct HostStopped<'a> {
    pub origin: &'a str,
}

impl InternalEvent for HostStopped<'_> {
    fn emit(self) {
        tracing::debug!(origin = %self.origin, "Host actor stopped.");
    }
}

/// The periodic sample of a live host's breaker state (it keeps the gauge
/// from expiring; a stopped host's gauge leaves the exposition).
pub(crate) struct BreakerSampled {
    pub label: &'static str,
    pub state: BreakerState,
}

impl InternalEvent for BreakerSampled {
    fn emit(self) {
        breaker_gauge(self.label, self.state);
    }
}

/// `harvest_breaker_state`: 0 closed, 1 half-open, 2 open.
fn breaker_gauge(label: &'static str, state: BreakerState) {
    let level = match state {
        BreakerState::Closed => 0.0,
        BreakerState::HalfOpen { .. } => 1.0,
        BreakerState::Open { .. } => 2.0,
    };
    gauge!(BREAKER_STATE, "origin" => label).set(level);
}

/// A job waits `wait` for a token of its origin's bucket.
pub(crate) struct BucketWaited {
    pub label: &'static str,
    pub wait: Duration,
}

impl InternalEvent for BucketWaited {
    fn emit(self) {
        let micros = u64::try_from(self.wait.as_micros()).unwrap_or(u64::MAX);
        counter!(BUCKET_WAIT, "origin" => self.label).increment(micros);
    }
}

/// The origin asked to slow down (a 429 burst, a `Retry-After`): its bucket
/// paused or slowed. Once per burst.
pub(crate) struct OriginSlowedDown<'a> {
    pub origin: &'a str,
    pub label: &'static str,
    pub status: Option<u16>,
    pub retry_after: Option<Duration>,
    /// The bucket's rate from now on.
    pub rate_per_sec: f64,
}

impl InternalEvent for OriginSlowedDown<'_> {
    fn emit(self) {
        counter!(RATE_LIMITED, "origin" => self.label).increment(1);
        tracing::info!(
            origin = %self.origin,
            status = self.status,
            retry_after = ?self.retry_after,
            rate_per_sec = self.rate_per_sec,
            "Origin asked to slow down."
        );
    }
}

/// The origin's circuit breaker opened: its jobs wait `open_for`.
pub(crate) struct BreakerOpened<'a> {
    pub origin: &'a str,
    pub label: &'static str,
    pub open_for: Duration,
}

impl InternalEvent for BreakerOpened<'_> {
    fn emit(self) {
        counter!(BREAKER_OPENS, "origin" => self.label).increment(1);
        let open_for = self.open_for;
        tracing::warn!(origin = %self.origin, ?open_for, "Circuit breaker open: pausing this origin.");
    }
}

/// The origin's circuit breaker half-opened: a few probes go out.
pub(crate) struct BreakerHalfOpened<'a> {
    pub origin: &'a str,
}

impl InternalEvent for BreakerHalfOpened<'_> {
    fn emit(self) {
        tracing::info!(origin = %self.origin, "Circuit breaker half-open: probing.");
    }
}

/// The origin's circuit breaker closed again.
pub(crate) struct BreakerClosed<'a> {
    pub origin: &'a str,
}

impl InternalEvent for BreakerClosed<'_> {
    fn emit(self) {
        tracing::info!(origin = %self.origin, "Circuit breaker closed.");
    }
}
