//! Every record of every page lands in the output exactly once, as the bytes
//! the API sent.

use crate::util::*;
use harvest_testkit::{LinkStyle, Upstream, UpstreamSpec};

const FAST: &str = "[client]\nrate_per_sec = 5000.0\nburst = 100\nmax_in_flight_per_origin = 8\n";

#[test]
fn origins_by_streams_by_pages_every_id_once() {
    let spec = UpstreamSpec {
        origins: 3,
        streams: 4,
        pages: 10,
        records: 7,
        link: LinkStyle::PathRelative,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(&[Res::json_link("items", up.seeds())], FAST);
    let out = crawl.run();
    assert_exit(&out, 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
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
        origins: 2,
        streams: 2,
        pages: 5,
        records: 3,
        link: LinkStyle::Absolute,
        null_at_end: false,
        ..Default::default()
    };
    let abs = Upstream::start(spec.clone()).unwrap();
    let rel = Upstream::start(UpstreamSpec {
        link: LinkStyle::RootRelative,
        ..spec.clone()
    })
    .unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[
            Res::json_link("abs", abs.seeds()),
            Res::json_link("rel", rel.seeds()),
        ],
        FAST,
    );
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("abs"), spec.total_records());
    assert_exactly_once(&crawl.ids("rel"), spec.total_records());
}

#[test]
fn records_are_written_as_the_exact_bytes_sent() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 1,
        pages: 2,
        records: 3,
        record_pad: 5,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(&[Res::json_link("items", up.seeds())], FAST);
    assert_exit(&crawl.run(), 0);
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
    let spec = UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 3,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    let mut seeds = up.seeds();
    seeds.push(seeds[0].clone());
    crawl.write(&[Res::json_link("items", seeds)], FAST);
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
}

#[test]
fn json_logs_parse_line_by_line_and_hold_no_header_secret() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 2,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    up.add_fault(
        harvest_testkit::Fault::new(harvest_testkit::FaultAction::Status(404)).path("/s/1/p/1"),
    );
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 1000.0\nauth = { type = \"bearer\", token_env = \"IT_LOG_TOKEN\" }\n",
    );
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
