//! The splitter's speed against the serde scan it replaced (`oracle`), on a
//! shared, loaded machine: many short batches interleaved, the fastest
//! batch of each kept (the least disturbed). Ignored by default; run with
//! `cargo test --release -p harvest-paginate -- --ignored --nocapture speed`.

use super::oracle;
use super::*;
use std::time::{Duration, Instant};

/// A testkit-shaped page of `records` records.
fn page(records: u64) -> Vec<u8> {
    let pad = "x".repeat(60);
    let mut body = b"{\"data\":[".to_vec();
    for id in 0..records {
        if id > 0 {
            body.push(b',');
        }
        body.extend_from_slice(
            format!(
                "{{\"id\":{id},\"origin\":0,\"stream\":0,\"page\":0,\"name\":\"rec-{id}\",\"pad\":\"{pad}\"}}"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(b"],\"next\":\"http://127.0.0.1:8080/s/0/p/1\"}");
    body
}

/// The fastest of `batches` batches of `per_batch` runs of `f`, per run.
fn fastest(batches: usize, per_batch: u32, mut f: impl FnMut()) -> Duration {
    (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            t.elapsed() / per_batch
        })
        .min()
        .unwrap_or_default()
}

#[test]
#[ignore = "a measurement; run in release"]
fn speed_against_the_serde_scan() {
    let spec = ScanSpec::new(
        Selector::parse("data").unwrap(),
        Some(Selector::parse("next").unwrap()),
    );
    for records in [50, 20_000] {
        let body = page(records);
        let mut out = Vec::with_capacity(body.len() * 2);
        let per_batch = (2_000_000 / body.len()).max(1) as u32;
        let (mut serde, mut split) = (Duration::MAX, Duration::MAX);
        for _ in 0..20 {
            serde = serde.min(fastest(10, per_batch, || {
                out.clear();
                oracle::scan_page_with(&body, &spec, b"", &mut out).unwrap();
            }));
            split = split.min(fastest(10, per_batch, || {
                out.clear();
                scan_page(&body, &spec, &mut out).unwrap();
            }));
        }
        let mib_s = |d: Duration| body.len() as f64 / d.as_secs_f64() / f64::from(1 << 20);
        println!(
            "{records} records, {} bytes: serde scan {serde:?} ({:.0} MiB/s), splitter {split:?} ({:.0} MiB/s)",
            body.len(),
            mib_s(serde),
            mib_s(split)
        );
    }
}
