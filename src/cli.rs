//! Commands and their arguments.

use crate::exit::{Failure, Outcome};
use crate::{signals, summary};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "harvest",
    version,
    about = "Bulk-harvest paginated HTTP/JSON APIs: fast, polite, resumable."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Subcommand)]
pub enum Command {
    /// Harvest every page of every resource in CRAWL.toml (resumes where a
    /// previous run stopped).
    Run(RunArgs),
    /// Validate CRAWL.toml and print what it would harvest; fetches nothing.
    Check(ConfigArg),
    /// Per resource: pages done, pending, retry-waiting, dead, records, bytes,
    /// last activity (refused while a crawl runs on the state).
    Status(ConfigArg),
    /// List the pages given up on, with status and reason.
    DeadLetters(ConfigArg),
    /// Put every dead page back in the frontier (the next `run` fetches them).
    RetryDead(ConfigArg),
    /// Start the bundled demo API on loopback and harvest it into out/demo.
    Demo(crate::demo::DemoArgs),
}

#[derive(Args)]
pub struct LogArgs {
    /// Only warnings and errors (no progress lines).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Args)]
pub struct RunArgs {
    /// The crawl config (TOML).
    pub config: PathBuf,
    /// Also write the closing summary as JSON to this file.
    #[arg(long)]
    pub summary_json: Option<PathBuf>,
    /// Resume even though a resource's seeds, data_selector, paginator or parent
    /// changed, or a resource was removed, since the state was started.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct ConfigArg {
    /// The crawl config (TOML).
    pub config: PathBuf,
}

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
    summary::print(&summary);
    if let Some(path) = summary_json {
        summary::write_json(&summary, path).map_err(Failure::Runtime)?;
    }
    crate::metrics::linger(&metrics);
    Ok(Outcome::from(&summary))
}

pub fn check(args: ConfigArg) -> Result<Outcome, Failure> {
    let config = harvest_config::load(&args.config).map_err(Failure::Config)?;
    println!("{}: valid", args.config.display());
    println!(
        "  state {}  output {}",
        config.crawl.state_dir.display(),
        config.crawl.output_dir.display()
    );
    for r in &config.resources {
        let mut seeds = 0usize;
        r.seeds
            .for_each(|_| seeds += 1)
            .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
        println!(
            "  resource {}: {seeds} seeds, data_selector `{}`, {:?}",
            r.name, r.data_selector, r.paginator
        );
        if let Some(p) = &r.parent {
            println!("    + one stream per `{}` record at {}", p.resource, p.url);
        }
        // Names and origins only: a secret has no Display.
        if let Some(auth) = &r.auth {
            println!(
                "    {} {} credential to {}",
                r.request.method.as_str(),
                auth.kind.kind(),
                auth.origins.join(", ")
            );
        }
    }
    Ok(Outcome::Done)
}
