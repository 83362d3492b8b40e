//! `status`, `dead-letters`, `retry-dead`: reading and mending a crawl's state
//! while no run holds it (`status` also while one does: it prints the
//! running crawl's snapshot, saying so and how old it is). `dead-letters` lists the dead pages, then the
//! streams cut short under their own heading; `retry-dead` puts dead pages
//! back and leaves cut streams recorded (a run whose config allows a cut
//! stream resumes it; see `harvest_engine`'s `reopen`).

use crate::cli::{ConfigArg, StatusArgs};
use crate::exit::{Failure, Outcome};
use harvest_engine::redact::Redacted;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

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
            (_, false) => "nothing pending",
        }
    );
    Ok(Outcome::Done)
}

pub fn dead_letters(args: ConfigArg) -> Result<Outcome, Failure> {
    let config = config(&args)?;
    let letters = harvest_engine::admin::dead_letters(&config).map_err(Failure::Engine)?;
    for l in &letters {
        let status = l.status.map_or("-".to_string(), |s| s.to_string());
        println!(
            "{}\t{status}\t{}\t{}\t{} attempts\t{}",
            l.job.resource,
            l.reason,
            redacted(&l.job.url),
            l.attempts(),
            l.detail
        );
    }
    let cuts = harvest_engine::admin::cut_streams(&config).map_err(Failure::Engine)?;
    if !cuts.is_empty() {
        // resource, reason, the page that cut the stream, the page not followed, what to do.
        if !letters.is_empty() {
            println!();
        }
        println!("Cut streams");
        for c in &cuts {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                c.next.resource,
                c.reason,
                redacted(&c.page_url),
                redacted(&c.next.url),
                harvest_engine::admin::remedy(c)
            );
        }
    }
    eprintln!("{} dead letters, {} cut streams", letters.len(), cuts.len());
    Ok(Outcome::Done)
}

/// `url` as it may be printed (its secrets replaced), or as is when it is
/// not a URL.
fn redacted(url: &str) -> String {
    Url::parse(url)
        .map(|u| Redacted(&u).to_string())
        .unwrap_or_else(|_| url.to_string())
}

pub fn retry_dead(args: ConfigArg) -> Result<Outcome, Failure> {
    let config = config(&args)?;
    let n = harvest_engine::admin::retry_dead(&config).map_err(Failure::Engine)?;
    println!("{n} dead pages put back in the frontier; `harvest run` fetches them");
    let cut = harvest_engine::admin::cut_streams(&config)
        .map_err(Failure::Engine)?
        .len();
    if cut > 0 {
        println!(
            "{cut} cut streams stay recorded: a run resumes those its config now allows \
             (allowed_origins, max_pages); see `harvest dead-letters`"
        );
    }
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
