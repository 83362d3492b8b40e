//! The host actor and the order in which a job acquires what it needs: a
//! token from the origin's adaptive bucket, then the breaker's admission
//! (and no pause in force), then a per-origin slot, then a global slot. The
//! slots are owned permits moved into the fetch task, so every way out of
//! the task releases them. What each response says about the origin comes
//! back as [`Feedback`](super::shared::Feedback).
//!
//! The actor never blocks its mailbox while a job waits (no `ctx.wait`): a
//! wait is a timer that steps the job again, so the `Feedback` of a probe,
//! or a `Retry-After` that arrives during a bucket wait, is applied at once
//! and the waiting job sees it. One job is under admission at a time; the
//! others wait in the bounded channel. While the breaker is open, jobs are
//! handed back to the supervisor ([`FetchResult::Deferred`]) until the open
//! period ends: they hold no slot, are not in flight, and wait in the
//! frontier like any job with a not-before time.
//!
//! [`FetchResult::Deferred`]: crate::messages::FetchResult::Deferred

use super::fetch::{fetch_page, hand_back};
use super::shared::HostShared;
use crate::event_sink::RunEvent;
use crate::messages::{FetchResult, Leased};
use crate::telemetry::{BucketWaited, HostStarted, HostStopped, InternalEvent};
use actix::prelude::*;
use async_channel::TryRecvError;
use harvest_config::OriginSettings;
use harvest_policy::{AdaptiveBucket, AdaptiveSettings, Admit, BreakerState, CircuitBreaker};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How often a live host refreshes its per-origin gauges.
const GAUGE_REFRESH: Duration = Duration::from_secs(1);

/// How far the job under admission has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// It needs a token from the bucket.
    Token,
    /// It has its token; it waits for the breaker, or for a pause to end.
    Gate,
}

pub(crate) struct HostActor {
    pub(super) origin: String,
    /// The origin's metric label (bounded, see `telemetry::OriginLabels`).
    pub(super) label: &'static str,
    pub(super) bucket: AdaptiveBucket,
    pub(super) breaker: CircuitBreaker,
    /// Breaker jitter.
    pub(super) rng: StdRng,
    /// This origin's in-flight cap.
    slots: Arc<Semaphore>,
    /// The host's end of its job channel, read one job at a time: the
    /// others wait in the bounded channel (backpressure to the supervisor).
    jobs: Pin<Box<async_channel::Receiver<Leased>>>,
    /// The job under admission, and how far it has come.
    held: Option<(Leased, Stage)>,
    /// A read of the channel, or a wait for slots, is under way: no other
    /// job is taken meanwhile.
    busy: bool,
    /// The timer that steps the held job again.
    wake: Option<SpawnHandle>,
    pub(super) shared: HostShared,
}

impl HostActor {
    pub fn new(
        origin: String,
        label: &'static str,
        settings: OriginSettings,
        jobs: async_channel::Receiver<Leased>,
        shared: HostShared,
    ) -> Self {
        let adaptive = AdaptiveSettings {
            min_rate_per_sec: settings.min_rate_per_sec,
            max_pause: shared.config.client.max_retry_after,
            ..AdaptiveSettings::new(settings.rate_per_sec, settings.burst)
        };
        Self {
            origin,
            label,
            bucket: AdaptiveBucket::new(adaptive, shared.clock.now()),
            breaker: CircuitBreaker::new(shared.config.breaker),
            rng: StdRng::from_entropy(),
            slots: Arc::new(Semaphore::new(settings.max_in_flight)),
            jobs: Box::pin(jobs),
            held: None,
            busy: false,
            wake: None,
            shared,
        }
    }

    /// Takes jobs from the channel while none is under admission: those
    /// already there at once (no task per job on the hot path), else one
    /// read that wakes the actor when a job comes.
    fn take_next(&mut self, ctx: &mut Context<Self>) {
        while !self.busy && self.held.is_none() {
            match self.jobs.try_recv() {
                Ok(leased) => {
                    self.held = Some((leased, Stage::Token));
                    self.advance(ctx);
                }
                // The supervisor dropped the sender: this host is done.
                Err(TryRecvError::Closed) => return ctx.stop(),
                Err(TryRecvError::Empty) => self.wait_for_job(ctx),
            }
        }
    }

    /// Reads the channel in the background; the job read is admitted.
    fn wait_for_job(&mut self, ctx: &mut Context<Self>) {
        self.busy = true;
        let jobs = async_channel::Receiver::clone(&self.jobs);
        ctx.spawn(
            async move { jobs.recv().await }
                .into_actor(self)
                .map(|got, act, ctx| {
                    act.busy = false;
                    match got {
                        Ok(leased) => {
                            act.held = Some((leased, Stage::Token));
                            act.step(ctx);
                        }
                        Err(_) => ctx.stop(),
                    }
                }),
        );
    }

    /// Takes the held job as far as it can go now, then the next ones;
    /// where a job must wait, a timer (or the feedback that changes the
    /// breaker) steps it again.
    pub(super) fn step(&mut self, ctx: &mut Context<Self>) {
        self.advance(ctx);
        self.take_next(ctx);
    }

