//! [`HostTable`]: the supervisor's view of the host actors — which run, how
//! many jobs each holds, the host cap, and which idle ones to stop. No
//! actors and no clock reads: callers pass `now`, and starting a host actor
//! stays with the supervisor (it needs the shared parts); the table only
//! keeps the sending end of its channel. Dropping that sender stops the
//! host (its job stream ends).

use crate::messages::Leased;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A running host actor, seen from the supervisor.
struct Host {
    /// Dropping the last sender stops the host.
    tx: async_channel::Sender<Leased>,
    /// Jobs handed to this host whose outcome has not come back.
    in_flight: usize,
    /// Since when the host has had nothing to do.
    idle_since: Option<Instant>,
}

pub(crate) struct HostTable {
    hosts: HashMap<String, Host>,
    /// Jobs handed to hosts whose outcome has not come back (all hosts,
    /// including hosts stopped since).
    in_flight: usize,
    /// Hosts with jobs handed to them (`Host::in_flight > 0`).
    busy: usize,
    /// No host is started for a new origin while this many are busy (plus
    /// those with an open breaker: see [`cap`](Self::cap)); also the most
    /// idle hosts kept.
    max_busy: usize,
    /// Shared with the hosts: how many origins have an open or half-open breaker.
    open_breakers: Arc<AtomicUsize>,
    /// Origins without a host, parked until the host cap has room, in order.
    awaiting: VecDeque<String>,
    /// Hosts as they went idle, oldest first (entries go stale when a host
    /// gets work again or stops: checked against `Host::idle_since`).
    idle: VecDeque<(String, Instant)>,
    /// How long a host may stay idle before it is stopped.
    idle_after: Duration,
}

impl HostTable {
    pub fn new(max_busy: usize, idle_after: Duration) -> Self {
        Self {
            hosts: HashMap::new(),
            in_flight: 0,
            busy: 0,
            max_busy,
            open_breakers: Arc::new(AtomicUsize::new(0)),
            awaiting: VecDeque::new(),
            idle: VecDeque::new(),
            idle_after,
        }
    }

    /// The count of open breakers, for the hosts to keep up to date.
    pub fn open_breakers_counter(&self) -> Arc<AtomicUsize> {
        self.open_breakers.clone()
    }

    /// Origins whose breaker is open or half-open.
    pub fn open_breakers(&self) -> usize {
        self.open_breakers.load(Ordering::Relaxed)
    }

