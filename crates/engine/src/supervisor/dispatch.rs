//! Handing jobs to host actors, and starting and reaping those actors.

use super::actor::{Host, Supervisor};
use super::unreachable::ORIGIN_UNREACHABLE;
use crate::host::HostActor;
use crate::messages::Leased;
use crate::EngineError;
use actix::prelude::*;
use async_channel::TrySendError;
use harvest_config::origin_of;
use harvest_store::Job;
use std::sync::atomic::Ordering;
use std::time::Instant;

impl Supervisor {
    /// Loads jobs from sled when the window has room, releases due retries,
    /// and moves ready jobs into the host channels until each is full.
    pub(super) fn pump(&mut self) -> Result<(), EngineError> {
        if self.stop.is_some() {
            return Ok(());
        }
        let now_ms = crate::clock::now_ms();
        self.refill(now_ms)?;
        self.frontier.release_due(now_ms);
        self.admit_awaiting_hosts();
        // Each origin taken is handed jobs until its queue is empty or its
        // host's channel is full (then it is parked until an outcome comes
        // back from it), so the rotation is empty after the loop and a pump
        // costs what it hands out, not the number of origins.
        //
        // An origin without a host waits while the host cap is reached (see
        // `host_cap`): it is parked in `awaiting_host` and the loop goes on
        // with the origins that have hosts.
        while let Some(origin) = self.frontier.next_ready_origin() {
            if let Some(detail) = self.given_up(&origin) {
                while let Some(leased) = self.frontier.pop_ready(&origin) {
                    self.dead(&origin, leased, None, ORIGIN_UNREACHABLE, detail.clone());
                }
                continue;
            }
            if self.busy_hosts >= self.host_cap() && !self.hosts.contains_key(&origin) {
                if let Some(leased) = self.frontier.pop_ready(&origin) {
                    self.frontier.park(&origin, leased);
                    self.awaiting_host.push_back(origin);
                }
                continue;
            }
            self.ensure_host(&origin);
            let host = self.hosts.get_mut(&origin).expect("ensured");
            let mut handed = 0;
            let mut closed = false;
            while let Some(leased) = self.frontier.pop_ready(&origin) {
                match host.tx.try_send(leased) {
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
            if handed > 0 {
                if host.in_flight == 0 {
                    self.busy_hosts += 1;
                }
                host.in_flight += handed;
                host.idle_since = None;
                self.in_flight += handed;
            }
            if closed {
                // The next turn of the loop starts a new host for the job.
                if let Some(gone) = self.hosts.remove(&origin) {
                    if gone.in_flight > 0 {
                        self.busy_hosts = self.busy_hosts.saturating_sub(1);
                    }
                }
            }
        }
        Ok(())
    }

    /// How many hosts may have work before no host starts for a new origin:
    /// a host and its connection are the memory an origin costs, and only
    /// `max_in_flight` requests run at once anyway. `max_busy_hosts` (twice
    /// that) leaves room for hosts waiting on their rate limit; hosts whose
    /// breaker is open or probing hold their jobs for a while and do not
    /// count.
    fn host_cap(&self) -> usize {
        self.max_busy_hosts + self.open_breakers.load(Ordering::Relaxed)
    }

    /// Puts origins waiting for a host back first in the rotation, as many
    /// as the host cap has room for, in the order they came.
    fn admit_awaiting_hosts(&mut self) {
        let room = self.host_cap().saturating_sub(self.busy_hosts);
        let n = room.min(self.awaiting_host.len());
        // Unparked origins go first: the last one first keeps their order.
        for origin in self.awaiting_host.drain(..n).rev().collect::<Vec<_>>() {
            self.frontier.unpark(&origin);
        }
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
            let Some(&resource) = self.resource_index.get(&job.resource) else {
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
        if !self.hosts.contains_key(origin) {
            let settings = self.config.origin_settings(origin);
            let (tx, rx) = async_channel::bounded(settings.max_in_flight);
            let mut shared = self
                .shared
                .clone()
                .expect("hosts start after the supervisor");
            // A pool of its own: the host's connections close when it stops.
            match shared.http.fetcher.for_origin() {
                Ok(fetcher) => shared.http.fetcher = fetcher,
                Err(e) => {
                    tracing::warn!(%origin, error = %e, "The origin shares the crawl's connection pool.")
                }
            }
            let label = self.origin_labels.label(origin);
            HostActor::new(origin.to_string(), label, settings, rx, shared).start();
            self.hosts.insert(
                origin.to_string(),
                Host {
                    tx,
                    in_flight: 0,
                    idle_since: None,
                },
            );
        }
    }

    /// Counts an outcome back from `origin`'s host.
    pub(super) fn host_returned(&mut self, origin: &str) {
        self.in_flight -= 1;
        self.frontier.unpark(origin);
        if let Some(host) = self.hosts.get_mut(origin).filter(|h| h.in_flight > 0) {
            host.in_flight -= 1;
            if host.in_flight == 0 {
                let now = Instant::now();
                host.idle_since = Some(now);
                self.busy_hosts = self.busy_hosts.saturating_sub(1);
                self.idle_hosts.push_back((origin.to_string(), now));
                self.stop_surplus_idle_hosts();
            }
        }
    }

    /// Keeps at most `max_busy_hosts` idle hosts: past that, the longest
    /// idle ones without jobs in memory stop at once, whatever `idle_after`
    /// says. Otherwise a crawl over many origins holds every finished
    /// origin's host and pooled connection for `idle_after` (30 s by
    /// default: 10,000 origins done in a few seconds kept 10,000 sockets).
    /// Like `idle_after` reaping, an origin that gets jobs again starts a
    /// fresh host.
    fn stop_surplus_idle_hosts(&mut self) {
        while self.hosts.len() - self.busy_hosts.min(self.hosts.len()) > self.max_busy_hosts {
            let Some((origin, since)) = self.idle_hosts.pop_front() else {
                return;
            };
            // Entries of hosts busy again, or gone, since are stale.
            let still_idle = self
                .hosts
                .get(&origin)
                .is_some_and(|h| h.in_flight == 0 && h.idle_since == Some(since));
            if still_idle && !self.frontier.holds_jobs_of(&origin) {
                tracing::debug!(%origin, "Idle host stopped (too many idle hosts).");
                self.hosts.remove(&origin);
            }
        }
    }

    /// Stops the hosts that have had nothing to do for `idle_after`: dropping
    /// the channel's only sender ends the host's job stream, which stops it.
    pub(super) fn reap_idle_hosts(&mut self, now: Instant) {
        // Entries for hosts that are gone or busy again go with them.
        let hosts = &self.hosts;
        self.idle_hosts.retain(|(origin, since)| {
            hosts
                .get(origin)
                .is_some_and(|h| h.idle_since == Some(*since))
        });
        let idle_after = self.config.client.idle_after;
        let frontier = &self.frontier;
        self.hosts.retain(|origin, host| {
            let idle = host
                .idle_since
                .is_some_and(|t| now.duration_since(t) >= idle_after);
            // An origin with jobs still in memory (a retry waiting for its
            // time) keeps its host, hence its bucket and breaker state.
            let reap = idle && host.in_flight == 0 && !frontier.holds_jobs_of(origin);
            if reap {
                tracing::debug!(%origin, "Idle host stopped.");
            }
            !reap
        });
    }
}
