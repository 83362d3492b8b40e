//! Engine errors: what can end a crawl early.

use harvest_fetch::FetchError;
use harvest_sink::SinkError;
use harvest_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error("cannot build the HTTP client: {0}")]
    Client(FetchError),
    #[error("resource `{resource}`: {reason}")]
    Seeds { resource: String, reason: String },
    #[error(
        "resource `{resource}` {what} since the state was started: resuming would mix two crawls \
         (restore the old definition, use a fresh state_dir, or pass --force to continue with the new one)"
    )]
    Incompatible { resource: String, what: String },
    #[error(
        "{} exists but the state has no record of writing it: move it away, or pass --force \
         to overwrite it",
        path.display()
    )]
    OutputExists { path: std::path::PathBuf },
    #[error("the state holds an unusable job URL `{url}`: {reason}")]
    BadJob { url: String, reason: String },
    #[error("output writer: {0}")]
    Writer(String),
    #[error("reset: {0}")]
    Reset(String),
    #[error("cannot start the fetch threads: {0}")]
    Runtime(String),
    #[error(transparent)]
    Filter(#[from] crate::dead_letters::FilterError),
    #[error("the engine stopped without a summary")]
    Lost,
}

impl EngineError {
    /// True when the fault is in the user's input (config vs. state), not the run.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::Seeds { .. }
                | Self::Incompatible { .. }
                | Self::OutputExists { .. }
                | Self::Client(_)
                | Self::Filter(_)
        ) || matches!(
            self,
            Self::Store(
                StoreError::Open { .. } | StoreError::Format { .. } | StoreError::Missing { .. }
            )
        )
    }
}
