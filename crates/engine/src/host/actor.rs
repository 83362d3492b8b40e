//! The host actor and the order in which a job acquires what it needs: the
//! breaker's admission, a token from the origin's adaptive bucket (both
//! waited for with no slot held), then a per-origin slot, then a global slot.
//! The slots are owned permits moved into the fetch task, so every way out of
//! the task releases them. What each response says about the origin comes
//! back as [`Feedback`] (see `feedback.rs`).

use super::fetch::{abandon, fetch_page};
use crate::messages::Leased;
use crate::supervisor::Supervisor;
use crate::telemetry;
use actix::prelude::*;
use harvest_config::{Config, OriginSettings};
use harvest_paginate::PageRules;
use harvest_policy::{AdaptiveBucket, AdaptiveSettings, Admit, BreakerState, CircuitBreaker};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How often a live host refreshes its per-origin gauges.
const GAUGE_REFRESH: Duration = Duration::from_secs(1);

/// How often a job re-asks a half-open breaker whose probes are all out.
const PROBE_POLL: Duration = Duration::from_millis(50);

/// What every host shares, handed out by the supervisor.
#[derive(Clone)]
pub(crate) struct HostShared {
    /// The client and each resource's request settings.
    pub http: super::Http,
    /// The runtime fetch tasks run on (other threads than the actors').
    pub io: tokio::runtime::Handle,
    /// Page rules per resource, by config index.
    pub rules: Arc<[PageRules]>,
    /// The global in-flight cap.
    pub global: Arc<Semaphore>,
    /// Set when the crawl is stopping: queued jobs are handed back unfetched.
    pub stopping: Arc<AtomicBool>,
    /// Origins whose breaker is open or half-open (for progress displays).
    pub open_breakers: Arc<AtomicUsize>,
    pub supervisor: Addr<Supervisor>,
    pub config: Arc<Config>,
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
    /// Taken in `started` to become the actor's stream (pinned: the receiver is !Unpin).
    jobs: Option<Pin<Box<async_channel::Receiver<Leased>>>>,
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
            bucket: AdaptiveBucket::new(adaptive, Instant::now()),
            breaker: CircuitBreaker::new(shared.config.breaker),
            rng: StdRng::from_entropy(),
            slots: Arc::new(Semaphore::new(settings.max_in_flight)),
            jobs: Some(Box::pin(jobs)),
            shared,
        }
    }

    /// Takes `leased` through admission: breaker, pause, bucket, slots; then
    /// starts its fetch. Every wait pauses this actor (`ctx.wait`), hence its
    /// channel: jobs pile up in the bounded channel and the supervisor keeps
    /// the rest, so an origin that must wait never slows the others.
    fn admit(&mut self, leased: Leased, ctx: &mut Context<Self>) {
        if self.shared.stopping.load(Ordering::Relaxed) {
            actix::spawn(abandon(self.shared.clone(), leased));
            return;
        }
        let now = Instant::now();
        match self.breaker.admit(now) {
            Admit::Yes => {}
            Admit::WaitUntil(until) => return self.retry_admit_at(until, leased, ctx),
            Admit::WaitForProbe => return self.retry_admit_at(now + PROBE_POLL, leased, ctx),
        }
        let wait = self.bucket.reserve(now);
        if !wait.is_zero() {
            metrics::gauge!(telemetry::BUCKET_WAIT, "origin" => self.label)
                .increment(wait.as_secs_f64());
        }
        let slots = self.slots.clone();
        let shared = self.shared.clone();
        let me = ctx.address();
        ctx.wait(
            async move {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                let slot = slots
                    .acquire_owned()
                    .await
                    .expect("host semaphore never closes");
                let global = shared
                    .global
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("global semaphore never closes");
                let io = shared.io.clone();
                io.spawn(fetch_page(shared, me, leased, (slot, global)));
            }
            .into_actor(self),
        );
    }

    /// Waits until `until` (this actor paused), then admits `leased` again.
    fn retry_admit_at(&mut self, until: Instant, leased: Leased, ctx: &mut Context<Self>) {
        let sleep = tokio::time::sleep_until(until.into());
        ctx.wait(
            sleep
                .into_actor(self)
                .map(move |(), act, ctx| act.admit(leased, ctx)),
        );
    }
}

impl Actor for HostActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        tracing::debug!(origin = %self.origin, "Host actor started.");
        metrics::gauge!(telemetry::BREAKER_STATE, "origin" => self.label).set(0.0);
        // Refresh this origin's gauges while the host lives: the exporter
        // drops gauges left alone, which removes a stopped host's series.
        ctx.run_interval(GAUGE_REFRESH, |act, _| act.refresh_gauges());
        if let Some(jobs) = self.jobs.take() {
            ctx.add_stream(jobs);
        }
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        tracing::debug!(origin = %self.origin, "Host actor stopped.");
        if !matches!(self.breaker.state(), BreakerState::Closed) {
            self.shared.open_breakers.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl StreamHandler<Leased> for HostActor {
    fn handle(&mut self, leased: Leased, ctx: &mut Context<Self>) {
        self.admit(leased, ctx);
    }
}
