//! Scale benchmarks of the release `harvest` binary against in-process testkit
//! origins: many origins, a big frontier (with kill and resume), and the cost
//! curve at 10k / 100k / 1M pages. Each case prints one line per run with wall
//! time, pages/s, the child's peak RSS (`VmHWM`, polled) and peak open fds
//! (polled from /proc), and checks every record id exactly once in the output.
//!
//! ```text
//! cargo bench --bench scale -- origins     # 10,000 origins x 10 pages
//! cargo bench --bench scale -- frontier    # 1M seeds, kill -9, resume
//! cargo bench --bench scale -- curve       # 10k, 100k, 1M pages
//! cargo bench --bench scale                # all three
//! ```
//!
//! The binary is the one cargo built for this bench (`CARGO_BIN_EXE_harvest`:
//! the release build under `cargo bench`); `HARVEST_BIN` overrides it. Work
//! files go to a temporary directory (`SCALE_TMP` to choose where).

use harvest_testkit::{LinkStyle, Upstream, UpstreamSpec};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    // `cargo bench` passes `--bench`; everything else names a case.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all = wanted.is_empty() || wanted.iter().any(|w| w == "all");
    let want = |case: &str| all || wanted.iter().any(|w| w == case);
    if want("origins") {
        origins();
    }
    if want("frontier") {
        frontier();
    }
    if want("curve") {
        curve();
    }
}

/// 10,000 origins (one loopback address each) x one stream of 10 pages.
fn origins() {
    let spec = UpstreamSpec {
        origins: 10_000,
        streams: 1,
        pages: 10,
        records: 5,
        link: LinkStyle::RootRelative,
        ..Default::default()
    };
    let upstream = Upstream::start_many(spec.clone()).expect("testkit starts");
    let work = WorkDir::new();
    let seeds = work.write_seeds(&upstream.seeds());
    let config = work.config(
        &format!("seeds_file = {seeds:?}"),
        "max_in_flight = 256",
        "max_in_flight_per_origin = 4\nidle_after = \"1s\"",
    );
    let run = Harvest::new(&config).run(None);
    run.expect_exit(0);
    let ids = work.verify(spec.total_records());
    println!(
        "origins  10000x10  pages {}  wall {:.1}s  {:.0} pages/s  peak_rss {} MB  peak_fds {}  peak_hosts {}  last_hosts {}  ids {ids}",
        spec.total_pages(),
        run.wall.as_secs_f64(),
        spec.total_pages() as f64 / run.wall.as_secs_f64(),
        run.peak_rss_kb / 1024,
        run.peak_fds,
        run.peak_hosts,
        run.last_hosts,
    );
}

/// 1,000,000 seeds from a template: seed and crawl a few seconds, `kill -9`,
/// resume (timing its first request), and finish.
fn frontier() {
    let seeds = 1_000_000;
    let spec = UpstreamSpec {
        origins: 1,
        streams: seeds,
        pages: 1,
        records: 1,
        link: LinkStyle::RootRelative,
        ..Default::default()
    };
    let upstream = Upstream::start(spec.clone()).expect("testkit starts");
    let work = WorkDir::new();
    let template = format!(
        "seed_template = {{ url = \"{}/s/{{n}}/p/0\", range = {{ from = 0, to = {} }} }}",
        upstream.origin_url(0),
        seeds - 1
    );
    let config = work.config(
        &template,
        "max_in_flight = 256",
        "max_in_flight_per_origin = 256",
    );
    let harvest = Harvest::new(&config);

    // First run: seeding, then a few seconds of crawling, then kill -9.
    let first = harvest.run_until_killed(upstream.log(), Duration::from_secs(3));
    let seeded_in = first.first_request.expect("the first run fetched pages");
    let done_before = upstream.log().len();
    println!(
        "frontier run1  seeds {seeds}  first_request {:.2}s (seeding included)  requests {done_before}  killed at {:.1}s  peak_rss {} MB",
        seeded_in.as_secs_f64(),
        first.wall.as_secs_f64(),
        first.peak_rss_kb / 1024,
    );

    // Resume: time from spawn to the first request the upstream sees.
    upstream.log().clear();
    let second = harvest.run_watching(upstream.log());
    second.expect_exit(0);
    let ids = work.verify(spec.total_records());
    let ttfr = second.first_request.expect("the resumed run fetched pages");
    println!(
        "frontier resume  time_to_first_request {:.3}s  wall {:.1}s  {:.0} pages/s  peak_rss {} MB  ids {ids}",
        ttfr.as_secs_f64(),
        second.wall.as_secs_f64(),
        upstream.log().len() as f64 / second.wall.as_secs_f64(),
        second.peak_rss_kb / 1024,
    );
}

