//! `harvest run`: load the config, run the crawl with signal handling,
//! print the summary. `execute` also serves `harvest demo`.
//!
//! `--every INTERVAL` keeps the process running: after a pass it waits for
//! the next tick of a grid anchored at the first pass's start (cron's way:
//! a pass longer than the interval is followed at the next tick still
//! ahead, never overlapped) and runs the crawl again, which begins the next
//! pass of its incremental resources. A signal stops a pass as it stops any
//! run (resumable, exit 130/143), and ends the wait between passes the
//! same way. A pass that fails ends the process with its exit code; one
//! that finishes incomplete (exit 3 alone) does not: the schedule goes on.

use crate::cli::RunArgs;
use crate::exit::{Failure, Outcome};
use crate::{signals, summary};

pub fn run(args: RunArgs) -> Result<Outcome, Failure> {
    let config = harvest_config::load(&args.config).map_err(Failure::Config)?;
    match args.every {
        None => execute(config, args.summary_json.as_deref(), args.force),
        Some(every) => every_pass(config, every, args.summary_json.as_deref(), args.force),
    }
}

/// `--every`: a pass on each tick until a signal or a failure.
fn every_pass(
    config: harvest_config::Config,
    every: std::time::Duration,
    summary_json: Option<&std::path::Path>,
    force: bool,
) -> Result<Outcome, Failure> {
    if config.resources.iter().all(|r| r.incremental.is_none()) {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--every runs passes of incremental resources, and this crawl has none \
             (give a resource `incremental = {{ cursor_path, param }}`)"
        )));
    }
    if every.is_zero() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "--every must be longer than 0s"
        )));
    }
    crate::metrics::install(&config).map_err(Failure::Usage)?;
    let metrics = config.metrics;
    let stop = signals::install().map_err(Failure::Runtime)?;
    let anchor = now_ms();
    let mut force = force;
    loop {
        let outcome = one_run(config.clone(), &stop, summary_json, force)?;
        // `--force` accepts the config once; later passes resume it.
        force = false;
        if !matches!(outcome, Outcome::Done | Outcome::Incomplete) {
            crate::metrics::linger(&metrics);
            return Ok(outcome);
        }
        let next = harvest_incremental::next_pass_at(anchor, every, now_ms());
        let wait = std::time::Duration::from_millis(next.saturating_sub(now_ms()));
        tracing::info!(
            in_ms = wait.as_millis() as u64,
            "Next pass on schedule (--every)."
        );
        if let Some(reason) = stop.wait(wait) {
            eprintln!("harvest: stopped between passes; `harvest run` begins the next one");
            return Ok(Outcome::Stopped(reason));
        }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs a validated config with signal handling, prints the summary.
pub fn execute(
    config: harvest_config::Config,
    summary_json: Option<&std::path::Path>,
    force: bool,
) -> Result<Outcome, Failure> {
    crate::metrics::install(&config).map_err(Failure::Usage)?;
    let metrics = config.metrics;
    let stop = signals::install().map_err(Failure::Runtime)?;
    let outcome = one_run(config, &stop, summary_json, force)?;
    crate::metrics::linger(&metrics);
    Ok(outcome)
}

/// One run of the crawl: progress bar, summary printed (and written).
pub(crate) fn one_run(
    config: harvest_config::Config,
    stop: &harvest_engine::StopHandle,
    summary_json: Option<&std::path::Path>,
    force: bool,
) -> Result<Outcome, Failure> {
    let progress = crate::progress::bar();
    let options = harvest_engine::RunOptions {
        stop: stop.clone(),
        force,
        progress: progress.as_ref().map(|b| b.callback()),
        ..Default::default()
    };
    let result = harvest_engine::run(config, &options);
    harvest_engine::telemetry::mark_ended();
    if let Some(bar) = progress {
        bar.finish();
    }
    let summary = result.map_err(Failure::Engine)?;
    summary::print(&summary, summary::is_stdout(summary_json));
    if let Some(path) = summary_json {
        summary::write_json(&summary, path).map_err(Failure::Runtime)?;
    }
    Ok(Outcome::from(&summary))
}
