//! One atomic unit of progress: pages done, jobs added, offsets and counters
//! moved, dead letters written — all or nothing.

use crate::{keys, Counters, CutStream, DeadLetter, Job, PageKey, ResourceMeta};

/// Changes to apply together with [`Store::commit`](crate::Store::commit).
/// Later writes to the same key win, so a job added and finished in one batch
/// leaves no trace in the frontier.
#[derive(Default)]
pub struct CommitBatch {
    inner: sled::Batch,
    /// Writes in `inner`.
    writes: usize,
    /// Pages marked seen: written as one block of the seen set on commit.
    seen: Vec<PageKey>,
}

impl CommitBatch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts (or rewrites, e.g. for a retry) job `seq` in the frontier.
    pub fn put_job(&mut self, seq: u64, job: &Job) {
        self.insert(&keys::pending(seq), job.encode());
    }

    /// Takes job `seq` out of the frontier (done or dead).
    pub fn remove_job(&mut self, seq: u64) {
        self.remove(&keys::pending(seq));
    }

    /// Records that `page` has been queued, so it is never queued again.
    pub fn mark_seen(&mut self, page: &PageKey) {
        self.seen.push(*page);
    }

    /// Records how many jobs are pending once this batch is applied (kept
    /// with every change, so a resume need not count a million jobs).
    pub fn set_pending_count(&mut self, count: u64) {
        self.insert(keys::PENDING_COUNT, count.to_be_bytes().to_vec());
    }

    pub fn set_next_seq(&mut self, seq: u64) {
        self.insert(keys::NEXT_SEQ, seq.to_be_bytes().to_vec());
    }

    /// Records what the state knows of resource `name`.
    pub fn set_resource_meta(&mut self, name: &str, meta: &ResourceMeta) {
        self.insert(&keys::resource(name), meta.encode());
    }

    /// Records the hash of where `name`'s seeds come from (see
    /// [`Store::seeds_source`](crate::Store::seeds_source)).
    pub fn set_seeds_source(&mut self, name: &str, hash: u128) {
        self.insert(&keys::seeds_source(name), hash.to_be_bytes().to_vec());
    }

    /// Records an incremental resource's pass state (see
    /// [`Store::pass_state`](crate::Store::pass_state)).
    pub fn set_pass_state(&mut self, resource: &str, state: Vec<u8>) {
        self.insert(&keys::pass_state(resource), state);
    }

    pub fn set_sink_offset(&mut self, resource: &str, offset: u64) {
        self.insert(&keys::offset(resource), offset.to_be_bytes().to_vec());
    }

    pub fn set_counters(&mut self, resource: &str, counters: &Counters) {
        self.insert(&keys::counters(resource), counters.encode());
    }

    pub fn dead_letter(&mut self, seq: u64, letter: &DeadLetter) {
        self.insert(&keys::dead(seq), letter.encode());
    }

    /// Records when job `seq` first failed (its first retry is scheduled
    /// in this batch), so a dead letter can say when its trouble began, also
    /// after a restart.
    pub fn set_first_failure(&mut self, seq: u64, ms: u64) {
        self.insert(&keys::first_failure(seq), ms.to_be_bytes().to_vec());
    }

    /// Forgets when job `seq` first failed (it left the frontier, or starts
    /// afresh). Only for jobs that failed before: no write on a page that
    /// never failed.
    pub fn remove_first_failure(&mut self, seq: u64) {
        self.remove(&keys::first_failure(seq));
    }

    /// Takes dead letter `seq` out (its page was put back in the frontier).
    pub fn remove_dead_letter(&mut self, seq: u64) {
        self.remove(&keys::dead(seq));
    }

    /// Records that page `seq` cut its stream short (one entry per page).
    pub fn cut_stream(&mut self, seq: u64, cut: &CutStream) {
        self.insert(&keys::cut(seq), cut.encode());
    }

    /// Takes the cut stream recorded by page `seq` out (it was resumed).
    pub fn remove_cut_stream(&mut self, seq: u64) {
        self.remove(&keys::cut(seq));
    }

    fn insert(&mut self, key: &[u8], value: Vec<u8>) {
        self.inner.insert(key, value);
        self.writes += 1;
    }

    fn remove(&mut self, key: &[u8]) {
        self.inner.remove(key);
        self.writes += 1;
    }

    /// The sled batch, how many writes it holds, and the pages marked seen.
    pub(crate) fn into_parts(self) -> (sled::Batch, usize, Vec<PageKey>) {
        (self.inner, self.writes, self.seen)
    }
}
