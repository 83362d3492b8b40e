//! `harvest dead-letters` and `harvest retry-dead` on a crawl whose pages
//! failed three ways (a 404, a 500 through every retry, an HTML page): the
//! table a person reads, the JSON a script reads, the filters both share,
//! and a `retry-dead --status` that puts back only the pages it names,
//! checked against the server's request log.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream};
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

const SETTINGS: &str = "[client]\nrate_per_sec = 1000.0\n\n\
                        [retry]\nmax_attempts = 3\nbase_delay = \"1ms\"\nmax_delay = \"5ms\"\n";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Four streams of two pages; the second page of streams 0, 1 and 2 fails
/// with a 404, a 500 every time and an HTML body. Run once (exit 3).
fn failed_crawl() -> (Crawl, Upstream, u64, u64) {
    let up = upstream(shape(1, 4, 2, 2));
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/0/p/1"));
    up.add_fault(Fault::new(FaultAction::Status(500)).path("/s/1/p/1"));
    up.add_fault(Fault::new(FaultAction::Html).path("/s/2/p/1"));
    let crawl = Crawl::of(&up).settings(SETTINGS).write();
    let before = now_ms();
    crawl.run_expect(3);
    let after = now_ms();
    (crawl, up, before, after)
}

/// `harvest dead-letters ARGS --json`: its `dead_letters` by page path.
fn letters_json(crawl: &Crawl, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["dead-letters", "--json"];
    all.extend_from_slice(args);
    let out = crawl.admin(&all);
    assert_exit(&out, 0);
    let doc: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not one JSON document: {e}\n{}", stdout(&out)));
    let mut letters = doc["dead_letters"].as_array().expect("an array").clone();
    letters.sort_by_key(|l| l["url"].as_str().unwrap_or_default().to_owned());
    letters
}

fn path_of(letter: &Value) -> String {
    let url = letter["url"].as_str().expect("url");
    url::Url::parse(url)
        .expect("an absolute URL")
        .path()
        .to_owned()
}

#[test]
fn the_json_form_gives_reason_status_attempts_times_and_the_response() {
    let (crawl, _up, before, after) = failed_crawl();
    let letters = letters_json(&crawl, &[]);
    let got: Vec<(String, Value, &str, u64)> = letters
        .iter()
        .map(|l| {
            (
                path_of(l),
                l["status"].clone(),
                l["reason"].as_str().unwrap(),
                l["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("/s/0/p/1".into(), Value::from(404), "http_404", 1),
            ("/s/1/p/1".into(), Value::from(500), "http_500", 3),
            ("/s/2/p/1".into(), Value::from(200), "not_json", 1),
        ],
        "{letters:#?}"
    );
    for l in &letters {
        let (first, last) = (
            l["first_ms"].as_u64().unwrap(),
            l["last_ms"].as_u64().unwrap(),
        );
        assert!(
            before <= first && first <= last && last <= after,
            "first/last outside the run ({before}..{after}): {l}"
        );
        assert!(l["first"].as_str().unwrap().ends_with('Z'), "{l}");
        assert_eq!(l["resource"], "items", "{l}");
    }
    let snippets: Vec<&str> = letters
        .iter()
        .map(|l| l["snippet"].as_str().unwrap())
        .collect();
    assert_eq!(
        snippets,
        [
            "{\"error\":\"injected 404\"}",
            "{\"error\":\"injected 500\"}",
            "<html><body>Maintenance</body></html>",
        ]
    );
}

#[test]
fn the_table_has_a_header_and_one_aligned_row_per_letter() {
    let (crawl, _up, _, _) = failed_crawl();
    let table = crawl.dead_letters();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three rows:\n{table}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "resource", "status", "reason", "attempts", "first", "last", "url", "detail",
            "response"
        ]
    );
    // Every row's URL starts in the header's `url` column.
    let url_at = lines[0].find("url").unwrap();
    for row in &lines[1..] {
        assert!(row[url_at..].starts_with("http://127.0.0.1"), "{table}");
    }
    let row = table_row(&table, "items");
    assert_eq!(row[0], "items", "{table}");
    assert_contains(
        &table,
        &[
            "http_404",
            "http_500",
            "not_json",
            "injected 404",
            "<html><body>Maintenance",
        ],
    );
}

#[test]
fn filters_narrow_the_listing() {
    let (crawl, _up, _, _) = failed_crawl();
    let paths =
        |args: &[&str]| -> Vec<String> { letters_json(&crawl, args).iter().map(path_of).collect() };
    assert_eq!(paths(&["--reason", "http_500"]), ["/s/1/p/1"]);
    assert_eq!(paths(&["--status", "404"]), ["/s/0/p/1"]);
    assert_eq!(paths(&["--status", "200"]), ["/s/2/p/1"]);
    assert_eq!(
        paths(&["--resource", "items", "--reason", "http_404"]),
        ["/s/0/p/1"]
    );
    assert!(paths(&["--reason", "http_410"]).is_empty());
    let bad = crawl.admin(&["dead-letters", "--reason", "http_status"]);
    assert_exit(&bad, 2);
    assert_contains(&stderr(&bad), &["--reason http_status", "http_<code>"]);
    let bad = crawl.admin(&["dead-letters", "--resource", "orders"]);
    assert_exit(&bad, 2);
    assert_contains(&stderr(&bad), &["--resource orders", "known: items"]);
}

#[test]
fn retry_dead_by_status_puts_back_only_those_pages() {
    let (crawl, up, _, _) = failed_crawl();
    up.clear_faults();
    up.log().clear();
    let out = crawl.admin(&["retry-dead", "--status", "404"]);
    assert_exit(&out, 0);
    assert_contains(
        &stdout(&out),
        &["1 dead pages matched", "(2 not matched stay dead)"],
    );
    // The other two stay dead: this run still exits 3.
    crawl.run_expect(3);
    let fetched: Vec<String> = up.log().snapshot().into_iter().map(|r| r.path).collect();
    assert_eq!(fetched, ["/s/0/p/1"], "only the page put back is fetched");
    let left: Vec<String> = letters_json(&crawl, &[]).iter().map(path_of).collect();
    assert_eq!(left, ["/s/1/p/1", "/s/2/p/1"]);

    up.log().clear();
    assert_exit(&crawl.admin(&["retry-dead", "--reason", "not_json"]), 0);
    crawl.run_expect(3);
    let fetched: Vec<String> = up.log().snapshot().into_iter().map(|r| r.path).collect();
    assert_eq!(fetched, ["/s/2/p/1"]);

    assert_exit(&crawl.admin(&["retry-dead"]), 0);
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
    assert!(letters_json(&crawl, &[]).is_empty());
}

#[test]
fn a_missed_selector_s_letter_names_the_page_s_top_level_keys() {
    let up = upstream(shape(1, 1, 1, 2));
    let mut items = Res::json_link("items", up.seeds());
    items.data_selector = "results";
    let crawl = Crawl::with(vec![items]).settings(SETTINGS).write();
    crawl.run_expect(3);
    let letters = letters_json(&crawl, &[]);
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["reason"], "selector_missing");
    let detail = letters[0]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with(
            "data_selector `results` is not in the page (its top-level keys: `data`, `next`)"
        ),
        "{detail}"
    );
}
