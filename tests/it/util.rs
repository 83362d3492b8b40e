//! Helpers: write a crawl config into a temp dir, run the binary, read ids.

mod scrape;

pub(crate) use scrape::*;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A crawl's working directory: config, seeds, state and output.
pub struct Crawl {
    pub dir: tempfile::TempDir,
}

/// One `[[resources]]` entry for [`Crawl::write`].
pub struct Res<'a> {
    pub name: &'a str,
    pub seeds: Vec<String>,
    pub data_selector: &'a str,
    pub paginator: &'a str,
}

impl<'a> Res<'a> {
    pub fn json_link(name: &'a str, seeds: Vec<String>) -> Self {
        Self {
            name,
            seeds,
            data_selector: "data",
            paginator: r#"{ type = "json_link", next_url_path = "next" }"#,
        }
    }
}

impl Crawl {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `crawl.toml` (absolute state/output dirs, seeds in a seeds file
    /// per resource) with `extra` appended (e.g. `[client]` settings).
    pub fn write(&self, resources: &[Res<'_>], extra: &str) -> PathBuf {
        let mut toml = format!(
            "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\nmax_in_flight = 32\n\n{extra}\n",
            self.path("state"),
            self.path("out")
        );
        for r in resources {
            let seeds_file = format!("{}-seeds.txt", r.name);
            std::fs::write(self.path(&seeds_file), r.seeds.join("\n") + "\n").unwrap();
            toml.push_str(&format!(
                "\n[[resources]]\nname = {:?}\nseeds_file = {seeds_file:?}\ndata_selector = {:?}\npaginator = {}\n",
                r.name, r.data_selector, r.paginator
            ));
        }
        self.write_raw(&toml)
    }

    /// Writes `crawl.toml` verbatim.
    pub fn write_raw(&self, toml: &str) -> PathBuf {
        let path = self.path("crawl.toml");
        std::fs::write(&path, toml).unwrap();
        path
    }

    /// `harvest run crawl.toml --summary-json summary.json`, to completion.
    pub fn run(&self) -> Output {
        self.command().output().expect("harvest runs")
    }

    /// The same, as a child process to signal.
    pub fn spawn(&self) -> Child {
        self.command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("harvest starts")
    }

    fn command(&self) -> Command {
        let mut cmd = self.command_with_log("warn");
        cmd.arg("--quiet");
        cmd
    }

    /// `harvest run` with `RUST_LOG` set to `filter`.
    pub fn command_with_log(&self, filter: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_harvest"));
        cmd.arg("run")
            .arg(self.path("crawl.toml"))
            .arg("--summary-json")
            .arg(self.path("summary.json"));
        cmd.env("RUST_LOG", filter).env("NO_COLOR", "1");
        cmd
    }

    /// The summary the last run wrote.
    pub fn summary(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path("summary.json")).expect("summary.json");
        serde_json::from_str(&text).unwrap()
    }

    /// Every `id` in `out/<resource>.jsonl`, in file order.
    pub fn ids(&self, resource: &str) -> Vec<u64> {
        let text = std::fs::read_to_string(self.path(&format!("out/{resource}.jsonl")))
            .unwrap_or_default();
        text.lines()
            .map(|l| {
                let v: serde_json::Value =
                    serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}"));
                v["id"].as_u64().expect("id")
            })
            .collect()
    }
}

/// Asserts that `ids` holds each of `0..n` exactly once.
pub fn assert_exactly_once(ids: &[u64], n: u64) {
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for id in ids {
        *counts.entry(*id).or_default() += 1;
    }
    let dups: Vec<_> = counts
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(id, _)| *id)
        .take(10)
        .collect();
    let missing: Vec<_> = (0..n)
        .filter(|id| !counts.contains_key(id))
        .take(10)
        .collect();
    let foreign: Vec<_> = counts.keys().filter(|id| **id >= n).take(10).collect();
    assert!(
        dups.is_empty() && missing.is_empty() && foreign.is_empty(),
        "ids: {} lines; duplicates {dups:?}, missing {missing:?}, unexpected {foreign:?}",
        ids.len()
    );
}

/// Exit code, with stderr in the message when it is not `want`.
pub fn assert_exit(out: &Output, want: i32) {
    assert_eq!(
        out.status.code(),
        Some(want),
        "exit status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Polls `ready` every 10 ms until it holds (event-driven tests: the
/// condition is on the server log or the files, never on elapsed time);
/// panics naming `what` after 120 s, so a hang fails instead of blocking CI.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

impl Crawl {
    /// `harvest run crawl.toml` with extra arguments (e.g. `--force`).
    pub fn run_with(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("harvest runs")
    }

    /// Another subcommand on this crawl's config: `harvest ARGS crawl.toml`.
    pub fn admin(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_harvest"))
            .args(args)
            .arg(self.path("crawl.toml"))
            .env("NO_COLOR", "1")
            .output()
            .expect("harvest runs")
    }
}

impl Crawl {
    /// `harvest run crawl.toml` with extra environment variables (the
    /// secrets a config names).
    pub fn run_env(&self, env: &[(&str, &str)]) -> Output {
        self.command()
            .envs(env.iter().copied())
            .output()
            .expect("harvest runs")
    }

    /// Appends `lines` to `crawl.toml`: after [`Crawl::write`], they land in
    /// the last `[[resources]]` table.
    pub fn append(&self, lines: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.path("crawl.toml"))
            .unwrap();
        writeln!(f, "{lines}").unwrap();
    }
}
