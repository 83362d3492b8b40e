//! The kill loop: `kill -9` at random instants, restart, repeat; when the crawl
//! finally finishes, every record is in the output exactly once, and no page
//! whose commit was durable before a kill was fetched after it.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream, UpstreamSpec};
use std::collections::HashSet;
use std::time::Duration;

/// xorshift64*: a seeded, dependency-free source of kill delays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[test]
fn kill_9_at_random_instants_loses_and_duplicates_nothing() {
    let spec = UpstreamSpec {
        origins: 2,
        streams: 20,
        pages: 75,
        records: 3,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    up.add_fault(Fault::new(FaultAction::Status(503)).every(37));
    up.add_fault(Fault::new(FaultAction::Truncate).every(101));
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 400.0\nburst = 20\n\
         [retry]\nmax_attempts = 20\nbase_delay = \"5ms\"\nmax_delay = \"50ms\"\n",
    );
    let seed = 0x5eed_2026_u64;
    let mut rng = Rng(seed);
    // ~3.75 s of crawling at 2 × 400 pages/s: 20 kills at 20..200 ms land
    // well before the end. (log length right after the kill, pages durably
    // committed at the kill)
    let mut kills: Vec<(usize, HashSet<u64>)> = Vec::new();
    while kills.len() < 20 {
        let mut child = crawl.spawn();
        std::thread::sleep(Duration::from_millis(20 + rng.below(180)));
        if child.try_wait().unwrap().is_some() {
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

    let out = crawl.run();
    assert_exit(&out, 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let log = up.log().snapshot();
    for (i, (at, committed)) in kills.iter().enumerate() {
        for r in &log[*at..] {
            if let Some(page) = page_of(&spec, r.origin, &r.path) {
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