    /// Takes the held job as far as it can go now (never takes another).
    fn advance(&mut self, ctx: &mut Context<Self>) {
        if let Some(wake) = self.wake.take() {
            ctx.cancel_future(wake);
        }
        let Some((leased, stage)) = self.held.take() else {
            return;
        };
        if self.shared.stopping.load(Ordering::Relaxed) {
            actix::spawn(hand_back(
                self.shared.clone(),
                leased,
                FetchResult::Abandoned,
            ));
            return;
        }
        let now = self.shared.clock.now();
        self.poll_breaker(now, ctx);
        if let BreakerState::Open { until } = self.breaker.state() {
            return self.defer(leased, until);
        }
        if stage == Stage::Token {
            let wait = self.bucket.reserve(now);
            if !wait.is_zero() {
                BucketWaited {
                    label: self.label,
                    wait,
                }
                .emit();
                return self.hold(leased, Stage::Gate, now + wait, ctx);
            }
        }
        // A Retry-After that arrived while the job waited for its token.
        if let Some(until) = self.bucket.paused_until(now) {
            return self.hold(leased, Stage::Gate, until, ctx);
        }
        match self.breaker.admit(now) {
            Admit::Yes => self.start(leased, ctx),
            Admit::WaitUntil(until) => self.defer(leased, until),
            // The probe's feedback steps the job again; the probe deadline
            // is the backstop.
            Admit::WaitForProbe => {
                let at = self
                    .breaker
                    .next_transition()
                    .unwrap_or(now + GAUGE_REFRESH);
                self.hold(leased, Stage::Gate, at, ctx)
            }
        }
    }

    /// Keeps `leased` under admission until `at` (or an earlier step).
    fn hold(&mut self, leased: Leased, stage: Stage, at: Instant, ctx: &mut Context<Self>) {
        self.held = Some((leased, stage));
        let after = at.saturating_duration_since(self.shared.clock.now());
        self.wake = Some(ctx.run_later(after, |act, ctx| {
            act.wake = None;
            act.step(ctx);
        }));
    }

    /// Hands `leased` back to wait in the frontier until the breaker's open
    /// period ends (the next jobs come back too).
    fn defer(&mut self, leased: Leased, until: Instant) {
        let origin = &self.origin;
        let seq = leased.seq;
        self.shared.events.emit(|| RunEvent::JobDeferred {
            origin: origin.clone(),
            seq,
        });
        actix::spawn(hand_back(
            self.shared.clone(),
            leased,
            FetchResult::Deferred { until },
        ));
    }

    /// Starts the fetch task with a per-origin and a global slot: at once
    /// when both are free, else after waiting for them (the mailbox stays
    /// open; no other job is taken meanwhile). The pause check is behind
    /// the job by then: a `Retry-After` that arrives during a slot wait
    /// holds back the next job, not this one (a slot frees when a fetch of
    /// this origin, or of any origin for the global slot, ends).
    fn start(&mut self, leased: Leased, ctx: &mut Context<Self>) {
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            if let Ok(global) = self.shared.global.clone().try_acquire_owned() {
                self.launch(leased, (slot, global), ctx);
                return;
            }
        }
        self.busy = true;
        let slots = self.slots.clone();
        let global = self.shared.global.clone();
        ctx.spawn(
            async move {
                let slot = slots
                    .acquire_owned()
                    .await
                    .expect("host semaphore never closes");
                let global = global
                    .acquire_owned()
                    .await
                    .expect("global semaphore never closes");
                (slot, global)
            }
            .into_actor(self)
            .map(move |permits, act, ctx| {
                act.busy = false;
                act.launch(leased, permits, ctx);
                act.take_next(ctx);
            }),
        );
    }

    /// Reports the fetch started and spawns it on the I/O runtime, holding
    /// `permits` (the host slot, the global slot) until it ends.
    fn launch(
        &self,
        leased: Leased,
        permits: (OwnedSemaphorePermit, OwnedSemaphorePermit),
        ctx: &Context<Self>,
    ) {
        let seq = leased.seq;
        self.shared.events.emit(|| RunEvent::FetchStarted {
            origin: self.origin.clone(),
            seq,
        });
        let shared = self.shared.clone();
        let io = shared.io.clone();
        io.spawn(fetch_page(
            shared,
            ctx.address().recipient(),
            leased,
            permits,
        ));
    }

    /// Moves the breaker by the clock (open → half-open, lost probes freed)
    /// and reports a change.
    pub(super) fn poll_breaker(&mut self, now: Instant, ctx: &mut Context<Self>) {
        let was_closed = matches!(self.breaker.state(), BreakerState::Closed);
        if let Some(state) = self.breaker.poll(now) {
            self.breaker_changed(was_closed, state, ctx);
        }
    }
}

impl Actor for HostActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        HostStarted {
            origin: &self.origin,
            label: self.label,
        }
        .emit();
        let origin = &self.origin;
        self.shared.events.emit(|| RunEvent::HostStarted {
            origin: origin.clone(),
        });
        // Refresh this origin's gauges while the host lives: the exporter
        // drops gauges left alone, which removes a stopped host's series.
        ctx.run_interval(GAUGE_REFRESH, |act, _| act.refresh_gauges());
        self.take_next(ctx);
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        HostStopped {
            origin: &self.origin,
        }
        .emit();
        if !matches!(self.breaker.state(), BreakerState::Closed) {
            self.shared.open_breakers.fetch_sub(1, Ordering::Relaxed);
        }
    }
}
