//! Supervisor state and lifecycle.

use super::hosts::HostTable;
use crate::clock::Clock;
use crate::commit::{Committer, Durable};
use crate::event_sink::{Events, RunEvent};
use crate::frontier::Frontier;
use crate::host::HostShared;
use crate::host::Http;
use crate::messages::Stop;
use crate::reach::Reachability;
use crate::stats::{Ending, Progress, ProgressFn, RunStats, Summary};
use crate::telemetry::OriginLabels;
use crate::{EngineError, StopReason};
use actix::prelude::*;
use harvest_config::Config;
use harvest_paginate::PageRules;
use harvest_policy::Backoff;
use harvest_store::Store;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch, Semaphore};

/// How often the supervisor wakes up on its own (retries due, commits, progress).
const TICK: Duration = Duration::from_millis(20);
/// How often a progress line is logged.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// How often a progress callback (the terminal's bar) is called.
const PROGRESS_BAR_EVERY: Duration = Duration::from_millis(250);
/// How long a graceful stop waits for pages in flight.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Everything the supervisor is built from (prepared outside the actor system).
pub(crate) struct SupervisorParts {
    pub config: Arc<Config>,
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
    pub(super) store: Store,
    pub(super) committer: Committer,
    pub(super) frontier: Frontier,
    /// The host actors running, the host cap, idle hosts.
    pub(super) hosts: HostTable,
    /// Handed to each new host; set in `started` (it needs our address).
    pub(super) shared: Option<HostShared>,
    http: Http,
    io: tokio::runtime::Handle,
    pub(super) rules: Arc<[PageRules]>,
    /// Resource name → config index (jobs name their resource).
    pub(super) resource_index: HashMap<String, usize>,
    pub(super) backoff: Backoff,
    /// Origins failing in transport, and those given up (`give_up_after`).
    pub(super) reach: Reachability,
    pub(super) rng: StdRng,
    pub(super) stats: RunStats,
    /// Jobs in the frontier (sled): read from the state at start, kept up to
    /// date per job and staged with every change (`set_pending_count`).
    pub(super) pending: u64,
    pub(super) origin_labels: OriginLabels,
    /// Shared with the hosts: set once a stop begins.
    stopping: Arc<AtomicBool>,
    pub(super) stop: Option<(StopReason, Instant)>,
    stop_rx: Option<watch::Receiver<Option<StopReason>>>,
    /// Called with progress snapshots instead of logging progress lines.
    progress: Option<ProgressFn>,
    started: Instant,
    last_progress: Instant,
    last_reap: Instant,
    done: Option<oneshot::Sender<Result<Summary, EngineError>>>,
    /// Now, for the supervisor and (through `HostShared`) the hosts.
    pub(super) clock: Clock,
    pub(super) events: Events,
}

