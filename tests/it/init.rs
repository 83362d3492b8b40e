//! `harvest init URL`: for every paginator style of the testkit, the draft
//! names the right paginator and data_selector, validates, and — run as
//! written — harvests every record exactly once. Plus: rate-limit headers
//! become a suggestion, an existing `--out` is refused, and a page that is
//! not JSON, not 2xx or not reachable is one clear error with nothing written.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream};
use std::path::Path;
use std::process::{Command, Output};

/// One stream of 3 pages of 4 records: ids 0..12.
fn one_stream() -> Upstream {
    upstream(shape(1, 1, 3, 4))
}

/// `harvest ARGS` in `dir`.
fn harvest_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .output()
        .expect("harvest runs")
}

/// The config `init` wrote at `dir/crawl.toml`, validated.
fn drafted(dir: &Path) -> harvest_config::Config {
    harvest_config::load(&dir.join("crawl.toml"))
        .unwrap_or_else(|e| panic!("the draft does not validate: {e}"))
}

/// `harvest init <origin><path> --out crawl.toml`, which must fetch the
/// page once and draft `paginator` (in config words); then `harvest run`
/// on the draft, which must write every record of the stream exactly once.
fn init_then_run(path: &str, paginator: &str) {
    let up = one_stream();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}{path}", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 0);
    assert_eq!(up.log().len(), 1, "init fetches the page once");
    let config = drafted(dir.path());
    let r = &config.resources[0];
    assert_eq!(r.paginator.to_string(), paginator, "{}", stderr(&out));
    assert_eq!(r.data_selector.to_string(), "data");
    assert_eq!(r.seeds.urls[0].as_str(), url);
    assert!(
        stderr(&out).contains(&format!("paginator = {paginator}")),
        "{}",
        stderr(&out)
    );
    let run = harvest_in(dir.path(), &["--quiet", "run", "crawl.toml"]);
    assert_exit(&run, 0);
    let file = dir
        .path()
        .join(&config.crawl.output_dir)
        .join(format!("{}.jsonl", r.name));
    let ids: Vec<u64> = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_exactly_once(&ids, up.spec().total_records());
}

#[test]
fn init_json_link_runs_every_record_once() {
    init_then_run(
        "/s/0/p/0",
        r#"{ type = "json_link", next_url_path = "next" }"#,
    );
}

#[test]
fn init_header_link_runs_every_record_once() {
    init_then_run("/link/s/0", r#"{ type = "header_link" }"#);
}

#[test]
fn init_cursor_runs_every_record_once() {
    init_then_run(
        "/cursor/s/0",
        r#"{ type = "cursor", cursor_path = "meta.next_cursor", cursor_param = "cursor" }"#,
    );
}

#[test]
fn init_offset_runs_every_record_once() {
    init_then_run(
        "/offset/s/0?offset=0&limit=3",
        r#"{ type = "offset", offset_param = "offset", limit_param = "limit", limit = 3, total_path = "total", end_on_short_page = false }"#,
    );
}

#[test]
fn init_page_number_runs_every_record_once() {
    init_then_run(
        "/pages/s/0?page=1&per_page=5",
        r#"{ type = "page_number", page_param = "page", base = 1, total_pages_path = "total_pages", page_size = 5, page_size_param = "per_page", end_on_short_page = false }"#,
    );
}

#[test]
fn init_turns_rate_limit_headers_into_a_suggestion() {
    let up = one_stream();
    let quota = [
        ("X-RateLimit-Limit", "600"),
        ("X-RateLimit-Remaining", "120"),
        ("X-RateLimit-Reset", "60"),
    ];
    up.add_fault(Fault::new(FaultAction::Headers(
        quota
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/s/0/p/0", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 0);
    let config = drafted(dir.path());
    assert_eq!(config.client.defaults.rate_per_sec, 2.0);
    assert_eq!(config.client.defaults.burst, 2);
    let text = std::fs::read_to_string(dir.path().join("crawl.toml")).unwrap();
    assert!(text.contains("`x-ratelimit-remaining: 120`"), "{text}");
    assert!(text.contains("120 requests left for 60 s"), "{text}");
    assert!(
        stderr(&out).contains("from the rate-limit headers"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_without_out_prints_the_draft_and_help_names_init() {
    let up = one_stream();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/s/0/p/0", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let config = harvest_config::parse(&text, &dir.path().join("x.toml"))
        .unwrap_or_else(|e| panic!("stdout is not a valid config: {e}\n{text}"));
    assert_eq!(config.resources[0].name, "p");
    assert!(text.contains("no rate-limit headers"), "{text}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let help = harvest_in(dir.path(), &["--help"]);
    assert!(
        stdout(&help).contains("harvest init URL"),
        "{}",
        stdout(&help)
    );
}

#[test]
fn init_refuses_an_existing_out_unless_forced() {
    let up = one_stream();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("crawl.toml"), "mine").unwrap();
    let url = format!("{}/s/0/p/0", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("crawl.toml exists: pass --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("crawl.toml")).unwrap(),
        "mine"
    );
    assert!(up.log().is_empty(), "refused before fetching");
    let out = harvest_in(
        dir.path(),
        &["init", &url, "--out", "crawl.toml", "--force"],
    );
    assert_exit(&out, 0);
    drafted(dir.path());
}

#[test]
fn init_of_a_page_that_is_not_json_is_one_error_and_no_file() {
    let up = one_stream();
    up.add_fault(Fault::new(FaultAction::Html));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/s/0/p/0", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("did not answer JSON (content-type text/html"),
        "{err}"
    );
    assert!(err.contains("<html>"), "the body's start is shown: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!dir.path().join("crawl.toml").exists());
}

#[test]
fn init_of_a_404_or_an_unreachable_url_is_one_error_and_no_file() {
    let up = one_stream();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/no/such/page", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("answered HTTP 404"),
        "{}",
        stderr(&out)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/items");
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("cannot fetch"), "{}", stderr(&out));
    let out = harvest_in(dir.path(), &["init", "ftp://x/y", "--out", "crawl.toml"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("scheme `ftp`"), "{}", stderr(&out));
    assert!(!dir.path().join("crawl.toml").exists());
}

#[test]
fn init_on_a_detail_page_drafts_the_whole_body_as_the_record() {
    let up = one_stream();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/item/7", up.origin_url(0));
    let out = harvest_in(dir.path(), &["init", &url, "--out", "crawl.toml"]);
    assert_exit(&out, 0);
    assert_contains(&stderr(&out), &["data_selector = \".\"", "taken whole"]);
    let config = drafted(dir.path());
    let r = &config.resources[0];
    assert_eq!(r.data_selector, harvest_config::DataSelector::Body);
    assert_eq!(r.paginator.to_string(), r#"{ type = "single_page" }"#);
    let run = harvest_in(dir.path(), &["--quiet", "run", "crawl.toml"]);
    assert_exit(&run, 0);
    let file = dir
        .path()
        .join(&config.crawl.output_dir)
        .join(format!("{}.jsonl", r.name));
    let text = std::fs::read_to_string(&file).unwrap();
    let sent = harvest_testkit::detail_body(7);
    assert_eq!(text, format!("{}\n", sent.trim().replace('\n', " ")));
}
