//! Truthful endings: a stream cut short (a next link to another origin, a
//! loop) is recorded, counted in the summary, `status`, `/metrics`, listed
//! by `dead-letters`, and makes the crawl exit 3 — in this run and every
//! later one, until a config that allows it lets the stream go on.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream, UpstreamSpec};

/// Two origins, one stream of 4 pages of 3 records each: origin 0's ids are
/// 0..12, origin 1's 12..24.
fn spec() -> UpstreamSpec {
    shape(2, 1, 4, 3)
}

/// An upstream whose origin 0 page 1 links to origin 1's page 2 (as behind
/// a proxy that rewrites the port), and a crawl of origin 0's stream.
fn foreign_link(extra: &str) -> (Upstream, Crawl) {
    let up = upstream(spec());
    let away = format!("{}/s/0/p/2", up.origin_url(1));
    up.add_fault(
        Fault::new(FaultAction::NextLink(away))
            .origin(0)
            .path("/s/0/p/1"),
    );
    let seeds = vec![format!("{}/s/0/p/0", up.origin_url(0))];
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)])
        .settings(extra)
        .write();
    (up, crawl)
}

fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort_unstable();
    ids
}

/// The requests the upstream saw, as `origin:path`, in order.
fn requests(up: &Upstream) -> Vec<String> {
    let log = up.log().snapshot();
    log.into_iter()
        .map(|r| format!("{}:{}", r.origin, r.path))
        .collect()
}

#[test]
fn a_next_link_to_another_origin_cuts_the_stream_and_exits_3() {
    let (up, crawl) = foreign_link("");
    let target = up.origin_url(1);
    let out = crawl.run_expect(3);
    assert_eq!(sorted(crawl.ids("items")), (0..6).collect::<Vec<_>>());
    assert_eq!(requests(&up), ["0:/s/0/p/0", "0:/s/0/p/1"]);
    let summary = crawl.summary();
    assert_eq!(summary["streams_cut"], 1, "{summary}");
    assert_eq!(summary["streams_cut_total"], 1, "{summary}");
    assert_eq!(summary["dead_letters_total"], 0, "{summary}");
    assert_eq!(summary["incomplete"], "1 stream cut short", "{summary}");
    let log = stderr(&out);
    assert!(
        log.contains("Next link leads to another origin; the stream is cut here. Add it to allowed_origins to follow it.")
            && log.contains(&format!("target={target}")),
        "the warning names the target origin and the key:\n{log}"
    );

    let listing = crawl.admin(&["dead-letters"]);
    assert_exit(&listing, 0);
    let text = stdout(&listing);
    let (_, cuts) = text.split_once("Cut streams\n").expect("a heading");
    let lines: Vec<&str> = cuts.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["resource", "reason", "page", "next", "remedy"],
        "{text}"
    );
    let page = format!("{}/s/0/p/1", up.origin_url(0));
    let next = format!("{target}/s/0/p/2");
    let remedy = format!("add {target} to allowed_origins to follow it");
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>().join(" "),
        format!("items foreign_origin {page} {next} {remedy}"),
        "{text}"
    );
    assert_eq!(
        lines[1].find(&next),
        lines[0].find("next"),
        "aligned: {text}"
    );
    let json = crawl.admin(&["dead-letters", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(
        doc["cut_streams"],
        serde_json::json!([{
            "resource": "items",
            "reason": "foreign_origin",
            "page_url": page,
            "next_url": next,
            "remedy": remedy,
        }])
    );

    let text = crawl.status();
    let row = table_row(&text, "items");
    // resource, pages, pending, waiting, dead, records, bytes, cut
    assert_eq!(
        [row[0], row[1], row[2], row[4], row[5], row[7]],
        ["items", "2", "0", "0", "6", "1"],
        "{text}"
    );

    // retry-dead leaves it; a run again of the finished crawl still exits 3.
    assert_exit(&crawl.admin(&["retry-dead"]), 0);
    up.log().clear();
    crawl.run_expect(3);
    assert!(up.log().is_empty(), "nothing to fetch: {:?}", requests(&up));
    let summary = crawl.summary();
    assert_eq!(summary["streams_cut"], 0, "{summary}");
    assert_eq!(summary["streams_cut_total"], 1, "{summary}");
}

#[test]
fn an_allowed_origin_lets_a_cut_stream_go_on() {
    let (up, crawl) = foreign_link("");
    crawl.run_expect(3);
    up.log().clear();
    crawl.append(&format!("allowed_origins = [\"{}\"]", up.origin_url(1)));
    crawl.run_expect(0);
    assert_eq!(requests(&up), ["1:/s/0/p/2", "1:/s/0/p/3"]);
    let want: Vec<u64> = (0..6).chain(18..24).collect();
    assert_eq!(sorted(crawl.ids("items")), want);
    let summary = crawl.summary();
    assert_eq!(summary["streams_cut_total"], 0, "{summary}");
    assert_eq!(summary["incomplete"], serde_json::Value::Null);
    assert!(!crawl.dead_letters().contains("Cut streams"));
}

#[test]
fn a_fresh_crawl_with_the_target_allowed_follows_it() {
    let (up, crawl) = foreign_link("");
    crawl.append(&format!("allowed_origins = [\"{}\"]", up.origin_url(1)));
    crawl.run_expect(0);
    let want: Vec<u64> = (0..6).chain(18..24).collect();
    assert_eq!(sorted(crawl.ids("items")), want);
    assert_eq!(crawl.summary()["streams_cut"], 0);
}

#[test]
fn a_next_link_back_to_an_earlier_page_is_a_loop() {
    let up = upstream(spec());
    up.add_fault(
        Fault::new(FaultAction::NextLink("/s/0/p/0".into()))
            .origin(0)
            .path("/s/0/p/2"),
    );
    let seeds = vec![format!("{}/s/0/p/0", up.origin_url(0))];
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)]).write();
    crawl.run_expect(3);
    assert_eq!(sorted(crawl.ids("items")), (0..9).collect::<Vec<_>>());
    assert_eq!(requests(&up).len(), 3, "each page once");
    let text = crawl.dead_letters();
    let (_, cuts) = text.split_once("Cut streams\n").expect("a heading");
    let row = table_row(cuts, "items");
    assert_eq!(row[1], "loop", "{text}");
    assert!(
        row[3].ends_with("/s/0/p/0"),
        "the page not followed: {text}"
    );
}

