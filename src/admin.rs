//! `status`: reading a crawl's state while no run holds it, and also while
//! one does: it prints the running crawl's snapshot, saying so and how old
//! it is. (`dead-letters` and `retry-dead`: `dead_letters.rs`.)

use crate::cli::{ConfigArg, StatusArgs};
use crate::exit::{Failure, Outcome};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn config(args: &ConfigArg) -> Result<harvest_config::Config, Failure> {
    // Nothing is fetched: the secrets the config names need not be set.
    harvest_config::load_without_secrets(&args.config).map_err(Failure::Config)
}

pub fn status(args: StatusArgs) -> Result<Outcome, Failure> {
    let config = config(&args.config)?;
    let status = harvest_engine::admin::current(&config).map_err(Failure::Engine)?;
    if args.json {
        let json = serde_json::to_string_pretty(&status)
            .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot write the status: {e}")))?;
        println!("{json}");
        return Ok(Outcome::Done);
    }
    if let Some(live) = &status.live {
        let state = if live.running { "running" } else { "ended" };
        println!(
            "live snapshot of the crawl {state} as pid {} (started {}), taken {}",
            live.pid,
            ago(live.started_ms),
            ago(live.updated_ms)
        );
    }
    println!(
        "{:<20} {:>10} {:>10} {:>8} {:>8} {:>12} {:>12} {:>6}  last commit",
        "resource", "pages", "pending", "waiting", "dead", "records", "bytes", "cut"
    );
    let mut unfinished = false;
    for (name, s) in &status.resources {
        let c = &s.counters;
        unfinished |= s.pending > 0;
        let note = if s.configured {
            ""
        } else {
            "  (not in the config)"
        };
        println!(
            "{name:<20} {:>10} {:>10} {:>8} {:>8} {:>12} {:>12} {:>6}  {}{note}",
            c.pages,
            s.pending,
            s.retry_waiting,
            c.dead,
            c.records,
            c.bytes,
            s.cut,
            ago(c.last_commit_ms)
        );
    }
    let passes: Vec<_> = status
        .resources
        .iter()
        .filter_map(|(name, s)| Some((name, s.pass.as_ref()?, s.pending > 0)))
        .collect();
    if !passes.is_empty() {
        println!();
        println!(
            "{:<20} {:<10} {:<26} {:>10}  {:<28} last finished",
            "incremental", "pass", "start", "records", "output"
        );
        for (name, p, pending) in passes {
            let state = if pending { "" } else { " (done)" };
            let last = p.last.as_ref().map_or("-".to_owned(), |l| {
                format!(
                    "pass {}: {} records, {}",
                    l.pass,
                    l.records,
                    ago(l.finished_ms)
                )
            });
            println!(
                "{name:<20} {:<10} {:<26} {:>10}  {:<28} {last}",
                format!("{}{state}", p.pass),
                p.start.as_deref().unwrap_or("-"),
                p.records,
                p.output,
            );
        }
    }
    println!(
        "state {}  output {}",
        config.crawl.state_dir.display(),
        config.crawl.output_dir.display()
    );
    println!(
        "{}",
        match (&status.live, unfinished) {
            (Some(_), true) => "running",
            (None, true) => "unfinished: `harvest run` resumes it",
            (_, false) if status.resources.values().any(|s| s.pass.is_some()) => {
                "nothing pending: `harvest run` begins the next pass"
            }
            (_, false) => "nothing pending",
        }
    );
    Ok(Outcome::Done)
}

/// `12s ago`, `3m ago`, or `never`.
fn ago(ms: u64) -> String {
    if ms == 0 {
        return "never".into();
    }
    let then = UNIX_EPOCH + Duration::from_millis(ms);
    let secs = SystemTime::now()
        .duration_since(then)
        .unwrap_or_default()
        .as_secs();
    match secs {
        0..=119 => format!("{secs}s ago"),
        120..=7199 => format!("{}m ago", secs / 60),
        _ => format!("{}h ago", secs / 3600),
    }
}
