//! The second part of `harvest demo`: two incremental passes of
//! `config/demo-incremental.toml` against the testkit's changing API. Pass 1
//! takes every order; the API then adds some and updates others; pass 2
//! must write exactly those, and fetch only their pages. Both are checked
//! against what the API holds, and the requests of each pass are counted
//! from the API's own log.

use crate::exit::{Failure, Outcome};
use anyhow::{anyhow, Context};
use harvest_testkit::changing::ChangingApi;
use std::collections::BTreeSet;
use std::path::Path;

const CONFIG: &str = include_str!("../../config/demo-incremental.toml");

/// Orders the API starts with, added and updated between the passes.
const ORDERS: u64 = 2_000;
const ADDED: u64 = 150;
const UPDATED: u64 = 100;

pub fn run(dir: &Path, stop: &harvest_engine::StopHandle) -> Result<Outcome, Failure> {
    let api = ChangingApi::start(ORDERS)
        .context("cannot start the changing demo API")
        .map_err(Failure::Runtime)?;
    let mut config = harvest_config::parse(CONFIG, Path::new("config/demo-incremental.toml"))
        .map_err(Failure::Config)?;
    config.crawl.state_dir = dir.join("state-incremental");
    config.crawl.output_dir = dir.join("out-incremental");
    let seed = format!("{}?limit=100", api.url());
    config.resources[0].seeds.urls = vec![seed.parse().expect("a loopback URL")];
    let out = config.crawl.output_dir.join("orders");
    eprintln!(
        "harvest demo: incremental passes of {} ({ORDERS} orders)",
        api.url()
    );

    let outcome = crate::run::one_run(config.clone(), stop, None, false)?;
    if !matches!(outcome, Outcome::Done) {
        return Ok(outcome);
    }
    let first = read(&out.join("pass-000001.jsonl")).map_err(Failure::Runtime)?;
    let before: BTreeSet<(u64, u64)> = current(&api);
    check("pass 1", &first, &before).map_err(Failure::Runtime)?;
    let pass_1_requests = api.log().len();

    api.add(ADDED);
    let step = ORDERS / UPDATED;
    api.update(&(0..UPDATED).map(|i| i * step).collect::<Vec<_>>());
    api.log().clear();
    eprintln!("harvest demo: the API added {ADDED} orders and updated {UPDATED}; pass 2");
    let outcome = crate::run::one_run(config, stop, None, false)?;
    if !matches!(outcome, Outcome::Done) {
        return Ok(outcome);
    }
    let changed: BTreeSet<(u64, u64)> = current(&api).difference(&before).copied().collect();
    let second = read(&out.join("pass-000002.jsonl")).map_err(Failure::Runtime)?;
    check("pass 2", &second, &changed).map_err(Failure::Runtime)?;
    println!(
        "  verified: pass 1 wrote {} orders in {pass_1_requests} requests; \
         pass 2 only the {} changed, in {} requests",
        first.len(),
        second.len(),
        api.log().len()
    );
    println!("  output: {}", out.display());
    Ok(Outcome::Done)
}

/// What the API holds now, as `(id, version)`.
fn current(api: &ChangingApi) -> BTreeSet<(u64, u64)> {
    api.current()
        .into_iter()
        .map(|(id, v)| (id, u64::from(v)))
        .collect()
}

/// The `(id, version)` of every record in `path`, in file order.
fn read(path: &Path) -> anyhow::Result<Vec<(u64, u64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)?;
            match (v["id"].as_u64(), v["version"].as_u64()) {
                (Some(id), Some(version)) => Ok((id, version)),
                _ => Err(anyhow!("a record without id/version in {}", path.display())),
            }
        })
        .collect()
}

/// `got` holds each of `want` once, and nothing else.
fn check(pass: &str, got: &[(u64, u64)], want: &BTreeSet<(u64, u64)>) -> anyhow::Result<()> {
    let distinct: BTreeSet<(u64, u64)> = got.iter().copied().collect();
    if distinct.len() != got.len() {
        return Err(anyhow!("{pass}: a record written twice"));
    }
    if distinct != *want {
        return Err(anyhow!(
            "{pass}: wrote {} records, expected {} ({} missing)",
            got.len(),
            want.len(),
            want.difference(&distinct).count()
        ));
    }
    Ok(())
}