    /// Jobs handed to hosts whose outcome has not come back.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Host actors running.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    pub fn has(&self, origin: &str) -> bool {
        self.hosts.contains_key(origin)
    }

    /// How many hosts may have work before no host starts for a new origin:
    /// a host and its connection are the memory an origin costs, and only
    /// `max_in_flight` requests run at once anyway. `max_busy` (twice that)
    /// leaves room for hosts waiting on their rate limit; hosts whose
    /// breaker is open or probing hold their jobs for a while and do not
    /// count.
    fn cap(&self) -> usize {
        self.max_busy + self.open_breakers()
    }

    /// Whether `origin` must wait for a host: it has none and the host cap
    /// is reached.
    pub fn must_wait(&self, origin: &str) -> bool {
        self.busy >= self.cap() && !self.has(origin)
    }

    /// Parks `origin` until the host cap has room (see [`admit_awaiting`](Self::admit_awaiting)).
    pub fn wait_for_host(&mut self, origin: String) {
        self.awaiting.push_back(origin);
    }

    /// The origins waiting for a host that the host cap has room for now,
    /// in the order they came.
    pub fn admit_awaiting(&mut self) -> Vec<String> {
        let room = self.cap().saturating_sub(self.busy);
        let n = room.min(self.awaiting.len());
        self.awaiting.drain(..n).collect()
    }

    /// Records the host just started for `origin`, with its channel's sender.
    pub fn insert(&mut self, origin: String, tx: async_channel::Sender<Leased>) {
        let host = Host {
            tx,
            in_flight: 0,
            idle_since: None,
        };
        self.hosts.insert(origin, host);
    }

    /// The sending end of `origin`'s job channel, if its host runs.
    pub fn sender(&self, origin: &str) -> Option<&async_channel::Sender<Leased>> {
        self.hosts.get(origin).map(|h| &h.tx)
    }

    /// Counts `n` jobs handed to `origin`'s host.
    pub fn handed(&mut self, origin: &str, n: usize) {
        let Some(host) = self.hosts.get_mut(origin).filter(|_| n > 0) else {
            return;
        };
        if host.in_flight == 0 {
            self.busy += 1;
        }
        host.in_flight += n;
        host.idle_since = None;
        self.in_flight += n;
    }

    /// Forgets `origin`'s host (its channel closed: it stopped).
    pub fn remove(&mut self, origin: &str) {
        if let Some(gone) = self.hosts.remove(origin) {
            if gone.in_flight > 0 {
                self.busy = self.busy.saturating_sub(1);
            }
        }
    }

    /// Stops every host (the crawl ends).
    pub fn clear(&mut self) {
        self.hosts.clear();
    }

    /// Counts an outcome back from `origin`'s host at `now`. A host left
    /// without work is idle from `now`; past `max_busy` idle hosts, the
    /// longest idle ones without jobs in memory (`holds_jobs`) stop at once.
    /// Returns the origins whose host stopped.
    pub fn returned(
        &mut self,
        origin: &str,
        now: Instant,
        holds_jobs: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        self.in_flight -= 1;
        let Some(host) = self.hosts.get_mut(origin).filter(|h| h.in_flight > 0) else {
            return Vec::new();
        };
        host.in_flight -= 1;
        if host.in_flight > 0 {
            return Vec::new();
        }
        host.idle_since = Some(now);
        self.busy = self.busy.saturating_sub(1);
        self.idle.push_back((origin.to_string(), now));
        self.stop_surplus_idle(holds_jobs)
    }

    /// Keeps at most `max_busy` idle hosts: past that, the longest idle ones
    /// without jobs in memory stop at once, whatever `idle_after` says.
    /// Otherwise a crawl over many origins holds every finished origin's
    /// host and pooled connection for `idle_after` (30 s by default: 10,000
    /// origins done in a few seconds kept 10,000 sockets). Like `idle_after`
    /// reaping, an origin that gets jobs again starts a fresh host.
    fn stop_surplus_idle(&mut self, holds_jobs: impl Fn(&str) -> bool) -> Vec<String> {
        let mut stopped = Vec::new();
        while self.hosts.len() - self.busy.min(self.hosts.len()) > self.max_busy {
            let Some((origin, since)) = self.idle.pop_front() else {
                break;
            };
            // Entries of hosts busy again, or gone, since are stale.
            let still_idle = self
                .hosts
                .get(&origin)
                .is_some_and(|h| h.in_flight == 0 && h.idle_since == Some(since));
            if still_idle && !holds_jobs(&origin) {
                tracing::debug!(%origin, "Idle host stopped (too many idle hosts).");
                self.hosts.remove(&origin);
                stopped.push(origin);
            }
        }
        stopped
    }

    /// Stops the hosts that have had nothing to do for `idle_after` at
    /// `now`, unless their origin still holds jobs in memory (`holds_jobs`:
    /// a retry waiting for its time keeps its host, hence its bucket and
    /// breaker state). Returns the origins whose host stopped.
    pub fn reap_idle(&mut self, now: Instant, holds_jobs: impl Fn(&str) -> bool) -> Vec<String> {
        // Entries for hosts that are gone or busy again go with them.
        let hosts = &self.hosts;
        self.idle.retain(|(origin, since)| {
            hosts
                .get(origin)
                .is_some_and(|h| h.idle_since == Some(*since))
        });
        let idle_after = self.idle_after;
        let mut stopped = Vec::new();
        self.hosts.retain(|origin, host| {
            let idle = host
                .idle_since
                .is_some_and(|t| now.duration_since(t) >= idle_after);
            let reap = idle && host.in_flight == 0 && !holds_jobs(origin);
            if reap {
                tracing::debug!(%origin, "Idle host stopped.");
                stopped.push(origin.clone());
            }
            !reap
        });
        stopped
    }
}

#[cfg(test)]
mod tests;