/// The same crawl shape at 10k, 100k and 1M pages: 10 origins, streams of 10
/// pages, 5 records a page.
fn curve() {
    // CURVE_PAGES=100000 runs one size only (profiling).
    let only: Option<usize> = std::env::var("CURVE_PAGES")
        .ok()
        .and_then(|v| v.parse().ok());
    for pages in [10_000, 100_000, 1_000_000] {
        if only.is_some_and(|n| n != pages) {
            continue;
        }
        let spec = UpstreamSpec {
            origins: 10,
            streams: pages / 100,
            pages: 10,
            records: 5,
            link: LinkStyle::RootRelative,
            ..Default::default()
        };
        let upstream = Upstream::start(spec.clone()).expect("testkit starts");
        let work = WorkDir::new();
        let seeds = work.write_seeds(&upstream.seeds());
        let config = work.config(
            &format!("seeds_file = {seeds:?}"),
            "max_in_flight = 256",
            "max_in_flight_per_origin = 64",
        );
        let run = Harvest::new(&config).run(None);
        run.expect_exit(0);
        let ids = work.verify(spec.total_records());
        println!(
            "curve  pages {pages:>8}  wall {:>6.1}s  {:>6.0} pages/s  peak_rss {:>4} MB  ids {ids}",
            run.wall.as_secs_f64(),
            pages as f64 / run.wall.as_secs_f64(),
            run.peak_rss_kb / 1024,
        );
    }
}

/// A temporary directory with the crawl config, state and output.
struct WorkDir {
    dir: tempfile::TempDir,
}

impl WorkDir {
    fn new() -> Self {
        let dir = match std::env::var_os("SCALE_TMP") {
            Some(base) => tempfile::tempdir_in(base),
            None => tempfile::tempdir(),
        };
        Self {
            dir: dir.expect("temp dir"),
        }
    }

    fn write_seeds(&self, seeds: &[String]) -> PathBuf {
        let path = self.dir.path().join("seeds.txt");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for s in seeds {
            writeln!(out, "{s}").unwrap();
        }
        out.flush().unwrap();
        path
    }

