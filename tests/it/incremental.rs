//! Incremental passes against the testkit's changing API (`updated_at`,
//! filtered with `updated_since >=`): pass 1 takes every record; after the
//! API adds M and updates K, pass 2 writes exactly those M + K, the records
//! at the boundary second not again; pass 3 with no change writes nothing
//! and sends one request per stream. Each pass's records are in their own
//! file, `out/orders/pass-NNNNNN.jsonl`.

use crate::util::*;
use harvest_testkit::changing::ChangingApi;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

/// A crawl of the changing API's orders, incremental on `updated_at`;
/// `extra` goes inside the `incremental` table.
fn orders_crawl(api: &ChangingApi, extra: &str) -> Crawl {
    paced_orders_crawl(api, extra, "rate_per_sec = 1000.0\nburst = 100")
}

/// [`orders_crawl`] with these `[client]` settings.
fn paced_orders_crawl(api: &ChangingApi, extra: &str, client: &str) -> Crawl {
    let crawl = Crawl::new();
    crawl.write_raw(&format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\n\n\
         [client]\n{client}\n\n\
         [[resources]]\nname = \"orders\"\nseeds = [\"{}?limit=10\"]\n\
         data_selector = \"data\"\n\
         paginator = {{ type = \"cursor\", cursor_path = \"meta.next\", cursor_param = \"cursor\" }}\n\
         incremental = {{ cursor_path = \"updated_at\", param = \"updated_since\", \
         primary_key = \"id\"{extra} }}\n",
        crawl.path("state"),
        crawl.path("out"),
        api.url(),
    ));
    crawl
}

/// The `(id, version)` of every record in pass `pass`'s file (empty when
/// the file is absent).
fn pass_records(crawl: &Crawl, pass: u32) -> Vec<(u64, u32)> {
    let path = crawl.path(&format!("out/orders/pass-{pass:06}.jsonl"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (
                v["id"].as_u64().unwrap(),
                v["version"].as_u64().unwrap() as u32,
            )
        })
        .collect()
}

/// Every request's path and query, in arrival order.
fn sent_paths(api: &ChangingApi) -> Vec<String> {
    api.log().snapshot().into_iter().map(|r| r.path).collect()
}

/// The record versions the API holds now that `before` did not.
fn changed_since(api: &ChangingApi, before: &BTreeSet<(u64, u32)>) -> Vec<(u64, u32)> {
    api.current()
        .into_iter()
        .filter(|r| !before.contains(r))
        .collect()
}

fn sorted(mut v: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    v.sort_unstable();
    v
}

#[test]
fn passes_write_what_changed_exactly_once() {
    let api = ChangingApi::start(25).unwrap();
    let crawl = orders_crawl(&api, ", initial_value = \"2024-01-01T00:00:00Z\"");

    let check = crawl.admin(&["check"]);
    assert_exit(&check, 0);
    assert_contains(
        &stdout(&check),
        &["incremental: passes by `updated_at`, the start sent as `updated_since`, pass 1 from `2024-01-01T00:00:00Z`; boundary records told apart by `id`"],
    );
    crawl.run_expect(0);
    let first = pass_records(&crawl, 1);
    assert_eq!(
        sorted(first.clone()),
        api.current(),
        "pass 1: every record once"
    );
    let sent = sent_paths(&api);
    assert!(
        sent.iter()
            .all(|p| p.contains("updated_since=2024-01-01T00%3A00%3A00Z")),
        "every page carries the start: {sent:?}"
    );
    assert!(!crawl.path("out/orders.jsonl").exists());

    let before: BTreeSet<(u64, u32)> = api.current().into_iter().collect();
    let added = api.add(4);
    api.update(&[0, 5, 7]);
    api.log().clear();
    crawl.run_expect(0);
    let second = pass_records(&crawl, 2);
    let changed: Vec<(u64, u32)> = changed_since(&api, &before);
    assert_eq!(changed.len(), 4 + 3);
    assert_eq!(sorted(second), changed, "pass 2: the M added and K updated");
    let boundary = api.updated_at(24).unwrap();
    let sent = sent_paths(&api);
    let encoded = boundary.replace(':', "%3A");
    assert!(
        sent.iter()
            .all(|p| p.contains(&format!("updated_since={encoded}"))),
        "pass 2 starts at pass 1's newest record ({boundary}): {sent:?}"
    );
    assert!(added.iter().all(|id| *id >= 25));
    let summary = crawl.summary();
    assert_eq!(
        summary["passes"][0],
        serde_json::json!({
            "resource": "orders", "pass": 2, "start": boundary, "records": 7,
            "output": "orders/pass-000002.jsonl",
        }),
        "{summary}"
    );
    assert_eq!(summary["records"], 7, "{summary}");
    assert_eq!(
        summary["incremental_seen"], 1,
        "record 24, at the boundary: {summary}"
    );
    let status = crawl.status();
    let row = table_row(&status, "orders");
    assert_eq!(row[0], "orders", "{status}");
    let pass_row: Vec<&str> = status
        .lines()
        .skip_while(|l| !l.starts_with("incremental"))
        .nth(1)
        .expect("a pass table")
        .split_whitespace()
        .collect();
    assert_eq!(
        pass_row[..5],
        ["orders", "2", "(done)", boundary.as_str(), "7"],
        "{status}"
    );
    assert_contains(
        &status,
        &[
            "orders/pass-000002.jsonl",
            "pass 1: 25 records",
            "`harvest run` begins the next pass",
        ],
    );

    api.log().clear();
    crawl.run_expect(0);
    assert!(
        pass_records(&crawl, 3).is_empty(),
        "pass 3: nothing changed"
    );
    assert_eq!(api.log().len(), 1, "one request per stream");

    // The union of the passes: every record version once, none twice.
    let mut all: Vec<(u64, u32)> = (1..=3).flat_map(|p| pass_records(&crawl, p)).collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "a record version written twice");
    let want: BTreeSet<(u64, u32)> = before.into_iter().chain(changed).collect();
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), want);
}

