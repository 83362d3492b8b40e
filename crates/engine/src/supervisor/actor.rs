//! Supervisor state and lifecycle.

use super::cadence::{Cadence, TICK};
use super::failures::FirstFailures;
use super::hosts::HostTable;
use super::shutdown::Shutdown;
use crate::clock::Clock;
use crate::commit::{Committer, Durable};
use crate::event_sink::{Events, RunEvent};
use crate::frontier::Frontier;
use crate::host::HostShared;
use crate::host::Http;
use crate::passes::Passes;
use crate::reach::Reachability;
use crate::snapshot::Publisher;
use crate::stats::{ProgressFn, RunStats, Summary};
use crate::telemetry::OriginLabels;
use crate::{EngineError, StopReason};
use actix::prelude::*;
use harvest_config::Config;
use harvest_paginate::{PageRequest, PageRules};
use harvest_policy::Backoff;
use harvest_store::Store;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch, Semaphore};

/// Everything the supervisor is built from (prepared outside the actor system).
pub(crate) struct SupervisorParts {
    pub config: Arc<Config>,
    /// The pass each resource's pages belong to (`passes`).
    pub passes: Arc<Passes>,
    pub store: Store,
    pub committer: Committer,
    pub http: Http,
    /// The runtime that fetches and parses.
    pub io: tokio::runtime::Handle,
    pub stop: watch::Receiver<Option<StopReason>>,
    pub progress: Option<ProgressFn>,
    pub done: oneshot::Sender<Result<Summary, EngineError>>,
    pub clock: Clock,
    pub events: Events,
}

pub(crate) struct Supervisor {
    pub(super) config: Arc<Config>,
    pub(super) passes: Arc<Passes>,
    pub(super) store: Store,
    pub(super) committer: Committer,
    pub(super) frontier: Frontier,
    /// The host actors running, the host cap, idle hosts.
    pub(super) hosts: HostTable,
    /// Handed to each new host; set in `started` (it needs our address).
    shared: Option<HostShared>,
    http: Http,
    io: tokio::runtime::Handle,
    rules: Arc<[PageRules]>,
    /// Resource name → config index (jobs name their resource).
    resource_index: HashMap<String, usize>,
    backoff: Backoff,
    /// Origins failing in transport, and those given up (`give_up_after`).
    pub(super) reach: Reachability,
    /// Jitter for `backoff`.
    rng: StdRng,
    pub(super) stats: RunStats,
    /// Jobs in the frontier (sled): read from the state at start, kept up to
    /// date per job and staged with every change (`set_pending_count`).
    pub(super) pending: u64,
    /// When the retried jobs first failed (their dead letters' first time).
    pub(super) first_failures: FirstFailures,
    /// Origin → metric label (capped, see `[metrics] max_origin_labels`).
    origin_labels: OriginLabels,
    /// The stop asked for, its grace period, where the summary goes.
    pub(super) shutdown: Shutdown,
    /// When the tick reaps idle hosts and reports progress.
    pub(super) cadence: Cadence,
    /// Now, for the supervisor and (through `HostShared`) the hosts.
    pub(super) clock: Clock,
    pub(super) events: Events,
    /// Publishes `status.json` for `harvest status` while the state is locked.
    pub(super) snapshot: Publisher,
}

impl Supervisor {
    pub fn new(parts: SupervisorParts) -> Result<Self, EngineError> {
        let SupervisorParts {
            config,
            passes,
            store,
            committer,
            http,
            io,
            stop,
            done,
            progress,
            clock,
            events,
        } = parts;
        let window = (config.crawl.max_in_flight * 8).clamp(4096, 100_000);
        // One origin may fill an eighth of the window, and never less than
        // four times its in-flight cap (so a lone origin is never starved).
        let per_origin_in_flight = config
            .origins
            .values()
            .map(|o| o.max_in_flight)
            .max()
            .unwrap_or(0);
        let per_origin_in_flight = per_origin_in_flight.max(config.client.defaults.max_in_flight);
        let origin_cap = (window / 8).max(4 * per_origin_in_flight);
        let frontier = Frontier::new(window, origin_cap, store.next_seq()?);
        let rules: Arc<[PageRules]> = passes.rules(&config).into();
        let resource_index = config
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        let retry = config.retry;
        let pending = store.pending_count_kept()?;
        let origin_labels = OriginLabels::new(config.metrics.max_origin_labels);
        // No host starts for a new origin while twice the global cap are
        // busy (see `HostTable::must_wait`).
        let hosts = HostTable::new(2 * config.crawl.max_in_flight, config.client.idle_after);
        let idle_after = config.client.idle_after;
        let now = clock.now();
        let snapshot = Publisher::start(config.clone(), store.clone());
        Ok(Self {
            snapshot,
            backoff: Backoff {
                base_delay: retry.base_delay,
                max_delay: retry.max_delay,
                max_attempts: retry.max_attempts,
            },
            reach: Reachability::new(config.give_up_after),
            config,
            store,
            committer,
            frontier,
            hosts,
            shared: None,
            http,
            io,
            passes,
            rules,
            resource_index,
            rng: StdRng::from_entropy(),
            stats: RunStats::default(),
            pending,
            first_failures: FirstFailures::default(),
            origin_labels,
            shutdown: Shutdown::new(stop, done),
            cadence: Cadence::new(now, idle_after, progress),
            clock,
            events,
        })
    }

