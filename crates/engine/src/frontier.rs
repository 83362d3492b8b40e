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
//! throttled origin cannot fill the window and starve the others. Each
//! spilled origin remembers the sequence range holding its spilled jobs (one
//! range per origin, however many jobs); once the origin is down to half its
//! cap, that range is read back (*refilled*), and only that origin's jobs are
//! taken from it. The main scan never goes back, so every pending job is read
//! about once per run: no rescans of the whole frontier, whatever the number
//! of jobs or origins. (Other origins' jobs inside a range are skipped: they
//! are in memory, finished, or in their own origin's range.)
//!
//! No actors, no clock reads: callers pass `now_ms`.

use crate::messages::Leased;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};

/// The ready jobs of one origin and its place in the rotation.
#[derive(Default)]
struct ReadyQueue {
    /// In sequence order (a job put back goes first again).
    jobs: VecDeque<Leased>,
    /// The origin has an entry in `rotation`; the entry may have gone stale
    /// (queue emptied or origin parked since) and is skipped when reached.
    queued: bool,
    /// Its host could take no more: out of the rotation until `unpark`.
    parked: bool,
}

pub(crate) struct Frontier {
    /// Ready jobs per origin. An origin has an entry while it has ready jobs,
    /// an entry in `rotation`, or is parked: never more entries than jobs in
    /// memory plus origins in flight.
    ready: HashMap<String, ReadyQueue>,
    /// Origins to hand jobs to, in round-robin order, each at most once.
    /// Taking an origin removes it (no clone of the list, no scan): the cost
    /// of handing out work follows the origins that have some, not all origins.
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
    /// A scan read everything durable: wait for the next commit.
    scan_blocked: bool,
    /// Per origin that spilled: where its spilled jobs are in sled.
    spills: HashMap<String, Spill>,
    /// Spilled origins with room again, to refill first-come first-served.
    refill_queue: VecDeque<String>,
}

/// The jobs of one origin that a scan left in sled: all have sequence numbers
/// in `from..=to`, among jobs of other origins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spill {
    from: u64,
    to: u64,
    /// In `refill_queue`.
    queued: bool,
}

/// Where an origin joins the rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Next to be served (depth-first: a stream under way goes on).
    First,
    /// After every origin waiting.
    Last,
}

