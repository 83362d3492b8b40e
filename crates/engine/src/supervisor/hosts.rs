//! The supervisor's host bookkeeping: which host actors run, how many
//! have work, the host cap, and stopping idle hosts.

use super::actor::Supervisor;
use crate::messages::Leased;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// A running host actor, seen from the supervisor.
pub(super) struct Host {
    /// Dropping the last sender stops the host.
    pub tx: async_channel::Sender<Leased>,
    /// Jobs handed to this host whose outcome has not come back.
    pub in_flight: usize,
    /// Since when the host has had nothing to do.
    pub idle_since: Option<Instant>,
}

impl Supervisor {
    /// How many hosts may have work before no host starts for a new origin:
    /// a host and its connection are the memory an origin costs, and only
    /// `max_in_flight` requests run at once anyway. `max_busy_hosts` (twice
    /// that) leaves room for hosts waiting on their rate limit; hosts whose
    /// breaker is open or probing hold their jobs for a while and do not
    /// count.
    pub(super) fn host_cap(&self) -> usize {
        self.max_busy_hosts + self.open_breakers.load(Ordering::Relaxed)
    }

    /// Puts origins waiting for a host back first in the rotation, as many
    /// as the host cap has room for, in the order they came.
    pub(super) fn admit_awaiting_hosts(&mut self) {
        let room = self.host_cap().saturating_sub(self.busy_hosts);
        let n = room.min(self.awaiting_host.len());
        // Unparked origins go first: the last one first keeps their order.
        for origin in self.awaiting_host.drain(..n).rev().collect::<Vec<_>>() {
            self.frontier.unpark(&origin);
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
    pub(super) fn stop_surplus_idle_hosts(&mut self) {
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
