//! Single-object pages (`data_selector = "."`): detail endpoints whose body
//! is one record (the testkit's `/item/{id}`), seeded from a template,
//! fetched once per parent record with the parent's fields copied in, and
//! shown by `harvest sample`; a list selector on a detail page says what to
//! write instead.

use crate::util::*;
use harvest_testkit::{detail_body, Upstream};
use serde_json::Value;
use std::process::Command;

/// The line harvest writes for `/item/{id}`: the body's bytes without the
/// whitespace around it, its raw newlines as spaces.
fn detail_line(id: u64) -> String {
    detail_body(id).trim().replace('\n', " ")
}

/// A crawl of `item` over `/item/{from..=to}` with `data_selector`.
fn detail_crawl(up: &Upstream, from: u64, to: u64, data_selector: &str) -> Crawl {
    let crawl = Crawl::new();
    crawl.write_raw(&format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\nmax_in_flight = 8\n\n\
         [client]\nrate_per_sec = 500.0\nburst = 50\n\n\
         [[resources]]\nname = \"item\"\n\
         seed_template = {{ url = \"{}/item/{{n}}\", range = {{ from = {from}, to = {to} }} }}\n\
         data_selector = {data_selector:?}\npaginator = {{ type = \"single_page\" }}\n",
        crawl.path("state"),
        crawl.path("out"),
        up.origin_url(0),
    ));
    crawl
}

/// The lines of `out/<resource>.jsonl` with their `id`, sorted by it.
fn lines_by_id(crawl: &Crawl, resource: &str) -> Vec<(u64, String)> {
    let text = std::fs::read_to_string(crawl.path(&format!("out/{resource}.jsonl"))).unwrap();
    let mut lines: Vec<(u64, String)> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (v["id"].as_u64().expect("id"), l.to_owned())
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn a_seed_template_over_a_detail_endpoint_writes_every_record_once() {
    let up = upstream(shape(1, 1, 1, 1));
    let crawl = detail_crawl(&up, 0, 39, ".");
    crawl.run_expect(0);
    assert_exactly_once(&crawl.ids("item"), 40);
    for (id, line) in lines_by_id(&crawl, "item") {
        assert_eq!(line, detail_line(id), "the bytes the API sent, on one line");
    }
    assert_eq!(crawl.summary()["records"], 40, "{}", crawl.summary());
    assert_eq!(up.log().len(), 40, "one request per detail page");
    let check = crawl.admin(&["check"]);
    assert_exit(&check, 0);
    assert_contains(
        &stdout(&check),
        &["data_selector = \".\"   # each page's body is one record"],
    );
}

#[test]
fn a_child_detail_page_per_parent_record_carries_the_copied_fields() {
    let up = upstream(shape(1, 3, 4, 5));
    let crawl = Crawl::new();
    std::fs::write(crawl.path("users-seeds.txt"), up.seeds().join("\n") + "\n").unwrap();
    crawl.write_raw(&format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\nmax_in_flight = 16\n\n\
         [client]\nrate_per_sec = 500.0\nburst = 50\n\n\
         [[resources]]\nname = \"users\"\nseeds_file = \"users-seeds.txt\"\n\
         data_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n\n\
         [[resources]]\nname = \"item\"\n\
         parent = {{ resource = \"users\", url = \"{}/item/{{id}}\", copy = {{ user_name = \"name\" }} }}\n\
         data_selector = \".\"\npaginator = {{ type = \"single_page\" }}\n",
        crawl.path("state"),
        crawl.path("out"),
        up.origin_url(0),
    ));
    crawl.run_expect(0);
    let users = up.spec().total_records();
    assert_exactly_once(&crawl.ids("users"), users);
    assert_exactly_once(&crawl.ids("item"), users);
    for (id, line) in lines_by_id(&crawl, "item") {
        let sent = detail_line(id);
        assert_eq!(
            line,
            format!("{{\"user_name\":\"rec-{id}\",{}", &sent[1..]),
            "the copied field first, then the detail's own bytes"
        );
    }
}

/// `harvest sample crawl.toml ARGS`, exit `code`; its stdout.
fn sample(crawl: &Crawl, args: &[&str], code: i32) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .arg("sample")
        .arg(crawl.path("crawl.toml"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("harvest runs");
    assert_exit(&out, code);
    stdout(&out)
}

#[test]
fn sample_shows_the_one_record_of_a_detail_page() {
    let up = upstream(shape(1, 1, 1, 1));
    let crawl = detail_crawl(&up, 3, 3, ".");
    let page: Value = serde_json::from_str(sample(&crawl, &["--json"], 0).trim()).unwrap();
    assert_eq!(page["outcome"], "parsed", "{page}");
    assert_eq!(page["records"], 1, "{page}");
    let sent: Value = serde_json::from_str(&detail_body(3)).unwrap();
    assert_eq!(page["first_record"], sent, "{page}");
    assert_eq!(page["next"]["kind"], "end", "{page}");
    let text = sample(&crawl, &[], 0);
    assert_contains(
        &text,
        &["records 1", "first record:", "\"name\": \"item-3\""],
    );
    assert!(!crawl.path("out").exists(), "sample wrote output");
}

#[test]
fn a_list_selector_on_a_detail_page_says_to_write_a_dot() {
    let up = upstream(shape(1, 1, 1, 1));
    let crawl = detail_crawl(&up, 3, 3, "");
    // A page that would be dead-lettered: sample exits 3, as run would.
    let text = sample(&crawl, &[], 3);
    assert_contains(
        &text,
        &[
            "would be dead-lettered (not_an_array)",
            "holds an object, not an array",
            "write `data_selector = \".\"`",
        ],
    );
    crawl.run_expect(3);
    assert_contains(&crawl.dead_letters(), &["not_an_array"]);
}
