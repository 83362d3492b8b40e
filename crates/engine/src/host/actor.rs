//! The host actor and the order in which a job acquires what it needs:
//! a token from the origin's bucket (waited for with no slot held), then a
//! per-origin slot, then a global slot. The slots are owned permits moved into
//! the fetch task, so every way out of the task releases them.

use super::fetch::{abandon, fetch_page};
use crate::messages::Leased;
use crate::supervisor::Supervisor;
use actix::prelude::*;
use harvest_config::OriginSettings;
use harvest_fetch::Fetcher;
use harvest_paginate::PageRules;
use harvest_policy::TokenBucket;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// What every host shares, handed out by the supervisor.
#[derive(Clone)]
pub(crate) struct HostShared {
    pub fetcher: Fetcher,
    /// Page rules per resource, by config index.
    pub rules: Arc<[PageRules]>,
    /// The global in-flight cap.
    pub global: Arc<Semaphore>,
    /// Set when the crawl is stopping: queued jobs are handed back unfetched.
    pub stopping: Arc<AtomicBool>,
    pub supervisor: Addr<Supervisor>,
}

pub(crate) struct HostActor {
    origin: String,
    bucket: TokenBucket,
    /// This origin's in-flight cap.
    slots: Arc<Semaphore>,
    /// Taken in `started` to become the actor's stream (pinned: the receiver is !Unpin).
    jobs: Option<Pin<Box<async_channel::Receiver<Leased>>>>,
    shared: HostShared,
}

impl HostActor {
    pub fn new(
        origin: String,
        settings: OriginSettings,
        jobs: async_channel::Receiver<Leased>,
        shared: HostShared,
    ) -> Self {
        Self {
            origin,
            bucket: TokenBucket::new(settings.rate_per_sec, settings.burst, Instant::now()),
            slots: Arc::new(Semaphore::new(settings.max_in_flight)),
            jobs: Some(Box::pin(jobs)),
            shared,
        }
    }
}

impl Actor for HostActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        tracing::debug!(origin = %self.origin, "Host actor started.");
        if let Some(jobs) = self.jobs.take() {
            ctx.add_stream(jobs);
        }
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        tracing::debug!(origin = %self.origin, "Host actor stopped.");
    }
}

impl StreamHandler<Leased> for HostActor {
    /// Waits (pausing this actor, hence its channel) for a token and slots,
    /// then starts the fetch. While paused, jobs pile up in the bounded channel
    /// and the supervisor keeps the rest.
    fn handle(&mut self, leased: Leased, ctx: &mut Context<Self>) {
        if self.shared.stopping.load(Ordering::Relaxed) {
            actix::spawn(abandon(self.shared.clone(), leased));
            return;
        }
        let wait = self.bucket.reserve(Instant::now());
        let slots = self.slots.clone();
        let shared = self.shared.clone();
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
                actix::spawn(fetch_page(shared, leased, (slot, global)));
            }
            .into_actor(self),
        );
    }
}
