//! Store errors.

use std::path::{Path, PathBuf};

/// Why a state held by another process cannot be opened.
const LOCKED: &str = "another harvest process is using it (the state directory is locked)";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the state in {}: {reason}", dir.display())]
    Open { dir: PathBuf, reason: String },
    /// A command that only reads or mends a state found none.
    #[error("no crawl state at {}", dir.display())]
    Missing { dir: PathBuf },
    #[error(
        "the state in {} is in format {found}, this harvest reads format {want}: \
         finish that crawl with the harvest version that started it, or start with a fresh state_dir",
        dir.display()
    )]
    Format { dir: PathBuf, found: u64, want: u64 },
    #[error("state store: {0}")]
    Sled(#[from] sled::Error),
    #[error(
        "state store holds an unreadable {what}: {reason} (was it written by another version?)"
    )]
    Corrupt { what: &'static str, reason: String },
}

impl StoreError {
    /// Whether `e` says another holder has the state directory's lock.
    pub(crate) fn is_lock(e: &sled::Error) -> bool {
        // sled wraps the flock error in its own message.
        matches!(e, sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock"))
    }

    /// Whether this error says a running crawl holds the state (its lock).
    pub fn is_locked(&self) -> bool {
        matches!(self, Self::Open { reason, .. } if reason == LOCKED)
    }

    pub(crate) fn open(dir: &Path, e: sled::Error) -> Self {
        let reason = if Self::is_lock(&e) {
            LOCKED.to_string()
        } else {
            e.to_string()
        };
        Self::Open {
            dir: dir.to_path_buf(),
            reason,
        }
    }
}
