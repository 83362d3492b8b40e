//! The seeded chaos suite (issue 13's proof): for each seed, a chaos upstream
//! follows a random schedule of failures, `harvest` crawls it (some seeds
//! with `kill -9` and a restart), and three invariants are checked — the run
//! ends within a bound computed from the schedule; every record the server
//! could serve is in the output exactly once; exit 0 ⇔ nothing dead and no
//! stream cut, and every dead page and cut stream is listed with its reason.
//!
//! Which fault kinds CI draws is set here, in [`CI_KINDS`], and nowhere else.
//! Environment (see README, "Chaos suite"):
//! - `CHAOS_SEED=N`: only seed N; `CHAOS_SEEDS=K`: seeds `0..K`;
//!   `CHAOS_FROM=A CHAOS_TO=B`: seeds `A..B` (default: `0..CI_SEEDS`);
//! - `CHAOS_FAULTS=all,-kill`: edit the kinds (`all`, `none`, `name`,
//!   `-name`; `speed_guard` / `-speed_guard` for the low-speed guard keys);
//! - `CHAOS_JOBS=N`: seeds run at once (default 4).

mod run;

use harvest_testkit::chaos::FaultKinds;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Seeds CI runs (`0..CI_SEEDS`).
const CI_SEEDS: u64 = 24;

/// The fault kinds CI draws: every kind, now that each engine feature it
/// needs has landed (issue 13). To take one out, write the struct out with
/// that kind `false` (`FaultKinds::NONE` lists them).
pub const CI_KINDS: FaultKinds = FaultKinds::ALL;

/// Whether CI's configs carry the low-speed guard (`[client]
/// min_bytes_per_sec`, `min_speed_window`): trickles are then cut by it
/// instead of by `request_timeout`.
pub const CI_SPEED_GUARD: bool = true;

/// What a run of the suite draws and how its configs look.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    pub kinds: FaultKinds,
    pub speed_guard: bool,
}

impl Suite {
    /// CI's suite, edited by `CHAOS_FAULTS`.
    fn from_env() -> Self {
        let mut suite = Self {
            kinds: CI_KINDS,
            speed_guard: CI_SPEED_GUARD,
        };
        if let Ok(list) = std::env::var("CHAOS_FAULTS") {
            let mut rest = Vec::new();
            for word in list.split(',').map(str::trim) {
                match word {
                    "speed_guard" | "+speed_guard" => suite.speed_guard = true,
                    "-speed_guard" => suite.speed_guard = false,
                    "all" => {
                        suite.speed_guard = true;
                        rest.push(word);
                    }
                    _ => rest.push(word),
                }
            }
            suite.kinds = suite
                .kinds
                .edit(&rest.join(","))
                .unwrap_or_else(|e| panic!("CHAOS_FAULTS: {e}"));
        }
        suite
    }

    /// The `CHAOS_FAULTS` value that draws exactly this suite.
    pub fn faults_env(&self) -> String {
        let guard = if self.speed_guard { ",speed_guard" } else { "" };
        format!("none,{}{guard}", self.kinds.on())
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number")),
    )
}

/// The seeds to run, from the environment.
fn seeds() -> std::ops::Range<u64> {
    if let Some(seed) = env_u64("CHAOS_SEED") {
        return seed..seed + 1;
    }
    if let Some(n) = env_u64("CHAOS_SEEDS") {
        return 0..n;
    }
    let from = env_u64("CHAOS_FROM").unwrap_or(0);
    let to = env_u64("CHAOS_TO").unwrap_or(from + CI_SEEDS);
    from..to
}

#[test]
fn chaos_seeds_hold_the_invariants() {
    let suite = Suite::from_env();
    let seeds = seeds();
    let jobs = env_u64("CHAOS_JOBS").unwrap_or(4).max(1);
    let next = AtomicU64::new(seeds.start);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= seeds.end {
                    break;
                }
                match run::run_seed(seed, &suite) {
                    Ok(note) => println!("chaos seed {seed} ok: {note}"),
                    Err(report) => {
                        eprintln!("{report}");
                        failures.lock().unwrap().push((seed, report));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let n = seeds.end - seeds.start;
    assert!(
        failures.is_empty(),
        "{} of {n} chaos seeds failed: {:?}\n{}",
        failures.len(),
        failures.iter().map(|(s, _)| s).collect::<Vec<_>>(),
        failures
            .iter()
            .map(|(_, r)| r.lines().next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
