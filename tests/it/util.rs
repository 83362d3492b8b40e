//! The house of the integration tests: an upstream of a given shape, one
//! builder that writes a crawl config into a temp dir, the binary run on it,
//! and the asserts every test makes (exit code, every record exactly once).
//! Waiting and signalling live in `process.rs`, scraping `/metrics` in
//! `scrape.rs`.

mod process;
mod scrape;

pub(crate) use process::*;
pub(crate) use scrape::*;

use harvest_testkit::{Upstream, UpstreamSpec};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// `origins` × `streams` streams of `pages` pages of `records` records
/// each; the rest as [`UpstreamSpec::default`] (override with `..shape(..)`).
pub fn shape(origins: usize, streams: usize, pages: usize, records: usize) -> UpstreamSpec {
    UpstreamSpec {
        origins,
        streams,
        pages,
        records,
        ..Default::default()
    }
}

/// Starts `spec`'s upstream (its spec stays at [`Upstream::spec`]).
pub fn upstream(spec: UpstreamSpec) -> Upstream {
    Upstream::start(spec).expect("the upstream starts")
}

/// The paginator of the testkit's `/s/{s}/p/{p}` streams.
pub const JSON_LINK: &str = r#"{ type = "json_link", next_url_path = "next" }"#;

/// A crawl's working directory: config, seeds, state and output.
pub struct Crawl {
    pub dir: tempfile::TempDir,
}

/// One `[[resources]]` entry of a crawl config.
pub struct Res<'a> {
    pub name: &'a str,
    pub seeds: Vec<String>,
    pub data_selector: &'a str,
    pub paginator: &'a str,
}

impl<'a> Res<'a> {
    /// Records at `data`, pages by `paginator`.
    pub fn new(name: &'a str, seeds: Vec<String>, paginator: &'a str) -> Self {
        Self {
            name,
            seeds,
            data_selector: "data",
            paginator,
        }
    }

    pub fn json_link(name: &'a str, seeds: Vec<String>) -> Self {
        Self::new(name, seeds, JSON_LINK)
    }
}

/// A crawl config being put together: [`Crawl::of`] or [`Crawl::with`],
/// then settings, then [`write`](Self::write).
pub struct Setup<'a> {
    resources: Vec<Res<'a>>,
    /// TOML tables after `[crawl]` (`[client]`, `[retry]`, `[metrics]`, ...).
    settings: String,
    /// `[crawl] max_in_flight`.
    max_in_flight: usize,
}

impl<'a> Setup<'a> {
    /// Appends TOML tables to the config (`[client]`, `[retry]`, ...).
    pub fn settings(mut self, toml: &str) -> Self {
        self.settings.push_str(toml);
        self
    }

    /// `[crawl] max_in_flight` (32 unless set).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n;
        self
    }

    /// Writes `crawl.toml` and the seeds files into a fresh temp dir.
    pub fn write(self) -> Crawl {
        let crawl = Crawl::new();
        crawl.write_config(&self.resources, &self.settings, self.max_in_flight);
        crawl
    }
}

impl Crawl {
    /// An empty crawl directory (a config comes from [`write_raw`](Self::write_raw)).
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A crawl of every stream of `up` as one json_link resource, `items`.
    pub fn of(up: &Upstream) -> Setup<'static> {
        Self::with(vec![Res::json_link("items", up.seeds())])
    }

    /// A crawl of `resources`.
    pub fn with(resources: Vec<Res<'_>>) -> Setup<'_> {
        Setup {
            resources,
            settings: String::new(),
            max_in_flight: 32,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `crawl.toml` again (absolute state/output dirs, seeds in a
    /// seeds file per resource) with `settings` after `[crawl]`.
    pub fn write(&self, resources: &[Res<'_>], settings: &str) -> PathBuf {
        self.write_config(resources, settings, 32)
    }

    fn write_config(&self, resources: &[Res<'_>], settings: &str, max_in_flight: usize) -> PathBuf {
        let mut toml = format!(
            "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\nmax_in_flight = {max_in_flight}\n\n{settings}\n",
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

    /// Appends `lines` to `crawl.toml`: after a builder's config, they land
    /// in the last `[[resources]]` table.
    pub fn append(&self, lines: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.path("crawl.toml"))
            .unwrap();
        writeln!(f, "{lines}").unwrap();
    }

    /// `harvest run crawl.toml --summary-json summary.json`, to completion.
    pub fn run(&self) -> Output {
        self.command().output().expect("harvest runs")
    }

    /// [`run`](Self::run), asserting the exit code.
    pub fn run_expect(&self, code: i32) -> Output {
        let out = self.run();
        assert_exit(&out, code);
        out
    }

    /// `harvest run` with `RUST_LOG=filter`, to completion: the log is its
    /// stderr.
    pub fn run_log(&self, filter: &str) -> Output {
        self.command_with_log(filter)
            .output()
            .expect("harvest runs")
    }

    /// `harvest run crawl.toml` with extra arguments (e.g. `--force`).
    pub fn run_with(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("harvest runs")
    }

    /// `harvest run crawl.toml` with extra environment variables (the
    /// secrets a config names).
    pub fn run_env(&self, env: &[(&str, &str)]) -> Output {
        self.command()
            .envs(env.iter().copied())
            .output()
            .expect("harvest runs")
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

    /// Another subcommand on this crawl's config: `harvest ARGS crawl.toml`.
    pub fn admin(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_harvest"))
            .args(args)
            .arg(self.path("crawl.toml"))
            .env("NO_COLOR", "1")
            .output()
            .expect("harvest runs")
    }

    /// What `harvest dead-letters` lists.
    pub fn dead_letters(&self) -> String {
        stdout(&self.admin(&["dead-letters"]))
    }

    /// The table `harvest status` prints (it must succeed).
    pub fn status(&self) -> String {
        let out = self.admin(&["status"]);
        assert_exit(&out, 0);
        stdout(&out)
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

    /// `items` holds every record of `spec`'s upstream exactly once.
    pub fn assert_every_record_once(&self, spec: &UpstreamSpec) {
        assert_exactly_once(&self.ids("items"), spec.total_records());
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

/// Exit code, with stdout and stderr in the message when it is not `want`.
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

/// `text` holds every one of `needles` (the message shows all of `text`).
pub fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
}

/// The cells of the row of `table` whose first cell is `first`.
pub fn table_row<'a>(table: &'a str, first: &str) -> Vec<&'a str> {
    table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row {first:?} in:\n{table}"))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}
