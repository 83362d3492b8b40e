//! Micro benchmarks of the per-page decisions and of durability: a breaker
//! admission + outcome, one group commit's sled batch (apply + flush), and
//! sink appends of a group's lines (vectored write, spill-file copy).
//! Run with `cargo bench --bench commit`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use harvest_policy::{BreakerSettings, CallOutcome, CircuitBreaker};
use harvest_sink::Sink;
use harvest_store::{CommitBatch, Counters, Job, Store};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::io::Write;
use std::time::{Duration, Instant};

/// Pages per group in the commit benches (the engine cuts at 1024).
const GROUP: u64 = 1024;

fn breaker(c: &mut Criterion) {
    let mut breaker = CircuitBreaker::new(BreakerSettings::default());
    let mut rng = StdRng::seed_from_u64(7);
    let start = Instant::now();
    let mut tick = 0u64;
    c.bench_function("breaker_admit_and_record", |b| {
        b.iter(|| {
            tick += 1;
            let now = start + Duration::from_micros(tick);
            let admitted = breaker.admit(now);
            let outcome = if tick.is_multiple_of(50) {
                CallOutcome::Failure
            } else {
                CallOutcome::Success
            };
            breaker.record(outcome, now, &mut rng);
            admitted
        })
    });
}

/// One group: `GROUP` pages done (job removed, next job added and marked
/// seen), the sink offset and counters — what the writer applies per group.
fn sled_group(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut seq = 0u64;
    let mut group = c.benchmark_group("sled_commit");
    group.throughput(Throughput::Elements(GROUP));
    group.bench_function("group_of_1024_pages", |b| {
        b.iter_batched(
            || {
                let mut batch = CommitBatch::new();
                for _ in 0..GROUP {
                    let job = Job {
                        resource: "items".into(),
                        url: format!("http://127.0.0.1:8080/s/{seq}/p/1"),
                        attempt: 0,
                        not_before_ms: 0,
                        page: 1,
                        offset: 0,
                        fanned_out: false,
                        parent: Vec::new(),
                    };
                    batch.remove_job(seq.saturating_sub(GROUP));
                    batch.put_job(seq, &job);
                    batch.mark_seen(&job.page_key());
                    seq += 1;
                }
                batch.set_next_seq(seq);
                batch.set_sink_offset("items", seq * 10_000);
                batch.set_counters("items", &Counters::default());
                batch
            },
            |batch| {
                store.commit(batch).unwrap();
                store.flush().unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// A group's lines: 1024 pages of 12 KiB, as the writer appends them.
fn sink_append(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let pages: Vec<Vec<u8>> = (0..GROUP).map(|_| vec![b'x'; 12 << 10]).collect();
    let refs: Vec<&[u8]> = pages.iter().map(|p| &p[..]).collect();
    let bytes = (GROUP as usize * (12 << 10)) as u64;
    let mut group = c.benchmark_group("sink_append");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    let mut sink = Sink::open(&dir.path().join("vectored.jsonl"), 0).unwrap();
    group.bench_function("vectored_1024_pages", |b| {
        b.iter(|| {
            // Keep the file small: the bench measures the copy, not the disk filling up.
            if sink.len() > 1 << 30 {
                sink = Sink::open(&dir.path().join("vectored.jsonl"), 0).unwrap();
            }
            sink.append_all(&refs).unwrap()
        })
    });
    let spilled = dir.path().join("spilled");
    let mut file = std::fs::File::create(&spilled).unwrap();
    for page in &pages {
        file.write_all(page).unwrap();
    }
    drop(file);
    let mut sink = Sink::open(&dir.path().join("copied.jsonl"), 0).unwrap();
    group.bench_function("spill_file_copy", |b| {
        b.iter(|| {
            if sink.len() > 1 << 30 {
                sink = Sink::open(&dir.path().join("copied.jsonl"), 0).unwrap();
            }
            let mut from = std::fs::File::open(&spilled).unwrap();
            sink.append_file(&mut from).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, breaker, sled_group, sink_append);
criterion_main!(benches);
