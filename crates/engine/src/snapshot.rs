//! The live status snapshot: while a crawl runs, its state is locked, so the
//! running process publishes what `harvest status` prints to
//! `<state_dir>/status.json`, replaced atomically (a temp file in the same
//! directory, then a rename) at most once per [`EVERY`]. A thread of its own
//! reads the durable state (committed pages only) and writes the file, so
//! the supervisor's tick only pokes it. The file is read only while the
//! state is locked (see `admin::current`): one left behind by a killed run
//! is never shown as live.

use crate::admin::{status_of, ResourceStatus};
use harvest_config::Config;
use harvest_store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The snapshot's file name in the state directory.
pub const FILE: &str = "status.json";
/// The least time between two snapshots.
pub const EVERY: Duration = Duration::from_secs(1);
/// After a snapshot that took `t`, none is taken for `QUIET × t`.
const QUIET: u32 = 19;

/// A crawl's status, from the state or from a running crawl's snapshot.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Status {
    /// The running crawl the status comes from (`None`: read from the state).
    pub live: Option<LiveCrawl>,
    /// Per resource, by name.
    pub resources: BTreeMap<String, ResourceStatus>,
}

/// Who published a snapshot, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveCrawl {
    pub pid: u32,
    /// False in the last snapshot of a run that ended.
    pub running: bool,
    /// When the run started (ms since the Unix epoch).
    pub started_ms: u64,
    /// When the snapshot was taken (ms since the Unix epoch).
    pub updated_ms: u64,
}

/// The snapshot in `state_dir`, if there is a readable one.
pub fn read(state_dir: &Path) -> Option<Status> {
    let text = std::fs::read(state_dir.join(FILE)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Whether a snapshot is due at `now`, the last one taken at `last`
/// (`None`: none yet, so the first is due at once); if so, `last` is now.
fn due(last: &mut Option<Instant>, now: Instant) -> bool {
    if last.is_some_and(|t| now.duration_since(t) < EVERY) {
        return false;
    }
    *last = Some(now);
    true
}

/// The supervisor's handle on the publishing thread.
pub(crate) struct Publisher {
    last: Option<Instant>,
    /// Pokes the thread; dropped at the end, which makes it remove the
    /// snapshot and stop.
    poke: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Publisher {
    /// Starts the thread publishing `store`'s status for a run started now.
    pub fn start(config: Arc<Config>, store: Store) -> Self {
        let (tx, rx) = sync_channel::<()>(1);
        let started_ms = crate::clock::now_ms();
        let thread = std::thread::Builder::new()
            .name("harvest-status".into())
            .spawn(move || {
                let mut live = LiveCrawl {
                    pid: std::process::id(),
                    running: true,
                    started_ms,
                    updated_ms: started_ms,
                };
                // A snapshot reads the committed state (pending jobs
                // included): on a huge frontier that takes a while, so the
                // thread rests QUIET times as long as the last one took,
                // and status costs at most ~1/QUIET of a core.
                let mut quiet_until = Instant::now();
                while rx.recv().is_ok() {
                    if Instant::now() < quiet_until {
                        continue;
                    }
                    let began = Instant::now();
                    publish(&config, &store, &mut live);
                    quiet_until = Instant::now() + began.elapsed() * QUIET;
                }
                // No last scan at the end: the snapshot is read only while
                // the state is locked, i.e. while a run holds it.
                let _ = std::fs::remove_file(config.crawl.state_dir.join(FILE));
            })
            .ok();
        if thread.is_none() {
            tracing::warn!(
                "Cannot start the status thread: `harvest status` waits for the run to end."
            );
        }
        Self {
            last: None,
            poke: thread.as_ref().map(|_| tx),
            thread,
        }
    }

    /// Asks for a snapshot when one is due at `now` (never waits: a
    /// snapshot still being written takes this poke's place).
    pub fn poke(&mut self, now: Instant) {
        if !due(&mut self.last, now) {
            return;
        }
        if let Some(tx) = &self.poke {
            if let Err(TrySendError::Disconnected(_)) = tx.try_send(()) {
                self.poke = None;
            }
        }
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.poke = None;
        if let Some(thread) = self.thread.take() {
            // Its store clone must be gone before the run returns (the
            // state's lock goes with the last clone).
            let _ = thread.join();
        }
    }
}

/// Writes `store`'s status as of now; a failure is logged, not fatal.
fn publish(config: &Config, store: &Store, live: &mut LiveCrawl) {
    live.updated_ms = crate::clock::now_ms();
    let written = status_of(config, store)
        .map_err(|e| e.to_string())
        .and_then(|resources| {
            let status = Status {
                live: Some(live.clone()),
                resources,
            };
            write(&config.crawl.state_dir, &status).map_err(|e| e.to_string())
        });
    if let Err(error) = written {
        tracing::debug!(%error, "Status snapshot not written.");
    }
}

/// Replaces `state_dir`'s snapshot with `status` at once (rename).
fn write(state_dir: &Path, status: &Status) -> std::io::Result<()> {
    let tmp: PathBuf = state_dir.join(format!("{FILE}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(status)?)?;
    std::fs::rename(&tmp, state_dir.join(FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_is_due_at_once_then_at_most_once_a_second() {
        let t0 = Instant::now();
        let mut last = None;
        assert!(due(&mut last, t0));
        assert!(!due(&mut last, t0 + EVERY - Duration::from_millis(1)));
        assert!(due(&mut last, t0 + EVERY));
        assert!(!due(&mut last, t0 + EVERY + Duration::from_millis(500)));
    }

    #[test]
    fn a_written_snapshot_reads_back_and_replaces_the_last() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), None);
        let mut status = Status {
            live: Some(LiveCrawl {
                pid: 7,
                running: true,
                started_ms: 1,
                updated_ms: 2,
            }),
            resources: BTreeMap::new(),
        };
        write(dir.path(), &status).unwrap();
        status
            .resources
            .insert("items".into(), ResourceStatus::default());
        write(dir.path(), &status).unwrap();
        assert_eq!(read(dir.path()), Some(status));
        assert!(!dir.path().join("status.json.tmp").exists());
    }
}
