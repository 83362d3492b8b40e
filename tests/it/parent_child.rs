//! Parent → child resources: every record of `users` (json_link streams)
//! seeds a child stream of `orders` (`/c/{id}/p/{page}`), with the parent's
//! fields copied into each child record; children start while the parent
//! is still paging, and a stopped crawl resumes exactly once.

use crate::util::*;
use harvest_testkit::{child_ids, Upstream, CHILD_PAGES};
use std::time::Instant;

/// A crawl of `users` from the upstream's streams, `orders` from each
/// user's id, with `client` settings.
fn users_and_orders(up: &Upstream, client: &str) -> Crawl {
    let crawl = Crawl::new();
    let seeds = up.seeds().join("\n") + "\n";
    std::fs::write(crawl.path("users-seeds.txt"), seeds).unwrap();
    let toml = format!(
        r#"[crawl]
state_dir = {state:?}
output_dir = {out:?}
max_in_flight = 32

{client}

[[resources]]
name = "users"
seeds_file = "users-seeds.txt"
data_selector = "data"
paginator = {{ type = "json_link" }}

[[resources]]
name = "orders"
parent = {{ resource = "users", url = "{origin}/c/{{id}}/p/0", copy = {{ user_id = "id", user_name = "name" }} }}
data_selector = "data"
paginator = {{ type = "json_link" }}
"#,
        state = crawl.path("state"),
        out = crawl.path("out"),
        origin = up.origin_url(0),
    );
    crawl.write_raw(&toml);
    crawl
}

/// Every child of every parent id exactly once, each carrying its parent's
/// copied fields spliced in front of the bytes the API sent.
fn assert_children(crawl: &Crawl, parents: u64) {
    let text = std::fs::read_to_string(crawl.path("out/orders.jsonl")).unwrap();
    let mut ids = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (id, pid, page) = (
            v["id"].as_u64().unwrap(),
            v["parent_id"].as_u64().unwrap(),
            v["page"].as_u64().unwrap(),
        );
        assert_eq!(
            line,
            format!("{{\"user_id\":{pid},\"user_name\":\"rec-{pid}\",\"id\":{id},\"parent_id\":{pid},\"page\":{page}}}"),
            "the copied fields come first, the child's bytes follow unchanged"
        );
        ids.push(id);
    }
    ids.sort_unstable();
    let want: Vec<u64> = (0..parents).flat_map(child_ids).collect();
    let dups = ids.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(dups, 0, "duplicate child ids");
    assert_eq!(ids.len(), want.len(), "child records");
    assert_eq!(ids, want);
}

#[test]
fn children_start_while_the_parent_pages_and_carry_its_fields() {
    let up = upstream(shape(2, 4, 5, 3));
    let spec = up.spec();
    let crawl = users_and_orders(
        &up,
        "[client]\nrate_per_sec = 400.0\nburst = 10\nmax_in_flight_per_origin = 4\n",
    );
    crawl.run_expect(0);

    assert_exactly_once(&crawl.ids("users"), spec.total_records());
    assert_children(&crawl, spec.total_records());

    let log = up.log().snapshot();
    let first_child = log.iter().position(|r| r.path.starts_with("/c/")).unwrap();
    let last_parent = log.iter().rposition(|r| r.path.starts_with("/s/")).unwrap();
    assert!(
        first_child < last_parent,
        "children start while the parent is paging (first child request #{first_child}, last parent page #{last_parent})"
    );
    let child_requests = log.iter().filter(|r| r.path.starts_with("/c/")).count() as u64;
    assert_eq!(
        child_requests,
        spec.total_records() * CHILD_PAGES,
        "each child page fetched once"
    );
}

#[test]
fn sigint_mid_crawl_then_resume_every_parent_and_child_once() {
    let up = upstream(shape(2, 10, 5, 4));
    let spec = up.spec();
    let crawl = users_and_orders(
        &up,
        "[client]\nrate_per_sec = 300.0\nburst = 5\nmax_in_flight_per_origin = 4\n",
    );
    let total = spec.total_pages() + spec.total_records() * CHILD_PAGES;
    let child = crawl.spawn();
    wait_until("a quarter of the pages were served", || {
        up.log().len() as u64 >= total / 4
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    assert!(
        (up.log().len() as u64) < total,
        "the crawl was stopped early"
    );

    crawl.run_expect(0);
    assert_exactly_once(&crawl.ids("users"), spec.total_records());
    assert_children(&crawl, spec.total_records());
    // A graceful stop commits every page it fetched: nothing is fetched twice.
    assert_eq!(up.log().len() as u64, total);
}

/// Thousands of parents: every child once, and the child process's peak RSS
/// (the parents' records are never all held in memory). Run:
/// `cargo test --release --test it -- --ignored thousands_of_parents --nocapture`.
#[test]
#[ignore]
fn thousands_of_parents_with_bounded_memory() {
    let up = upstream(shape(1, 50, 20, 10));
    let spec = up.spec();
    let crawl = users_and_orders(&up, "[client]\nrate_per_sec = 100000.0\nburst = 1000\n");
    let started = Instant::now();
    crawl.run_expect(0);
    let wall = started.elapsed();
    assert_children(&crawl, spec.total_records());
    println!(
        "{} parents, {} child pages: {wall:?}, peak RSS of harvest {} MB",
        spec.total_records(),
        up.log().len() as u64 - spec.total_pages(),
        children_peak_rss_kib() / 1024
    );
}
