//! Pages larger than the in-memory threshold: their lines spill to the state
//! directory while the body streams, reach the output exactly once in page
//! order, and leave no spill file behind — also when a big page breaks
//! halfway and is fetched again.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, UpstreamSpec};

#[test]
fn big_pages_spill_and_commit_exactly_once() {
    // About 9 MiB per page: each one spills (the threshold is 1 MiB).
    let up = upstream(UpstreamSpec {
        record_pad: 3000,
        ..shape(1, 2, 3, 3000)
    });
    let spec = up.spec();
    // Breaks after half the page: past the threshold, so after a spill.
    up.add_fault(Fault::new(FaultAction::Truncate).path("/s/0/p/1").times(1));
    let crawl = Crawl::of(&up)
        .settings("[retry]\nbase_delay = \"10ms\"\nmax_delay = \"50ms\"\n")
        .write();
    let out = crawl.run_log("harvest_engine=debug");
    assert_exit(&out, 0);
    // Every fetch of a big page spilled (the broken attempt too).
    let spills = stderr(&out).matches("its lines spill to disk").count();
    assert_eq!(spills, 2 * 3 + 1, "spills logged");
    let ids = crawl.ids("items");
    assert_exactly_once(&ids, spec.total_records());
    // Each page's records stay together and in order.
    for page in ids.chunks(spec.records) {
        assert!(
            page.windows(2).all(|w| w[1] == w[0] + 1),
            "a page was interleaved"
        );
    }
    let summary = crawl.summary();
    assert_eq!(summary["retries"], 1, "{summary}");
    let spill = crawl.path("state/spill");
    assert_eq!(
        std::fs::read_dir(&spill).unwrap().count(),
        0,
        "spill files left"
    );
}
