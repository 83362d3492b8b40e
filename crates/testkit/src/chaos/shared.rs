//! What every origin's server of a chaos upstream shares: the schedule,
//! its clock, the request log and the per-page fault counters.

use super::schedule::Schedule;
use crate::{RequestLog, UpstreamSpec};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What every origin's server shares.
pub(crate) struct ChaosShared {
    pub(crate) schedule: Schedule,
    /// Record ids and bodies (`UpstreamSpec::record`).
    pub(super) spec: UpstreamSpec,
    pub(super) log: RequestLog,
    /// `http://127.0.0.1:PORT` of each origin.
    pub(super) urls: Vec<String>,
    /// Requests seen per (origin, stream, page index): which page fault the
    /// next one gets.
    pub(super) seen: Mutex<HashMap<(usize, usize, usize), usize>>,
    /// Connections reset per origin (they never reach the request log).
    pub(super) resets: Vec<AtomicU64>,
}

impl ChaosShared {
    /// Time since the upstream started: the schedule's clock.
    pub(crate) fn now(&self) -> Duration {
        self.log.started().elapsed()
    }

    pub(crate) fn count_reset(&self, origin: usize) {
        self.resets[origin].fetch_add(1, Ordering::Relaxed);
    }
}
