//! What the supervisor tells the metrics: per outcome, per commit, and a
//! periodic snapshot of its queues, as `telemetry` events.

use super::actor::Supervisor;
use crate::commit::Committed;
use crate::messages::{FetchResult, Returned};
use crate::telemetry::{
    CrawlStarted, InternalEvent, PageDeadLettered, PagesCommitted, PassSampled, QueuesSampled,
    RequestFinished,
};

impl Supervisor {
    /// Counts a response (or transport error) and its duration.
    pub(super) fn observe_outcome(&mut self, origin: &str, outcome: &Returned) {
        let status = match &outcome.result {
            FetchResult::Page { status, .. } | FetchResult::RetryStatus { status, .. } => {
                Some(*status)
            }
            FetchResult::Dead { status, .. } => *status,
            FetchResult::RetryTransport { .. } => None,
            FetchResult::Abandoned | FetchResult::Deferred { .. } => return,
        };
        RequestFinished {
            origin: self.origin_label(origin),
            status,
            elapsed: outcome.elapsed,
            bytes_wire: outcome.bytes_in,
            bytes_decoded: outcome.bytes_decoded,
        }
        .emit();
    }

    /// Counts what a durable group committed, per resource.
    pub(super) fn observe_commit(&self, done: &Committed) {
        for &(i, pages, records, bytes) in &done.by_resource {
            PagesCommitted {
                resource: &self.config.resources[i].name,
                pages,
                records,
                bytes,
            }
            .emit();
        }
    }

    /// Starts the persisted counters where the state left them, so a
    /// dashboard does not drop to zero after a resume.
    pub(super) fn observe_start(&self) {
        CrawlStarted.emit();
        // Dead letters by resource and metric label, from the state's
        // dead-letter tree (letters of an older build in today's words).
        let mut dead: std::collections::HashMap<(String, String), u64> = Default::default();
        for (_, letter) in self.store.dead_letters().unwrap_or_default() {
            let word = crate::reasons::current_word(&letter.reason, letter.status);
            let label = crate::reasons::metric_reason(&word).to_string();
            *dead.entry((letter.job.resource, label)).or_default() += 1;
        }
        for ((resource, reason), n) in dead {
            PageDeadLettered::restore(&resource, &reason, n);
        }
        for (i, r) in self.config.resources.iter().enumerate() {
            let c = self.committer.counters(i);
            PagesCommitted {
                resource: &r.name,
                pages: c.pages,
                records: c.records,
                bytes: c.bytes,
            }
            .restore();
        }
        self.observe_cuts_start();
    }

    /// Gauges of the queues (called on the supervisor's tick; refreshing
    /// them keeps them from expiring, see the binary's metrics setup).
    pub(super) fn observe_queues(&self) {
        QueuesSampled {
            in_flight: self.in_flight() as u64,
            waiting: self.frontier.waiting() as u64,
            pending: self.pending,
            hosts: self.hosts.len() as u64,
        }
        .emit();
        let now_ns = i128::from(self.clock.now_ms()) * 1_000_000;
        for (i, r) in self.config.resources.iter().enumerate() {
            if let Some(state) = self.passes.state(i) {
                PassSampled {
                    resource: &r.name,
                    pass: state.pass,
                    behind: state
                        .start
                        .as_ref()
                        .and_then(|s| s.value.seconds_behind(now_ns)),
                }
                .emit();
            }
        }
    }
}
