//! Handing jobs to host actors, and starting and reaping those actors.

use super::actor::Supervisor;
use super::unreachable::ORIGIN_UNREACHABLE;
use crate::event_sink::RunEvent;
use crate::host::HostActor;
use crate::messages::Leased;
use crate::EngineError;
use actix::prelude::*;
use async_channel::TrySendError;
use harvest_config::origin_of;
use harvest_store::Job;
use std::time::Instant;

impl Supervisor {
    /// Loads jobs from sled when the window has room, releases due retries,
    /// and moves ready jobs into the host channels until each is full.
    pub(super) fn pump(&mut self) -> Result<(), EngineError> {
        if self.shutdown.is_stopping() {
            return Ok(());
        }
        let now_ms = self.clock.now_ms();
        self.refill(now_ms)?;
        self.frontier.release_due(now_ms);
        // Origins waiting for a host go first in the rotation, as many as
        // the host cap has room for, in the order they came (the last one
        // unparked first keeps their order).
        for origin in self.hosts.admit_awaiting().into_iter().rev() {
            self.frontier.unpark(&origin);
        }
        // Each origin taken is handed jobs until its queue is empty or its
        // host's channel is full (then it is parked until an outcome comes
        // back from it), so the rotation is empty after the loop and a pump
        // costs what it hands out, not the number of origins.
        //
        // An origin without a host waits while the host cap is reached (see
        // `HostTable::must_wait`): it is parked and the loop goes on
        // with the origins that have hosts.
        while let Some(origin) = self.frontier.next_ready_origin() {
            if let Some(detail) = self.given_up(&origin) {
                while let Some(leased) = self.frontier.pop_ready(&origin) {
                    self.dead(
                        &origin,
                        leased,
                        None,
                        ORIGIN_UNREACHABLE,
                        detail.clone(),
                        None,
                    );
                }
                continue;
            }
            if self.hosts.must_wait(&origin) {
                if let Some(leased) = self.frontier.pop_ready(&origin) {
                    self.frontier.park(&origin, leased);
                    self.hosts.wait_for_host(origin);
                }
                continue;
            }
            self.ensure_host(&origin);
            let tx = self.hosts.sender(&origin).expect("ensured");
            let mut handed = 0;
            let mut closed = false;
            while let Some(leased) = self.frontier.pop_ready(&origin) {
                match tx.try_send(leased) {
                    Ok(()) => handed += 1,
                    Err(TrySendError::Full(leased)) => {
                        self.frontier.park(&origin, leased);
                        break;
                    }
                    Err(TrySendError::Closed(leased)) => {
                        // The host is gone: the job waits for a new one.
                        self.frontier.push_front(&origin, leased);
                        closed = true;
                        break;
                    }
                }
            }
            self.hosts.handed(&origin, handed);
            if closed {
                // The next turn of the loop starts a new host for the job.
                self.hosts.remove(&origin);
            }
        }
        Ok(())
    }

    /// Reads the next pending jobs from sled when the window wants them, and
    /// a spilled origin's jobs back when it has room again.
    fn refill(&mut self, now_ms: u64) -> Result<(), EngineError> {
        if let Some(refill) = self.frontier.refill_wanted() {
            // Other origins' jobs may sit in the range: read a little more.
            let limit = refill.room.saturating_mul(2).max(64);
            let read = self.store.pending_between(refill.from, refill.to, limit)?;
            let to_end = read.len() < limit;
            let last_seq = read.last().map(|(seq, _)| *seq);
            let jobs = self.lease_all(read)?;
            self.frontier
                .load_refill(&refill.origin, jobs, last_seq, to_end, now_ms);
        }
        let want = self.frontier.scan_wanted();
        if want == 0 {
            return Ok(());
        }
        let scanned = self.store.pending_from(self.frontier.scan_from(), want)?;
        let short = scanned.len() < want;
        let last_seq = scanned.last().map(|(seq, _)| *seq);
        let jobs = self.lease_all(scanned)?;
        self.frontier.load_scanned(jobs, last_seq, short, now_ms);
        Ok(())
    }

    /// Jobs read from sled, with their origins and parsed URLs.
    fn lease_all(&self, read: Vec<(u64, Job)>) -> Result<Vec<(String, Leased)>, EngineError> {
        let mut jobs = Vec::with_capacity(read.len());
        for (seq, job) in read {
            // Jobs of a resource no longer configured (accepted with --force) stay aside.
            let Some(resource) = self.resource_of(&job.resource) else {
                continue;
            };
            let url: url::Url =
                job.url
                    .parse()
                    .map_err(|e: url::ParseError| EngineError::BadJob {
                        url: job.url.clone(),
                        reason: e.to_string(),
                    })?;
            jobs.push((
                origin_of(&url),
                Leased {
                    seq,
                    job,
                    url,
                    resource,
                },
            ));
        }
        Ok(jobs)
    }

    /// Starts the host actor of `origin` unless it runs.
    fn ensure_host(&mut self, origin: &str) {
        if !self.hosts.has(origin) {
            let settings = self.config.origin_settings(origin);
            let (tx, rx) = async_channel::bounded(settings.max_in_flight);
            let mut shared = self.host_shared();
            // A pool of its own: the host's connections close when it stops.
            match shared.http.fetcher.for_origin() {
                Ok(fetcher) => shared.http.fetcher = fetcher,
                Err(e) => {
                    tracing::warn!(%origin, error = %e, "The origin shares the crawl's connection pool.")
                }
            }
            let label = self.origin_label(origin);
            HostActor::new(origin.to_string(), label, settings, rx, shared).start();
            self.hosts.insert(origin.to_string(), tx);
        }
    }
}

impl Supervisor {
    /// Counts an outcome back from `origin`'s host.
    pub(super) fn host_returned(&mut self, origin: &str) {
        self.frontier.unpark(origin);
        let now = self.clock.now();
        let frontier = &self.frontier;
        let stopped = self
            .hosts
            .returned(origin, now, |o| frontier.holds_jobs_of(o));
        self.reaped(stopped);
    }

    /// Stops the hosts that have had nothing to do for `idle_after`.
    pub(super) fn reap_idle_hosts(&mut self, now: Instant) {
        let frontier = &self.frontier;
        let stopped = self.hosts.reap_idle(now, |o| frontier.holds_jobs_of(o));
        self.reaped(stopped);
    }

    fn reaped(&self, stopped: Vec<String>) {
        for origin in stopped {
            self.events.emit(|| RunEvent::HostReaped { origin });
        }
    }
}
