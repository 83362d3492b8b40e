//! The frontier's in-memory window over the pending jobs kept in sled.
//!
//! sled holds every pending job under its sequence number; this window holds
//! at most `window` of them in memory: ready jobs queued per origin, and jobs
//! waiting for a retry time. Jobs are loaded in sequence order through a
//! cursor (`next_unloaded`): every job below it is in memory or finished. A new
//! job is loaded at once when the cursor has caught up and there is room;
//! otherwise it stays in sled until a scan reaches it, which bounds memory for
//! any number of seeds (breadth-first over the backlog).
//!
//! No actors, no clock reads: callers pass `now_ms`.

use crate::messages::Leased;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

pub(crate) struct Frontier {
    /// Ready jobs per origin, in sequence order.
    ready: HashMap<String, VecDeque<Leased>>,
    /// Origins that have ready jobs, in round-robin order.
    rotation: VecDeque<String>,
    /// Jobs waiting for their not-before time: (time, seq) → job.
    delayed: BinaryHeap<Reverse<(u64, u64)>>,
    delayed_jobs: HashMap<u64, (String, Leased)>,
    /// Jobs in memory, in flight included (their outcome is pending).
    loaded: usize,
    /// Most jobs held in memory.
    window: usize,
    /// Every job with a smaller sequence number is loaded or finished.
    next_unloaded: u64,
    /// The next sequence number to allocate.
    next_seq: u64,
    /// `next_seq` at the last commit: every job below it is in sled or finished.
    durable_next: u64,
    /// A scan found nothing new: wait for the next commit before scanning again.
    scan_blocked: bool,
}

