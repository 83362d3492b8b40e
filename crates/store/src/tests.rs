//! Store round trips on a temporary directory.

use super::*;

fn job(url: &str) -> Job {
    Job::new("r", url)
}

#[test]
fn a_batch_is_applied_whole_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.resource_meta("r").unwrap(), None);
        let mut b = CommitBatch::new();
        for (i, u) in ["http://a/1", "http://a/2", "http://a/3"]
            .iter()
            .enumerate()
        {
            b.put_job(i as u64, &job(u));
            b.mark_seen(&job(u).page_key());
        }
        b.set_next_seq(3);
        b.set_resource_meta(
            "r",
            &ResourceMeta {
                shape: 7,
                seeds: 8,
                seeded: true,
            },
        );
        store.commit(b).unwrap();

        let mut b = CommitBatch::new();
        b.remove_job(0);
        b.set_sink_offset("r", 42);
        b.set_counters(
            "r",
            &Counters {
                pages: 1,
                records: 5,
                bytes: 42,
                dead: 0,
                last_commit_ms: 9,
            },
        );
        store.commit(b).unwrap();
        store.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let meta = ResourceMeta {
        shape: 7,
        seeds: 8,
        seeded: true,
    };
    assert_eq!(store.resource_meta("r").unwrap(), Some(meta));
    assert_eq!(store.resources().unwrap(), vec![("r".to_string(), meta)]);
    assert_eq!(store.next_seq().unwrap(), 3);
    let pending = store.pending_from(0, 10).unwrap();
    assert_eq!(
        pending.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(pending[0].1, job("http://a/2"));
    assert_eq!(store.pending_from(2, 10).unwrap().len(), 1);
    assert_eq!(store.pending_count(), 2);
    assert!(store.is_seen(&job("http://a/1").page_key()).unwrap());
    assert!(!store.is_seen(&job("http://a/9").page_key()).unwrap());
    assert_eq!(store.sink_offset("r").unwrap(), 42);
    assert_eq!(store.counters("r").unwrap().records, 5);
    assert_eq!(store.counters("other").unwrap(), Counters::default());
}

#[test]
fn a_job_added_and_removed_in_one_batch_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut b = CommitBatch::new();
    b.put_job(7, &job("http://a/7"));
    b.remove_job(7);
    store.commit(b).unwrap();
    assert!(store.pending_from(0, 10).unwrap().is_empty());
}

#[test]
fn dead_letters_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let letter = DeadLetter {
        job: job("http://a/x"),
        status: Some(404),
        reason: "http_404".into(),
        detail: "404 Not Found".into(),
        first_ms: Some(5),
        last_ms: Some(5),
        snippet: Some(b"{\"error\":\"gone\"}".to_vec()),
    };
    let mut b = CommitBatch::new();
    b.dead_letter(3, &letter);
    store.commit(b).unwrap();
    assert_eq!(store.dead_letters().unwrap(), vec![(3, letter)]);
    assert_eq!(store.dead_letter_count(), 1);
    let mut b = CommitBatch::new();
    b.remove_dead_letter(3);
    store.commit(b).unwrap();
    assert!(store.dead_letters().unwrap().is_empty());
}

#[test]
fn a_first_failure_time_is_kept_until_taken_out() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.first_failure(4).unwrap(), None);
        let mut b = CommitBatch::new();
        b.set_first_failure(4, 1234);
        store.commit(b).unwrap();
        store.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.first_failure(4).unwrap(), Some(1234));
    assert_eq!(store.first_failure(5).unwrap(), None);
    let mut b = CommitBatch::new();
    b.remove_first_failure(4);
    store.commit(b).unwrap();
    assert_eq!(store.first_failure(4).unwrap(), None);
}

#[test]
fn a_cut_stream_is_committed_with_its_page_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let cut = CutStream {
        next: Job {
            page: 2,
            ..job("http://b:1234/s/0/p/2")
        },
        reason: "foreign_origin".into(),
        page_url: "http://a/s/0/p/1".into(),
    };
    {
        let store = Store::open(dir.path()).unwrap();
        let mut b = CommitBatch::new();
        b.put_job(5, &job("http://a/s/0/p/1"));
        store.commit(b).unwrap();
        // The page is done and cuts its stream: one batch.
        let mut b = CommitBatch::new();
        b.remove_job(5);
        b.cut_stream(5, &cut);
        store.commit(b).unwrap();
        store.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.cut_streams().unwrap(), vec![(5, cut.clone())]);
    assert_eq!(store.cut_stream_count(), 1);
    assert_eq!(store.pending_count(), 0);
    assert!(
        store.dead_letters().unwrap().is_empty(),
        "not a dead letter"
    );
    // The same page recording again rewrites its one entry.
    let mut b = CommitBatch::new();
    b.cut_stream(5, &cut);
    store.commit(b).unwrap();
    assert_eq!(store.cut_stream_count(), 1);
    let mut b = CommitBatch::new();
    b.remove_cut_stream(5);
    store.commit(b).unwrap();
    assert!(store.cut_streams().unwrap().is_empty());
}

#[test]
fn page_keys_separate_resources() {
    assert_ne!(
        PageKey::new("a", "http://x/1"),
        PageKey::new("b", "http://x/1")
    );
    assert_eq!(
        PageKey::new("a", "http://x/1"),
        PageKey::new("a", "http://x/1")
    );
}

