//! Bad config: one clear message naming the key (and line), exit 2, nothing
//! fetched.

use crate::util::*;
use harvest_testkit::UpstreamSpec;

const HEAD: &str = "[crawl]\nstate_dir = \"state\"\noutput_dir = \"out\"\n";

fn run_bad(toml: &str) -> String {
    let crawl = Crawl::new();
    crawl.write_raw(toml);
    let out = crawl.run_expect(2);
    assert!(
        !exists(&crawl.path("state")),
        "a bad config must not create state"
    );
    stderr(&out)
}

#[test]
fn missing_resource() {
    let err = run_bad(HEAD);
    assert_contains(&err, &["`resources`", "no [[resources]]"]);
}

#[test]
fn bad_selector_names_key_and_line() {
    let up = upstream(UpstreamSpec::default());
    let toml = format!(
        "{HEAD}\n[[resources]]\nname = \"r\"\nseeds = [\"{}\"]\ndata_selector = \"data..items\"\npaginator = {{ type = \"json_link\" }}\n",
        up.seeds()[0]
    );
    let err = run_bad(&toml);
    assert!(
        err.contains("crawl.toml:8: `resources[0] (r).data_selector`"),
        "{err}"
    );
    assert!(err.contains("empty segment"), "{err}");
    assert!(up.log().is_empty(), "nothing fetched");
}

#[test]
fn unknown_key_names_key_and_line() {
    let err = run_bad("[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\nmax_inflight = 3\n");
    assert_contains(&err, &["crawl.toml:4", "unknown field `max_inflight`"]);
}

#[test]
fn unknown_paginator_type() {
    let err = run_bad(&format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\ndata_selector = \"\"\npaginator = {{ type = \"json_lnk\" }}\n"
    ));
    assert_contains(&err, &["crawl.toml:8", "json_lnk"]);
}

#[test]
fn bad_urls_are_config_errors() {
    let err = run_bad(&format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/ok\", \"not a url\", \"ftp://x/y\"]\ndata_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n"
    ));
    assert!(
        err.contains("`resources[0] (r).seeds[1]`: invalid URL `not a url`"),
        "{err}"
    );
    assert_contains(&err, &["`resources[0] (r).seeds[2]`", "scheme `ftp`"]);
    assert!(
        err.contains("2 problems"),
        "every problem reported at once: {err}"
    );
}

#[test]
fn missing_seeds_file() {
    let err = run_bad(&format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds_file = \"nope.txt\"\ndata_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n"
    ));
    assert!(
        err.contains("crawl.toml:6: `resources[0] (r).seeds_file`: no such file"),
        "{err}"
    );
}

#[test]
fn bad_line_in_seeds_file_names_file_and_line() {
    let crawl = Crawl::new();
    std::fs::write(
        crawl.path("seeds.txt"),
        "http://127.0.0.1:1/a\n# comment\n\nhttp//broken\n",
    )
    .unwrap();
    crawl.write_raw(&format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds_file = \"seeds.txt\"\ndata_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n"
    ));
    let err = stderr(&crawl.run_expect(2));
    assert!(
        err.contains("seeds.txt:4: invalid URL `http//broken`"),
        "{err}"
    );
}

#[test]
fn toml_syntax_error() {
    let err = run_bad("[crawl\nstate_dir = 1\n");
    assert!(err.contains("crawl.toml:1"), "{err}");
}

#[test]
fn missing_config_file_is_a_usage_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_harvest"))
        .args(["run", "/nonexistent/crawl.toml"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("cannot read config /nonexistent/crawl.toml"));
}

#[test]
fn type_errors_are_all_reported_in_plain_words() {
    let err = run_bad(&format!(
        "{HEAD}[client]\nrate_per_sec = \"20\"\n[retry]\nmax_attempts = \"5\"\n[resources]\nname = \"r\"\n"
    ));
    assert_contains(
        &err,
        &[
            "3 problems",
            "crawl.toml:5: `client.rate_per_sec`: expected a number, e.g. 20.0",
            "crawl.toml:7: `retry.max_attempts`: expected a whole number",
            "crawl.toml:8: `resources`: `[resources]` declares one table: write `[[resources]]`",
        ],
    );
    assert!(!err.contains("f64"), "no Rust type names: {err}");
}

#[test]
fn an_unset_variable_in_a_path_is_a_config_error_not_a_directory() {
    let crawl = Crawl::new();
    crawl.write_raw(
        "[crawl]\nstate_dir = \"$HARVEST_TEST_UNSET/state\"\noutput_dir = \"out\"\n\
         [[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
         data_selector = \"data\"\npaginator = { type = \"single_page\" }\n",
    );
    let out = in_crawl_dir(&crawl).output().unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("crawl.toml:2: `crawl.state_dir`: `$HARVEST_TEST_UNSET/state`: environment variable `HARVEST_TEST_UNSET` is not set"),
        "{err}"
    );
    assert!(!exists(&crawl.path("$HARVEST_TEST_UNSET")));
}

#[test]
fn home_in_output_dir_is_expanded_not_created_literally() {
    let up = upstream(shape(1, 1, 2, 3));
    let crawl = Crawl::of(&up).write();
    let toml = std::fs::read_to_string(crawl.path("crawl.toml")).unwrap();
    let toml: Vec<String> = toml
        .lines()
        .map(|l| match l.starts_with("output_dir = ") {
            true => "output_dir = \"~/harvest-out\"".to_string(),
            false => l.to_string(),
        })
        .collect();
    crawl.write_raw(&toml.join("\n"));
    let home = crawl.path("home");
    let out = in_crawl_dir(&crawl).env("HOME", &home).output().unwrap();
    assert_exit(&out, 0);
    assert!(!exists(&crawl.path("~")), "no directory named `~`");
    assert!(
        exists(&home.join("harvest-out/items.jsonl")),
        "the output went under $HOME"
    );
}

/// `harvest run` with the crawl's directory as working directory, where a
/// path left unexpanded would be created.
fn in_crawl_dir(crawl: &Crawl) -> std::process::Command {
    let mut cmd = crawl.command_with_log("warn");
    cmd.current_dir(crawl.dir.path());
    cmd
}
