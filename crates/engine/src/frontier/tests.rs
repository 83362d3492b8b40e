//! Frontier window tests: loading, scans, spills and rewinds, retry delays.
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
            not_before_ms,
            ..Job::new("r", url.clone())
        },
        url: url.parse().unwrap(),
        resource: 0,
    }
}

fn job(origin: &str, seq: u64) -> (String, Leased) {
    (origin.to_string(), leased(seq, 0))
}

/// Every origin the rotation hands out now, in order.
fn ready_origins(f: &mut Frontier) -> Vec<String> {
    let mut origins = Vec::new();
    while let Some(o) = f.next_ready_origin() {
        // Put one job back so later steps still find the origin ready.
        let l = f.pop_ready(&o).unwrap();
        f.park(&o, l);
        origins.push(o);
    }
    // An unparked origin goes first: unpark the last first to keep the order.
    for o in origins.iter().rev() {
        f.unpark(o);
    }
    origins
}

/// Takes the next ready job of `origin` and finishes it.
fn finish_one(f: &mut Frontier, origin: &str) -> u64 {
    let seq = f.pop_ready(origin).expect("a ready job").seq;
    f.finished(origin, seq);
    seq
}

#[test]
fn new_jobs_load_directly_while_there_is_room() {
    let mut f = Frontier::new(2, 10, 0);
    let a = f.allocate();
    assert!(f.offer_new("o".into(), leased(a, 0), 0));
    let b = f.allocate();
    assert!(f.offer_new("o".into(), leased(b, 0), 0));
    let c = f.allocate();
    assert!(!f.offer_new("o".into(), leased(c, 0), 0), "window full");
    assert_eq!(f.scan_from(), 0);
    assert!(!f.is_drained(), "c is still in sled");
}

#[test]
fn scans_wait_for_half_a_window_and_for_commits() {
    let mut f = Frontier::new(4, 10, 10);
    assert_eq!(f.scan_wanted(), 4);
    scan(&mut f, vec![job("o", 3), job("o", 5)], 2);
    assert_eq!(f.scan_from(), 6);
    assert_eq!(f.scan_wanted(), 2);
    scan(&mut f, vec![job("o", 6)], 2);
    assert_eq!(f.scan_wanted(), 0, "less than half the window free");
}

#[test]
fn a_short_scan_skips_finished_jobs_and_waits_for_the_next_commit() {
    // A resumed state: jobs 0..10 allocated, only 7 still pending.
    let mut f = Frontier::new(8, 8, 10);
    scan(&mut f, vec![job("o", 7)], 8);
    assert_eq!(f.scan_from(), 10, "jobs 8 and 9 are finished");
    assert_eq!(f.scan_wanted(), 0, "nothing new until a commit");
    let s = f.allocate();
    assert!(f.offer_new("o".into(), leased(s, 0), 0));
    finish_one(&mut f, "o");
    finish_one(&mut f, "o");
    assert!(!f.is_drained(), "job 10 is not durable yet");
    f.cut();
    f.committed(11);
    let want = f.scan_wanted();
    scan(&mut f, Vec::new(), want);
    assert!(f.is_drained());
}

#[test]
fn an_empty_state_is_drained_after_one_scan() {
    let mut f = Frontier::new(8, 8, 24);
    assert!(!f.is_drained());
    let want = f.scan_wanted();
    scan(&mut f, Vec::new(), want);
    assert!(f.is_drained(), "a finished crawl ends at once");
}

#[test]
fn jobs_left_aside_by_a_scan_still_move_the_cursor() {
    let mut f = Frontier::new(4, 4, 10);
    f.load_scanned(Vec::new(), Some(3), false, 0);
    assert_eq!(f.scan_from(), 4, "jobs 0..=3 were read, none kept");
}

#[test]
fn a_full_origin_spills_and_the_others_still_load() {
    // Window 8, at most 2 jobs per origin: the slow origin's backlog
    // comes first in sled, yet the fast origin's jobs load.
    let mut f = Frontier::new(8, 2, 6);
    let jobs = vec![
        job("slow", 0),
        job("slow", 1),
        job("slow", 2),
        job("slow", 3),
        job("fast", 4),
        job("fast", 5),
    ];
    scan(&mut f, jobs, 8);
    assert_eq!(ready_origins(&mut f), ["slow", "fast"]);
    assert!(f.has_ready("fast"));
    assert_eq!(f.refill_wanted(), None, "slow is full");
    assert!(!f.is_drained(), "slow jobs 2 and 3 wait in sled");
    // The fast origin finishes; the slow one frees a slot: its range is read back.
    finish_one(&mut f, "fast");
    finish_one(&mut f, "fast");
    assert_eq!(finish_one(&mut f, "slow"), 0);
    let want = Refill {
        origin: "slow".into(),
        from: 2,
        to: 3,
        room: 1,
    };
    assert_eq!(f.refill_wanted(), Some(want));
    assert_eq!(f.scan_from(), 6, "the main scan never goes back");
    // Both still pending in sled; only one fits.
    f.load_refill(
        "slow",
        vec![job("slow", 2), job("slow", 3)],
        Some(3),
        true,
        0,
    );
    assert_eq!(finish_one(&mut f, "slow"), 1);
    assert_eq!(finish_one(&mut f, "slow"), 2);
    assert!(f.pop_ready("slow").is_none());
    assert_eq!(f.refill_wanted().map(|r| (r.from, r.to)), Some((3, 3)));
    f.load_refill("slow", vec![job("slow", 3)], Some(3), true, 0);
    assert_eq!(finish_one(&mut f, "slow"), 3);
    assert_eq!(f.refill_wanted(), None);
    assert!(f.is_drained());
}