/// A range of sled to read for one spilled origin (see [`Frontier::refill_wanted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refill {
    pub origin: String,
    /// Sequence numbers `from..=to`.
    pub from: u64,
    pub to: u64,
    /// How many of the origin's jobs fit now.
    pub room: usize,
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
            spills: HashMap::new(),
            refill_queue: VecDeque::new(),
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
    ///
    /// A job offered here was found in a page just fetched (a next page, a
    /// child): its origin goes to the *front* of the rotation when it is not
    /// in it yet. The crawl is depth-first, as Scrapy's default LIFO
    /// scheduling is: streams under way finish before new origins start, so
    /// only about as many origins as there are requests in flight are
    /// active at once, and finished ones go idle and stop (with 10,000
    /// origins of one stream each, breadth-first kept every origin's host
    /// and connection open to the end).
    pub fn offer_new(&mut self, origin: String, leased: Leased, now_ms: u64) -> bool {
        if self.in_memory.len() >= self.window || self.origin_full(&origin) {
            return false;
        }
        self.track(&origin, &leased);
        self.place(origin, leased, now_ms, Place::First);
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
    /// for the next commit to see the jobs staged since.
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
            if self.is_known(seq) {
                continue;
            }
            if self.origin_full(&origin) {
                let seq = leased.seq;
                self.spills
                    .entry(origin)
                    .and_modify(|s| s.to = s.to.max(seq))
                    .or_insert(Spill {
                        from: seq,
                        to: seq,
                        queued: false,
                    });
                continue;
            }
            self.load(origin, leased, now_ms);
        }
        if short {
            self.cursor = self.cursor.max(self.durable_next);
            self.scan_blocked = true;
        }
    }

    /// The spilled range to read next, if a spilled origin has room and the
    /// window too.
    pub fn refill_wanted(&mut self) -> Option<Refill> {
        let window_room = self.window.saturating_sub(self.in_memory.len());
        if window_room == 0 {
            return None;
        }
        while let Some(origin) = self.refill_queue.front() {
            match self.spills.get(origin) {
                Some(spill) if !self.origin_full(origin) => {
                    let held = self.per_origin.get(origin).copied().unwrap_or(0);
                    return Some(Refill {
                        origin: origin.clone(),
                        from: spill.from,
                        to: spill.to,
                        room: (self.origin_cap - held).min(window_room),
                    });
                }
                Some(_) => {
                    // Full again: it is queued again when it drains.
                    let origin = self.refill_queue.pop_front().expect("peeked");
                    if let Some(spill) = self.spills.get_mut(&origin) {
                        spill.queued = false;
                    }
                }
                None => {
                    self.refill_queue.pop_front();
                }
            }
        }
        None
    }

    /// Takes in what was read of `origin`'s spilled range: the pending jobs
    /// from `refill.from` on, in sequence order, up to `last_seq` (the last
    /// one read); `to_end` when the read reached `refill.to`. Loads the
    /// origin's jobs while it has room and moves its range past them.
    pub fn load_refill(
        &mut self,
        origin: &str,
        jobs: Vec<(String, Leased)>,
        last_seq: Option<u64>,
        to_end: bool,
        now_ms: u64,
    ) {
        let Some(spill) = self.spills.get(origin).copied() else {
            return;
        };
        let mut from = if to_end {
            spill.to + 1
        } else {
            last_seq.map_or(spill.from, |l| l + 1)
        };
        for (o, leased) in jobs {
            let seq = leased.seq;
            if o != origin || seq < spill.from || seq > spill.to || self.is_known(seq) {
                continue;
            }
            if self.origin_full(origin) || self.in_memory.len() >= self.window {
                // No room: the range goes on from this job.
                from = seq;
                break;
            }
            self.load(o, leased, now_ms);
        }
        if from > spill.to {
            self.spills.remove(origin);
            if self.refill_queue.front().map(String::as_str) == Some(origin) {
                self.refill_queue.pop_front();
            }
        } else if let Some(s) = self.spills.get_mut(origin) {
            s.from = from;
        }
    }

    /// In memory, or finished and not yet gone from sled.
    fn is_known(&self, seq: u64) -> bool {
        self.in_memory.contains(&seq)
            || self.finished_unsynced.contains(&seq)
            || self.finished_syncing.contains(&seq)
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
        self.place(origin, leased, now_ms, Place::Last);
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
        if let Some(spill) = self.spills.get_mut(origin) {
            if !spill.queued && !origin_above(&self.per_origin, origin, self.origin_cap / 2) {
                spill.queued = true;
                self.refill_queue.push_back(origin.to_string());
            }
        }
    }

    fn origin_full(&self, origin: &str) -> bool {
        origin_above(&self.per_origin, origin, self.origin_cap.saturating_sub(1))
    }

    fn load(&mut self, origin: String, leased: Leased, now_ms: u64) {
        self.track(&origin, &leased);
        self.place(origin, leased, now_ms, Place::Last);
    }

    /// Counts a job into the window.
    fn track(&mut self, origin: &str, leased: &Leased) {
        self.in_memory.insert(leased.seq);
        match self.per_origin.get_mut(origin) {
            Some(n) => *n += 1,
            None => {
                self.per_origin.insert(origin.to_string(), 1);
            }
        }
    }

    /// A ready job joins its origin's queue (the origin joins the rotation
    /// at `at`); a job waiting for its time goes aside until then, and
    /// joins last once due.
    fn place(&mut self, origin: String, leased: Leased, now_ms: u64, at: Place) {
        let when = leased.job.not_before_ms;
        if when > now_ms {
            self.delayed.push(Reverse((when, leased.seq)));
            self.delayed_jobs.insert(leased.seq, (origin, leased));
        } else {
            self.push_ready(origin, leased, at);
        }
    }

    /// Queues a ready job; an origin not in the rotation joins it at `place`.
    fn push_ready(&mut self, origin: String, leased: Leased, place: Place) {
        let queue = match self.ready.get_mut(&origin) {
            Some(queue) => queue,
            None => self.ready.entry(origin.clone()).or_default(),
        };
        queue.jobs.push_back(leased);
        if !queue.queued && !queue.parked {
            queue.queued = true;
            match place {
                Place::First => self.rotation.push_front(origin),
                Place::Last => self.rotation.push_back(origin),
            }
        }
    }

    /// Moves the jobs whose time has come to the ready queues.
    pub fn release_due(&mut self, now_ms: u64) {
        while let Some(Reverse((when, seq))) = self.delayed.peek().copied() {
            if when > now_ms {
                break;
            }
            self.delayed.pop();
            if let Some((origin, leased)) = self.delayed_jobs.remove(&seq) {
                self.push_ready(origin, leased, Place::Last);
            }
        }
    }

    /// Takes the next origin of the rotation that has ready jobs and is not
    /// parked. The caller hands it jobs with [`pop_ready`](Self::pop_ready)
    /// until it is empty, or [`park`](Self::park)s it when its host is full;
    /// either way the origin is out of the rotation until it has new jobs or
    /// is unparked. O(1) amortised: each stale entry is dropped once.
    pub fn next_ready_origin(&mut self) -> Option<String> {
        while let Some(origin) = self.rotation.pop_front() {
            let queue = self
                .ready
                .get_mut(&origin)
                .expect("queued origins have an entry");
            queue.queued = false;
            if queue.parked {
                continue;
            }
            if !queue.jobs.is_empty() {
                return Some(origin);
            }
            self.ready.remove(&origin);
        }
        None
    }

    /// Takes the next ready job of `origin`.
    pub fn pop_ready(&mut self, origin: &str) -> Option<Leased> {
        let queue = self.ready.get_mut(origin)?;
        let leased = queue.jobs.pop_front();
        if queue.jobs.is_empty() && !queue.queued && !queue.parked {
            self.ready.remove(origin);
        }
        leased
    }

    /// Puts back a job that could not be handed over (its host was closed):
    /// first in its origin's queue, the origin back in the rotation.
    pub fn push_front(&mut self, origin: &str, leased: Leased) {
        let queue = self.ready.entry(origin.to_string()).or_default();
        queue.jobs.push_front(leased);
        if !queue.queued && !queue.parked {
            queue.queued = true;
            self.rotation.push_back(origin.to_string());
        }
    }

    /// Puts back a job that did not fit because `origin`'s host is full (or
    /// because no host may start for it yet), and leaves the origin out of
    /// the rotation until [`unpark`](Self::unpark) (there is room again).
    pub fn park(&mut self, origin: &str, leased: Leased) {
        let queue = self.ready.entry(origin.to_string()).or_default();
        queue.jobs.push_front(leased);
        queue.parked = true;
    }

    /// `origin`'s host may have room again: back in the rotation if it has
    /// ready jobs. Cheap when it was not parked.
    pub fn unpark(&mut self, origin: &str) {
        let Some(queue) = self.ready.get_mut(origin) else {
            return;
        };
        if !queue.parked {
            return;
        }
        queue.parked = false;
        if queue.queued {
            return;
        }
        if queue.jobs.is_empty() {
            self.ready.remove(origin);
        } else {
            // Its host is live and has room: first, as a stream under way.
            queue.queued = true;
            self.rotation.push_front(origin.to_string());
        }
    }

    /// Takes every job of `origin` that waits in memory, ready or for its
    /// time (not those in flight): the origin was given up. Each must then
    /// be [`finished`](Self::finished).
    pub fn take_origin(&mut self, origin: &str) -> Vec<Leased> {
        let mut taken: Vec<Leased> = Vec::new();
        if let Some(queue) = self.ready.get_mut(origin) {
            taken.extend(queue.jobs.drain(..));
            // An entry in the rotation or parked stays (emptied), as in `pop_ready`.
            if !queue.queued && !queue.parked {
                self.ready.remove(origin);
            }
        }
        let waiting: Vec<u64> = self
            .delayed_jobs
            .iter()
            .filter(|(_, (o, _))| o == origin)
            .map(|(seq, _)| *seq)
            .collect();
        // Their heap entries go stale: `release_due` skips them.
        taken.extend(
            waiting
                .into_iter()
                .filter_map(|seq| self.delayed_jobs.remove(&seq).map(|(_, l)| l)),
        );
        taken
    }

    #[cfg(test)]
    pub fn has_ready(&self, origin: &str) -> bool {
        self.ready.get(origin).is_some_and(|q| !q.jobs.is_empty())
    }

    /// Whether any job of `origin` is in memory: ready, waiting for a retry
    /// time, or in flight.
    pub fn holds_jobs_of(&self, origin: &str) -> bool {
        self.per_origin.contains_key(origin)
    }

    /// Jobs waiting for a retry time.
    pub fn waiting(&self) -> usize {
        self.delayed_jobs.len()
    }

    /// Nothing in memory and nothing left in sled to load.
    pub fn is_drained(&self) -> bool {
        self.in_memory.is_empty() && self.cursor >= self.next_seq && self.spills.is_empty()
    }
}

/// Whether `origin` holds more than `n` jobs in memory.
fn origin_above(per_origin: &HashMap<String, usize>, origin: &str, n: usize) -> bool {
    per_origin.get(origin).is_some_and(|c| *c > n)
}

#[cfg(test)]
mod tests;