    /// The parts handed to a new host actor.
    pub(super) fn host_shared(&self) -> HostShared {
        self.shared
            .clone()
            .expect("hosts start after the supervisor")
    }

    /// The config index of the resource named `name`, if still configured.
    pub(super) fn resource_of(&self, name: &str) -> Option<usize> {
        self.resource_index.get(name).copied()
    }

    /// The first page of a stream of `resource` at `url` (with the
    /// parameters sent on every request).
    pub(super) fn seed(&self, resource: usize, url: url::Url) -> PageRequest {
        self.rules[resource].seed(url)
    }

    /// The jittered delay before `attempt`, or `None` past `max_attempts`.
    pub(super) fn backoff_delay(&mut self, attempt: u32) -> Option<Duration> {
        self.backoff.delay(attempt, &mut self.rng)
    }

    /// The metric label of `origin` (capped, see `OriginLabels`).
    pub(super) fn origin_label(&mut self, origin: &str) -> &'static str {
        self.origin_labels.label(origin)
    }

    /// Jobs handed to hosts whose outcome has not come back.
    pub(super) fn in_flight(&self) -> usize {
        self.hosts.in_flight()
    }

    /// After any change: commit when enough is staged, hand out work, and see
    /// whether the crawl is over.
    pub(super) fn advance(&mut self, ctx: &mut Context<Self>) {
        self.guard(ctx, |s, _| {
            if s.committer.due(s.clock.now()) {
                s.commit()?;
            }
            s.pump()
        });
        self.check_end(ctx);
    }

    /// Hands everything staged to the writer (or leaves it staged while the
    /// writer is busy; its answer sends the rest).
    pub(super) fn commit(&mut self) -> Result<(), EngineError> {
        if self.committer.send(self.frontier.next_seq())? {
            self.frontier.cut();
        }
        Ok(())
    }
}

impl Actor for Supervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // Outcomes are bounded by the global cap (see `messages`); leave room.
        ctx.set_mailbox_capacity(self.config.crawl.max_in_flight + 64);
        self.shared = Some(HostShared {
            http: self.http.clone(),
            io: self.io.clone(),
            rules: self.rules.clone(),
            global: Arc::new(Semaphore::new(self.config.crawl.max_in_flight)),
            stopping: self.shutdown.stopping_flag(),
            open_breakers: self.hosts.open_breakers_counter(),
            supervisor: ctx.address().recipient(),
            config: self.config.clone(),
            clock: self.clock,
            events: self.events.clone(),
        });
        self.shutdown.forward_stops(ctx.address().recipient());
        ctx.run_interval(TICK, |s, ctx| s.tick(ctx));
        self.observe_start();
        self.observe_queues();
        tracing::info!(
            resources = self.config.resources.len(),
            next_seq = self.frontier.next_seq(),
            "Crawl started."
        );
        self.advance(ctx);
    }
}

impl Handler<Durable> for Supervisor {
    type Result = ();

    /// A group is durable: count its pages as done, and send the next one.
    fn handle(&mut self, Durable(result): Durable, ctx: &mut Context<Self>) {
        self.committer.written();
        self.guard(ctx, |s, _| {
            let done = result?;
            s.observe_commit(&done);
            s.events.emit(|| RunEvent::PagesCommitted {
                pages: done.pages,
                records: done.records,
            });
            s.stats.pages += done.pages;
            s.stats.records += done.records;
            s.stats.bytes_out += done.bytes_out;
            s.frontier.committed(done.next_seq);
            if s.committer.due(s.clock.now()) {
                s.commit()?;
            }
            Ok(())
        });
        self.advance(ctx);
    }
}
