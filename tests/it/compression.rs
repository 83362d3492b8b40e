//! Compressed responses: every `Content-Encoding` harvest asks for is decoded
//! as it streams, both sizes are counted, and a decompression bomb stops at
//! `max_body_bytes`.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream, UpstreamSpec};

#[test]
fn gzip_deflate_br_and_zstd_pages_are_decoded() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 5,
        pages: 4,
        records: 40,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    for (stream, coding) in ["gzip", "deflate", "br", "zstd"].into_iter().enumerate() {
        up.add_fault(Fault::new(FaultAction::Encoded(coding)).path(format!("/s/{stream}/")));
    }
    let crawl = Crawl::new();
    crawl.write(&[Res::json_link("items", up.seeds())], "");
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    let summary = crawl.summary();
    let (wire, decoded) = (
        summary["bytes_in"].as_u64().unwrap(),
        summary["bytes_decoded"].as_u64().unwrap(),
    );
    // Four of five streams came compressed (records repeat: they shrink well).
    assert!(wire * 2 < decoded, "wire {wire} decoded {decoded}");
}

#[test]
fn a_gzip_bomb_stops_at_max_body_bytes_and_the_crawl_goes_on() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 3,
        pages: 2,
        records: 5,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    // 256 MiB of spaces inflated from a body of a few hundred KiB.
    up.add_fault(Fault::new(FaultAction::GzipBomb(256 << 20)).path("/s/1/p/0"));
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nmax_body_bytes = 1048576\n",
    );
    assert_exit(&crawl.run(), 3);
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 1, "{summary}");
    assert!(
        summary["bytes_decoded"].as_u64().unwrap() < 4 << 20,
        "{summary}"
    );
    assert_eq!(
        crawl.ids("items").len() as u64,
        spec.total_records() - 2 * 5
    );
    let letters = crawl.admin(&["dead-letters"]);
    let text = String::from_utf8_lossy(&letters.stdout);
    assert!(text.contains("body_too_large"), "{text}");
}