#[test]
fn a_refill_skips_other_origins_and_jobs_already_known() {
    let mut f = Frontier::new(100, 2, 7);
    let jobs = ["a", "a", "b", "a", "b", "a", "a"]
        .iter()
        .enumerate()
        .map(|(i, o)| job(o, i as u64))
        .collect();
    scan(&mut f, jobs, 100);
    finish_one(&mut f, "a"); // job 0: a holds 1, its range 3..=6 is wanted
    let r = f.refill_wanted().unwrap();
    assert_eq!((r.from, r.to, r.room), (3, 6, 1));
    // A read cut at two entries: job 3 loads, job 4 is b's (in memory).
    f.load_refill("a", vec![job("a", 3), job("b", 4)], Some(4), false, 0);
    assert_eq!(f.refill_wanted(), None, "a is full again");
    assert_eq!(finish_one(&mut f, "a"), 1);
    let r = f.refill_wanted().unwrap();
    assert_eq!((r.from, r.to), (5, 6), "the range moved past what was read");
    // Job 1 is finished but not yet durable: still listed, never loaded twice.
    f.load_refill("a", vec![job("a", 5), job("a", 6)], Some(6), true, 0);
    assert_eq!(finish_one(&mut f, "a"), 3);
    assert_eq!(finish_one(&mut f, "a"), 5);
    assert_eq!(f.refill_wanted().map(|r| r.from), Some(6));
}

/// Crawls `origins[seq]` for every job through a frontier with a BTreeMap as
/// sled, finishing all ready jobs each step; returns how many jobs were read.
fn crawl(window: usize, cap: usize, origins: &[String]) -> usize {
    use std::collections::BTreeMap;
    let mut sled: BTreeMap<u64, String> = origins
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, o)| (i as u64, o))
        .collect();
    let n = origins.len() as u64;
    let mut f = Frontier::new(window, cap, n);
    let (mut reads, mut done, mut steps) = (0, 0, 0);
    let read =
        |sled: &BTreeMap<u64, String>, range: std::ops::RangeInclusive<u64>, limit: usize| {
            sled.range(range)
                .take(limit)
                .map(|(seq, o)| (o.clone(), leased(*seq, 0)))
                .collect::<Vec<_>>()
        };
    while !f.is_drained() {
        steps += 1;
        assert!(steps < 10 * n as usize, "no progress");
        if let Some(r) = f.refill_wanted() {
            let limit = (r.room * 2).max(64);
            let jobs = read(&sled, r.from..=r.to, limit);
            reads += jobs.len();
            let (last, to_end) = (jobs.last().map(|(_, l)| l.seq), jobs.len() < limit);
            f.load_refill(&r.origin, jobs, last, to_end, 0);
        }
        let want = f.scan_wanted();
        if want > 0 {
            let jobs = read(&sled, f.scan_from()..=u64::MAX, want);
            reads += jobs.len();
            let (last, short) = (jobs.last().map(|(_, l)| l.seq), jobs.len() < want);
            f.load_scanned(jobs, last, short, 0);
        }
        while let Some(o) = f.next_ready_origin() {
            while let Some(l) = f.pop_ready(&o) {
                f.finished(&o, l.seq);
                sled.remove(&l.seq);
                done += 1;
            }
        }
        f.cut();
        f.committed(n);
    }
    assert_eq!(done, n);
    reads
}

#[test]
fn a_big_frontier_is_read_about_once_not_once_per_refill() {
    // One origin far above its cap: the old rewind read the whole rest of
    // the frontier every cap/2 pages (quadratic); refills read its range.
    let n = 20_000;
    let one: Vec<String> = vec!["o".to_string(); n];
    let reads = crawl(64, 16, &one);
    assert!(reads <= 6 * n, "{reads} reads for {n} jobs");
    // Two origins interleaved, both spilling.
    let two: Vec<String> = (0..n).map(|i| format!("o{}", i % 2)).collect();
    let reads = crawl(64, 16, &two);
    assert!(reads <= 6 * n, "{reads} reads for {n} jobs");
}