#[test]
fn without_an_initial_value_the_first_pass_sends_no_start() {
    let api = ChangingApi::start(12).unwrap();
    let crawl = orders_crawl(&api, "");
    crawl.run_expect(0);
    assert_eq!(sorted(pass_records(&crawl, 1)), api.current());
    let sent = sent_paths(&api);
    assert!(
        sent.iter().all(|p| !p.contains("updated_since")),
        "{sent:?}"
    );
    api.add(2);
    crawl.run_expect(0);
    assert_eq!(pass_records(&crawl, 2).len(), 2);
}

#[test]
fn every_begins_passes_on_schedule_and_a_long_pass_is_not_overlapped() {
    // 30 records, 10 a page: pass 1 is 3 requests at 2 a second (a second,
    // over the 600 ms interval); later passes, with the boundary second
    // only, 1 request each.
    let api = ChangingApi::start(30).unwrap();
    let crawl = paced_orders_crawl(
        &api,
        ", initial_value = \"2024-01-01T00:00:00Z\"",
        "rate_per_sec = 2.0\nburst = 1",
    );
    let interval = Duration::from_millis(600);
    let child = crawl
        .command_with_log("warn")
        .args(["--quiet", "--every", "600ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("harvest starts");
    let seeds = |api: &ChangingApi| -> Vec<Duration> {
        let log = api.log().snapshot();
        log.iter()
            .filter(|r| !r.path.contains("cursor="))
            .map(|r| r.at)
            .collect()
    };
    wait_until("pass 1 ended", || {
        !seeds(&api).is_empty() && api.log().len() >= 3
    });
    api.add(2);
    wait_until("four passes began", || seeds(&api).len() >= 4);
    terminate(&child);
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 143);

    let log = api.log().snapshot();
    let starts = seeds(&api);
    // Pass 1's three pages all come before pass 2's seed: no overlap.
    let pass_1_end = log
        .iter()
        .filter(|r| r.path.contains("cursor="))
        .map(|r| r.at)
        .max();
    assert!(pass_1_end.unwrap() < starts[1], "{log:?}");
    // Passes wait for their tick, one interval apart (less the start-up
    // jitter of a run: a lower bound only, never a wall-clock equality).
    for pair in starts.windows(2) {
        assert!(pair[1] - pair[0] >= interval / 2, "{starts:?}");
    }
    assert_eq!(sorted(pass_records(&crawl, 1)).len(), 30);
    let later: usize = (2..=starts.len() as u32)
        .map(|p| pass_records(&crawl, p).len())
        .sum();
    assert_eq!(later, 2, "the two records added after pass 1, once");
    assert_contains(
        &stdout(&out),
        &["pass 1 of orders: 30 records", "pass 2 of orders"],
    );
}

#[test]
fn every_without_an_incremental_resource_is_refused() {
    let up = upstream(shape(1, 1, 1, 1));
    let crawl = Crawl::of(&up).write();
    let out = crawl.run_with(&["--every", "1m"]);
    assert_exit(&out, 2);
    assert_contains(
        &stderr(&out),
        &["--every runs passes of incremental resources"],
    );
    assert!(up.log().is_empty());
}

/// Runs the crawl to its end, `kill -9`-ing each run once the API has
/// received `0..max_draw` more requests, as `rng` draws (a point in the
/// crawl's progress, not in time; a run commits every 100 ms, so a draw
/// must let some runs live that long); returns the kills that landed.
fn run_through_kills(
    crawl: &Crawl,
    api: &ChangingApi,
    rng: &mut StdRng,
    max_draw: usize,
    replay: &str,
) -> u32 {
    let mut kills = 0;
    loop {
        assert!(kills < 100, "{replay}: no end after {kills} kills");
        let kill_at = api.log().received() + rng.gen_range(0..max_draw);
        let mut child = crawl.spawn();
        let mut finished = false;
        wait_until("the kill point or the end of the run", || {
            finished = child.try_wait().unwrap().is_some();
            finished || api.log().received() >= kill_at
        });
        if finished {
            let out = child.wait_with_output().unwrap();
            assert_exit(&out, 0);
            return kills;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
    }
}

#[test]
fn kill_9_during_passes_keeps_each_pass_exact() {
    let seed = std::env::var("HARVEST_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x1ac_2026_u64);
    let mut rng = StdRng::seed_from_u64(seed);
    let replay = format!(
        "seed {seed}; replay: HARVEST_KILL_SEED={seed} cargo test --test it kill_9_during_passes"
    );
    // 2,000 records, 10 a page: 200 sequential pages a pass, paced at 200
    // a second so that a run commits (every 100 ms) before most kills.
    let api = ChangingApi::start(2_000).unwrap();
    let crawl = paced_orders_crawl(
        &api,
        ", initial_value = \"2024-01-01T00:00:00Z\"",
        "rate_per_sec = 200.0\nburst = 1",
    );

    let kills_1 = run_through_kills(&crawl, &api, &mut rng, 60, &replay);
    assert_eq!(
        sorted(pass_records(&crawl, 1)),
        api.current(),
        "pass 1, {replay}"
    );

    let before: BTreeSet<(u64, u32)> = api.current().into_iter().collect();
    api.add(1_500);
    let updated: Vec<u64> = (0..500).map(|_| rng.gen_range(0..2_000)).collect();
    api.update(&updated);
    let kills_2 = run_through_kills(&crawl, &api, &mut rng, 60, &replay);
    let changed: Vec<(u64, u32)> = changed_since(&api, &before);
    assert_eq!(sorted(pass_records(&crawl, 2)), changed, "pass 2, {replay}");
    assert!(
        kills_1 >= 3 && kills_2 >= 3,
        "{replay}: only {kills_1} and {kills_2} kills landed in passes 1 and 2"
    );
}

#[test]
fn a_child_of_an_incremental_parent_follows_only_the_pass_s_records() {
    let api = ChangingApi::start(12).unwrap();
    let crawl = orders_crawl(&api, ", initial_value = \"2024-01-01T00:00:00Z\"");
    let base = api.url();
    crawl.append(&format!(
        "\n[[resources]]\nname = \"lines\"\n\
         parent = {{ resource = \"orders\", url = \"{base}/{{id}}/lines\" }}\n\
         data_selector = \"data\"\npaginator = {{ type = \"single_page\" }}\n"
    ));
    let lines_of = |pass: u32| -> Vec<(u64, u64, u64)> {
        let path = crawl.path(&format!("out/lines/pass-{pass:06}.jsonl"));
        let mut got: Vec<(u64, u64, u64)> = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let n = |k: &str| v[k].as_u64().unwrap();
                (n("order_id"), n("version"), n("line"))
            })
            .collect();
        got.sort_unstable();
        got
    };
    let lines_for = |orders: &[(u64, u32)]| -> Vec<(u64, u64, u64)> {
        let mut want: Vec<(u64, u64, u64)> = orders
            .iter()
            .flat_map(|(id, v)| (0..2).map(move |line| (*id, u64::from(*v), line)))
            .collect();
        want.sort_unstable();
        want
    };

    crawl.run_expect(0);
    assert_eq!(
        lines_of(1),
        lines_for(&api.current()),
        "pass 1: every order's lines"
    );

    let before: BTreeSet<(u64, u32)> = api.current().into_iter().collect();
    api.add(2);
    api.update(&[3]);
    api.log().clear();
    crawl.run_expect(0);
    let changed: Vec<(u64, u32)> = changed_since(&api, &before);
    assert_eq!(changed.len(), 3);
    assert_eq!(
        lines_of(2),
        lines_for(&changed),
        "pass 2: the changed orders' lines only"
    );
    let child_requests: Vec<String> = api
        .log()
        .snapshot()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.ends_with("/lines"))
        .collect();
    assert_eq!(child_requests.len(), 3, "{child_requests:?}");

    // reset removes every pass file it wrote, and nothing else.
    std::fs::write(crawl.path("out/orders/notes.txt"), "mine").unwrap();
    assert_exit(&crawl.admin(&["reset", "--yes"]), 0);
    assert!(
        !crawl.path("out/lines").exists(),
        "the emptied pass directory goes"
    );
    let left: Vec<String> = std::fs::read_dir(crawl.path("out/orders"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["notes.txt"]);
}

#[test]
fn bad_incremental_settings_are_all_reported_at_once() {
    let crawl = Crawl::new();
    crawl.write_raw(
        "[crawl]\nstate_dir = \"state\"\noutput_dir = \"out\"\n\n\
         [[resources]]\nname = \"orders\"\nseeds = [\"http://127.0.0.1:1/orders\"]\n\
         data_selector = \"data\"\n\
         paginator = { type = \"cursor\", cursor_path = \"meta.next\", cursor_param = \"cursor\" }\n\
         incremental = { cursor_path = \"updated_at\", param = \"cursor\", initial_value = 1000, \
         lag = \"10m\", end_param = \"until\", on_missing = \"skip\" }\n\n\
         [[resources]]\nname = \"lines\"\n\
         parent = { resource = \"orders\", url = \"http://127.0.0.1:1/orders/{id}/lines\" }\n\
         data_selector = \"data\"\npaginator = { type = \"single_page\" }\n\
         incremental = { cursor_path = \"at\", param = \"since\", initial_value = true }\n",
    );
    let out = crawl.run_expect(2);
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "`resources[0] (orders).incremental.param`",
            "`cursor` is the paginator's own cursor_param: pages could not carry the pass's value",
            "`resources[0] (orders).incremental.lag`",
            "a duration fits timestamp cursors, and this cursor is a number",
            "`resources[0] (orders).incremental.end_value`",
            "`end_param` needs `end_value`",
            "`resources[0] (orders).incremental.on_missing`",
            "`skip`: use dead_letter, include, exclude",
            "`resources[1] (lines).incremental`",
            "put it on `orders`",
            "`resources[1] (lines).incremental.initial_value`",
            "expected a string or a number",
        ],
    );
    assert!(!exists(&crawl.path("state")));
}

