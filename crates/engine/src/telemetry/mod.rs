//! The metric vocabulary: every name, its unit and help text in one list, and
//! the bounded label values (status classes, reasons, capped origins).
//!
//! The engine only records through the `metrics` facade; the binary installs
//! the Prometheus exporter when `[metrics] listen` is set (without it every
//! call here is a no-op). Counts move per page or per commit, never per record.
//!
//! Counters whose label values are known before their first event are
//! exported at 0 from the start ("avoid missing metrics"): retries by reason
//! and dead letters by resource × reason ([`register_known_series`]), and
//! the per-origin counters once an origin gets its label ([`OriginLabels`]).

mod labels;
mod names;

pub use labels::{status_labels, OriginLabels};
pub use names::*;

use harvest_config::Config;
use metrics::{counter, gauge};

/// Exports at 0 every counter of `config`'s crawl whose labels are known
/// before its first event: `harvest_retries_total` for every retry reason,
/// `harvest_dead_letters_total` for each resource × dead-letter reason (see
/// [`reasons`](crate::reasons)), and `harvest_child_skips_total` for each
/// parent resource. Call once after the recorder is installed; counts that
/// exist already are left as they are.
pub fn register_known_series(config: &Config) {
    for reason in crate::reasons::retry_reasons() {
        counter!(RETRIES, "reason" => reason).increment(0);
    }
    let dead = crate::reasons::dead_letter_reasons();
    for r in &config.resources {
        for &reason in &dead {
            counter!(DEAD_LETTERS, "resource" => r.name.clone(), "reason" => reason).increment(0);
        }
        if let Some(parent) = &r.parent {
            counter!(CHILD_SKIPS, "resource" => parent.resource.clone()).increment(0);
        }
    }
}

/// The crawl is over: `harvest_up` drops to 0. Call again to keep the gauge
/// from expiring while `/metrics` lingers.
pub fn mark_ended() {
    gauge!(UP).set(0.0);
}