#[test]
fn delayed_jobs_come_out_when_due() {
    let mut f = Frontier::new(10, 10, 0);
    scan(
        &mut f,
        vec![("o".into(), leased(0, 500)), ("p".into(), leased(1, 100))],
        2,
    );
    assert_eq!(f.waiting(), 2);
    f.release_due(99);
    assert_eq!(f.next_ready_origin(), None);
    f.release_due(100);
    assert_eq!(f.next_ready_origin().as_deref(), Some("p"));
    assert_eq!(f.pop_ready("p").unwrap().seq, 1);
    f.release_due(1000);
    assert_eq!(f.pop_ready("o").unwrap().seq, 0);
    assert_eq!(f.waiting(), 0);
}

#[test]
fn origins_rotate() {
    let mut f = Frontier::new(10, 10, 0);
    scan(&mut f, vec![job("a", 0), job("b", 1), job("a", 2)], 3);
    assert_eq!(f.next_ready_origin().as_deref(), Some("a"));
    assert_eq!(f.pop_ready("a").unwrap().seq, 0);
    // `a` still has a job but was taken: it comes back after new work only.
    assert_eq!(f.next_ready_origin().as_deref(), Some("b"));
    assert_eq!(f.next_ready_origin(), None);
    f.load_scanned(vec![job("a", 3)], Some(3), false, 0);
    assert_eq!(f.next_ready_origin().as_deref(), Some("a"));
    let order: Vec<u64> = std::iter::from_fn(|| f.pop_ready("a").map(|l| l.seq)).collect();
    assert_eq!(order, [2, 3]);
}

#[test]
fn jobs_found_in_pages_go_first_depth_first() {
    let mut f = Frontier::new(10, 10, 0);
    scan(&mut f, vec![job("a", 0), job("b", 1), job("c", 2)], 3);
    assert_eq!(f.next_ready_origin().as_deref(), Some("a"));
    finish_one(&mut f, "a");
    // a's next page, found in the page just done: a goes on before b and c.
    let (origin, next) = job("a", f.allocate());
    assert!(f.offer_new(origin, next, 0));
    assert_eq!(ready_origins(&mut f), ["a", "b", "c"]);
    // A retry waiting for its time is no continuation: it goes last once due.
    let (origin, later) = (String::from("d"), leased(f.allocate(), 50));
    assert!(f.offer_new(origin, later, 0));
    f.release_due(50);
    assert_eq!(ready_origins(&mut f), ["a", "b", "c", "d"]);
}

#[test]
fn a_parked_origin_leaves_the_rotation_until_unparked() {
    let mut f = Frontier::new(10, 10, 0);
    scan(&mut f, vec![job("a", 0), job("a", 1), job("b", 2)], 3);
    assert_eq!(f.next_ready_origin().as_deref(), Some("a"));
    let first = f.pop_ready("a").unwrap();
    f.park("a", first);
    assert_eq!(f.next_ready_origin().as_deref(), Some("b"));
    assert_eq!(f.pop_ready("b").unwrap().seq, 2);
    assert_eq!(f.next_ready_origin(), None, "a is parked");
    // New work for a parked origin does not bring it back either.
    f.load_scanned(vec![job("a", 3)], Some(3), false, 0);
    assert_eq!(f.next_ready_origin(), None);
    assert!(f.has_ready("a"));
    f.unpark("a");
    f.unpark("a");
    f.unpark("nobody");
    assert_eq!(f.next_ready_origin().as_deref(), Some("a"));
    assert_eq!(f.next_ready_origin(), None, "queued once");
    let order: Vec<u64> = std::iter::from_fn(|| f.pop_ready("a").map(|l| l.seq)).collect();
    assert_eq!(order, [0, 1, 3], "the parked job goes first");
}

#[test]
fn emptied_origins_leave_no_entries_behind() {
    // 1,000 origins with one job each: taking each once leaves no state, and
    // a stale rotation entry (queue emptied while queued) is dropped once.
    let mut f = Frontier::new(2000, 10, 0);
    let jobs = (0..1000).map(|i| job(&format!("o{i}"), i)).collect();
    f.load_scanned(jobs, Some(999), false, 0);
    let mut seen = 0;
    while let Some(origin) = f.next_ready_origin() {
        let l = f.pop_ready(&origin).unwrap();
        assert!(f.pop_ready(&origin).is_none());
        f.finished(&origin, l.seq);
        seen += 1;
    }
    assert_eq!(seen, 1000);
    assert!(f.ready.is_empty() && f.rotation.is_empty());
    // Stale: o1 is emptied while it still has its rotation entry.
    f.load_scanned(vec![job("o1", 1000), job("o2", 1001)], Some(1001), false, 0);
    assert_eq!(f.pop_ready("o1").unwrap().seq, 1000);
    assert_eq!(f.next_ready_origin().as_deref(), Some("o2"));
    assert!(f.pop_ready("o2").is_some());
    assert!(f.ready.is_empty() && f.rotation.is_empty());
}

#[test]
fn drained_when_nothing_in_memory_or_in_sled() {
    let mut f = Frontier::new(10, 10, 1);
    assert!(!f.is_drained());
    scan(&mut f, vec![job("a", 0)], 1);
    assert!(!f.is_drained());
    finish_one(&mut f, "a");
    assert!(f.is_drained());
}
