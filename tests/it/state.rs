//! Managing a crawl's state: the lock, config fingerprints, status, dead letters.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction};

#[test]
fn a_second_run_on_the_same_state_is_refused() {
    let up = upstream(shape(1, 4, 30, 1));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 40.0\nburst = 1\n")
        .write();
    let first = crawl.spawn();
    wait_until("the first run fetched a page", || !up.log().is_empty());
    let second = crawl.run_expect(2);
    assert!(
        stderr(&second).contains("another harvest process is using it"),
        "{}",
        stderr(&second)
    );
    // `status` reads the running crawl's snapshot instead (see status.rs).
    assert!(!crawl.admin(&["dead-letters"]).status.success());
    terminate(&first);
    let out = first.wait_with_output().unwrap();
    assert_exit(&out, 143);
    crawl.run_expect(0);
    crawl.assert_every_record_once(up.spec());
}

#[test]
fn an_incompatible_config_change_is_refused_unless_forced() {
    let up = upstream(shape(1, 2, 2, 2));
    let fast = "[client]\nrate_per_sec = 1000.0\n";
    let crawl = Crawl::of(&up).settings(fast).write();
    crawl.run_expect(0);
    let mut changed = Res::json_link("items", up.seeds());
    changed.data_selector = "records";
    crawl.write(&[changed], fast);
    let err = stderr(&crawl.run_expect(2));
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
    crawl.run_expect(0);
    let forced = crawl.run_with(&["--force"]);
    assert_exit(&forced, 0);
}

#[test]
fn status_dead_letters_and_retry_dead() {
    let up = upstream(shape(1, 3, 2, 2));
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/1/p/1"));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 1000.0\n")
        .write();
    crawl.run_expect(3);

    let text = crawl.status();
    let row = table_row(&text, "items");
    // resource, pages, pending, waiting, dead, records, bytes
    assert_eq!(&row[..6], ["items", "5", "0", "0", "1", "10"], "{text}");

    let dead = crawl.admin(&["dead-letters"]);
    assert_exit(&dead, 0);
    let listing = String::from_utf8_lossy(&dead.stdout);
    assert_contains(
        &listing,
        &["resource  status  reason", "http_404", "/s/1/p/1"],
    );

    up.clear_faults();
    up.log().clear();
    assert_exit(&crawl.admin(&["retry-dead"]), 0);
    crawl.run_expect(0);
    let fetched: Vec<String> = up.log().snapshot().into_iter().map(|r| r.path).collect();
    assert_eq!(fetched, ["/s/1/p/1"], "only the dead page is fetched again");
    crawl.assert_every_record_once(up.spec());
    assert_exit(&crawl.admin(&["dead-letters"]), 0);
}

#[test]
fn a_fresh_state_does_not_overwrite_an_existing_output() {
    let up = upstream(shape(1, 1, 2, 2));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 1000.0\n")
        .write();
    std::fs::create_dir_all(crawl.path("out")).unwrap();
    std::fs::write(crawl.path("out/items.jsonl"), "{\"precious\":true}\n").unwrap();
    let out = crawl.run_expect(2);
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
    crawl.assert_every_record_once(up.spec());
}

#[test]
fn secrets_in_urls_are_redacted_in_logs_and_listings() {
    let up = upstream(shape(1, 1, 1, 1));
    up.add_fault(Fault::new(FaultAction::Status(404)));
    let seed = format!("{}?api_key=s3cr3t-k3y&page=1", up.seeds()[0]);
    let crawl = Crawl::with(vec![Res::json_link("items", vec![seed])])
        .settings("[client]\nrate_per_sec = 1000.0\n")
        .write();
    let out = crawl.run_log("debug");
    assert_exit(&out, 3);
    let logs = stderr(&out);
    assert!(logs.contains("api_key=REDACTED&page=1"), "{logs}");
    assert!(
        !logs.contains("s3cr3t"),
        "a query-string secret reached the logs"
    );
    let listing = crawl.dead_letters();
    assert!(
        listing.contains("api_key=REDACTED") && !listing.contains("s3cr3t"),
        "{listing}"
    );
}

#[test]
fn read_only_commands_on_a_missing_state_create_nothing() {
    let crawl = Crawl::with(vec![Res::json_link(
        "items",
        vec!["http://127.0.0.1:1/".into()],
    )])
    .write();
    // A state directory two levels down: not even its parent may appear.
    let text = std::fs::read_to_string(crawl.path("crawl.toml"))
        .unwrap()
        .replace(
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
