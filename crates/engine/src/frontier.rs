//! The frontier's in-memory window over the pending jobs kept in sled.
//!
//! sled holds every pending job under its sequence number; this window holds
//! at most `window` of them in memory: ready jobs queued per origin, jobs
//! waiting for a retry time, and jobs in flight. A scan cursor reads pending
//! jobs from sled in sequence order; a new job is loaded at once when there is
//! room, otherwise it stays in sled until a scan reaches it. Memory is bounded
//! for any number of seeds.
//!
//! No origin may hold more than `origin_cap` jobs in memory: a scan leaves the
//! excess of a full origin in sled (*spills* it) and goes on, so one slow or
//! throttled origin cannot fill the window and starve the others. Once a
//! spilled origin has room again and the scan has read to the end, the cursor
//! goes back to the first spilled job (a *rewind*); jobs already in memory are
//! skipped by sequence number, so nothing is loaded twice.
//!
//! No actors, no clock reads: callers pass `now_ms`.

use crate::messages::Leased;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};

pub(crate) struct Frontier {
    /// Ready jobs per origin, in sequence order.
    ready: HashMap<String, VecDeque<Leased>>,
    /// Origins that have ready jobs, in round-robin order.
    rotation: VecDeque<String>,
    /// Jobs waiting for their not-before time: (time, seq) → job.
    delayed: BinaryHeap<Reverse<(u64, u64)>>,
    delayed_jobs: HashMap<u64, (String, Leased)>,
    /// Sequence numbers of the jobs in memory, in flight included: their
    /// count is the window's fill, and a rewound scan skips them.
    in_memory: HashSet<u64>,
    /// Jobs finished since the last commit cut, and those of the group being
    /// written: sled still lists them as pending until that group is durable,
    /// so a rewound scan must skip them too.
    finished_unsynced: HashSet<u64>,
    finished_syncing: HashSet<u64>,
    /// Jobs in memory per origin.
    per_origin: HashMap<String, usize>,
    /// Most jobs in memory.
    window: usize,
    /// Most jobs of one origin in memory.
    origin_cap: usize,
    /// Where the next scan starts.
    cursor: u64,
    /// The next sequence number to allocate.
    next_seq: u64,
    /// `next_seq` at the last commit: every job below it is in sled or finished.
    durable_next: u64,
    /// A scan read everything durable: wait for the next commit (or a rewind).
    scan_blocked: bool,
    /// The first job a scan left in sled because its origin was full.
    spilled_from: Option<u64>,
    /// Origins that spilled since the last rewind.
    spilled_origins: HashSet<String>,
    /// A spilled origin has room again: the next end of scan rewinds.
    rewind_ready: bool,
}

impl Frontier {
    pub fn new(window: usize, origin_cap: usize, next_seq: u64) -> Self {
        Self {
            ready: HashMap::new(),
            rotation: VecDeque::new(),
            delayed: BinaryHeap::new(),
            delayed_jobs: HashMap::new(),
            in_memory: HashSet::new(),
            finished_unsynced: HashSet::new(),
            finished_syncing: HashSet::new(),
            per_origin: HashMap::new(),
            window: window.max(1),
            origin_cap: origin_cap.max(1),
            cursor: 0,
            next_seq,
            durable_next: next_seq,
            scan_blocked: false,
            spilled_from: None,
            spilled_origins: HashSet::new(),
            rewind_ready: false,
        }
    }

