//! Group commit: page outcomes are staged in memory and made durable together,
//! at most every 100 ms or 1024 pages (see the supervisor), never per page.
//!
//! A commit writes and syncs each resource's staged lines to its sink *first*,
//! then applies and flushes one sled batch holding the new sink offsets,
//! counters, finished and added jobs. A crash between the two leaves bytes past
//! the committed offset, which the next run cuts off (see `harvest_sink`), so
//! every page is in the output exactly once. Pages count as done (stats,
//! progress) only once their commit is durable.

use harvest_config::Config;
use harvest_sink::Sink;
use harvest_store::{CommitBatch, Counters, PageKey, Store};
use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::EngineError;

/// One resource's output and its staged, uncommitted lines.
struct ResourceOut {
    name: String,
    sink: Sink,
    staged: Vec<u8>,
    /// Committed totals plus what is staged.
    counters: Counters,
    /// Counters changed since the last commit.
    dirty: bool,
}

/// What one commit made durable (for the run's stats).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Committed {
    pub pages: u64,
    pub records: u64,
    pub bytes_out: u64,
}

pub(crate) struct Committer {
    outputs: Vec<ResourceOut>,
    batch: CommitBatch,
    /// Pages queued by the staged batch (sled does not know them yet).
    staged_seen: HashSet<PageKey>,
    staged: Committed,
    /// When the oldest staged change was made.
    oldest: Option<Instant>,
}

impl Committer {
    /// Opens every resource's sink at its committed offset (cutting anything a
    /// killed run wrote past it).
    pub fn open(config: &Config, store: &Store) -> Result<Self, EngineError> {
        let mut outputs = Vec::with_capacity(config.resources.len());
        for r in &config.resources {
            let path = config.crawl.output_dir.join(format!("{}.jsonl", r.name));
            let sink = Sink::open(&path, store.sink_offset(&r.name)?)?;
            outputs.push(ResourceOut {
                name: r.name.clone(),
                sink,
                staged: Vec::new(),
                counters: store.counters(&r.name)?,
                dirty: false,
            });
        }
        Ok(Self {
            outputs,
            batch: CommitBatch::new(),
            staged_seen: HashSet::new(),
            staged: Committed::default(),
            oldest: None,
        })
    }

    /// The staged batch, to add job changes to.
    pub fn batch(&mut self) -> &mut CommitBatch {
        self.oldest.get_or_insert_with(Instant::now);
        &mut self.batch
    }

    /// Whether `page` was ever queued, committed or staged.
    pub fn is_seen(&self, store: &Store, page: &PageKey) -> Result<bool, EngineError> {
        Ok(self.staged_seen.contains(page) || store.is_seen(page)?)
    }

    /// Stages the queueing of `page`.
    pub fn mark_seen(&mut self, page: PageKey) {
        self.batch().mark_seen(&page);
        self.staged_seen.insert(page);
    }

    /// Stages a fetched page's lines for `resource` (index in the config).
    /// `lines` is handed back empty, ready for reuse.
    pub fn stage_page(&mut self, resource: usize, lines: &mut Vec<u8>, records: u64) {
        self.oldest.get_or_insert_with(Instant::now);
        let out = &mut self.outputs[resource];
        if out.staged.is_empty() {
            std::mem::swap(&mut out.staged, lines);
        } else {
            out.staged.extend_from_slice(lines);
            lines.clear();
        }
        out.counters.pages += 1;
        out.counters.records += records;
        out.dirty = true;
        self.staged.pages += 1;
        self.staged.records += records;
    }

    /// Stages a dead page of `resource`.
    pub fn count_dead(&mut self, resource: usize) {
        let out = &mut self.outputs[resource];
        out.counters.dead += 1;
        out.dirty = true;
    }

    /// Pages staged and not yet committed.
    pub fn staged_pages(&self) -> u64 {
        self.staged.pages
    }

    /// How long the oldest staged change has waited.
    pub fn staged_for(&self, now: Instant) -> Option<Duration> {
        self.oldest.map(|t| now.saturating_duration_since(t))
    }

    /// Makes everything staged durable, in the order that keeps the output
    /// exactly-once whatever instant the process dies at: lines appended to
    /// the sinks and synced, then the sled batch (offsets, jobs, counters)
    /// applied and flushed. Returns what became durable.
    pub fn commit(&mut self, store: &Store) -> Result<Committed, EngineError> {
        if self.oldest.is_none() {
            return Ok(Committed::default());
        }
        let now_ms = crate::clock::now_ms();
        let mut bytes_out = 0;
        for out in &mut self.outputs {
            if !out.staged.is_empty() {
                let len = out.sink.append(&out.staged)?;
                out.sink.sync()?;
                bytes_out += out.staged.len() as u64;
                out.counters.bytes += out.staged.len() as u64;
                out.staged.clear();
                self.batch.set_sink_offset(&out.name, len);
            }
            if out.dirty {
                out.counters.last_commit_ms = now_ms;
                self.batch.set_counters(&out.name, &out.counters);
                out.dirty = false;
            }
        }
        store.commit(std::mem::take(&mut self.batch))?;
        store.flush()?;
        self.staged_seen.clear();
        self.oldest = None;
        let mut done = std::mem::take(&mut self.staged);
        done.bytes_out = bytes_out;
        Ok(done)
    }
}
