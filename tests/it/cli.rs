//! The command line's small things: `--summary-json -`, JSON errors and
//! summary with `--log-format json`, `demo` leaving foreign files alone,
//! shell completions, `--help`, and `check` printing the plan in config
//! words.

use crate::util::*;
use harvest_testkit::UpstreamSpec;
use std::process::{Command, Output};

/// `harvest ARGS` in `dir`, quiet logs, no colour.
fn harvest_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .output()
        .expect("harvest runs")
}

/// A small finished crawl of `up` in a fresh dir.
fn small_crawl(up: &harvest_testkit::Upstream) -> Crawl {
    Crawl::of(up)
        .settings("[client]\nrate_per_sec = 5000.0\nburst = 100\n")
        .write()
}

#[test]
fn summary_json_dash_goes_to_stdout_not_to_a_file_named_dash() {
    let up = upstream(shape(1, 2, 3, 4));
    let crawl = small_crawl(&up);
    let out = harvest_in(
        crawl.dir.path(),
        &["run", "crawl.toml", "--summary-json", "-"],
    );
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not pure JSON ({e}):\n{}", stdout(&out)));
    assert_eq!(doc["pages"], up.spec().total_pages());
    assert_eq!(doc["records"], up.spec().total_records());
    assert!(!crawl.path("-").exists(), "no file named `-`");
    assert!(
        stderr(&out).contains("pages"),
        "the text summary moves to stderr:\n{}",
        stderr(&out)
    );
}

/// Every line of `text` is a JSON object.
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn json_log_format_prints_config_errors_as_json_lines() {
    let crawl = Crawl::new();
    crawl.write_raw(
        "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n\n[[resources]]\nname = \"r\"\nseeds = [\"not a url\", \"ftp://x/y\"]\ndata_selector = \"data\"\npaginator = { type = \"json_link\" }\n",
    );
    let out = harvest_in(
        crawl.dir.path(),
        &["--log-format", "json", "check", "crawl.toml"],
    );
    assert_exit(&out, 2);
    let lines = json_lines(&stderr(&out));
    assert_eq!(lines.len(), 2, "one line per problem: {lines:?}");
    for line in &lines {
        assert_eq!(line["level"], "ERROR");
        assert_eq!(line["file"], "crawl.toml");
        assert_eq!(line["line"], 7);
        assert!(line["message"].as_str().is_some(), "{line}");
    }
    assert_eq!(lines[0]["key"], "resources[0] (r).seeds[0]");
    assert_eq!(lines[1]["key"], "resources[0] (r).seeds[1]");
}

#[test]
fn json_log_format_prints_the_summary_as_a_json_line() {
    let up = upstream(UpstreamSpec {
        ..shape(1, 1, 2, 3)
    });
    let crawl = small_crawl(&up);
    let out = harvest_in(
        crawl.dir.path(),
        &["--log-format", "json", "run", "crawl.toml"],
    );
    assert_exit(&out, 0);
    let lines = json_lines(&stdout(&out));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["summary"]["pages"], 2);
    assert_eq!(lines[0]["summary"]["records"], 6);
    json_lines(&stderr(&out));
}

#[test]
fn demo_leaves_files_it_did_not_write_alone_and_says_where_it_writes() {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let stray = [
        cwd.path().join("out/demo/mine.txt"),
        cwd.path().join("state/demo/mine.txt"),
    ];
    for path in &stray {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "keep me").unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args([
            "--quiet",
            "demo",
            "--streams",
            "1",
            "--pages",
            "2",
            "--records",
            "2",
        ])
        .current_dir(cwd.path())
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("harvest runs");
    assert_exit(&out, 0);
    for path in &stray {
        assert_eq!(std::fs::read_to_string(path).unwrap(), "keep me");
    }
    let dirs: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "one fresh demo dir: {dirs:?}");
    assert_contains(&stderr(&out), &[&dirs[0].display().to_string()]);
    assert!(dirs[0].join("out/users.jsonl").exists());
    assert!(dirs[0].join("state").is_dir());
}

#[test]
fn completions_print_a_script_naming_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = harvest_in(dir.path(), &["completions", shell]);
        assert_exit(&out, 0);
        let script = stdout(&out);
        assert_contains(
            &script,
            &[
                "harvest",
                "run",
                "check",
                "status",
                "dead-letters",
                "retry-dead",
                "completions",
            ],
        );
    }
    let out = harvest_in(dir.path(), &["completions", "tcsh"]);
    assert_exit(&out, 2);
}

#[test]
fn help_names_the_config_reference() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["-h", "--help"] {
        let out = harvest_in(dir.path(), &[flag]);
        assert_exit(&out, 0);
        assert_contains(&stdout(&out), &["Config reference: README.md#config"]);
    }
}

#[test]
fn check_prints_the_plan_in_config_words_with_absolute_paths() {
    let crawl = Crawl::new();
    std::fs::write(crawl.path("seeds.txt"), "http://127.0.0.1:1/a\n").unwrap();
    crawl.write_raw(
        "[crawl]\nstate_dir = \"state/x\"\noutput_dir = \"out\"\n\n\
         [[resources]]\nname = \"a\"\nseeds_file = \"seeds.txt\"\ndata_selector = \"data\"\n\
         paginator = { type = \"json_link\", next_url_path = \"links.next\" }\n\n\
         [[resources]]\nname = \"b\"\nseeds = [\"http://127.0.0.1:1/b\"]\ndata_selector = \"\"\n\
         paginator = { type = \"cursor\", cursor_path = \"meta.cursor\", has_more_path = \"more\", max_pages = 5 }\n",
    );
    let out = harvest_in(crawl.dir.path(), &["check", "crawl.toml"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    // The temp dir's path as the process sees it (the working directory).
    let dir = crawl
        .dir
        .path()
        .canonicalize()
        .unwrap()
        .display()
        .to_string();
    assert_contains(
        &text,
        &[
            &format!("state_dir  = {dir}/state/x"),
            &format!("output_dir = {dir}/out"),
            &format!("seeds_file = {dir}/seeds.txt"),
            "resource a: 1 seeds",
            "data_selector = \"data\"",
            "paginator = { type = \"json_link\", next_url_path = \"links.next\" }",
            "data_selector = \"\"",
            "paginator = { type = \"cursor\", cursor_path = \"meta.cursor\", cursor_param = \"cursor\", has_more_path = \"more\", max_pages = 5 }",
        ],
    );
    for internal in ["Paginator {", "Selector(", "JsonLink", "Some("] {
        assert!(!text.contains(internal), "{internal:?} in:\n{text}");
    }
}
