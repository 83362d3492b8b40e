//! Progress lives in sled: a finished crawl fetches nothing when run again, and
//! a crawl stopped with SIGINT continues where it stopped.

use crate::util::*;
use harvest_testkit::{Upstream, UpstreamSpec};
use std::time::{Duration, Instant};

#[test]
fn rerunning_a_finished_crawl_sends_no_request() {
    let spec = UpstreamSpec {
        origins: 2,
        streams: 3,
        pages: 4,
        records: 5,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 1000.0\n",
    );
    assert_exit(&crawl.run(), 0);
    let first = std::fs::read(crawl.path("out/items.jsonl")).unwrap();
    assert_eq!(up.log().len() as u64, spec.total_pages());

    up.log().clear();
    let again = crawl.run();
    assert_exit(&again, 0);
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
    let spec = UpstreamSpec {
        origins: 2,
        streams: 30,
        pages: 10,
        records: 4,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 150.0\nburst = 5\nmax_in_flight_per_origin = 4\n",
    );
    let child = crawl.spawn();
    // Interrupt once the upstream has served a fifth of the pages.
    wait_until("a fifth of the pages were served", || {
        up.log().len() as u64 >= spec.total_pages() / 5
    });
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
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

    let out = crawl.run();
    assert_exit(&out, 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    // A graceful stop commits every page it fetched: nothing is fetched twice.
    assert_eq!(
        up.log().len() as u64,
        spec.total_pages(),
        "pages fetched before the stop: {fetched_before}"
    );
}

#[test]
fn a_second_signal_exits_at_once_and_the_crawl_still_resumes() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 4,
        pages: 3,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    // Every request of the first run hangs for 30 s: the graceful stop would
    // wait for them (up to its 10 s grace); the second signal must not.
    up.add_fault(
        harvest_testkit::Fault::new(harvest_testkit::FaultAction::Delay(Duration::from_secs(30)))
            .times(4),
    );
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 1000.0\nread_timeout = \"60s\"\n",
    );
    let child = crawl.spawn();
    // The testkit logs a request once answered; wait until the crawl is surely running.
    wait_until("the crawl started", || crawl.path("state").exists());
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id() as i32;
    unsafe { libc::kill(pid, libc::SIGINT) };
    std::thread::sleep(Duration::from_millis(200));
    let second = Instant::now();
    unsafe { libc::kill(pid, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 130);
    assert!(
        second.elapsed() < Duration::from_secs(5),
        "the second signal exits at once"
    );
    assert!(stderr(&out).contains("second signal"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "no stack trace");
    up.clear_faults();
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
}
