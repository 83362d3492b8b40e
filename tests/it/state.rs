//! Managing a crawl's state: the lock, config fingerprints, status, dead letters.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, Upstream, UpstreamSpec};

#[test]
fn a_second_run_on_the_same_state_is_refused() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 4,
        pages: 30,
        records: 1,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 40.0\nburst = 1\n",
    );
    let first = crawl.spawn();
    wait_until("the first run fetched a page", || !up.log().is_empty());
    let second = crawl.run();
    assert_exit(&second, 2);
    assert!(
        stderr(&second).contains("another harvest process is using it"),
        "{}",
        stderr(&second)
    );
    let status = crawl.admin(&["status"]);
    assert_exit(&status, 2);
    unsafe { libc::kill(first.id() as i32, libc::SIGTERM) };
    let out = first.wait_with_output().unwrap();
    assert_exit(&out, 143);
    assert_exit(&crawl.run(), 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
}

#[test]
fn an_incompatible_config_change_is_refused_unless_forced() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 2,
        pages: 2,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    let fast = "[client]\nrate_per_sec = 1000.0\n";
    crawl.write(&[Res::json_link("items", up.seeds())], fast);
    assert_exit(&crawl.run(), 0);
    let mut changed = Res::json_link("items", up.seeds());
    changed.data_selector = "records";
    crawl.write(&[changed], fast);
    let out = crawl.run();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("resource `items` changed its data_selector, paginator or parent")
            && err.contains("--force"),
        "{err}"
    );
    // Rates and timeouts are not part of the fingerprint.
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 5.0\nread_timeout = \"3s\"\n",
    );
    assert_exit(&crawl.run(), 0);
    let forced = crawl.run_with(&["--force"]);
    assert_exit(&forced, 0);
}

#[test]
fn status_dead_letters_and_retry_dead() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 3,
        pages: 2,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/1/p/1"));
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 1000.0\n",
    );
    assert_exit(&crawl.run(), 3);

    let status = crawl.admin(&["status"]);
    assert_exit(&status, 0);
    let text = String::from_utf8_lossy(&status.stdout);
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("items"))
        .unwrap()
        .split_whitespace()
        .collect();
    // resource, pages, pending, waiting, dead, records, bytes
    assert_eq!(&row[..6], ["items", "5", "0", "0", "1", "10"], "{text}");

    let dead = crawl.admin(&["dead-letters"]);
    assert_exit(&dead, 0);
    let listing = String::from_utf8_lossy(&dead.stdout);
    assert!(
        listing.contains("items\t404\thttp_status\t") && listing.contains("/s/1/p/1"),
        "{listing}"
    );

    up.clear_faults();
    up.log().clear();
    assert_exit(&crawl.admin(&["retry-dead"]), 0);
    assert_exit(&crawl.run(), 0);
    let fetched: Vec<String> = up.log().snapshot().into_iter().map(|r| r.path).collect();
    assert_eq!(fetched, ["/s/1/p/1"], "only the dead page is fetched again");
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
    assert_exit(&crawl.admin(&["dead-letters"]), 0);
}

#[test]
fn a_fresh_state_does_not_overwrite_an_existing_output() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 1,
        pages: 2,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        "[client]\nrate_per_sec = 1000.0\n",
    );
    std::fs::create_dir_all(crawl.path("out")).unwrap();
    std::fs::write(crawl.path("out/items.jsonl"), "{\"precious\":true}\n").unwrap();
    let out = crawl.run();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("items.jsonl exists but the state has no record of writing it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(crawl.path("out/items.jsonl")).unwrap(),
        "{\"precious\":true}\n"
    );
    assert!(up.log().is_empty());
    let forced = crawl.run_with(&["--force"]);
    assert_exit(&forced, 0);
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
}

#[test]
fn secrets_in_urls_are_redacted_in_logs_and_listings() {
    let spec = UpstreamSpec {
        origins: 1,
        streams: 1,
        pages: 1,
        records: 1,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    up.add_fault(Fault::new(FaultAction::Status(404)));
    let crawl = Crawl::new();
    let seed = format!("{}?api_key=s3cr3t-k3y&page=1", up.seeds()[0]);
    crawl.write(
        &[Res::json_link("items", vec![seed])],
        "[client]\nrate_per_sec = 1000.0\n",
    );
    let out = crawl.command_with_log("debug").output().unwrap();
    assert_exit(&out, 3);
    let logs = stderr(&out);
    assert!(logs.contains("api_key=REDACTED&page=1"), "{logs}");
    assert!(
        !logs.contains("s3cr3t"),
        "a query-string secret reached the logs"
    );
    let listing = crawl.admin(&["dead-letters"]);
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("api_key=REDACTED") && !listing.contains("s3cr3t"),
        "{listing}"
    );
}

#[test]
fn read_only_commands_on_a_missing_state_create_nothing() {
    let crawl = Crawl::new();
    // A state directory two levels down: not even its parent may appear.
    let config = crawl.write(
        &[Res::json_link("items", vec!["http://127.0.0.1:1/".into()])],
        "",
    );
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("{:?}", crawl.path("state")),
        &format!("{:?}", crawl.path("states/items")),
    );
    crawl.write_raw(&text);
    let state = crawl.path("states/items");
    for command in ["status", "dead-letters", "retry-dead"] {
        let out = crawl.admin(&[command]);
        assert_exit(&out, 2);
        assert_eq!(
            stderr(&out).trim(),
            format!("error: no crawl state at {}", state.display()),
            "{command}"
        );
        assert!(
            !exists(&crawl.path("states")),
            "`harvest {command}` created the state directory"
        );
    }
}
