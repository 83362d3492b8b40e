//! The depth guard. Regression: a record nested 200,000 levels deep was
//! written as is, and serde_json (or Python's json) then refused the output.

use crate::util::*;
use harvest_testkit::UpstreamSpec;

#[test]
fn a_record_nested_200000_levels_deep_is_dead_lettered_too_deep() {
    let up = upstream(UpstreamSpec {
        // Page 1 of each stream holds one more record, 200,000 levels deep.
        deep_record: Some((1, 200_000)),
        ..shape(1, 2, 3, 4)
    });
    let crawl = Crawl::of(&up).write();
    crawl.run_expect(3);
    let summary = crawl.summary();
    assert_eq!(summary["dead_letters"], 2, "{summary}");
    let text = crawl.dead_letters();
    assert_eq!(text.matches("too_deep").count(), 2, "{text}");
    // Each stream's page 0 only: the dead page 1 ends the stream.
    let out = std::fs::read_to_string(crawl.path("out/items.jsonl")).unwrap();
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every line parses");
    }
    let mut ids = crawl.ids("items");
    ids.sort();
    assert_eq!(ids, [0, 1, 2, 3, 12, 13, 14, 15]);
}
