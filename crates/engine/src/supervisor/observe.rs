//! What the supervisor tells the metrics: per outcome, per commit, and a
//! periodic snapshot of its queues. Names and labels come from `telemetry`.

use super::actor::Supervisor;
use crate::commit::Committed;
use crate::messages::{FetchResult, Returned};
use crate::telemetry::{self, status_labels};
use metrics::{counter, gauge, histogram};

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
        let origin = self.origin_labels.label(origin);
        let (class, exact) = status_labels(status);
        counter!(telemetry::REQUESTS, "origin" => origin, "status_class" => class, "status" => exact).increment(1);
        histogram!(telemetry::REQUEST_DURATION, "origin" => origin)
            .record(outcome.elapsed.as_secs_f64());
        counter!(telemetry::RESPONSE_BYTES, "origin" => origin, "stage" => "wire")
            .increment(outcome.bytes_in);
        counter!(telemetry::RESPONSE_BYTES, "origin" => origin, "stage" => "decoded")
            .increment(outcome.bytes_decoded);
    }

    /// Counts what a durable group committed, per resource.
    pub(super) fn observe_commit(&self, done: &Committed) {
        for &(i, pages, records, bytes) in &done.by_resource {
            let resource = self.config.resources[i].name.clone();
            counter!(telemetry::PAGES, "resource" => resource.clone()).increment(pages);
            counter!(telemetry::RECORDS, "resource" => resource.clone()).increment(records);
            counter!(telemetry::BYTES, "resource" => resource).increment(bytes);
        }
    }

    /// Starts the persisted counters where the state left them, so a
    /// dashboard does not drop to zero after a resume.
    pub(super) fn observe_start(&self) {
        gauge!(telemetry::UP).set(1.0);
        gauge!(telemetry::BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        // Dead letters by resource and reason, from the state's dead-letter tree.
        let mut dead: std::collections::HashMap<(String, String), u64> = Default::default();
        for (_, letter) in self.store.dead_letters().unwrap_or_default() {
            *dead
                .entry((letter.job.resource, letter.reason))
                .or_default() += 1;
        }
        for ((resource, reason), n) in dead {
            counter!(telemetry::DEAD_LETTERS, "resource" => resource, "reason" => reason)
                .absolute(n);
        }
        for (i, r) in self.config.resources.iter().enumerate() {
            let c = self.committer.counters(i);
            counter!(telemetry::PAGES, "resource" => r.name.clone()).absolute(c.pages);
            counter!(telemetry::RECORDS, "resource" => r.name.clone()).absolute(c.records);
            counter!(telemetry::BYTES, "resource" => r.name.clone()).absolute(c.bytes);
        }
        self.observe_cuts_start();
    }

    /// Gauges of the queues (called on the supervisor's tick; refreshing
    /// them keeps them from expiring, see the binary's metrics setup).
    pub(super) fn observe_queues(&self) {
        gauge!(telemetry::UP).set(1.0);
        gauge!(telemetry::BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        gauge!(telemetry::IN_FLIGHT).set(self.in_flight() as f64);
        gauge!(telemetry::FRONTIER_WAITING).set(self.frontier.waiting() as f64);
        gauge!(telemetry::FRONTIER_PENDING).set(self.pending as f64);
        gauge!(telemetry::HOSTS).set(self.hosts.len() as f64);
    }
}
