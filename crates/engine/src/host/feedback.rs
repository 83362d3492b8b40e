//! What a response tells the host about its origin: health for the breaker,
//! and rate signals for the bucket (`Retry-After`, quota headers, 429s). Sent
//! by each fetch task, applied here in arrival order. One log line and one
//! metric per state change (a burst of 429s slows the origin once).

use super::actor::HostActor;
use super::shared::Feedback;
use crate::event_sink::RunEvent;
use crate::telemetry::{
    BreakerClosed, BreakerHalfOpened, BreakerOpened, BreakerSampled, InternalEvent,
    OriginSlowedDown,
};
use actix::prelude::*;
use harvest_policy::BreakerState;
use std::sync::atomic::Ordering;

impl Handler<Feedback> for HostActor {
    type Result = ();

    fn handle(&mut self, f: Feedback, ctx: &mut Context<Self>) {
        let now = self.shared.clock.now();
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
                let now = self.shared.clock.now();
                BreakerOpened {
                    origin: &self.origin,
                    label: self.label,
                    open_for: until.saturating_duration_since(now),
                }
                .emit();
                // A timer at the breaker's next transition, not the next
                // job, moves it to half-open (and steps a held job).
                let origin = &self.origin;
                self.shared.events.emit(|| RunEvent::BreakerOpened {
                    origin: origin.clone(),
                });
                if let Some(at) = self.breaker.next_transition() {
                    let after = at.saturating_duration_since(now);
                    ctx.run_later(after, |act, ctx| {
                        act.poll_breaker(act.shared.clock.now(), ctx);
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
