//! One chaos seed end to end: start the chaos upstream, write the crawl
//! config, run `harvest` (killed with `kill -9` at the schedule's instant and
//! run again, when it says so), stop it at the oracle's bound, gather what
//! it did and check the invariants.

use super::Suite;
use crate::util::{exit_by, Crawl};
use harvest_testkit::chaos::{check, ChaosUpstream, Listing, Observed, Schedule, Style, Timing};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The crawl settings: short timeouts, backoff and breaker periods, so a
/// seed costs seconds. The oracle's bound is computed from the same values.
fn timing(suite: &Suite) -> Timing {
    Timing {
        rate_per_sec: 20.0,
        min_rate_per_sec: 5.0,
        connect_timeout: Duration::from_millis(300),
        read_timeout: Duration::from_millis(500),
        trickle_cut: if suite.speed_guard {
            Duration::from_secs(1) // min_speed_window
        } else {
            Duration::from_secs(2) // request_timeout
        },
        max_delay: Duration::from_millis(200),
        max_open_for: Duration::from_secs(1),
        give_up_after: Duration::from_secs(4),
        startup: Duration::from_secs(4),
    }
}

fn config(crawl: &Crawl, up: &ChaosUpstream, suite: &Suite) -> String {
    let kinds = &up.schedule().kinds;
    let mut toml = format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\nmax_in_flight = 32\n\n",
        crawl.path("state"),
        crawl.path("out")
    );
    toml.push_str(
        "[client]\nrate_per_sec = 20.0\nburst = 5\nmin_rate_per_sec = 5.0\n\
         max_in_flight_per_origin = 4\nconnect_timeout = \"300ms\"\nread_timeout = \"500ms\"\n\
         request_timeout = \"2s\"\nmax_retry_after = \"2s\"\n",
    );
    if suite.speed_guard {
        // A trickle sends 50 B/s.
        toml.push_str("min_bytes_per_sec = 100\nmin_speed_window = \"1s\"\n");
    }
    toml.push_str(
        "\n[retry]\nmax_attempts = 50\nbase_delay = \"20ms\"\nmax_delay = \"200ms\"\n\n\
         [breaker]\nconsecutive_failures = 3\nopen_for = \"200ms\"\nmax_open_for = \"1s\"\n",
    );
    if kinds.down_origin {
        toml.push_str("give_up_after = \"4s\"\n");
    }
    for style in Style::ALL {
        let seeds = up.seeds(style);
        if seeds.is_empty() {
            continue;
        }
        let name = style.resource();
        let seeds_file = format!("{name}-seeds.txt");
        std::fs::write(crawl.path(&seeds_file), seeds.join("\n") + "\n").unwrap();
        write!(
            toml,
            "\n[[resources]]\nname = {name:?}\nseeds_file = {seeds_file:?}\n\
             data_selector = \"data\"\npaginator = {}\n",
            style.paginator()
        )
        .unwrap();
        if style == Style::OpenPages && kinds.past_end_404 {
            toml.push_str("response_actions = [{ status = 404, action = \"end_stream\" }]\n");
        }
    }
    toml
}

/// Runs `harvest run` (output appended to `harvest.out` / `harvest.err`)
/// until `deadline`: its exit code, or `None` (still running: killed with
/// SIGKILL). A death by signal is exit `-signal`.
fn run_until(crawl: &Crawl, deadline: Instant) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = crawl.spawn_logged("warn");
    let status = exit_by(&mut child, deadline)?;
    Some(
        status
            .code()
            .unwrap_or_else(|| -status.signal().unwrap_or(0)),
    )
}

