//! Every record of every page lands in the output exactly once, as the bytes
//! the API sent.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, LinkStyle, UpstreamSpec};

const FAST: &str = "[client]\nrate_per_sec = 5000.0\nburst = 100\nmax_in_flight_per_origin = 8\n";

#[test]
fn origins_by_streams_by_pages_every_id_once() {
    let up = upstream(UpstreamSpec {
        link: LinkStyle::PathRelative,
        ..shape(3, 4, 10, 7)
    });
    let spec = up.spec();
    let crawl = Crawl::of(&up).settings(FAST).write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
    assert_eq!(
        up.log().len() as u64,
        spec.total_pages(),
        "each page fetched once"
    );
    let summary = crawl.summary();
    assert_eq!(summary["pages"], spec.total_pages());
    assert_eq!(summary["records"], spec.total_records());
}

#[test]
fn resources_get_their_own_files_and_link_styles_all_work() {
    let spec = UpstreamSpec {
        link: LinkStyle::Absolute,
        null_at_end: false,
        ..shape(2, 2, 5, 3)
    };
    let abs = upstream(spec.clone());
    let rel = upstream(UpstreamSpec {
        link: LinkStyle::RootRelative,
        ..spec.clone()
    });
    let crawl = Crawl::with(vec![
        Res::json_link("abs", abs.seeds()),
        Res::json_link("rel", rel.seeds()),
    ])
    .settings(FAST)
    .write();
    crawl.run_expect(0);
    assert_exactly_once(&crawl.ids("abs"), spec.total_records());
    assert_exactly_once(&crawl.ids("rel"), spec.total_records());
}

#[test]
fn records_are_written_as_the_exact_bytes_sent() {
    let up = upstream(UpstreamSpec {
        record_pad: 5,
        ..shape(1, 1, 2, 3)
    });
    let spec = up.spec();
    let crawl = Crawl::of(&up).settings(FAST).write();
    crawl.run_expect(0);
    let written = std::fs::read_to_string(crawl.path("out/items.jsonl")).unwrap();
    let port = up
        .origin_url(0)
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut expected = String::new();
    for page in 0..2 {
        let body: serde_json::Value =
            serde_json::from_str(&spec.page_body(0, port, 0, page).unwrap()).unwrap();
        let raw = spec.page_body(0, port, 0, page).unwrap();
        // The page's records, cut out of the body text itself.
        let array = &raw[raw.find('[').unwrap() + 1..raw.rfind(']').unwrap()];
        assert_eq!(body["data"].as_array().unwrap().len(), 3);
        for record in array.split("},{") {
            let record = record.trim_start_matches('{').trim_end_matches('}');
            expected.push_str(&format!("{{{record}}}\n"));
        }
    }
    assert_eq!(written, expected);
}

#[test]
fn a_duplicate_seed_is_fetched_once() {
    let up = upstream(shape(1, 2, 3, 2));
    let mut seeds = up.seeds();
    seeds.push(seeds[0].clone());
    let crawl = Crawl::with(vec![Res::json_link("items", seeds)])
        .settings(FAST)
        .write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
}

#[test]
fn json_logs_parse_line_by_line_and_hold_no_header_secret() {
    let up = upstream(shape(1, 2, 2, 2));
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/1/p/1"));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 1000.0\nauth = { type = \"bearer\", token_env = \"IT_LOG_TOKEN\" }\n")
        .write();
    let out = crawl
        .command_with_log("debug")
        .env("IT_LOG_TOKEN", "s3cr3t-t0ken")
        .arg("--log-format")
        .arg("json")
        .output()
        .unwrap();
    assert_exit(&out, 3);
    let logs = stderr(&out);
    assert!(logs.lines().count() > 5, "{logs}");
    for line in logs.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert!(logs.contains("Page dead-lettered."), "{logs}");
    assert!(!logs.contains("s3cr3t"), "a header secret reached the logs");
}
