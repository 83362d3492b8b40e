//! Progress lives in sled: a finished crawl fetches nothing when run again, and
//! a crawl stopped with SIGINT continues where it stopped.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction};
use std::time::{Duration, Instant};

#[test]
fn rerunning_a_finished_crawl_sends_no_request() {
    let up = upstream(shape(2, 3, 4, 5));
    let spec = up.spec();
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 1000.0\n")
        .write();
    crawl.run_expect(0);
    let first = std::fs::read(crawl.path("out/items.jsonl")).unwrap();
    assert_eq!(up.log().len() as u64, spec.total_pages());

    up.log().clear();
    crawl.run_expect(0);
    assert!(
        up.log().is_empty(),
        "second run fetched {:?}",
        up.log().snapshot()
    );
    assert_eq!(
        std::fs::read(crawl.path("out/items.jsonl")).unwrap(),
        first,
        "output untouched"
    );
    assert_eq!(crawl.summary()["pages"], 0);
}

#[test]
fn sigint_mid_crawl_then_resume_completes_exactly_once() {
    // 2 origins × 300 pages at 150 pages/s each: ~2 s, long enough to interrupt.
    let up = upstream(shape(2, 30, 10, 4));
    let spec = up.spec();
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 150.0\nburst = 5\nmax_in_flight_per_origin = 4\n")
        .write();
    let child = crawl.spawn();
    // Interrupt once the upstream has served a fifth of the pages.
    wait_until("a fifth of the pages were served", || {
        up.log().len() as u64 >= spec.total_pages() / 5
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    let stopped = crawl.summary();
    assert_eq!(stopped["ending"], "stopped");
    let done_before = crawl.ids("items").len() as u64;
    assert!(
        done_before < spec.total_records(),
        "the crawl was stopped early"
    );
    let fetched_before = up.log().len() as u64;

    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
    // A graceful stop commits every page it fetched: nothing is fetched twice.
    assert_eq!(
        up.log().len() as u64,
        spec.total_pages(),
        "pages fetched before the stop: {fetched_before}"
    );
}

#[test]
fn a_second_signal_exits_at_once_and_the_crawl_still_resumes() {
    let up = upstream(shape(1, 4, 3, 2));
    // Every request of the first run hangs for 30 s: the graceful stop would
    // wait for them (up to its 10 s grace); the second signal must not.
    up.add_fault(Fault::new(FaultAction::Delay(Duration::from_secs(30))).times(4));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 1000.0\nread_timeout = \"60s\"\n")
        .write();
    let child = crawl.spawn_logged("warn");
    // The four seeds are held by the upstream: the crawl is mid-page.
    wait_until("the four seeds are held upstream", || {
        up.log().received() == 4
    });
    interrupt(&child);
    wait_until("the graceful stop began", || {
        crawl
            .log()
            .contains("Stopping: finishing the pages in flight")
    });
    let second = Instant::now();
    interrupt(&child);
    let out = crawl.exit_within(child, Duration::from_secs(60));
    assert_exit(&out, 130);
    assert!(
        second.elapsed() < Duration::from_secs(5),
        "the second signal exits at once"
    );
    assert!(stderr(&out).contains("second signal"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "no stack trace");
    up.clear_faults();
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
}
