//! `harvest sample`: the first pages of every paginator style, shown as
//! `run` would take them (records, first record, next page), a missed
//! data_selector answered with the arrays the page holds, rate-limit
//! headers shown, and nothing written.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Route, Upstream};
use serde_json::Value;
use std::process::{Command, Output};

/// One stream of 3 pages of 4 records.
fn one_stream(route: Route) -> Upstream {
    let up = upstream(shape(1, 1, 3, 4));
    assert_eq!(up.seeds_for(route).len(), 1);
    up
}

fn crawl_of(up: &Upstream, route: Route, paginator: &str, selector: &'static str) -> Crawl {
    Crawl::with(vec![Res {
        data_selector: selector,
        ..Res::new("items", up.seeds_for(route), paginator)
    }])
    .write()
}

/// `harvest sample crawl.toml ARGS`.
fn sample(crawl: &Crawl, args: &[&str]) -> Output {
    sample_env(crawl, args, &[])
}

/// [`sample`] with extra environment variables (the secrets a config names).
fn sample_env(crawl: &Crawl, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harvest"))
        .arg("sample")
        .arg(crawl.path("crawl.toml"))
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .output()
        .expect("harvest runs")
}

/// The `--json` objects of a sample of `pages` pages, exit 0.
fn sample_json(crawl: &Crawl, pages: &str) -> Vec<Value> {
    let out = sample(crawl, &["--json", "--pages", pages]);
    assert_exit(&out, 0);
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// Asserts what 2 sampled pages of `route` say: 4 records each, the first
/// record of each page, page 1 fetched where page 0's next pointed, and the
/// next page after it (`next_path`: its path and query); nothing written.
fn assert_two_pages(route: Route, paginator: &str, next_kind: &str, next_path: &str) {
    let up = one_stream(route);
    let crawl = crawl_of(&up, route, paginator, "data");
    let pages = sample_json(&crawl, "2");
    assert_eq!(pages.len(), 2, "{pages:?}");
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page["resource"], "items");
        assert_eq!(page["page"], i as u64);
        assert_eq!(page["status"], 200);
        assert_eq!(page["outcome"], "parsed", "{page}");
        assert_eq!(page["records"], 4);
        assert_eq!(page["first_record"]["id"], (i * 4) as u64, "{page}");
        assert_eq!(page["first_record"]["name"], format!("rec-{}", i * 4));
    }
    assert_eq!(pages[1]["url"], pages[0]["next"]["url"]);
    let next = &pages[1]["next"];
    assert_eq!(next["kind"], next_kind, "{next}");
    let origin = up.origin_url(0);
    assert_eq!(next["url"], format!("{origin}{next_path}"), "{next}");
    assert_eq!(up.log().len(), 2, "two pages fetched, one after the other");
    assert_nothing_written(&crawl);
}

fn assert_nothing_written(crawl: &Crawl) {
    assert!(!crawl.path("state").exists(), "sample opened the state");
    assert!(!crawl.path("out").exists(), "sample wrote output");
}

#[test]
fn sample_json_link_two_pages() {
    assert_two_pages(Route::JsonLink, JSON_LINK, "page", "/s/0/p/2");
}

#[test]
fn sample_header_link_two_pages() {
    assert_two_pages(
        Route::Link,
        r#"{ type = "header_link" }"#,
        "page",
        "/link/s/0?page=2",
    );
}

#[test]
fn sample_cursor_two_pages() {
    assert_two_pages(
        Route::Cursor,
        r#"{ type = "cursor", cursor_path = "meta.next_cursor", cursor_param = "cursor" }"#,
        "page",
        "/cursor/s/0?cursor=1002",
    );
}

#[test]
fn sample_offset_two_pages() {
    assert_two_pages(
        Route::Offset,
        r#"{ type = "offset", limit = 4 }"#,
        "page",
        "/offset/s/0?limit=4&offset=8",
    );
}

#[test]
fn sample_page_number_fans_out_then_ends() {
    let route = Route::Pages;
    let up = one_stream(route);
    let paginator = r#"{ type = "page_number", page_param = "page", base = 1, total_pages_path = "total_pages" }"#;
    let crawl = crawl_of(&up, route, paginator, "data");
    let pages = sample_json(&crawl, "2");
    assert_eq!(pages.len(), 2, "{pages:?}");
    let origin = up.origin_url(0);
    let first = &pages[0]["next"];
    assert_eq!(first["kind"], "fan_out", "{first}");
    assert_eq!(first["pages"], 2, "pages 2 and 3 at once");
    assert_eq!(first["url"], format!("{origin}/pages/s/0?page=2"));
    assert_eq!(pages[1]["url"], first["url"]);
    assert_eq!(pages[1]["records"], 4);
    assert_eq!(pages[1]["first_record"]["id"], 4);
    // A fanned-out page ends its stream: the fan-out queued the rest.
    assert_eq!(pages[1]["next"]["kind"], "end");
    assert_nothing_written(&crawl);
}