/// Runs seed `seed`: `Ok(note)` when every invariant held, else the report
/// (first line: `chaos seed N failed: ...; replay: ...`).
pub fn run_seed(seed: u64, suite: &Suite) -> Result<String, String> {
    let schedule = Schedule::generate(seed, suite.kinds);
    let up = ChaosUpstream::start(schedule).expect("chaos upstream starts");
    let crawl = Crawl::new();
    crawl.write_raw(&config(&crawl, &up, suite));
    let oracle = up.oracle(&timing(suite));
    let started = Instant::now();
    let deadline = started + oracle.bound;
    let mut exit = None;
    let mut killed = false;
    if let Some(kill_at) = up.schedule().kill_at {
        match run_until(&crawl, started + kill_at) {
            Some(code) => exit = Some(code), // over before the kill
            None => killed = true,
        }
    }
    if exit.is_none() {
        exit = run_until(&crawl, deadline);
    }
    let elapsed = started.elapsed();
    let (ids, bad_lines) = output_ids(&crawl);
    let listed = crawl.admin(&["dead-letters", "--json"]);
    let (listing, unreadable) = match Listing::parse(&String::from_utf8_lossy(&listed.stdout)) {
        Ok(listing) => (listing, None),
        Err(e) => (Listing::default(), Some(e)),
    };
    let seen = Observed {
        exit,
        elapsed,
        ids,
        listing,
    };
    let mut violations: Vec<String> = check(&oracle, &seen)
        .iter()
        .map(|v| v.to_string())
        .collect();
    if let Some(e) = unreadable {
        violations.push(format!("dead pages and cut streams listed: {e}"));
    }
    if let Some(line) = bad_lines {
        violations.push(format!(
            "every record exactly once: unreadable output line {line}"
        ));
    }
    let kill = if killed { ", killed once" } else { "" };
    if violations.is_empty() {
        return Ok(format!(
            "exit {}, {} records, {elapsed:.1?} of bound {:.1?}{kill}",
            exit.unwrap_or_default(),
            seen.ids.len(),
            oracle.bound
        ));
    }
    let mut report = format!(
        "chaos seed {seed} failed: {}; replay: CHAOS_SEED={seed} CHAOS_FAULTS={} cargo test --test it chaos -- --nocapture\n",
        violations.join("; "),
        suite.faults_env()
    );
    report.push_str(&up.schedule().to_string());
    report.push_str(&server_notes(&up, exit, elapsed, killed));
    report.push_str(&format!(
        "dead-letters --json:\n{}{}\n",
        String::from_utf8_lossy(&listed.stdout),
        String::from_utf8_lossy(&listed.stderr)
    ));
    let err = crawl.log();
    let tail: Vec<&str> = err.lines().rev().take(15).collect();
    report.push_str("harvest stderr (last lines):\n");
    for line in tail.iter().rev() {
        report.push_str(&format!("  {line}\n"));
    }
    Err(report)
}

/// Every id in `out/*.jsonl`, and the first line that is no JSON record.
fn output_ids(crawl: &Crawl) -> (Vec<u64>, Option<String>) {
    let mut ids = Vec::new();
    let mut bad = None;
    for style in Style::ALL {
        let path = crawl.path(&format!("out/{}.jsonl", style.resource()));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for line in text.lines() {
            match serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["id"].as_u64())
            {
                Some(id) => ids.push(id),
                None => {
                    bad.get_or_insert_with(|| format!("{line:.200}"));
                }
            }
        }
    }
    (ids, bad)
}

/// What the server saw: requests per origin and status, the last one, resets.
fn server_notes(up: &ChaosUpstream, exit: Option<i32>, elapsed: Duration, killed: bool) -> String {
    let log = up.log().snapshot();
    let mut out = format!(
        "run: exit {exit:?} after {elapsed:.1?}{}; server: {} requests",
        if killed {
            " (killed once at the schedule's instant)"
        } else {
            ""
        },
        log.len()
    );
    for o in 0..up.schedule().origins.len() {
        let mine: Vec<_> = log.iter().filter(|r| r.origin == o).collect();
        let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
        for r in &mine {
            *by_status.entry(r.status).or_default() += 1;
        }
        let last = mine
            .last()
            .map(|r| format!("{:.1?} {}", r.at, r.path))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "; origin {o}: {by_status:?}, last {last}, resets {}",
            up.resets()[o]
        ));
    }
    out.push('\n');
    out
}
