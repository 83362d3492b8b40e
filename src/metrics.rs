//! The Prometheus endpoint: installed when `[metrics] listen` is set, for
//! the whole run. A port that cannot be bound is a startup error (exit 2),
//! never a silent run without metrics.

use harvest_config::MetricsSettings;
use harvest_engine::telemetry;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

/// Serves `/metrics` on `settings.listen`, if set.
pub fn install(settings: &MetricsSettings) -> anyhow::Result<()> {
    let Some(addr) = settings.listen else {
        return Ok(());
    };
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
        .install()
        .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr} ([metrics] listen): {e}"))?;
    telemetry::describe();
    tracing::info!(%addr, "Serving Prometheus metrics at /metrics.");
    Ok(())
}

/// Keeps `/metrics` up for `linger` after the crawl (a final scrape).
pub fn linger(settings: &MetricsSettings) {
    if settings.listen.is_some() && !settings.linger.is_zero() {
        std::thread::sleep(settings.linger);
    }
}
