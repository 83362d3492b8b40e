//! Streams one big JSON array through a [`PageSplitter`] without ever
//! holding it: the body is generated chunk by chunk, the record lines are
//! dropped after every chunk (as the engine's spill would take them), and
//! the throughput is printed. For the single-export case (a 513 MiB array
//! of 3.07 M records); measure its peak memory with
//! `/usr/bin/time -v cargo run --release -p harvest-paginate --example split_stream -- 513`.

use harvest_config::Selector;
use harvest_paginate::{PageSplitter, ScanSpec};
use std::time::Instant;

/// The size of one chunk fed, as a socket read would hand it over.
const CHUNK_BYTES: usize = 16 << 10;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(513);
    let size = mib << 20;
    let spec = ScanSpec::new(Selector::parse("").unwrap(), None);
    let mut splitter = PageSplitter::new(&spec, b"");
    let mut out = Vec::new();
    let mut pending = b"[".to_vec();
    let (mut fed, mut id) = (0usize, 0u64);
    let started = Instant::now();
    while fed < size {
        while pending.len() < CHUNK_BYTES {
            if id > 0 {
                pending.push(b',');
            }
            pending.extend_from_slice(
                format!(
                    "{{\"id\":{id},\"kind\":\"order\",\"name\":\"r\\u00e9c-{id}\",\
                     \"total\":{}.5,\"tags\":[\"a\",\"b\"],\"pad\":\"{}\"}}",
                    id % 1000,
                    "x".repeat(60 + (id % 40) as usize)
                )
                .as_bytes(),
            );
            id += 1;
        }
        splitter.feed(&pending[..CHUNK_BYTES], &mut out).unwrap();
        out.clear();
        pending.drain(..CHUNK_BYTES);
        fed += CHUNK_BYTES;
    }
    pending.push(b']');
    splitter.feed(&pending, &mut out).unwrap();
    fed += pending.len();
    let scan = splitter.finish(&mut out).unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(scan.records, id);
    println!(
        "{} records, {:.0} MiB in {secs:.2} s: {:.0} MiB/s (generation included)",
        scan.records,
        fed as f64 / f64::from(1 << 20),
        fed as f64 / f64::from(1 << 20) / secs
    );
}
