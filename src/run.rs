//! `harvest run`: load the config, run the crawl with signal handling,
//! print the summary. `execute` also serves `harvest demo`.

use crate::cli::RunArgs;
use crate::exit::{Failure, Outcome};
use crate::{signals, summary};

pub fn run(args: RunArgs) -> Result<Outcome, Failure> {
    let config = harvest_config::load(&args.config).map_err(Failure::Config)?;
    execute(config, args.summary_json.as_deref(), args.force)
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
    let progress = crate::progress::bar();
    let options = harvest_engine::RunOptions {
        stop,
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
    crate::metrics::linger(&metrics);
    Ok(Outcome::from(&summary))
}
