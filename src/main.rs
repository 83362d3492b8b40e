//! `harvest`: the command line. Parses arguments, sets up logging and
//! signals, runs the engine, prints the summary and maps the result to an
//! exit code. Everything else lives in `crates/`.

mod admin;
mod check;
mod cli;
mod completions;
mod dead_letters;
#[cfg(feature = "demo")]
mod demo;
mod exit;
mod init;
mod logging;
mod metrics;
mod progress;
mod reset;
mod run;
mod sample;
mod schema;
mod signals;
mod summary;

use clap::Parser;
use std::process::ExitCode;

/// jemalloc instead of the system allocator: pages allocate and free many
/// short buffers across threads, where glibc's malloc cost ~15% of the CPU
/// of a throughput run (perf).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(&cli.log);
    progress::allow(!cli.log.quiet && matches!(cli.log.log_format, cli::LogFormat::Human));
    let result = match cli.command {
        cli::Command::Run(args) => run::run(args),
        cli::Command::Init(args) => init::init(args),
        cli::Command::Check(args) => check::check(args),
        cli::Command::Sample(args) => sample::sample(args),
        #[cfg(feature = "demo")]
        cli::Command::Demo(args) => demo::run(args),
        cli::Command::Status(args) => admin::status(args),
        cli::Command::DeadLetters(args) => dead_letters::list(args),
        cli::Command::RetryDead(args) => dead_letters::retry(args),
        cli::Command::Completions(args) => completions::print(args),
        cli::Command::Reset(args) => reset::reset(args),
        cli::Command::Schema => schema::print(),
    };
    exit::report(result)
}