#[test]
fn a_state_in_another_format_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    // Reopening a state this build stamped is fine.
    drop(Store::open(dir.path()).unwrap());
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert(keys::FORMAT, &(FORMAT + 1).to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(dir.path()).err().expect("refused");
    let text = err.to_string();
    assert!(
        matches!(err, StoreError::Format { found, .. } if found == FORMAT + 1),
        "{text}"
    );
    assert!(text.contains("fresh state_dir"), "{text}");
    // A state written before the stamp existed (format 0) is refused too.
    {
        let db = sled::open(dir.path()).unwrap();
        db.remove(keys::FORMAT).unwrap();
        db.insert(keys::NEXT_SEQ, &7u64.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(dir.path()).err().expect("refused");
    assert!(matches!(err, StoreError::Format { found: 0, .. }), "{err}");
}

#[test]
fn the_pending_count_is_kept_by_commits_and_counted_for_old_states() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut b = CommitBatch::new();
    b.put_job(0, &job("http://a/0"));
    b.put_job(1, &job("http://a/1"));
    store.commit(b).unwrap();
    assert_eq!(
        store.pending_count_kept().unwrap(),
        2,
        "no count kept: a scan"
    );
    let mut b = CommitBatch::new();
    b.remove_job(0);
    b.set_pending_count(1);
    store.commit(b).unwrap();
    assert_eq!(store.pending_count_kept().unwrap(), 1);
}

#[test]
fn the_seen_set_is_kept_across_commits_loads_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let key = |n: u32| job(&format!("http://a/{n}")).page_key();
    {
        let store = Store::open(dir.path()).unwrap();
        // Committed before the set is loaded: read from its block.
        let mut b = CommitBatch::new();
        b.mark_seen(&key(1));
        store.commit(b).unwrap();
        assert!(store.is_seen(&key(1)).unwrap());
        assert!(!store.is_seen(&key(2)).unwrap());
        // Committed after: added to the loaded set.
        let mut b = CommitBatch::new();
        b.mark_seen(&key(2));
        b.mark_seen(&key(3));
        store.commit(b).unwrap();
        assert!(store.is_seen(&key(2)).unwrap() && store.is_seen(&key(3)).unwrap());
        // A batch marking nothing writes no block.
        store.commit(CommitBatch::new()).unwrap();
        store.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load_seen().unwrap(), 3);
    assert_eq!(
        store.db.scan_prefix(keys::SEEN).count(),
        1,
        "one block, appended to"
    );
    assert!(store.is_seen(&key(3)).unwrap() && !store.is_seen(&key(4)).unwrap());
}

#[test]
fn a_format_1_state_has_its_seen_keys_moved_into_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let key = |n: u32| job(&format!("http://a/{n}")).page_key();
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert(keys::FORMAT, &1u64.to_be_bytes()).unwrap();
        for n in 0..(seen::BLOCK_KEYS as u32 + 100) {
            db.insert([keys::SEEN_V1, &key(n).0].concat(), &[]).unwrap();
        }
        db.insert(keys::NEXT_SEQ, &100u64.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let all = seen::BLOCK_KEYS + 100;
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load_seen().unwrap(), all);
    assert!((0..all as u32).all(|n| store.is_seen(&key(n)).unwrap()));
    assert!(!store.is_seen(&key(all as u32)).unwrap());
    assert_eq!(
        store.db.scan_prefix(keys::SEEN).count(),
        2,
        "a full block and a partial one"
    );
    // New pages go to the partial block.
    let mut b = CommitBatch::new();
    b.mark_seen(&key(all as u32));
    store.commit(b).unwrap();
    assert_eq!(store.db.scan_prefix(keys::SEEN).count(), 2);
    assert_eq!(store.next_seq().unwrap(), 100, "the rest is untouched");
    assert_eq!(store.db.scan_prefix(keys::SEEN_V1).count(), 0);
    drop(store);
    // Stamped format 2: reopening does not migrate again.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load_seen().unwrap(), all + 1);
}

#[test]
fn a_torn_seen_block_is_named() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert(keys::FORMAT, &FORMAT.to_be_bytes()).unwrap();
        db.insert(keys::seen_block(0), &[1u8; 17]).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let err = store.is_seen(&job("http://a/1").page_key()).unwrap_err();
    assert!(err.to_string().contains("seen-set block"), "{err}");
}

#[test]
fn a_migration_cut_short_is_finished_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let key = |n: u32| job(&format!("http://a/{n}")).page_key();
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert(keys::FORMAT, &MIGRATING_TO_2.to_be_bytes())
            .unwrap();
        let moved: Vec<u8> = (0..10).flat_map(|n| key(n).0).collect();
        db.insert(keys::seen_block(0), moved).unwrap();
        for n in 10..20 {
            db.insert([keys::SEEN_V1, &key(n).0].concat(), &[]).unwrap();
        }
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load_seen().unwrap(), 20);
    assert!((0..20).all(|n| store.is_seen(&key(n)).unwrap()));
    let format = store.db.get(keys::FORMAT).unwrap().unwrap();
    assert_eq!(keys::decode_u64(&format).unwrap(), FORMAT);
}

#[test]
fn open_existing_creates_nothing_and_opens_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state/orders");
    let err = Store::open_existing(&state).err().expect("no state yet");
    assert_eq!(
        err.to_string(),
        format!("no crawl state at {}", state.display())
    );
    assert!(!dir.path().join("state").exists(), "nothing created");
    // An empty directory is not a state either.
    std::fs::create_dir_all(&state).unwrap();
    assert!(matches!(
        Store::open_existing(&state),
        Err(StoreError::Missing { .. })
    ));
    assert_eq!(std::fs::read_dir(&state).unwrap().count(), 0);
    drop(Store::open(&state).unwrap());
    Store::open_existing(&state).expect("a state that exists opens");
}