    /// Allocates the sequence number of a new job.
    pub fn allocate(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Offers a job just allocated: it is loaded at once when the window and
    /// its origin have room. Returns false when it stays in sled for now (a
    /// scan reaches it: its sequence number is past the cursor).
    pub fn offer_new(&mut self, origin: String, leased: Leased, now_ms: u64) -> bool {
        if self.in_memory.len() >= self.window || self.origin_full(&origin) {
            return false;
        }
        self.load(origin, leased, now_ms);
        true
    }

    /// How many jobs a scan should fetch from sled now (0: no scan).
    pub fn scan_wanted(&self) -> usize {
        let room = self.window - self.in_memory.len().min(self.window);
        if self.cursor < self.next_seq && !self.scan_blocked && room >= self.window.div_ceil(2) {
            room
        } else {
            0
        }
    }

    /// Where the next scan starts.
    pub fn scan_from(&self) -> u64 {
        self.cursor
    }

    /// Takes in the jobs a scan read from sled, in sequence order; `last_seq`
    /// is the last one the scan read (kept or not). A `short` scan (fewer jobs
    /// than asked) has read everything durable: the cursor moves past the
    /// durable sequence numbers (the missing ones are finished), and scans wait
    /// for the next commit to see the jobs staged since, or for a rewind.
    pub fn load_scanned(
        &mut self,
        jobs: Vec<(String, Leased)>,
        last_seq: Option<u64>,
        short: bool,
        now_ms: u64,
    ) {
        if let Some(last) = last_seq {
            self.cursor = self.cursor.max(last + 1);
        }
        for (origin, leased) in jobs {
            let seq = leased.seq;
            if self.in_memory.contains(&seq)
                || self.finished_unsynced.contains(&seq)
                || self.finished_syncing.contains(&seq)
            {
                continue;
            }
            if self.origin_full(&origin) {
                self.spilled_from =
                    Some(self.spilled_from.map_or(leased.seq, |s| s.min(leased.seq)));
                self.spilled_origins.insert(origin);
                continue;
            }
            self.load(origin, leased, now_ms);
        }
        if short {
            self.cursor = self.cursor.max(self.durable_next);
            self.scan_blocked = true;
            self.maybe_rewind();
        }
    }

    /// A commit group was cut: the jobs finished so far are in it.
    pub fn cut(&mut self) {
        self.finished_syncing.extend(self.finished_unsynced.drain());
    }

    /// The group cut last is durable: every job below `next_seq` (the
    /// allocation point at the cut) is visible to scans, and the jobs it
    /// finished are gone from sled.
    pub fn committed(&mut self, next_seq: u64) {
        self.durable_next = self.durable_next.max(next_seq);
        self.scan_blocked = false;
        self.finished_syncing.clear();
    }

    /// Puts a job back to wait until `not_before_ms` (a retry).
    pub fn requeue(&mut self, origin: String, leased: Leased, now_ms: u64) {
        self.place(origin, leased, now_ms);
    }

    /// Job `seq` of `origin` is finished (done, dead, or abandoned): frees
    /// its room.
    pub fn finished(&mut self, origin: &str, seq: u64) {
        if !self.in_memory.remove(&seq) {
            return;
        }
        self.finished_unsynced.insert(seq);
        if let Some(n) = self.per_origin.get_mut(origin) {
            *n -= 1;
            if *n == 0 {
                self.per_origin.remove(origin);
            }
        }
        if self.spilled_origins.contains(origin) && !self.origin_above(origin, self.origin_cap / 2)
        {
            self.rewind_ready = true;
            self.maybe_rewind();
        }
    }

    fn origin_full(&self, origin: &str) -> bool {
        self.origin_above(origin, self.origin_cap.saturating_sub(1))
    }

    fn origin_above(&self, origin: &str, n: usize) -> bool {
        self.per_origin.get(origin).is_some_and(|c| *c > n)
    }

    /// Sends the cursor back to the first spilled job, once the scan has read
    /// everything and a spilled origin has room.
    fn maybe_rewind(&mut self) {
        if !self.rewind_ready || self.cursor < self.durable_next {
            return;
        }
        if let Some(from) = self.spilled_from.take() {
            self.cursor = from;
            self.scan_blocked = false;
            self.spilled_origins.clear();
        }
        self.rewind_ready = false;
    }

    fn load(&mut self, origin: String, leased: Leased, now_ms: u64) {
        self.in_memory.insert(leased.seq);
        *self.per_origin.entry(origin.clone()).or_default() += 1;
        self.place(origin, leased, now_ms);
    }

    fn place(&mut self, origin: String, leased: Leased, now_ms: u64) {
        let when = leased.job.not_before_ms;
        if when > now_ms {
            self.delayed.push(Reverse((when, leased.seq)));
            self.delayed_jobs.insert(leased.seq, (origin, leased));
        } else {
            self.push_ready(origin, leased);
        }
    }

    fn push_ready(&mut self, origin: String, leased: Leased) {
        let queue = self.ready.entry(origin.clone()).or_default();
        if queue.is_empty() {
            self.rotation.push_back(origin);
        }
        queue.push_back(leased);
    }

    /// Moves the jobs whose time has come to the ready queues.
    pub fn release_due(&mut self, now_ms: u64) {
        while let Some(Reverse((when, seq))) = self.delayed.peek().copied() {
            if when > now_ms {
                break;
            }
            self.delayed.pop();
            if let Some((origin, leased)) = self.delayed_jobs.remove(&seq) {
                self.push_ready(origin, leased);
            }
        }
    }

    /// Origins with ready jobs, in round-robin order (rotated on each call).
    pub fn ready_origins(&mut self) -> Vec<String> {
        let origins: Vec<String> = self.rotation.iter().cloned().collect();
        if let Some(first) = self.rotation.pop_front() {
            self.rotation.push_back(first);
        }
        origins
    }

    /// Takes the next ready job of `origin`.
    pub fn pop_ready(&mut self, origin: &str) -> Option<Leased> {
        let queue = self.ready.get_mut(origin)?;
        let leased = queue.pop_front();
        if queue.is_empty() {
            self.ready.remove(origin);
            self.rotation.retain(|o| o != origin);
        }
        leased
    }

    /// Puts back a job that could not be handed over (its host was full).
    pub fn push_front(&mut self, origin: &str, leased: Leased) {
        let queue = self.ready.entry(origin.to_string()).or_default();
        if queue.is_empty() {
            self.rotation.push_back(origin.to_string());
        }
        queue.push_front(leased);
    }

    pub fn has_ready(&self, origin: &str) -> bool {
        self.ready.contains_key(origin)
    }

    /// Jobs waiting for a retry time.
    pub fn waiting(&self) -> usize {
        self.delayed_jobs.len()
    }

    /// Nothing in memory and nothing left in sled to load.
    pub fn is_drained(&self) -> bool {
        self.in_memory.is_empty() && self.cursor >= self.next_seq && self.spilled_from.is_none()
    }
}

#[cfg(test)]
mod tests;
