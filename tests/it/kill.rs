//! The kill loop: `kill -9` at random points of the crawl, restart, repeat;
//! when the crawl finally finishes, every record is in the output exactly
//! once, and no page whose commit was durable before a kill was fetched
//! after it.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, UpstreamSpec};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing() {
    let up = upstream(shape(2, 20, 75, 3));
    let spec = up.spec();
    up.add_fault(Fault::new(FaultAction::Status(503)).every(37));
    up.add_fault(Fault::new(FaultAction::Truncate).every(101));
    let crawl = Crawl::of(&up)
        .settings(
            "[client]\nrate_per_sec = 400.0\nburst = 20\n\
             [retry]\nmax_attempts = 20\nbase_delay = \"5ms\"\nmax_delay = \"50ms\"\n",
        )
        .write();
    let seed = 0x5eed_2026_u64;
    let mut rng = StdRng::seed_from_u64(seed);
    // Each run is killed once the upstream has received 0..200 more
    // requests (0: during start-up; a run commits every 100 ms, ~100 pages
    // at full speed): a point in the crawl's progress, not in time, so the
    // 20 kills land before the end on any machine. For this seed the draws
    // sum to 2,351 requests; with the few that arrive while each kill is
    // under way that stays below the 3,000 pages (plus the pages every kill
    // makes it fetch again) that finishing takes.
    // (log length right after the kill, pages durably committed at the kill)
    let mut kills: Vec<(usize, HashSet<u64>)> = Vec::new();
    while kills.len() < 20 {
        let kill_at = up.log().received() + rng.gen_range(0..200usize);
        let mut child = crawl.spawn();
        let mut finished = false;
        wait_until("the kill point or the end of the run", || {
            finished = child.try_wait().unwrap().is_some();
            finished || up.log().received() >= kill_at
        });
        if finished {
            break; // finished before this kill: the crawl is over
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills.push((up.log().len(), committed_pages(&crawl, spec.records as u64)));
    }
    assert!(
        kills.len() >= 20,
        "seed {seed:#x}: only {} kills landed before the crawl finished",
        kills.len()
    );
    let progress: Vec<usize> = kills.iter().map(|(_, p)| p.len()).collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "committed pages never go back: {progress:?}"
    );

    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
    let log = up.log().snapshot();
    for (i, (at, committed)) in kills.iter().enumerate() {
        for r in &log[*at..] {
            if let Some(page) = page_of(spec, r.origin, &r.path) {
                assert!(
                    !committed.contains(&page),
                    "seed {seed:#x}: page {} committed before kill {i} was fetched after it",
                    r.path
                );
            }
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(crawl.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["items.jsonl"], "no temporary files left");
}

/// Global page numbers whose records lie within the committed offset.
fn committed_pages(crawl: &Crawl, records_per_page: u64) -> HashSet<u64> {
    let Ok(store) = harvest_store::Store::open(&crawl.path("state")) else {
        return HashSet::new(); // killed before the state existed
    };
    let offset = store.sink_offset("items").unwrap() as usize;
    let bytes = std::fs::read(crawl.path("out/items.jsonl")).unwrap_or_default();
    assert!(
        bytes.len() >= offset,
        "the output holds every committed byte"
    );
    let text = std::str::from_utf8(&bytes[..offset]).unwrap();
    text.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_u64()
                .unwrap()
                / records_per_page
        })
        .collect()
}

/// `/s/{s}/p/{p}` on `origin` → global page number.
fn page_of(spec: &UpstreamSpec, origin: usize, path: &str) -> Option<u64> {
    let rest = path.strip_prefix("/s/")?;
    let (s, p) = rest.split_once("/p/")?;
    let (s, p): (usize, usize) = (s.parse().ok()?, p.parse().ok()?);
    Some(((origin * spec.streams + s) * spec.pages + p) as u64)
}

/// Regression: the seeding was not flushed before the first group commit
/// wrote the output, so a `kill -9` between that write and the commit's own
/// flush left records the state did not know of, and every later run
/// refused the output (exit 2). Each round kills a fresh crawl as soon as
/// its output has its first bytes, the window that lost the seeding.
#[test]
fn a_kill_9_at_the_first_output_write_resumes_exactly_once() {
    let up = upstream(shape(1, 4, 40, 3));
    let spec = up.spec();
    for round in 0..8 {
        let crawl = Crawl::of(&up)
            .settings("[client]\nrate_per_sec = 1000.0\nburst = 50\n")
            .write();
        let mut child = crawl.spawn();
        let output = crawl.path("out/items.jsonl");
        // Polled tightly: the window is the first commit's sled flush.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut finished = false;
        while !finished && !std::fs::metadata(&output).is_ok_and(|m| m.len() > 0) {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: no output"
            );
            finished = child.try_wait().unwrap().is_some();
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(
            !finished,
            "round {round}: the crawl ended before its first output write was seen"
        );
        crawl.run_expect(0);
        crawl.assert_every_record_once(spec);
    }
}
