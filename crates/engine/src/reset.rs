//! `harvest reset`: start a crawl over. Removes the crawl's state and the
//! output files that state says it wrote (`<output_dir>/<resource>.jsonl`
//! for each resource the state knows, and each pass file
//! `<output_dir>/<resource>/pass-NNNNNN.jsonl` it keeps an offset of, with
//! the resource's directory once empty), and nothing else: other files in
//! `output_dir`, and anything in `state_dir` that is not harvest's (sled's
//! `conf`, `db`, `blobs/`, `snap.*`; `spill/`; the status snapshot), stay.
//! The state is opened first, so a missing state or one a run holds is
//! refused before anything is removed.

use crate::EngineError;
use harvest_config::Config;
use harvest_store::Store;
use std::path::{Path, PathBuf};

/// What a reset removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPlan {
    /// Output files the state wrote that exist now.
    pub outputs: Vec<PathBuf>,
    /// harvest's own entries in the state directory.
    pub state: Vec<PathBuf>,
    pub state_dir: PathBuf,
}

/// What a reset of `config`'s crawl would remove. Refused (nothing is
/// touched) when there is no state, or a run holds it.
pub fn plan(config: &Config) -> Result<ResetPlan, EngineError> {
    let state_dir = config.crawl.state_dir.clone();
    let (resources, written) = {
        // Dropped at the end of the block: the state's lock goes with it.
        let store = Store::open_existing(&state_dir)?;
        (store.resources()?, store.outputs()?)
    };
    let mut names: Vec<String> = resources.into_iter().map(|(name, _)| name).collect();
    names.extend(written);
    names.sort();
    names.dedup();
    let outputs = names
        .into_iter()
        .map(|name| config.crawl.output_dir.join(format!("{name}.jsonl")))
        .filter(|path| path.is_file())
        .collect();
    Ok(ResetPlan {
        outputs,
        state: state_entries(&state_dir)?,
        state_dir,
    })
}

/// Removes what `plan` lists, then the state directory if nothing else is
/// left in it. Returns whether the directory itself went.
pub fn apply(plan: &ResetPlan) -> Result<bool, EngineError> {
    let io = |what: &Path, e: std::io::Error| {
        EngineError::Reset(format!("cannot remove {}: {e}", what.display()))
    };
    for path in &plan.outputs {
        std::fs::remove_file(path).map_err(|e| io(path, e))?;
        // A pass file's directory (`<output_dir>/<resource>/`), once empty.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("pass-"))
        {
            if let Some(dir) = path.parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
    for path in &plan.state {
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        removed.map_err(|e| io(path, e))?;
    }
    Ok(std::fs::remove_dir(&plan.state_dir).is_ok())
}

/// harvest's own entries in `state_dir`.
fn state_entries(state_dir: &Path) -> Result<Vec<PathBuf>, EngineError> {
    let entries = std::fs::read_dir(state_dir)
        .map_err(|e| EngineError::Reset(format!("cannot read {}: {e}", state_dir.display())))?;
    let mut ours: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_ours)
        })
        .collect();
    ours.sort();
    Ok(ours)
}

/// Whether a state directory entry is harvest's (sled's files, the spill
/// directory, the status snapshot).
fn is_ours(name: &str) -> bool {
    matches!(
        name,
        "conf" | "db" | "blobs" | "spill" | "status.json" | "status.json.tmp"
    ) || name.starts_with("snap.")
}

#[cfg(test)]
mod tests {
    use super::is_ours;

    #[test]
    fn only_sled_files_the_spill_directory_and_the_snapshot_are_ours() {
        for name in [
            "conf",
            "db",
            "blobs",
            "snap.00000000000D4A5B",
            "spill",
            "status.json",
        ] {
            assert!(is_ours(name), "{name}");
        }
        for name in ["notes.txt", "items.jsonl", "dbx", "config", "snapshot"] {
            assert!(!is_ours(name), "{name}");
        }
    }
}
