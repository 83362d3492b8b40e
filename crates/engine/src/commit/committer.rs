//! The supervisor's side of group commit: what is staged, what is with the
//! writer, and which pages are queued but not yet in sled.

use super::cadence::Cadence;
use super::group::{Committed, Durable, Group};
use super::lines::PageLines;
use super::writer::Writer;
use crate::passes::Passes;
use crate::EngineError;
use actix::Recipient;
use harvest_config::Config;
use harvest_incremental::{Lag, PassState};
use harvest_paginate::Judged;
use harvest_sink::Sink;
use harvest_store::{CommitBatch, Counters, PageKey, Store};
use std::collections::HashSet;
use std::time::Instant;

/// One resource's staged, uncommitted lines and running totals.
struct Staging {
    name: String,
    /// Staged pages' lines, in order.
    lines: Vec<PageLines>,
    /// Pages and records staged since the last group.
    staged_pages: u64,
    staged_records: u64,
    /// Committed totals plus what is staged.
    counters: Counters,
    /// Counters changed since the last group.
    dirty: bool,
    /// An incremental resource's pass: its state with what is staged, and
    /// whether it changed since the last group.
    pass: Option<(PassState, Option<Lag>, bool)>,
}

pub(crate) struct Committer {
    outputs: Vec<Staging>,
    batch: CommitBatch,
    /// Pages queued by the staged batch (sled does not know them yet).
    staged_seen: HashSet<PageKey>,
    /// Pages queued by the group with the writer.
    writing_seen: HashSet<PageKey>,
    staged: Committed,
    /// When the staged changes are due for the writer.
    cadence: Cadence,
    /// A group is with the writer.
    writing: bool,
    writer: Writer,
}

impl Committer {
    /// Opens every resource's sink at its committed offset (cutting anything a
    /// killed run wrote past it) and starts the writer, which answers to `reply`.
    pub fn open(
        config: &Config,
        store: &Store,
        passes: &Passes,
        reply: Recipient<Durable>,
    ) -> Result<Self, EngineError> {
        super::lines::clear_spill_dir(&super::lines::spill_dir(&config.crawl.state_dir))
            .map_err(|e| EngineError::Writer(format!("cannot prepare the spill directory: {e}")))?;
        let mut outputs = Vec::with_capacity(config.resources.len());
        let mut sinks = Vec::with_capacity(config.resources.len());
        for (i, r) in config.resources.iter().enumerate() {
            // An offset is kept under the output's name: one per pass file.
            let output = passes.output(i, &r.name);
            let path = config.crawl.output_dir.join(format!("{output}.jsonl"));
            let committed = store.sink_offset(&output)?;
            sinks.push((output, Sink::open(&path, committed)?));
            outputs.push(Staging {
                name: r.name.clone(),
                lines: Vec::new(),
                staged_pages: 0,
                staged_records: 0,
                counters: store.counters(&r.name)?,
                dirty: false,
                pass: passes.state(i).map(|state| {
                    let lag = r.incremental.as_ref().and_then(|inc| inc.lag);
                    (state.clone(), lag, false)
                }),
            });
        }
        Ok(Self {
            outputs,
            batch: CommitBatch::new(),
            staged_seen: HashSet::new(),
            writing_seen: HashSet::new(),
            staged: Committed::default(),
            cadence: Cadence::default(),
            writing: false,
            writer: Writer::start(sinks, store.clone(), reply)?,
        })
    }

    /// The staged batch, to add job changes to.
    pub fn batch(&mut self) -> &mut CommitBatch {
        self.cadence.changed(now());
        &mut self.batch
    }

    /// Whether `page` was ever queued: in sled, with the writer, or staged.
    pub fn is_seen(&self, store: &Store, page: &PageKey) -> Result<bool, EngineError> {
        Ok(self.staged_seen.contains(page)
            || self.writing_seen.contains(page)
            || store.is_seen(page)?)
    }

    /// Stages the queueing of `page`.
    pub fn mark_seen(&mut self, page: PageKey) {
        self.batch().mark_seen(&page);
        self.staged_seen.insert(page);
    }

    /// Stages a fetched page's lines for `resource` (index in the config).
    pub fn stage_page(&mut self, resource: usize, lines: PageLines, records: u64) {
        self.cadence.page(now());
        let out = &mut self.outputs[resource];
        let bytes = lines.len();
        out.lines.push(lines);
        out.counters.pages += 1;
        out.counters.records += records;
        out.staged_pages += 1;
        out.staged_records += records;
        out.counters.bytes += bytes;
        out.dirty = true;
        self.staged.pages += 1;
        self.staged.records += records;
        self.staged.bytes_out += bytes;
    }

