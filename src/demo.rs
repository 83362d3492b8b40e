//! `harvest demo`: starts the bundled demo API (testkit) on loopback, runs
//! `config/demo.toml` against it, then checks the output: every record id
//! exactly once. Then two incremental passes (`passes`): the second writes
//! only what the API changed.
//!
//! The demo API gets new ports on every start, so each demo needs a fresh
//! state. Rather than clearing `state/demo` and `out/demo` (and whatever
//! else someone left there), the demo writes into a new directory under the
//! system temp dir (`$TMPDIR`), says where, and keeps it: it never deletes
//! anything.

use crate::cli::DemoArgs;
use crate::exit::{Failure, Outcome};
use anyhow::{anyhow, Context};
use harvest_testkit::{LinkStyle, Upstream, UpstreamSpec};
use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

mod passes;

const DEMO_CONFIG: &str = include_str!("../config/demo.toml");

pub fn run(args: DemoArgs) -> Result<Outcome, Failure> {
    let spec = UpstreamSpec {
        origins: 4,
        streams: args.streams.max(1),
        pages: args.pages.max(1),
        records: args.records,
        record_pad: 40,
        link: LinkStyle::RootRelative,
        null_at_end: true,
        ..Default::default()
    };
    let upstream = Upstream::start(spec.clone())
        .context("cannot start the demo API")
        .map_err(Failure::Runtime)?;
    let mut config = harvest_config::parse(DEMO_CONFIG, Path::new("config/demo.toml"))
        .map_err(Failure::Config)?;
    let dir = fresh_dir().map_err(Failure::Runtime)?;
    config.crawl.state_dir = dir.join("state");
    config.crawl.output_dir = dir.join("out");
    // users: origins 0 and 1; orders: origins 2 and 3.
    for (i, resource) in config.resources.iter_mut().enumerate() {
        resource.seeds.urls = upstream
            .seeds()
            .into_iter()
            .filter(|s| {
                [0, 1]
                    .map(|o| upstream.origin_url(2 * i + o))
                    .iter()
                    .any(|o| s.starts_with(&format!("{o}/")))
            })
            .map(|s| s.parse().expect("testkit seeds are URLs"))
            .collect();
    }
    eprintln!(
        "harvest demo: API on {} origins ({}..{}), {} pages, {} records",
        spec.origins,
        upstream.origin_url(0),
        upstream.origin_url(spec.origins - 1),
        spec.total_pages(),
        spec.total_records()
    );
    eprintln!(
        "harvest demo: writing into {} (kept; delete it when done)",
        dir.display()
    );
    let output_dir = config.crawl.output_dir.clone();
    let names: Vec<String> = config.resources.iter().map(|r| r.name.clone()).collect();
    crate::metrics::install(&config).map_err(Failure::Usage)?;
    let metrics = config.metrics;
    let stop = crate::signals::install().map_err(Failure::Runtime)?;
    let outcome = crate::run::one_run(config, &stop, None, false)?;
    if !matches!(outcome, Outcome::Done) {
        return Ok(outcome);
    }
    let seen = verify(&output_dir, &names, spec.total_records()).map_err(Failure::Runtime)?;
    println!("  verified: {seen} records, every id exactly once");
    println!("  output: {}", output_dir.display());
    let outcome = passes::run(&dir, &stop)?;
    crate::metrics::linger(&metrics);
    Ok(outcome)
}

/// A new, empty directory for this demo's state and output.
fn fresh_dir() -> anyhow::Result<PathBuf> {
    let dir = tempfile::Builder::new()
        .prefix("harvest-demo-")
        .tempdir()
        .context("cannot create the demo's directory in the temp dir")?;
    Ok(dir.keep())
}

/// Reads the outputs back and checks that ids `0..expected` each appear once.
fn verify(dir: &Path, names: &[String], expected: u64) -> anyhow::Result<u64> {
    let mut seen = HashSet::with_capacity(expected as usize);
    for name in names {
        let path = dir.join(format!("{name}.jsonl"));
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        for line in std::io::BufReader::new(file).lines() {
            let record: serde_json::Value = serde_json::from_str(&line?)?;
            let id = record["id"]
                .as_u64()
                .ok_or_else(|| anyhow!("a record without an id in {}", path.display()))?;
            if !seen.insert(id) {
                return Err(anyhow!("id {id} appears twice"));
            }
        }
    }
    if seen.len() as u64 != expected || seen.iter().any(|id| *id >= expected) {
        return Err(anyhow!(
            "expected ids 0..{expected}, found {} distinct ids",
            seen.len()
        ));
    }
    Ok(expected)
}
