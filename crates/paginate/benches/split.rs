//! Micro benches of the page splitter alone (no testkit, no engine): a
//! testkit-shaped 50-record page whole and in chunks, the same page through
//! a streaming `PageParser`, and one big array fed in 16 KiB chunks.
//! `cargo bench -p harvest-paginate`; the repo's `benches/engine.rs` has
//! the same page built by the testkit.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harvest_config::Selector;
use harvest_paginate::{scan_page, PageSplitter, Scan, ScanSpec};
use std::time::Duration;

/// A page as the testkit serves it: `{"data":[...],"next":"..."}`.
fn page(records: u64, pad: usize) -> Vec<u8> {
    let pad = "x".repeat(pad);
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

/// One JSON array of `size` bytes of varied records.
fn big_array(size: usize) -> (Vec<u8>, u64) {
    let mut body = Vec::with_capacity(size + 256);
    body.push(b'[');
    let mut id = 0u64;
    while body.len() < size {
        if id > 0 {
            body.push(b',');
        }
        body.extend_from_slice(
            format!(
                "{{\"id\":{id},\"origin\":0,\"stream\":{},\"name\":\"rec-{id}\",\
                 \"score\":{}.25,\"tags\":[\"a\",\"b\"],\"pad\":\"{}\"}}",
                id % 7,
                id % 1000,
                "x".repeat(60 + (id % 40) as usize)
            )
            .as_bytes(),
        );
        id += 1;
    }
    body.push(b']');
    (body, id)
}

/// Feeds `body` in `chunk`-byte pieces, clearing `out` after each.
fn split(body: &[u8], chunk: usize, spec: &ScanSpec, out: &mut Vec<u8>) -> Scan {
    let mut splitter = PageSplitter::new(spec, b"");
    for piece in body.chunks(chunk) {
        splitter.feed(piece, out).unwrap();
        out.clear();
    }
    splitter.finish(out).unwrap()
}

fn page_split(c: &mut Criterion) {
    let body = page(50, 60);
    let spec = ScanSpec::new(
        Selector::parse("data").unwrap(),
        Some(Selector::parse("next").unwrap()),
    );
    let mut group = c.benchmark_group("page_split");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("50_records", |b| {
        let mut out = Vec::with_capacity(body.len());
        b.iter(|| {
            out.clear();
            scan_page(&body, &spec, &mut out).unwrap()
        })
    });
    group.bench_function("50_records_in_1k_chunks", |b| {
        let mut out = Vec::with_capacity(body.len());
        b.iter(|| split(&body, 1024, &spec, &mut out))
    });
    group.finish();
}

fn big(c: &mut Criterion) {
    let (body, records) = big_array(64 << 20);
    let spec = ScanSpec::new(Selector::parse("").unwrap(), None);
    let mut group = c.benchmark_group("page_split");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("64MiB_array_16k_chunks", |b| {
        let mut out = Vec::with_capacity(64 << 10);
        b.iter(|| assert_eq!(split(&body, 16 << 10, &spec, &mut out).records, records))
    });
    group.finish();
}

criterion_group!(benches, page_split, big);
criterion_main!(benches);