impl Supervisor {
    pub fn new(parts: SupervisorParts) -> Result<Self, EngineError> {
        let SupervisorParts {
            config,
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
        let rules: Arc<[PageRules]> = PageRules::for_config(&config).into();
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
        let now = clock.now();
        Ok(Self {
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
            rules,
            resource_index,
            rng: StdRng::from_entropy(),
            stats: RunStats::default(),
            pending,
            origin_labels,
            stopping: Arc::new(AtomicBool::new(false)),
            stop: None,
            stop_rx: Some(stop),
            progress,
            started: now,
            last_progress: now,
            last_reap: now,
            done: Some(done),
            clock,
            events,
        })
    }

    /// Jobs handed to hosts whose outcome has not come back.
    pub(super) fn in_flight(&self) -> usize {
        self.hosts.in_flight()
    }

    /// Runs `step`; an error ends the crawl.
    pub(super) fn guard(
        &mut self,
        ctx: &mut Context<Self>,
        step: impl FnOnce(&mut Self, &mut Context<Self>) -> Result<(), EngineError>,
    ) {
        if self.done.is_none() {
            return;
        }
        if let Err(e) = step(self, ctx) {
            tracing::error!(error = %e, "Crawl failed; its state is consistent and it can be resumed.");
            self.stopping.store(true, Ordering::Relaxed);
            let summary = self.summary(Ending::Failed(e.to_string()));
            self.events.emit(|| RunEvent::Ended);
            if let Some(done) = self.done.take() {
                let _ = done.send(Ok(summary));
            }
            self.hosts.clear();
            ctx.stop();
        }
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

    fn tick(&mut self, ctx: &mut Context<Self>) {
        let now = self.clock.now();
        self.guard(ctx, |s, _| {
            if s.committer.due(now) {
                s.commit()?;
            }
            Ok(())
        });
        // Idle hosts are looked for four times per `idle_after` (at most
        // once a second), so one stops within a quarter of it past its time.
        let reap_every = (self.config.client.idle_after / 4).clamp(TICK, Duration::from_secs(1));
        if now.duration_since(self.last_reap) >= reap_every {
            self.last_reap = now;
            self.reap_idle_hosts(now);
            self.give_up_unreachable(now);
            self.observe_queues();
        }
        let every = if self.progress.is_some() {
            PROGRESS_BAR_EVERY
        } else {
            PROGRESS_EVERY
        };
        if now.duration_since(self.last_progress) >= every {
            self.last_progress = now;
            self.log_progress(now);
        }
        self.advance(ctx);
    }

    fn log_progress(&self, now: Instant) {
        let secs = now.duration_since(self.started).as_secs_f64().max(1e-9);
        if let Some(report) = &self.progress {
            return report(&Progress {
                pages: self.stats.pages,
                records: self.stats.records,
                bytes_out: self.stats.bytes_out,
                pages_per_sec: self.stats.pages as f64 / secs,
                known_pages: self.stats.pages + self.pending,
                in_flight: self.in_flight() as u64,
                retry_waiting: self.frontier.waiting() as u64,
                retries: self.stats.retries,
                dead_letters: self.stats.dead_letters,
                open_breakers: self.hosts.open_breakers() as u64,
                elapsed: now.duration_since(self.started),
            });
        }
        tracing::info!(
            pages = self.stats.pages,
            records = self.stats.records,
            pages_per_sec = (self.stats.pages as f64 / secs).round() as u64,
            in_flight = self.in_flight(),
            retry_waiting = self.frontier.waiting(),
            retries = self.stats.retries,
            dead = self.stats.dead_letters,
            open_breakers = self.hosts.open_breakers(),
            origins = self.hosts.len(),
            "Progress."
        );
    }

    fn begin_stop(&mut self, reason: StopReason, ctx: &mut Context<Self>) {
        if self.stop.is_some() {
            return;
        }
        tracing::warn!(
            ?reason,
            in_flight = self.in_flight(),
            "Stopping: finishing the pages in flight (signal again to quit at once)."
        );
        self.stop = Some((reason, self.clock.now() + STOP_GRACE));
        self.stopping.store(true, Ordering::Relaxed);
        self.check_end(ctx);
    }

    fn check_end(&mut self, ctx: &mut Context<Self>) {
        if self.done.is_none() {
            return;
        }
        let ending = match self.stop {
            Some((reason, deadline)) if self.in_flight() == 0 || self.clock.now() >= deadline => {
                if self.in_flight() > 0 {
                    tracing::warn!(
                        in_flight = self.in_flight(),
                        "Stop deadline passed; those pages will be fetched again on resume."
                    );
                }
                Ending::Stopped(reason)
            }
            None if self.in_flight() == 0 && self.frontier.is_drained() => Ending::Finished,
            _ => return,
        };
        // Everything staged goes to the writer; the end waits for its answer.
        self.guard(ctx, |s, _| s.commit());
        if self.done.is_none() || !self.committer.is_idle() {
            return;
        }
        self.observe_queues();
        self.guard(ctx, |s, _| {
            let summary = s.summary(ending);
            s.events.emit(|| RunEvent::Ended);
            if let Some(done) = s.done.take() {
                let _ = done.send(Ok(summary));
            }
            Ok(())
        });
        self.hosts.clear();
        ctx.stop();
    }

    fn summary(&self, ending: Ending) -> Summary {
        Summary {
            ending,
            run: self.stats.clone(),
            dead_letters_total: self.store.dead_letter_count() as u64,
            streams_cut_total: self.store.cut_stream_count() as u64,
            pending: self.pending,
            wall: self.clock.now().duration_since(self.started),
            output_dir: self.config.crawl.output_dir.clone(),
            state_dir: self.config.crawl.state_dir.clone(),
        }
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
            stopping: self.stopping.clone(),
            open_breakers: self.hosts.open_breakers_counter(),
            supervisor: ctx.address().recipient(),
            config: self.config.clone(),
            clock: self.clock,
            events: self.events.clone(),
        });
        if let Some(mut rx) = self.stop_rx.take() {
            let me = ctx.address();
            actix::spawn(async move {
                loop {
                    let reason = *rx.borrow_and_update();
                    if let Some(reason) = reason {
                        me.do_send(Stop(reason));
                        return;
                    }
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            });
        }
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

impl Handler<Stop> for Supervisor {
    type Result = ();

    fn handle(&mut self, Stop(reason): Stop, ctx: &mut Context<Self>) {
        self.begin_stop(reason, ctx);
    }
}