/// A crawl of the ordinary testkit API (records `{"id":N,...}`) with
/// `incremental = { param = "since", INC }`; run once, exit `code`.
fn judged_crawl(inc: &str, code: i32) -> (Crawl, harvest_testkit::Upstream) {
    let up = upstream(shape(1, 1, 2, 3));
    let crawl = Crawl::new();
    crawl.write_raw(&format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\n\n[client]\nrate_per_sec = 1000.0\n\n\
         [[resources]]\nname = \"items\"\nseeds = {:?}\ndata_selector = \"data\"\n\
         paginator = {{ type = \"json_link\" }}\nincremental = {{ param = \"since\", {inc} }}\n",
        crawl.path("state"),
        crawl.path("out"),
        up.seeds(),
    ));
    crawl.run_expect(code);
    (crawl, up)
}

#[test]
fn a_cursor_of_another_kind_than_the_start_dead_letters_its_page() {
    let (crawl, _up) = judged_crawl(
        "cursor_path = \"id\", initial_value = \"2024-01-01T00:00:00Z\"",
        3,
    );
    let listing = crawl.dead_letters();
    assert_contains(
        &listing,
        &[
            "bad_cursor",
            "the cursor `id` of a record: the cursor holds a number (`0`) where the others hold an RFC 3339 timestamp",
            "since=2024-01-01T00%3A00%3A00Z",
        ],
    );
}

