//! What a response tells the host about its origin: health for the breaker,
//! and rate signals for the bucket (`Retry-After`, quota headers, 429s). Sent
//! by each fetch task, applied here in arrival order. One log line and one
//! metric per state change (a burst of 429s slows the origin once).

use super::actor::HostActor;
use crate::telemetry::{
    BreakerClosed, BreakerHalfOpened, BreakerOpened, BreakerSampled, InternalEvent,
    OriginSlowedDown,
};
use actix::prelude::*;
use harvest_policy::{BreakerState, CallOutcome, Quota};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The politeness-relevant part of one response.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub(crate) struct Feedback {
    /// What the call says of the origin's health (the breaker's input).
    pub health: CallOutcome,
    /// The status, or `None` when no response came.
    pub status: Option<u16>,
    /// A `Retry-After` (on 429 / 503), already capped.
    pub retry_after: Option<Duration>,
    pub quota: Option<Quota>,
    /// When the request went out (a 429 for a request sent before the last
    /// slow-down is not another burst).
    pub sent_at: Instant,
}

impl Feedback {
    /// The feedback of a response, or of a transport failure (`None`).
    pub fn of_response(status: Option<u16>, sent_at: Instant) -> Self {
        Self {
            health: status.map_or(CallOutcome::Failure, CallOutcome::of_status),
            status,
            retry_after: None,
            quota: None,
            sent_at,
        }
    }

    /// An admitted call that ended without an answer (stopped, panicked):
    /// it says nothing of the origin, but frees a half-open probe slot.
    pub fn cancelled() -> Self {
        Self {
            health: CallOutcome::Neutral,
            ..Self::of_response(None, Instant::now())
        }
    }
}

/// Sends the host exactly one [`Feedback`] per admitted call: a call that
/// ends without one (the crawl stopped, the task panicked) reports
/// [`Feedback::cancelled`] when this is dropped, so a half-open breaker
/// never waits for a probe that will not come back.
pub(crate) struct Reporter {
    host: Addr<HostActor>,
    sent: bool,
}

impl Reporter {
    pub fn new(host: Addr<HostActor>) -> Self {
        Self { host, sent: false }
    }

    pub fn send(&mut self, feedback: Feedback) {
        self.sent = true;
        self.host.do_send(feedback);
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if !self.sent {
            self.host.do_send(Feedback::cancelled());
        }
    }
}

impl Handler<Feedback> for HostActor {
    type Result = ();

    fn handle(&mut self, f: Feedback, ctx: &mut Context<Self>) {
        let now = Instant::now();
        let was_closed = matches!(self.breaker.state(), BreakerState::Closed);
        if let Some(state) = self.breaker.record(f.health, now, &mut self.rng) {
            self.breaker_changed(was_closed, state, ctx);
            // The job waiting for this probe (or for the breaker) goes on.
            self.step(ctx);
        }
        if let Some(quota) = f.quota {
            self.bucket.apply_quota(quota, now);
        }
        // A 429 means "too fast": unless quota headers said exactly how fast
        // to go, the bucket sets the rate under the server's measured
        // accepted rate, once per burst (see `AdaptiveBucket`). A 429 of the
        // same burst (sent before the last slow-down) neither slows nor
        // pauses again: its Retry-After was already honoured.
        let fresh_429 = match f.status {
            Some(429) if f.quota.is_none() => self.bucket.on_throttled(f.sent_at, now),
            Some(429) => true,
            _ => false,
        };
        // Retry-After pauses the origin (a new 429 burst, or a 503).
        let paused = match (f.status, f.retry_after) {
            (Some(429), Some(wait)) if fresh_429 => self.bucket.pause_until(now + wait, now),
            (Some(503), Some(wait)) => self.bucket.pause_until(now + wait, now),
            _ => false,
        };
        let slowed = match f.status {
            Some(429) => fresh_429 && f.quota.is_none(),
            Some(200..=299) => {
                self.bucket.on_success(now);
                false
            }
            _ => false,
        };
        let slowed = paused || slowed;
        if slowed {
            OriginSlowedDown {
                origin: &self.origin,
                label: self.label,
                status: f.status,
                retry_after: f.retry_after,
                rate_per_sec: self.bucket.current_rate(now),
            }
            .emit();
        }
    }
}

impl HostActor {
    /// Sets this origin's gauges to their current values.
    pub(super) fn refresh_gauges(&self) {
        BreakerSampled {
            label: self.label,
            state: self.breaker.state(),
        }
        .emit();
    }

    pub(super) fn breaker_changed(
        &mut self,
        was_closed: bool,
        state: BreakerState,
        ctx: &mut Context<Self>,
    ) {
        self.refresh_gauges();
        let open_breakers = &self.shared.open_breakers;
        match (was_closed, matches!(state, BreakerState::Closed)) {
            (true, false) => open_breakers.fetch_add(1, Ordering::Relaxed),
            (false, true) => open_breakers.fetch_sub(1, Ordering::Relaxed),
            _ => 0,
        };
        match state {
            BreakerState::Open { until } => {
                BreakerOpened {
                    origin: &self.origin,
                    label: self.label,
                    open_for: until.saturating_duration_since(Instant::now()),
                }
                .emit();
                // A timer at the breaker's next transition, not the next
                // job, moves it to half-open (and steps a held job).
                if let Some(at) = self.breaker.next_transition() {
                    let after = at.saturating_duration_since(Instant::now());
                    ctx.run_later(after, |act, ctx| {
                        act.poll_breaker(Instant::now(), ctx);
                        act.step(ctx);
                    });
                }
            }
            BreakerState::HalfOpen { .. } => BreakerHalfOpened {
                origin: &self.origin,
            }
            .emit(),
            BreakerState::Closed => BreakerClosed {
                origin: &self.origin,
            }
            .emit(),
        }
    }
}