#[test]
fn dead_pages_and_cut_streams_are_named_together() {
    let (up, crawl) = foreign_link("");
    up.add_fault(
        Fault::new(FaultAction::Status(404))
            .origin(1)
            .path("/s/0/p/3"),
    );
    let seeds = vec![
        format!("{}/s/0/p/0", up.origin_url(0)),
        format!("{}/s/0/p/0", up.origin_url(1)),
    ];
    crawl.write(&[Res::json_link("items", seeds)], "");
    let out = crawl.run_expect(3);
    assert!(
        stdout(&out)
            .starts_with("harvest finished, incomplete: 1 dead page and 1 stream cut short"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        crawl.summary()["incomplete"],
        "1 dead page and 1 stream cut short"
    );
    let text = crawl.dead_letters();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("resource  status  reason"), "{text}");
    assert!(lines[1].starts_with("items     404     http_404"), "{text}");
    assert_eq!(lines[2..4], ["", "Cut streams"], "{text}");
    assert!(
        lines[4].starts_with("resource  reason          page"),
        "{text}"
    );
    assert!(
        lines[5].starts_with("items     foreign_origin  http://"),
        "{text}"
    );
}

/// The `harvest_streams_cut_total` sample with `reason`, from a scrape
/// of a crawl that lingers after its end.
fn cut_metric(extra: &str, cut: bool) -> (f64, f64) {
    let port = free_port();
    let settings = format!("[metrics]\nlisten = \"127.0.0.1:{port}\"\nlinger = \"30s\"\n{extra}");
    let (up, crawl) = foreign_link(&settings);
    if !cut {
        up.clear_faults();
    }
    let mut child = crawl.spawn();
    wait_until("the crawl finished", || crawl.path("summary.json").exists());
    let text = scrape(port).expect("metrics linger after the crawl");
    child.kill().unwrap();
    child.wait().unwrap();
    let value = |reason: &str| {
        text.lines()
            .find(|l| {
                l.starts_with("harvest_streams_cut_total{")
                    && l.contains("resource=\"items\"")
                    && l.contains(&format!("reason=\"{reason}\""))
            })
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {reason} series:\n{text}"))
    };
    (value("foreign_origin"), value("loop"))
}

#[test]
fn the_cut_streams_metric_exists_at_zero_and_counts_a_cut() {
    assert_eq!(cut_metric("", false), (0.0, 0.0), "a clean crawl");
    assert_eq!(cut_metric("", true), (1.0, 0.0), "one foreign link");
}