#[test]
fn a_record_without_its_cursor_follows_on_missing() {
    let (crawl, _up) = judged_crawl("cursor_path = \"updated_at\"", 3);
    assert_contains(
        &crawl.dead_letters(),
        &["cursor_missing", "on_missing = \"include\""],
    );
    let (crawl, up) = judged_crawl("cursor_path = \"updated_at\", on_missing = \"include\"", 0);
    assert_exactly_once(&crawl.ids("items/pass-000001"), up.spec().total_records());
    let (crawl, _up) = judged_crawl("cursor_path = \"updated_at\", on_missing = \"exclude\"", 0);
    assert!(crawl.ids("items/pass-000001").is_empty());
}

#[test]
fn sample_asks_for_the_first_pass_s_page_and_checks_the_cursor() {
    let api = ChangingApi::start(25).unwrap();
    let crawl = orders_crawl(&api, ", initial_value = \"2024-01-01T00:00:05Z\"");
    let sample = |crawl: &Crawl| -> Value {
        let out = crawl.admin(&["sample", "--json"]);
        serde_json::from_str(stdout(&out).trim())
            .unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
    };
    let page = sample(&crawl);
    assert!(
        page["url"]
            .as_str()
            .unwrap()
            .contains("updated_since=2024-01-01T00%3A00%3A05Z"),
        "{page}"
    );
    assert_eq!(page["outcome"], "parsed", "{page}");
    assert_eq!(page["records"], 10, "{page}");
    assert!(!crawl.path("state").exists(), "sample writes no state");
    let wrong = orders_crawl(&api, ", initial_value = \"2024-01-01T00:00:05Z\"");
    let text = std::fs::read_to_string(wrong.path("crawl.toml"))
        .unwrap()
        .replace(
            "cursor_path = \"updated_at\"",
            "cursor_path = \"updatedAt\"",
        );
    wrong.write_raw(&text);
    let page = sample(&wrong);
    assert_eq!(page["outcome"], "dead", "{page}");
    assert_eq!(page["reason"], "cursor_missing", "{page}");
}

