//! Exit codes (DESIGN.md): 0 all done; 1 runtime failure; 2 bad usage or
//! config; 3 finished incomplete (dead pages or streams cut short, this run's
//! or earlier ones', as the state holds them); 130/143 interrupted
//! (resumable). Errors go to stderr as text, or with `--log-format json` as
//! JSON lines: a config error as one line per problem (file, line, key,
//! message).

use harvest_config::ConfigError;
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
            config_error(&e);
            ExitCode::from(2)
        }
        Err(Failure::Engine(e)) => {
            error(&e.to_string());
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
        Err(Failure::Usage(e)) => {
            error(&format!("{e:#}"));
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            error(&format!("{e:#}"));
            ExitCode::from(1)
        }
    }
}

fn error(message: &str) {
    if crate::logging::json() {
        eprintln!("{}", json_error(message, serde_json::json!({})));
    } else {
        eprintln!("error: {message}");
    }
}

fn config_error(e: &ConfigError) {
    if !crate::logging::json() {
        eprintln!("error: {e}");
        return;
    }
    match e {
        ConfigError::Read { file, .. } => {
            eprintln!(
                "{}",
                json_error(&e.to_string(), serde_json::json!({ "file": file }))
            );
        }
        ConfigError::Invalid { file, problems } => {
            for p in problems {
                let fields = serde_json::json!({ "file": file, "line": p.line, "key": p.key });
                eprintln!("{}", json_error(p.message.trim_end(), fields));
            }
        }
    }
}

fn json_error(message: &str, fields: serde_json::Value) -> String {
    crate::logging::json_line("ERROR", message, fields)
}
