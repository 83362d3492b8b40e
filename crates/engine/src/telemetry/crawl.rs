//! Events of the crawl as a whole: started, its queues sampled, a group
//! committed, ended. The per-resource counts continue across resumes: a
//! crawl starts them where the state left them ([`PagesCommitted::restore`]).

use super::names::{
    BUILD_INFO, BYTES, COMMIT_DURATION, CURSOR_BEHIND, FRONTIER_PENDING, FRONTIER_WAITING, HOSTS,
    IN_FLIGHT, PAGES, PASS, RECORDS, UP,
};
use super::InternalEvent;
use metrics::{counter, gauge, histogram};
use std::time::Duration;

/// The crawl runs: `harvest_up` 1 and the build info.
pub(crate) struct CrawlStarted;

impl InternalEvent for CrawlStarted {
    fn emit(self) {
        gauge!(UP).set(1.0);
        gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    }
}

/// The supervisor's periodic sample of its queues (refreshing the gauges
/// keeps them from expiring, see the binary's metrics setup).
pub(crate) struct QueuesSampled {
    /// Jobs handed to host actors and not yet back.
    pub in_flight: u64,
    /// Jobs waiting for a retry time.
    pub waiting: u64,
    /// Jobs in the frontier, waiting ones included.
    pub pending: u64,
    /// Running host actors.
    pub hosts: u64,
}

impl InternalEvent for QueuesSampled {
    fn emit(self) {
        CrawlStarted.emit();
        gauge!(IN_FLIGHT).set(self.in_flight as f64);
        gauge!(FRONTIER_WAITING).set(self.waiting as f64);
        gauge!(FRONTIER_PENDING).set(self.pending as f64);
        gauge!(HOSTS).set(self.hosts as f64);
    }
}

/// An incremental resource's pass, sampled with the queues.
pub(crate) struct PassSampled<'a> {
    pub resource: &'a str,
    pub pass: u32,
    /// Seconds from the pass's start value to now (timestamp cursors).
    pub behind: Option<f64>,
}

impl InternalEvent for PassSampled<'_> {
    fn emit(self) {
        gauge!(PASS, "resource" => self.resource.to_string()).set(f64::from(self.pass));
        if let Some(behind) = self.behind {
            gauge!(CURSOR_BEHIND, "resource" => self.resource.to_string()).set(behind);
        }
    }
}

/// A durable group commit made `pages` pages of `resource` done, with
/// their records and the bytes they added to the output.
pub(crate) struct PagesCommitted<'a> {
    pub resource: &'a str,
    pub pages: u64,
    pub records: u64,
    pub bytes: u64,
}

impl PagesCommitted<'_> {
    /// Starts the resource's counters at the state's counts (not an event:
    /// the counts of the earlier runs).
    pub fn restore(self) {
        let r = self.resource;
        counter!(PAGES, "resource" => r.to_string()).absolute(self.pages);
        counter!(RECORDS, "resource" => r.to_string()).absolute(self.records);
        counter!(BYTES, "resource" => r.to_string()).absolute(self.bytes);
    }
}

impl InternalEvent for PagesCommitted<'_> {
    fn emit(self) {
        let r = self.resource;
        counter!(PAGES, "resource" => r.to_string()).increment(self.pages);
        counter!(RECORDS, "resource" => r.to_string()).increment(self.records);
        counter!(BYTES, "resource" => r.to_string()).increment(self.bytes);
    }
}

/// A group commit (sink fsync, sled batch and flush) took `elapsed`.
pub(crate) struct GroupCommitted {
    pub elapsed: Duration,
}

impl InternalEvent for GroupCommitted {
    fn emit(self) {
        histogram!(COMMIT_DURATION).record(self.elapsed.as_secs_f64());
    }
}

/// The crawl is over: `harvest_up` drops to 0 (emitted again while
/// `/metrics` lingers, so the gauge does not expire).
pub(crate) struct CrawlEnded;

impl InternalEvent for CrawlEnded {
    fn emit(self) {
        gauge!(UP).set(0.0);
    }
}
