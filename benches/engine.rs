//! Benchmarks: the end-to-end harvest of a testkit upstream (HTTP, parse,
//! sink, sled commit, actors), plus micro benches of the per-page hot pieces.
//! Run with `cargo bench`; the peer comparison is `benches/peers/harvest.sh`
//! under `../shared/bench/bench.sh`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use harvest_config::Selector;
use harvest_paginate::{scan_page, PageSplitter, ScanSpec};
use harvest_policy::TokenBucket;
use harvest_testkit::{Upstream, UpstreamSpec};
use std::path::Path;
use std::time::{Duration, Instant};

fn end_to_end(c: &mut Criterion) {
    let spec = UpstreamSpec {
        origins: 4,
        streams: 25,
        pages: 20,
        records: 50,
        record_pad: 60,
        ..Default::default()
    };
    let upstream = Upstream::start(spec.clone()).expect("testkit starts");
    let mut group = c.benchmark_group("harvest_e2e");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(spec.total_pages()));
    group.bench_function("4x25x20_pages", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let config = crawl_config(dir.path(), &upstream.seeds());
                (dir, config)
            },
            |(dir, config)| {
                let summary = harvest_engine::run(config, &Default::default()).unwrap();
                assert_eq!(summary.run.pages, spec.total_pages());
                drop(dir);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn crawl_config(dir: &Path, seeds: &[String]) -> harvest_config::Config {
    let seeds: Vec<String> = seeds.iter().map(|s| format!("{s:?}")).collect();
    let toml = format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\nmax_in_flight = 128\n\
         [client]\nrate_per_sec = 1000000.0\nburst = 1000\nmax_in_flight_per_origin = 16\n\
         [[resources]]\nname = \"items\"\nseeds = [{}]\ndata_selector = \"data\"\n\
         paginator = {{ type = \"json_link\", next_url_path = \"next\" }}\n",
        dir.join("state"),
        dir.join("out"),
        seeds.join(",")
    );
    harvest_config::parse(&toml, &dir.join("crawl.toml")).expect("bench config is valid")
}

fn page_scan(c: &mut Criterion) {
    let spec = UpstreamSpec {
        records: 50,
        record_pad: 60,
        ..Default::default()
    };
    let body = spec.page_body(0, 8080, 0, 0).unwrap();
    let scan = ScanSpec::new(
        Selector::parse("data").unwrap(),
        Some(Selector::parse("next").unwrap()),
    );
    let mut group = c.benchmark_group("page_scan");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("50_records", |b| {
        let mut out = Vec::with_capacity(body.len());
        b.iter(|| {
            out.clear();
            scan_page(body.as_bytes(), &scan, &mut out).unwrap()
        })
    });
    group.bench_function("50_records_in_1k_chunks", |b| {
        let mut out = Vec::with_capacity(body.len());
        b.iter(|| {
            out.clear();
            split(body.as_bytes(), 1024, &scan, &mut out)
        })
    });
    group.finish();
}

/// One big JSON array (the single-body export case): 64 MiB of records fed
/// in 16 KiB chunks, the lines taken away after every chunk as a spill
/// would, so only the splitter's own memory stays.
fn big_array(c: &mut Criterion) {
    const SIZE: usize = 64 << 20;
    let mut body = Vec::with_capacity(SIZE + 256);
    body.push(b'[');
    let mut id = 0u64;
    while body.len() < SIZE {
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
    let scan = ScanSpec::new(Selector::parse("").unwrap(), None);
    let mut group = c.benchmark_group("page_split");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("64MiB_array_16k_chunks", |b| {
        let mut out = Vec::with_capacity(64 << 10);
        b.iter(|| {
            let scan = split(&body, 16 << 10, &scan, &mut out);
            assert_eq!(scan.records, id);
        })
    });
    group.finish();
}

/// Feeds `body` in `chunk`-byte pieces, clearing `out` after each.
fn split(body: &[u8], chunk: usize, scan: &ScanSpec, out: &mut Vec<u8>) -> harvest_paginate::Scan {
    let mut splitter = PageSplitter::new(scan, b"");
    for piece in body.chunks(chunk) {
        splitter.feed(piece, out).unwrap();
        out.clear();
    }
    splitter.finish(out).unwrap()
}

/// One page of 100 records through the page parser, as an ordinary
/// resource and as an incremental one (each record judged: its cursor and
/// key picked, compared with the pass's start, folded into the maximum).
fn incremental_page(c: &mut Criterion) {
    use harvest_paginate::{PageRequest, PageRules, PassRules};
    let records: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"id":{i},"version":1,"updated_at":"2024-01-01T00:{:02}:{:02}Z","note":"{}"}}"#,
                i / 60,
                i % 60,
                "x".repeat(80)
            )
        })
        .collect();
    let body = format!(
        r#"{{"data":[{}],"meta":{{"next":"100"}}}}"#,
        records.join(",")
    );
    let toml = |inc: &str| {
        format!(
            "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"orders\"\n\
             seeds = [\"http://127.0.0.1:9/orders\"]\ndata_selector = \"data\"\n\
             paginator = {{ type = \"cursor\", cursor_path = \"meta.next\" }}\n{inc}"
        )
    };
    let plain = harvest_config::parse(&toml(""), Path::new("b.toml")).unwrap();
    let inc = harvest_config::parse(
        &toml("incremental = { cursor_path = \"updated_at\", param = \"since\", initial_value = \"2024-01-01T00:00:30Z\", primary_key = \"id\" }"),
        Path::new("b.toml"),
    )
    .unwrap();
    let plain_rules = PageRules::new(&plain.resources[0]);
    let r = &inc.resources[0];
    let inc_rules =
        PageRules::new(r).with_pass(PassRules::new(r.incremental.as_ref().unwrap(), None));
    let page = PageRequest::seed("http://127.0.0.1:9/orders?since=x".parse().unwrap());
    let mut group = c.benchmark_group("incremental_page");
    group.throughput(Throughput::Elements(100));
    for (name, rules) in [
        ("plain_100_records", &plain_rules),
        ("judged_100_records", &inc_rules),
    ] {
        group.bench_function(name, |b| {
            let mut out = Vec::with_capacity(body.len());
            b.iter(|| {
                out.clear();
                rules
                    .parse(&page, &|_| Vec::new(), body.as_bytes(), &mut out)
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn bucket(c: &mut Criterion) {
    c.bench_function("bucket_reserve", |b| {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(1000.0, 10, t0);
        let mut now = t0;
        b.iter(|| {
            now += Duration::from_micros(900);
            bucket.reserve(now)
        })
    });
}

criterion_group!(
    benches,
    page_scan,
    big_array,
    incremental_page,
    bucket,
    end_to_end
);
criterion_main!(benches);