#[test]
fn sample_text_shows_records_first_record_and_next() {
    let up = one_stream(Route::JsonLink);
    let crawl = crawl_of(&up, Route::JsonLink, JSON_LINK, "data");
    let out = sample(&crawl, &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let origin = up.origin_url(0);
    assert!(
        text.contains(&format!("items page 0  {origin}/s/0/p/0")),
        "{text}"
    );
    assert!(text.contains("status 200 in "), "{text}");
    assert!(text.contains("records 4"), "{text}");
    assert!(
        text.contains("    \"name\": \"rec-0\""),
        "pretty-printed: {text}"
    );
    assert!(
        text.contains(&format!("next (page) {origin}/s/0/p/1: the body's `next`")),
        "{text}"
    );
    assert_eq!(up.log().len(), 1, "one page by default");
    assert_nothing_written(&crawl);
}

#[test]
fn sample_wrong_selector_lists_the_arrays() {
    let up = one_stream(Route::Cursor);
    let crawl = crawl_of(
        &up,
        Route::Cursor,
        r#"{ type = "cursor", cursor_path = "meta.next_cursor", cursor_param = "cursor" }"#,
        "results",
    );
    let out = sample(&crawl, &[]);
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(
        text.contains("would be dead-lettered (selector_missing)"),
        "{text}"
    );
    assert!(text.contains("    data (4)"), "{text}");
    assert!(
        text.contains(
            "the records look like `data` (the largest array of objects): data_selector = \"data\""
        ),
        "{text}"
    );
    let json = sample(&crawl, &["--json"]);
    assert_exit(&json, 3);
    let page: Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    assert_eq!(page["outcome"], "dead");
    assert_eq!(page["arrays"][0]["path"], "data");
    assert_eq!(page["arrays"][0]["len"], 4);
    assert_eq!(page["likely_records"], "data");
    assert_nothing_written(&crawl);
}

#[test]
fn sample_shows_rate_limit_headers_of_a_429() {
    let up = one_stream(Route::JsonLink);
    up.add_fault(
        Fault::new(FaultAction::RateLimited {
            retry_after: Some("7".into()),
        })
        .times(1),
    );
    let crawl = crawl_of(&up, Route::JsonLink, JSON_LINK, "data");
    let out = sample(&crawl, &["--pages", "3"]);
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(text.contains("status 429"), "{text}");
    assert!(text.contains("rate limit  retry-after: 7"), "{text}");
    assert!(text.contains("would be retried (http_429)"), "{text}");
    assert_eq!(up.log().len(), 1, "sample neither retries nor goes on");
    assert_nothing_written(&crawl);
}

#[test]
fn sample_unknown_resource_is_a_usage_error() {
    let up = one_stream(Route::JsonLink);
    let crawl = crawl_of(&up, Route::JsonLink, JSON_LINK, "data");
    let out = sample(&crawl, &["--resource", "nope"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("no resource `nope`"),
        "{}",
        stderr(&out)
    );
    assert!(up.log().is_empty());
    let out = sample(&crawl, &["--resource", "items"]);
    assert_exit(&out, 0);
}

#[test]
fn sample_sends_the_crawl_s_auth_headers_and_params() {
    let up = one_stream(Route::JsonLink);
    let crawl = Crawl::with(vec![Res::json_link("items", up.seeds_for(Route::JsonLink))])
        .settings("[client]\nheaders = { \"X-Sample\" = \"yes\" }\n")
        .write();
    crawl.append(
        "params = { lang = \"en\" }\nauth = { type = \"bearer\", token_env = \"IT_SAMPLE_TOKEN\" }",
    );
    let out = sample_env(
        &crawl,
        &["--pages", "2"],
        &[("IT_SAMPLE_TOKEN", "tok-sample")],
    );
    assert_exit(&out, 0);
    let log = up.log().snapshot();
    assert_eq!(log.len(), 2);
    for r in &log {
        assert_eq!(
            r.header("authorization"),
            Some("Bearer tok-sample"),
            "{r:?}"
        );
        assert_eq!(r.header("x-sample"), Some("yes"), "{r:?}");
        assert!(r.path.contains("lang=en"), "{}", r.path);
    }
    assert!(!stdout(&out).contains("tok-sample"), "no secret printed");
}

/// `items` (json_link) with a child `detail` fetched per record, copying
/// the parent's `id` as `item_id`.
fn parent_and_child() -> (Upstream, Crawl) {
    let up = one_stream(Route::JsonLink);
    let crawl = Crawl::with(vec![Res::json_link("items", up.seeds_for(Route::JsonLink))]).write();
    crawl.append(&format!(
        "\n[[resources]]\nname = \"detail\"\ndata_selector = \"data\"\npaginator = {{ type = \"single_page\" }}\nparent = {{ resource = \"items\", url = \"{}/s/{{id}}/p/0\", copy = {{ item_id = \"id\" }} }}\n",
        up.origin_url(0)
    ));
    (up, crawl)
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn sample_a_child_resource_from_its_parent_s_first_record() {
    let (up, crawl) = parent_and_child();
    let out = sample(&crawl, &["--json"]);
    assert_exit(&out, 0);
    let pages = json_lines(&out);
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(pages[0]["child_pages"], 4, "one child page per record");
    let first_id = pages[0]["first_record"]["id"].clone();
    let detail = &pages[1];
    assert_eq!(detail["resource"], "detail");
    assert_eq!(detail["outcome"], "parsed", "{detail}");
    assert!(
        detail["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/s/{first_id}/p/0")),
        "the first parent record's page: {detail}"
    );
    assert_eq!(
        detail["first_record"]["item_id"], first_id,
        "the copied parent field is spliced in: {detail}"
    );
    assert!(
        detail["via"].as_str().unwrap().contains("`items`"),
        "{detail}"
    );
    assert_eq!(up.log().len(), 2, "the parent's page is not fetched twice");
}

#[test]
fn sample_only_a_child_resource_fetches_its_parent_s_first_page() {
    let (up, crawl) = parent_and_child();
    let out = sample(&crawl, &["--resource", "detail"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("detail page 0"), "{text}");
    assert!(text.contains("from the first `items` record"), "{text}");
    assert!(text.contains("\"item_id\""), "{text}");
    let log = up.log().snapshot();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log[0].path.ends_with("/p/0"),
        "the parent's seed first: {log:?}"
    );
}