#[test]
fn a_lag_re_reads_a_window_without_writing_it_again_and_an_end_closes_it() {
    // 25 records at seconds 1..=9 (three a second). With a 5 s lag, pass 2
    // starts 5 s before pass 1's newest: those records come back, none is
    // written again; only the changes are.
    let api = ChangingApi::start(25).unwrap();
    let crawl = orders_crawl(
        &api,
        ", initial_value = \"2024-01-01T00:00:00Z\", lag = \"5s\"",
    );
    crawl.run_expect(0);
    assert_eq!(pass_records(&crawl, 1).len(), 25);
    let before: BTreeSet<(u64, u32)> = api.current().into_iter().collect();
    api.add(2);
    api.log().clear();
    crawl.run_expect(0);
    let changed: Vec<(u64, u32)> = changed_since(&api, &before);
    assert_eq!(sorted(pass_records(&crawl, 2)), changed);
    let sent = api.log().snapshot()[0].path.clone();
    assert!(
        sent.contains("updated_since=2024-01-01T00%3A00%3A04Z"),
        "9 s less 5: {sent}"
    );
    assert!(
        crawl.summary()["incremental_seen"].as_u64().unwrap() >= 15,
        "{}",
        crawl.summary()
    );

    // A closed window: records at or past end_value are left out, the end
    // is sent too.
    let api = ChangingApi::start(25).unwrap();
    let crawl = orders_crawl(
        &api,
        ", initial_value = \"2024-01-01T00:00:00Z\", end_param = \"updated_before\", \
         end_value = \"2024-01-01T00:00:05Z\"",
    );
    crawl.run_expect(0);
    let ids: Vec<u64> = sorted(pass_records(&crawl, 1))
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, (0..12).collect::<Vec<_>>(), "seconds 1 to 4");
    assert!(api.log().snapshot()[0]
        .path
        .contains("updated_before=2024-01-01T00%3A00%3A05Z"));
    assert_eq!(crawl.summary()["incremental_left_out"], 13);
}
