//! `harvest status` while a crawl runs (the live snapshot), progress and
//! summary across runs, `harvest reset`.

use crate::util::*;

/// `harvest status --json` on `crawl`, parsed (it must succeed).
fn status_json(crawl: &Crawl) -> serde_json::Value {
    let out = crawl.admin(&["status", "--json"]);
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).expect("status --json is JSON")
}

#[test]
fn status_during_a_running_crawl_shows_its_live_progress() {
    let up = upstream(shape(1, 4, 40, 2));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 20.0\nburst = 1\n")
        .write();
    let mut run = crawl.spawn_logged("warn");
    wait_until("the live snapshot shows committed pages", || {
        let out = crawl.admin(&["status", "--json"]);
        out.status.success()
            && serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .is_ok_and(|v| v["resources"]["items"]["pages"].as_u64() > Some(0))
    });
    let json = status_json(&crawl);
    let live = &json["live"];
    assert_eq!(live["running"], true, "{json}");
    assert_eq!(live["pid"].as_u64(), Some(u64::from(run.id())), "{json}");
    assert!(
        json["resources"]["items"]["pending"].as_u64() > Some(0),
        "{json}"
    );
    assert!(
        json["resources"]["items"]["records"].as_u64() > Some(0),
        "{json}"
    );
    let text = crawl.status();
    assert_contains(
        &text,
        &["live snapshot of the crawl running as pid", "items"],
    );
    terminate(&run);
    let status = exit_by(
        &mut run,
        std::time::Instant::now() + std::time::Duration::from_secs(60),
    );
    assert_eq!(status.and_then(|s| s.code()), Some(143));
    // Unlocked, the state speaks for itself.
    let json = status_json(&crawl);
    assert_eq!(json["live"], serde_json::Value::Null, "{json}");
    assert!(
        json["resources"]["items"]["pages"].as_u64() > Some(0),
        "{json}"
    );
}

#[test]
fn a_rerun_of_a_finished_crawl_says_it_is_already_complete_with_the_crawl_totals() {
    let up = upstream(shape(1, 2, 3, 2));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 1000.0\n")
        .write();
    crawl.run_expect(0);
    let again = stdout(&crawl.run_expect(0));
    assert_contains(
        &again,
        &[
            "harvest already complete: 6 pages, 12 records",
            "this run: pages 0",
            "the crawl: pages 6  records 12",
        ],
    );
    let summary = crawl.summary();
    assert_eq!(summary["already_complete"], true, "{summary}");
    assert_eq!(summary["crawl"]["pages"], 6, "{summary}");
}

#[test]
fn reset_removes_the_state_and_its_outputs_and_nothing_else() {
    let up = upstream(shape(1, 2, 5, 3));
    let spec = up.spec();
    let crawl = Crawl::of(&up).write();
    crawl.run_expect(0);
    std::fs::write(crawl.path("out/notes.txt"), "mine").unwrap();
    std::fs::write(crawl.path("out/other.jsonl"), "{}\n").unwrap();
    std::fs::write(crawl.path("state/README"), "mine too").unwrap();

    // Without --yes and without a terminal to ask on: refused, nothing goes.
    let out = crawl.admin(&["reset"]);
    assert_exit(&out, 2);
    assert_contains(&stderr(&out), &["--yes"]);
    assert!(exists(&crawl.path("out/items.jsonl")));
    assert!(exists(&crawl.path("state/db")));

    let out = crawl.admin(&["reset", "--yes"]);
    assert_exit(&out, 0);
    assert!(
        !exists(&crawl.path("out/items.jsonl")),
        "the output it wrote goes"
    );
    for gone in ["state/db", "state/conf", "state/blobs", "state/spill"] {
        assert!(!exists(&crawl.path(gone)), "{gone} goes");
    }
    for kept in ["out/notes.txt", "out/other.jsonl", "state/README"] {
        assert!(
            exists(&crawl.path(kept)),
            "{kept} is not harvest's: it stays"
        );
    }
    assert_contains(&stdout(&out), &["the state directory holds other files"]);

    // Starting over harvests everything again, once.
    crawl.run_expect(0);
    crawl.assert_every_record_once(spec);
    assert_eq!(
        crawl.summary()["pages"].as_u64(),
        Some(10),
        "{}",
        crawl.summary()
    );
}

#[test]
fn reset_without_a_state_or_while_a_run_holds_it_is_refused() {
    let up = upstream(shape(1, 2, 40, 2));
    let crawl = Crawl::of(&up)
        .settings("[client]\nrate_per_sec = 20.0\nburst = 1\n")
        .write();
    let out = crawl.admin(&["reset", "--yes"]);
    assert_exit(&out, 2);
    assert_contains(&stderr(&out), &["no crawl state"]);

    let run = crawl.spawn_logged("warn");
    wait_until("the run has written output", || {
        std::fs::metadata(crawl.path("out/items.jsonl")).is_ok_and(|m| m.len() > 0)
    });
    let out = crawl.admin(&["reset", "--yes"]);
    assert_exit(&out, 2);
    assert!(
        exists(&crawl.path("out/items.jsonl")),
        "nothing removed under a run"
    );
    terminate(&run);
    let out = crawl.exit_within(run, std::time::Duration::from_secs(60));
    assert_exit(&out, 143);
}
