//! Crawl management outside a run: status and streams cut short (dead
//! letters, listing and putting them back: `dead_letters`). Each opens the state itself, so it is
//! refused (with the lock message) while a crawl runs on it, and none creates
//! a state that does not exist (`no crawl state at <dir>`). [`current`] is
//! the exception: while a crawl runs, it reads the snapshot the running
//! process publishes (see `snapshot`).
//!
//! Putting dead pages back leaves cut streams alone: a cut stream is not a failure that
//! may pass on its own, and fetching its page again would cut it again. A run
//! whose config allows it (the target in `allowed_origins`, a higher
//! `max_pages`) resumes it (see `reopen`); the others stay recorded, and keep
//! the crawl's exit at 3, until the crawl starts over in a fresh `state_dir`.

use crate::EngineError;
use harvest_config::Config;
use harvest_paginate::CutReason;
use harvest_store::{Counters, CutStream, Store, StoreError};
use std::collections::BTreeMap;

pub use crate::dead_letters::{DeadLetterFilter, FilterError, Retried};

pub use crate::snapshot::{LiveCrawl, Status};

/// One resource's position, as the state knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResourceStatus {
    /// Committed totals (pages done, records, bytes, dead, last commit).
    #[serde(flatten)]
    pub counters: Counters,
    /// Jobs in the frontier, retry-waiting ones included.
    pub pending: u64,
    /// Pending jobs that failed before and wait for another attempt.
    pub retry_waiting: u64,
    /// Streams of the resource cut short.
    pub cut: u64,
    /// Whether the resource is in the config (false: left aside with --force).
    pub configured: bool,
    /// An incremental resource's passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<PassStatus>,
}

/// An incremental resource's pass under way (or just finished) and the
/// last finished one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PassStatus {
    /// The pass's number, from 1.
    pub pass: u32,
    /// The start value it sends (`None`: none).
    pub start: Option<String>,
    /// Records it wrote so far.
    pub records: u64,
    pub started_ms: u64,
    /// Its output file, relative to `output_dir`.
    pub output: String,
    pub last: Option<FinishedPassStatus>,
}

/// A finished pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FinishedPassStatus {
    pub pass: u32,
    pub start: Option<String>,
    /// Where the pass after it starts.
    pub next_start: Option<String>,
    pub records: u64,
    pub finished_ms: u64,
}

impl PassStatus {
    fn of(resource: &str, s: &harvest_incremental::PassState) -> Self {
        let raw = |v: &harvest_incremental::CursorValue| v.raw().to_owned();
        Self {
            pass: s.pass,
            start: s.start.as_ref().map(|st| raw(&st.value)),
            records: s.records,
            started_ms: s.started_ms,
            output: format!("{}.jsonl", crate::passes::pass_output(resource, s.pass)),
            last: s.last.as_ref().map(|l| FinishedPassStatus {
                pass: l.pass,
                start: l.start.as_ref().map(raw),
                next_start: l.next_start.as_ref().map(raw),
                records: l.records,
                finished_ms: l.finished_ms,
            }),
        }
    }
}

/// Per-resource status, by name: configured resources and any the state holds.
pub fn status(config: &Config) -> Result<BTreeMap<String, ResourceStatus>, EngineError> {
    status_of(config, &Store::open_existing(&config.crawl.state_dir)?)
}

/// The crawl's status: read from the state, or, while a crawl runs on it
/// (the state is locked), from the snapshot that run publishes (then
/// [`Status::live`] says when it was taken). Without a snapshot, the lock
/// error stands.
pub fn current(config: &Config) -> Result<Status, EngineError> {
    match status(config) {
        Ok(resources) => Ok(Status {
            live: None,
            resources,
        }),
        Err(EngineError::Store(e)) if e.is_locked() => {
            crate::snapshot::read(&config.crawl.state_dir).ok_or(EngineError::Store(e))
        }
        Err(e) => Err(e),
    }
}

/// Per-resource status of an open `store`.
pub(crate) fn status_of(
    config: &Config,
    store: &Store,
) -> Result<BTreeMap<String, ResourceStatus>, EngineError> {
    let mut out: BTreeMap<String, ResourceStatus> = BTreeMap::new();
    for r in &config.resources {
        out.entry(r.name.clone()).or_default().configured = true;
    }
    for (name, _) in store.resources()? {
        out.entry(name).or_default();
    }
    for (name, status) in out.iter_mut() {
        status.counters = store.counters(name)?;
        status.pass = crate::passes::read(store, name)?.map(|p| PassStatus::of(name, &p));
    }
    store.for_each_pending(|_, job| {
        let status = out.entry(job.resource).or_default();
        status.pending += 1;
        if job.attempt > 0 {
            status.retry_waiting += 1;
        }
    })?;
    for (_, cut) in store.cut_streams()? {
        out.entry(cut.next.resource).or_default().cut += 1;
    }
    Ok(out)
}

/// What would let `cut`'s stream go on, in a few words.
pub fn remedy(cut: &CutStream) -> String {
    match CutReason::parse(&cut.reason) {
        Some(CutReason::ForeignOrigin) => match url::Url::parse(&cut.next.url) {
            Ok(u) => format!(
                "add {} to allowed_origins to follow it",
                harvest_config::origin_of(&u)
            ),
            Err(_) => "add its origin to allowed_origins to follow it".into(),
        },
        Some(CutReason::MaxPages) => "raise max_pages to follow it (with --force)".into(),
        _ => "the server's pagination goes no further; no setting follows it".into(),
    }
}

/// Every stream cut short the state holds, oldest first.
pub fn cut_streams(config: &Config) -> Result<Vec<CutStream>, EngineError> {
    listed(config, Store::cut_streams)
}

/// What `list` reads from the state, without the sequence numbers.
fn listed<T>(
    config: &Config,
    list: impl FnOnce(&Store) -> Result<Vec<(u64, T)>, StoreError>,
) -> Result<Vec<T>, EngineError> {
    let store = Store::open_existing(&config.crawl.state_dir)?;
    Ok(list(&store)?.into_iter().map(|(_, item)| item).collect())
}
