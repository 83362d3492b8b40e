//! The command line's shape: commands and their arguments (clap); each
//! command runs in its own file.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Where to go next, under `--help`.
const AFTER_HELP: &str = "\
New crawl: `harvest init URL --out crawl.toml` drafts a commented config from one page of the API.
Config reference: README.md#config (every key of a crawl file).
Example configs: config/*.toml; `harvest check CRAWL.toml` validates one.";

#[derive(Parser)]
#[command(
    name = "harvest",
    version,
    about = "Bulk-harvest paginated HTTP/JSON APIs: fast, polite, resumable.",
    after_help = AFTER_HELP
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
    /// Fetch URL once and draft a commented crawl config from it: the
    /// records, the paginator and the rate limits it found, every default
    /// spelled out.
    Init(InitArgs),
    /// Validate CRAWL.toml and print what it would harvest; fetches nothing.
    Check(ConfigArg),
    /// Fetch the first page(s) of each resource and show what `run` would
    /// make of them (records, next page); writes no state and no output.
    Sample(SampleArgs),
    /// Per resource: pages done, pending, retry-waiting, dead, records, bytes,
    /// last activity (while a crawl runs: its live snapshot, at most a second old).
    Status(StatusArgs),
    /// List the pages given up on: status, reason, attempts, first and last
    /// failure, URL, the start of the response; then the streams cut short.
    DeadLetters(DeadLetterArgs),
    /// Put the dead pages back in the frontier (all, or those the filters
    /// match); the next `run` fetches them.
    RetryDead(RetryDeadArgs),
    /// Print a shell completion script (bash, zsh, fish, ...).
    ///
    /// E.g. `harvest completions bash > ~/.local/share/bash-completion/completions/harvest`.
    Completions(CompletionsArgs),
    /// Print the JSON Schema of a crawl file, for editor completion and hover
    /// help (config/harvest.schema.json is this output).
    ///
    /// E.g. `harvest schema > harvest.schema.json`, then `#:schema ./harvest.schema.json`
    /// as the first line of CRAWL.toml (taplo / Even Better TOML).
    Schema,
    /// Start the crawl over: remove its state and the output files that state
    /// wrote, nothing else (asks first; --yes to skip).
    Reset(ResetArgs),
    /// Start the bundled demo API on loopback and harvest it into a fresh
    /// directory under the temp dir (printed, kept).
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
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
    /// Also write the closing summary as JSON to this file (`-`: to stdout,
    /// and the text summary to stderr).
    #[arg(long)]
    pub summary_json: Option<PathBuf>,
    /// Resume even though a resource's seeds, data_selector, paginator or parent
    /// changed, or a resource was removed, since the state was started.
    #[arg(long)]
    pub force: bool,
    /// Keep running and begin a pass of the incremental resources on this
    /// schedule (`15m`, `1h`, `1d`): passes start on a grid from the first
    /// one, and one running past a tick is followed at the next tick ahead.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "INTERVAL")]
    pub every: Option<std::time::Duration>,
}

/// `harvest init`.
#[derive(Args)]
pub struct InitArgs {
    /// A page of the API (the first page of what to harvest).
    pub url: String,
    /// Write the config here (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite `--out` if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `harvest sample`.
#[derive(Args)]
pub struct SampleArgs {
    /// The crawl config (TOML).
    pub config: PathBuf,
    /// Only this resource (default: every resource).
    #[arg(long)]
    pub resource: Option<String>,
    /// Pages per resource, following the paginator from the first seed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub pages: u32,
    /// One JSON object per page, for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ConfigArg {
    /// The crawl config (TOML).
    pub config: PathBuf,
}

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args)]
pub struct ResetArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Do not ask (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

/// Which dead letters `dead-letters` and `retry-dead` act on (all given
/// must match; none: every letter).
#[derive(Args)]
pub struct FilterArgs {
    /// Only this resource's dead letters.
    #[arg(long)]
    pub resource: Option<String>,
    /// Only dead letters with this reason (`http_404`, `not_json`, ...; see
    /// README.md#dead-letters).
    #[arg(long)]
    pub reason: Option<String>,
    /// Only dead letters whose last response had this HTTP status.
    #[arg(long, value_parser = clap::value_parser!(u16).range(100..=999))]
    pub status: Option<u16>,
}

/// `harvest dead-letters`.
#[derive(Args)]
pub struct DeadLetterArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// One JSON document (`dead_letters`, `cut_streams`), for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `harvest retry-dead`.
#[derive(Args)]
pub struct RetryDeadArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Print the status as JSON (for scripts).
    #[arg(long)]
    pub json: bool,
}

/// `harvest demo` (feature `demo`).
#[cfg(feature = "demo")]
#[derive(Args)]
pub struct DemoArgs {
    /// Streams per origin.
    #[arg(long, default_value_t = 25)]
    pub streams: usize,
    /// Pages per stream.
    #[arg(long, default_value_t = 30)]
    pub pages: usize,
    /// Records per page.
    #[arg(long, default_value_t = 20)]
    pub records: usize,
}
