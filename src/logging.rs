//! Logging setup: human lines on stderr by default, JSON with
//! `--log-format json`; `RUST_LOG` overrides the level filter. Colour only on
//! a terminal, and never with `NO_COLOR` set. Also says which format was
//! chosen, so that what the binary prints outside `tracing` (errors, the
//! closing summary) follows it.

use crate::cli::{LogArgs, LogFormat};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use tracing_subscriber::EnvFilter;

/// `--log-format json` was given.
static JSON: AtomicBool = AtomicBool::new(false);

pub fn init(args: &LogArgs) {
    JSON.store(
        matches!(args.log_format, LogFormat::Json),
        Ordering::Relaxed,
    );
    let default = if args.quiet { "warn" } else { "info" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    match args.log_format {
        LogFormat::Human => builder.with_target(false).init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Whether lines printed outside `tracing` must be JSON objects too.
pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// One JSON object on one line: `{"level": LEVEL, "message": MESSAGE, ...fields}`,
/// the shape scripts reading `--log-format json` output can filter on.
pub fn json_line(level: &str, message: &str, fields: serde_json::Value) -> String {
    let mut line = serde_json::json!({ "level": level, "message": message });
    if let (Some(line), serde_json::Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    line.to_string()
}
