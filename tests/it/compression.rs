//! Compressed responses: every `Content-Encoding` harvest asks for is decoded
//! as it streams, both sizes are counted, and a decompression bomb stops at
//! `max_body_bytes`.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction};

#[test]
fn gzip_deflate_br_and_zstd_pages_are_decoded() {
    let up = upstream(shape(1, 5, 4, 40));
    for (stream, coding) in ["gzip", "deflate", "br", "zstd"].into_iter().enumerate() {
        up.add_fault(Fault::new(FaultAction::Encoded(coding)).path(format!("/s/{stream}/")));
    }
    let crawl = Crawl::of(&up).write();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
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
    let up = upstream(shape(1, 3, 2, 5));
    let spec = up.spec();
    // 256 MiB of spaces inflated from a body of a few hundred KiB.
    up.add_fault(Fault::new(FaultAction::GzipBomb(256 << 20)).path("/s/1/p/0"));
    let crawl = Crawl::of(&up)
        .settings("[client]\nmax_body_bytes = 1048576\n")
        .write();
    crawl.run_expect(3);
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
    let text = crawl.dead_letters();
    assert!(text.contains("body_too_large"), "{text}");
}
