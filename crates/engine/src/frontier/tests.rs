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

fn job(origin: &str, seq: u64) -> (String, Leased) {
    (origin.to_string(), leased(seq, 0))
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
    assert_eq!(f.ready_origins().len(), 2);
    assert!(f.has_ready("fast"));
    assert!(!f.is_drained(), "slow jobs 2 and 3 wait in sled");
    // The fast origin finishes; the slow one frees a slot: rewind to job 2.
    finish_one(&mut f, "fast");
    finish_one(&mut f, "fast");
    assert_eq!(finish_one(&mut f, "slow"), 0);
    assert_eq!(f.scan_from(), 2, "rewound to the first spilled job");
    assert!(f.scan_wanted() > 0);
    // The rescan reads 1..=5 again (still pending in sled): only 2 is new
    // (1 is in memory, 0, 4 and 5 are finished but not yet durable).
    let again = vec![
        job("slow", 1),
        job("slow", 2),
        job("slow", 3),
        job("fast", 4),
        job("fast", 5),
    ];
    scan(&mut f, again, 8);
    assert_eq!(finish_one(&mut f, "slow"), 1);
    assert_eq!(finish_one(&mut f, "slow"), 2);
    assert!(
        f.pop_ready("fast").is_none(),
        "finished jobs are never loaded twice"
    );
    assert!(
        f.pop_ready("slow").is_none(),
        "job 3 spilled again: the origin was full"
    );
    assert_eq!(f.scan_from(), 3, "and the cursor is back on it");
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
    let mut f = Frontier::new(10, 10, 0);
    scan(&mut f, vec![job("a", 0), job("b", 1)], 2);
    assert_eq!(f.ready_origins(), vec!["a".to_string(), "b".to_string()]);
    assert_eq!(f.ready_origins(), vec!["b".to_string(), "a".to_string()]);
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
