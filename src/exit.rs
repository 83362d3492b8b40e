//! Exit codes (DESIGN.md): 0 all done; 1 runtime failure; 2 bad usage or
//! config; 3 finished incomplete (dead pages or streams cut short, this run's
//! or earlier ones', as the state holds them); 130/143 interrupted
//! (resumable).

use harvest_engine::{Ending, EngineError, StopReason, Summary};
use std::process::ExitCode;

/// How a command that ran to its end went.
pub enum Outcome {
    Done,
    /// A runtime failure after the crawl started (summary already printed).
    Failed,
    /// Finished, but pages are dead or streams were cut short
    /// (`Summary::incomplete`).
    Incomplete,
    Stopped(StopReason),
}

impl From<&Summary> for Outcome {
    fn from(s: &Summary) -> Self {
        match s.ending {
            Ending::Failed(_) => Self::Failed,
            Ending::Stopped(reason) => Self::Stopped(reason),
            Ending::Finished if s.incomplete().is_some() => Self::Incomplete,
            Ending::Finished => Self::Done,
        }
    }
}

/// Why a command could not run to its end.
pub enum Failure {
    Config(harvest_config::ConfigError),
    /// The command cannot start as asked (e.g. the metrics port is taken).
    Usage(anyhow::Error),
    Engine(EngineError),
    Runtime(anyhow::Error),
}

pub const INTERRUPTED: u8 = 130;
pub const TERMINATED: u8 = 143;

pub fn stop_code(reason: StopReason) -> u8 {
    match reason {
        StopReason::Interrupt => INTERRUPTED,
        StopReason::Terminate => TERMINATED,
    }
}

pub fn report(result: Result<Outcome, Failure>) -> ExitCode {
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Ok(Outcome::Incomplete) => ExitCode::from(3),
        Ok(Outcome::Stopped(reason)) => ExitCode::from(stop_code(reason)),
        Err(Failure::Config(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Engine(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