    /// Whether an incremental page's `judged` records can join resource
    /// `resource`'s pass: its cursor values are of the kind the pass has
    /// met so far (`Err`: what it met instead).
    pub fn pass_accepts(&self, resource: usize, judged: &Judged) -> Result<(), String> {
        let Some((state, ..)) = &self.outputs[resource].pass else {
            return Ok(());
        };
        match (state.max.max(), judged.max.max()) {
            (Some(ours), Some(theirs)) => ours.compare(theirs).map(drop).map_err(|e| e.to_string()),
            _ => Ok(()),
        }
    }

    /// Stages an incremental page's judged records (after
    /// [`Self::pass_accepts`]) and the `kept` records it writes.
    pub fn stage_judged(&mut self, resource: usize, judged: Judged, kept: u64) {
        let Some((state, lag, dirty)) = &mut self.outputs[resource].pass else {
            return;
        };
        // Accepted: every value is of the pass's kind, the merge cannot fail.
        let merged = state.max.merge(judged.max, *lag);
        debug_assert!(merged.is_ok(), "{merged:?}");
        state.records += kept;
        *dirty = true;
    }

    /// Incremental resource `resource`'s pass, with what is staged.
    pub fn pass_state(&self, resource: usize) -> Option<&PassState> {
        self.outputs[resource]
            .pass
            .as_ref()
            .map(|(state, ..)| state)
    }

    /// Stages a dead page of `resource`.
    pub fn count_dead(&mut self, resource: usize) {
        let out = &mut self.outputs[resource];
        out.counters.dead += 1;
        out.dirty = true;
    }

    /// Whether what is staged should be sent at `now`: its oldest change
    /// has waited `COMMIT_EVERY`, or `COMMIT_PAGES` pages are staged (see
    /// `cadence`). [`Self::send`] still waits for a busy writer.
    pub fn due(&self, now: Instant) -> bool {
        self.cadence.due(now)
    }

    /// Nothing staged and nothing with the writer.
    pub fn is_idle(&self) -> bool {
        self.cadence.is_empty() && !self.writing
    }

    /// Hands the staged changes to the writer as one group, unless a group is
    /// already with it (then this one waits for its answer). `next_seq` is the
    /// frontier's next sequence number. Returns whether a group was cut.
    pub fn send(&mut self, next_seq: u64) -> Result<bool, EngineError> {
        if self.writing || self.cadence.is_empty() {
            return Ok(false);
        }
        let now_ms = crate::clock::now_ms();
        let mut lines = Vec::new();
        let mut by_resource = Vec::new();
        for (i, out) in self.outputs.iter_mut().enumerate() {
            if out.staged_pages > 0 {
                let bytes = out.lines.iter().map(PageLines::len).sum();
                by_resource.push((i, out.staged_pages, out.staged_records, bytes));
                (out.staged_pages, out.staged_records) = (0, 0);
            }
            if !out.lines.is_empty() {
                lines.push((i, std::mem::take(&mut out.lines)));
            }
            if out.dirty {
                out.counters.last_commit_ms = now_ms;
                self.batch.set_counters(&out.name, &out.counters);
                out.dirty = false;
            }
            if let Some((state, _, dirty @ true)) = &mut out.pass {
                self.batch.set_pass_state(&out.name, state.encode());
                *dirty = false;
            }
        }
        let mut done = std::mem::take(&mut self.staged);
        done.next_seq = next_seq;
        done.by_resource = by_resource;
        let group = Group {
            lines,
            batch: std::mem::take(&mut self.batch),
            done,
        };
        self.writer.send(group)?;
        self.writing_seen = std::mem::take(&mut self.staged_seen);
        self.cadence.cut();
        self.writing = true;
        Ok(true)
    }

    /// Committed totals of resource `i` plus what is staged.
    pub fn counters(&self, i: usize) -> Counters {
        self.outputs[i].counters
    }

    /// The writer answered for the group it had.
    pub fn written(&mut self) {
        self.writing = false;
        self.writing_seen.clear();
    }
}

/// When a change is staged, on the clock [`Committer::due`] is asked with
/// (the supervisor's monotonic clock: it follows a test's
/// `tokio::time::pause`; see `clock`).
fn now() -> Instant {
    crate::clock::Clock::system().now()
}
