//! Telemetry as a vocabulary of events (after vector's `internal_events`):
//! one struct per thing that happens, whose `InternalEvent::emit` writes
//! its log line and moves its metrics together, so a site emits one event
//! and never a log line and a counter apart. Every metric name, its unit and
//! help text is in one list (`names.rs`); label values are bounded
//! (`labels.rs`: status classes, capped origins; `crate::reasons`).
//!
//! | file | events |
//! |---|---|
//! | `page.rs` | a page retried, dead-lettered, its stream cut short, child pages skipped |
//! | `request.rs` | a request finished |
//! | `host.rs` | a host started or stopped, a token wait, an origin slowing us down, the breaker's moves |
//! | `reachability.rs` | an origin unreachable, reachable again, given up |
//! | `crawl.rs` | the crawl started, its queues sampled, pages and groups committed, the crawl ended |
//!
//! The engine only records through the `metrics` facade; the binary installs
//! the Prometheus exporter when `[metrics] listen` is set (without it every
//! metric here is a no-op). Counts move per page or per commit, never per
//! record.
//!
//! Counters whose label values are known before their first event are
//! exported at 0 from the start ("avoid missing metrics"), by the event that
//! owns them: retries by reason and dead letters by resource × reason
//! ([`register_known_series`], from [`reasons`](crate::reasons)), and the
//! per-origin counters once an origin gets its label ([`OriginLabels`]).
//!
//! Log lines that move no metric and tell of one module's inner workings (an
//! idle host reaped, a large page spilled to disk, a resource changed under
//! `--force`) stay `tracing` calls at their site.

mod crawl;
mod host;
mod labels;
mod names;
mod page;
mod reachability;
mod request;
#[cfg(test)]
mod tests;

use crawl::CrawlEnded;
pub(crate) use crawl::{CrawlStarted, GroupCommitted, PagesCommitted, PassSampled, QueuesSampled};
pub(crate) use host::{
    BreakerClosed, BreakerHalfOpened, BreakerOpened, BreakerSampled, BucketWaited, HostStarted,
    HostStopped, OriginSlowedDown,
};
pub use labels::{status_labels, OriginLabels};
pub use names::*;
pub(crate) use page::{ChildPagesSkipped, PageDeadLettered, PageRetried, StreamCut};
pub(crate) use reachability::{
    OriginGivenUp, OriginReachable, OriginStillUnreachable, OriginUnreachable,
};
pub(crate) use request::RequestFinished;

use harvest_config::Config;

/// One thing that happened, as the logs and the metrics tell it.
pub(crate) trait InternalEvent {
    /// Writes the event's log line (if it has one) and moves its metrics.
    fn emit(self);
}

/// Exports at 0 every counter of `config`'s crawl whose labels are known
/// before its first event: `harvest_retries_total` for every retry reason,
/// `harvest_dead_letters_total` for each resource × dead-letter reason (see
/// [`reasons`](crate::reasons)), and `harvest_child_skips_total` for each
/// parent resource. Call once after the recorder is installed; counts that
/// exist already are left as they are.
pub fn register_known_series(config: &Config) {
    PageRetried::register_zero();
    for r in &config.resources {
        PageDeadLettered::register_zero(&r.name);
        if let Some(parent) = &r.parent {
            ChildPagesSkipped::register_zero(&parent.resource);
        }
    }
}

/// The crawl is over: `harvest_up` drops to 0. Call again to keep the gauge
/// from expiring while `/metrics` lingers.
pub fn mark_ended() {
    CrawlEnded.emit();
}