    /// Writes the crawl config: one resource `items` with `seeds_line`, and
    /// extra lines for `[crawl]` and `[client]`. Rates are unlimited.
    fn config(&self, seeds_line: &str, crawl: &str, client: &str) -> PathBuf {
        let dir = self.dir.path();
        let text = format!(
            "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\n{crawl}\n\
             [client]\nrate_per_sec = 1000000.0\nburst = 1000\n{client}\n\
             [retry]\nmax_attempts = 10\nbase_delay = \"100ms\"\nmax_delay = \"2s\"\n\
             [[resources]]\nname = \"items\"\n{seeds_line}\ndata_selector = \"data\"\n\
             paginator = {{ type = \"json_link\", next_url_path = \"next\" }}\n",
            dir.join("state"),
            dir.join("out"),
        );
        let path = dir.join("crawl.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Checks that the output holds every id in `0..total` exactly once.
    fn verify(&self, total: u64) -> &'static str {
        let path = self.dir.path().join("out/items.jsonl");
        let file = std::fs::File::open(&path).expect("output exists");
        let mut seen = vec![false; total as usize];
        let (mut dup, mut count) = (0u64, 0u64);
        for line in BufReader::with_capacity(1 << 20, file).split(b'\n') {
            let line = line.unwrap();
            let id = record_id(&line)
                .unwrap_or_else(|| panic!("no id in {:?}", String::from_utf8_lossy(&line)));
            let slot = &mut seen[id as usize];
            dup += u64::from(*slot);
            *slot = true;
            count += 1;
        }
        let missing = seen.iter().filter(|s| !**s).count();
        assert!(
            dup == 0 && missing == 0,
            "{count} records: {dup} duplicates, {missing} missing"
        );
        "exactly-once"
    }
}

/// The `"id":N` of a testkit record.
fn record_id(line: &[u8]) -> Option<u64> {
    let at = line.windows(5).position(|w| w == b"\"id\":")? + 5;
    let digits = line[at..].iter().take_while(|b| b.is_ascii_digit());
    let mut id = 0u64;
    let mut any = false;
    for b in digits {
        id = id * 10 + u64::from(b - b'0');
        any = true;
    }
    any.then_some(id)
}

/// The release binary and one crawl config.
struct Harvest {
    bin: PathBuf,
    config: PathBuf,
}

/// What one run of the binary did.
struct RunReport {
    wall: Duration,
    /// Exit code, or 128 + signal.
    exit: i32,
    peak_rss_kb: u64,
    peak_fds: usize,
    /// Most host actors alive, and the last count, from the progress lines.
    peak_hosts: u64,
    last_hosts: u64,
    /// From spawn to the first request in the upstream's log (when watched).
    first_request: Option<Duration>,
    stderr: PathBuf,
}

impl RunReport {
    fn expect_exit(&self, code: i32) {
        if self.exit != code {
            let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            panic!(
                "harvest exited {} (wanted {code}); last log lines:\n{}",
                self.exit,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

impl Harvest {
    fn new(config: &Path) -> Self {
        let bin = std::env::var_os("HARVEST_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_harvest")));
        Self {
            bin,
            config: config.to_path_buf(),
        }
    }

    fn run(&self, log: Option<&harvest_testkit::RequestLog>) -> RunReport {
        self.spawn(log, None)
    }

    fn run_watching(&self, log: &harvest_testkit::RequestLog) -> RunReport {
        self.spawn(Some(log), None)
    }

    /// Kills the run with SIGKILL `after` its first request.
    fn run_until_killed(&self, log: &harvest_testkit::RequestLog, after: Duration) -> RunReport {
        self.spawn(Some(log), Some(after))
    }

    // The child is reaped by `wait` (waitpid), not `Child::wait`.
    #[allow(clippy::zombie_processes)]
    fn spawn(
        &self,
        log: Option<&harvest_testkit::RequestLog>,
        kill_after_first: Option<Duration>,
    ) -> RunReport {
        let dir = self.config.parent().unwrap();
        let stderr = dir.join(format!("harvest-{}.log", unique()));
        let started = Instant::now();
        let child = Command::new(&self.bin)
            .args(["--log-format", "json", "run"])
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("harvest starts");
        let pid = child.id() as libc::pid_t;
        let watcher = Watcher::start(pid);
        let mut first_request = None;
        if let Some(log) = log {
            // Poll the server-side log for the first request (1 ms steps).
            let base = log.started();
            while first_request.is_none() && watcher.alive() {
                if let Some(r) = log.first() {
                    first_request = Some((base + r.at).saturating_duration_since(started));
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            if let (Some(after), Some(_)) = (kill_after_first, first_request) {
                std::thread::sleep(after);
                // SAFETY: `pid` is our child, not yet waited for.
                #[allow(unsafe_code)]
                unsafe {
                    libc::kill(pid, libc::SIGKILL)
                };
            }
        }
        let exit = wait(pid);
        let wall = started.elapsed();
        let (peak_fds, peak_rss_kb) = watcher.stop();
        let (peak_hosts, last_hosts) = hosts_from_log(&stderr);
        RunReport {
            wall,
            exit,
            peak_rss_kb,
            peak_fds,
            peak_hosts,
            last_hosts,
            first_request,
            stderr,
        }
    }
}

fn unique() -> u64 {
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed) as u64
}

/// Waits for `pid`; returns its exit code (128 + signal when killed).
fn wait(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: plain syscall on our own child with a valid out-pointer.
    #[allow(unsafe_code)]
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid, "waitpid: {}", std::io::Error::last_os_error());
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    }
}

/// Polls the child's open file descriptors and its `VmHWM` every 50 ms.
///
/// The peak RSS comes from `VmHWM`, not from wait4's `ru_maxrss`: Linux
/// folds the forked copy of *this* process (the bench, with its in-process
/// testkit) into the child's `ru_maxrss` at exec, which inflated every figure
/// by the bench's own size. `VmHWM` is the high-water mark of the child's own
/// address space since exec; the last poll before exit misses at most 50 ms
/// of growth.
struct Watcher {
    done: Arc<AtomicBool>,
    alive: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(usize, u64)>,
}

impl Watcher {
    fn start(pid: libc::pid_t) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let alive = Arc::new(AtomicBool::new(true));
        let (d, a) = (done.clone(), alive.clone());
        let thread = std::thread::spawn(move || {
            let fd_dir = format!("/proc/{pid}/fd");
            let mut peak_fds = 0;
            let mut peak_rss_kb = 0;
            while !d.load(Ordering::Relaxed) {
                match std::fs::read_dir(&fd_dir) {
                    Ok(entries) => peak_fds = peak_fds.max(entries.count()),
                    Err(_) => break,
                }
                let Some(status) = status_of(pid) else { break };
                // A zombie has no fds left (and no memory): it is done.
                if status.contains("State:\tZ") {
                    break;
                }
                peak_rss_kb = peak_rss_kb.max(vm_hwm_kb(&status));
                std::thread::sleep(Duration::from_millis(50));
            }
            a.store(false, Ordering::Relaxed);
            (peak_fds, peak_rss_kb)
        });
        Self {
            done,
            alive,
            thread,
        }
    }

    fn alive(&self) -> bool {
        self.alive.load(Ordering::Relaxed)
    }

    /// (peak open fds, peak RSS in KiB).
    fn stop(self) -> (usize, u64) {
        self.done.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// `VmHWM` (KiB) from a `/proc/PID/status` text; 0 when absent.
fn vm_hwm_kb(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn status_of(pid: libc::pid_t) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/status")).ok()
}

/// (most, last) `origins` (host actors alive) in the JSON progress lines.
fn hosts_from_log(path: &Path) -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (0, 0);
    };
    let mut peak = 0;
    let mut last = 0;
    for line in text.lines().filter(|l| l.contains("\"Progress.\"")) {
        if let Some(at) = line.find("\"origins\":") {
            let n: String = line[at + 10..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            last = n.parse().unwrap_or(0);
            peak = peak.max(last);
        }
    }
    (peak, last)
}