impl Frontier {
    pub fn new(window: usize, next_seq: u64) -> Self {
        Self {
            ready: HashMap::new(),
            rotation: VecDeque::new(),
            delayed: BinaryHeap::new(),
            delayed_jobs: HashMap::new(),
            loaded: 0,
            window: window.max(1),
            next_unloaded: 0,
            next_seq,
            durable_next: next_seq,
            scan_blocked: false,
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

    /// Offers a job just allocated: it is loaded at once when everything before
    /// it is, and there is room. Returns false when it stays in sled for now.
    pub fn offer_new(&mut self, origin: String, leased: Leased, now_ms: u64) -> bool {
        if leased.seq != self.next_unloaded || self.loaded >= self.window {
            return false;
        }
        self.next_unloaded = leased.seq + 1;
        self.loaded += 1;
        self.place(origin, leased, now_ms);
        true
    }

    /// How many jobs a scan should fetch from sled now (0: no scan).
    pub fn scan_wanted(&self) -> usize {
        let room = self.window - self.loaded.min(self.window);
        let unloaded = self.next_unloaded < self.next_seq;
        if unloaded && !self.scan_blocked && room >= self.window.div_ceil(2) {
            room
        } else {
            0
        }
    }

    /// Where the next scan starts.
    pub fn scan_from(&self) -> u64 {
        self.next_unloaded
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
            self.next_unloaded = self.next_unloaded.max(last + 1);
        }
        if short {
            self.next_unloaded = self.next_unloaded.max(self.durable_next);
            self.scan_blocked = true;
        }
        for (origin, leased) in jobs {
            self.loaded += 1;
            self.place(origin, leased, now_ms);
        }
    }

    /// A commit made every job below `next_seq` (the allocation point when
    /// the group was cut) visible to scans.
    pub fn committed(&mut self, next_seq: u64) {
        self.durable_next = self.durable_next.max(next_seq);
        self.scan_blocked = false;
    }

    /// Puts a job back to wait until `not_before_ms` (a retry).
    pub fn requeue(&mut self, origin: String, leased: Leased, now_ms: u64) {
        self.place(origin, leased, now_ms);
    }

    /// A loaded job is finished (done, dead, or abandoned): frees its room.
    pub fn finished(&mut self) {
        self.loaded -= 1;
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
        self.loaded == 0 && self.next_unloaded >= self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_store::Job;

    /// A scan of up to `asked` jobs that returned `jobs`.
    fn scan(f: &mut Frontier, jobs: Vec<(String, Leased)>, asked: usize) {
        let last = jobs.last().map(|(_, l)| l.seq);
        let short = jobs.len() < asked;
        f.load_scanned(jobs, last, short, 0);
    }

    fn leased(seq: u64, not_before_ms: u64) -> Leased {
        let url = format!("http://h/{seq}");
        Leased {
            seq,
            job: Job {
                resource: "r".into(),
                url: url.clone(),
                attempt: 0,
                not_before_ms,
                page: 0,
                offset: 0,
                fanned_out: false,
                parent: Vec::new(),
            },
            url: url.parse().unwrap(),
            resource: 0,
        }
    }

    #[test]
    fn new_jobs_load_directly_only_when_caught_up_and_room() {
        let mut f = Frontier::new(2, 0);
        let a = f.allocate();
        assert!(f.offer_new("o".into(), leased(a, 0), 0));
        let b = f.allocate();
        assert!(f.offer_new("o".into(), leased(b, 0), 0));
        let c = f.allocate();
        assert!(!f.offer_new("o".into(), leased(c, 0), 0), "window full");
        f.pop_ready("o");
        f.finished();
        let d = f.allocate();
        assert!(
            !f.offer_new("o".into(), leased(d, 0), 0),
            "c is still unloaded: d must wait its turn"
        );
        assert_eq!(f.scan_from(), c);
    }

    #[test]
    fn scans_wait_for_half_a_window_and_for_commits() {
        let mut f = Frontier::new(4, 10);
        assert_eq!(f.scan_wanted(), 4);
        let jobs = vec![("o".into(), leased(3, 0)), ("o".into(), leased(5, 0))];
        scan(&mut f, jobs, 2);
        assert_eq!(f.scan_from(), 6);
        assert_eq!(f.scan_wanted(), 2);
        scan(&mut f, vec![("o".into(), leased(6, 0))], 2);
        assert_eq!(f.scan_wanted(), 0, "less than half the window free");
    }

    #[test]
    fn a_short_scan_skips_finished_jobs_and_waits_for_the_next_commit() {
        // A resumed state: jobs 0..10 allocated, only 7 still pending.
        let mut f = Frontier::new(8, 10);
        scan(&mut f, vec![("o".into(), leased(7, 0))], 8);
        assert_eq!(f.scan_from(), 10, "jobs 8 and 9 are finished");
        assert_eq!(f.scan_wanted(), 0, "nothing new until a commit");
        let s = f.allocate();
        assert!(
            f.offer_new("o".into(), leased(s, 0), 0),
            "caught up: loads directly"
        );
        for _ in 0..2 {
            f.pop_ready("o").unwrap();
            f.finished();
        }
        assert!(f.is_drained());
    }

    #[test]
    fn an_empty_state_is_drained_after_one_scan() {
        let mut f = Frontier::new(8, 24);
        assert!(!f.is_drained());
        let want = f.scan_wanted();
        scan(&mut f, Vec::new(), want);
        assert!(f.is_drained(), "a finished crawl ends at once");
    }

    #[test]
    fn jobs_left_aside_by_a_scan_still_move_the_cursor() {
        let mut f = Frontier::new(4, 10);
        f.load_scanned(Vec::new(), Some(3), false, 0);
        assert_eq!(f.scan_from(), 4, "jobs 0..=3 were read, none kept");
    }

    #[test]
    fn delayed_jobs_come_out_when_due() {
        let mut f = Frontier::new(10, 0);
        scan(
            &mut f,
            vec![("o".into(), leased(0, 500)), ("p".into(), leased(1, 100))],
            2,
        );
        assert_eq!(f.waiting(), 2);
        f.release_due(99);
        assert!(f.ready_origins().is_empty());
        f.release_due(100);
        assert_eq!(f.ready_origins(), vec!["p".to_string()]);
        assert_eq!(f.pop_ready("p").unwrap().seq, 1);
        f.release_due(1000);
        assert_eq!(f.pop_ready("o").unwrap().seq, 0);
        assert_eq!(f.waiting(), 0);
    }

    #[test]
    fn origins_rotate() {
        let mut f = Frontier::new(10, 0);
        scan(
            &mut f,
            vec![("a".into(), leased(0, 0)), ("b".into(), leased(1, 0))],
            2,
        );
        assert_eq!(f.ready_origins(), vec!["a".to_string(), "b".to_string()]);
        assert_eq!(f.ready_origins(), vec!["b".to_string(), "a".to_string()]);
    }

    #[test]
    fn drained_when_nothing_loaded_or_unloaded() {
        let mut f = Frontier::new(10, 1);
        assert!(!f.is_drained());
        scan(&mut f, vec![("a".into(), leased(0, 0))], 1);
        assert!(!f.is_drained());
        f.pop_ready("a");
        f.finished();
        assert!(f.is_drained());
    }
}
