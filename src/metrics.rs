//! The Prometheus endpoint: installed when `[metrics] listen` is set, for
//! the whole run. A port that cannot be bound is a startup error (exit 2),
//! never a silent run without metrics. Counters with known labels start at
//! 0; once the crawl has ended, `harvest_up` is 0 while `/metrics` lingers.
//!
//! Series removal: the exporter cannot delete a series, but it drops gauges
//! and histograms not updated for a while. Live host actors and the
//! supervisor refresh theirs every second, so when a host actor stops, its
//! per-origin gauges and histograms disappear after `series_idle`; per-origin
//! counters stay, bounded by `max_origin_labels`.

use harvest_config::{Config, MetricsSettings};
use harvest_engine::telemetry;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use metrics_util::MetricKindMask;
use std::time::{Duration, Instant};

/// Serves `/metrics` on `[metrics] listen`, if set.
pub fn install(config: &Config) -> anyhow::Result<()> {
    let Some(addr) = config.metrics.listen else {
        return Ok(());
    };
    let series_idle = (config.client.idle_after * 2).max(Duration::from_secs(3));
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .set_buckets_for_metric(
            Matcher::Full(telemetry::REQUEST_DURATION.into()),
            telemetry::REQUEST_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(telemetry::COMMIT_DURATION.into()),
            telemetry::COMMIT_BUCKETS,
        )?
        .idle_timeout(
            MetricKindMask::GAUGE | MetricKindMask::HISTOGRAM,
            Some(series_idle),
        )
        .install()
        .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr} ([metrics] listen): {e}"))?;
    telemetry::describe();
    telemetry::register_known_series(config);
    tracing::info!(%addr, "Serving Prometheus metrics at /metrics.");
    Ok(())
}

/// Keeps `/metrics` up for `[metrics] linger` after the crawl (a final
/// scrape), with `harvest_up` 0: set again every second, so the exporter's
/// idle timeout never drops it.
pub fn linger(settings: &MetricsSettings) {
    if settings.listen.is_none() {
        return;
    }
    let until = Instant::now() + settings.linger;
    loop {
        telemetry::mark_ended();
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_secs(1)));
    }
}
