//! Seeding and fingerprint checks on a temporary state.

use super::*;
use std::path::Path;

fn config(dir: &Path, data_selector: &str, extra_seed: &str) -> Config {
    let text = format!(
        "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"r\"\n\
         seeds = [\"http://127.0.0.1:1/first\"{extra_seed}]\nseeds_file = \"seeds.txt\"\n\
         data_selector = {data_selector:?}\npaginator = {{ type = \"json_link\" }}\n"
    );
    harvest_config::parse(&text, &dir.join("c.toml")).unwrap()
}

fn write_seeds(dir: &Path, n: usize) {
    let mut lines: String = (0..n)
        .map(|i| format!("http://127.0.0.1:1/item/{i}\n"))
        .collect();
    lines.push_str("http://127.0.0.1:1/item/0\nhttp://127.0.0.1:1/first\n"); // listed twice
    std::fs::write(dir.join("seeds.txt"), lines).unwrap();
}

#[test]
fn a_hundred_thousand_seeds_load_once_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    write_seeds(dir.path(), 100_000);
    let config = config(dir.path(), "data", "");
    let store = Store::open(&dir.path().join("state")).unwrap();
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        100_001
    );
    assert_eq!(store.pending_count(), 100_001);
    assert_eq!(
        store.pending_count_kept().unwrap(),
        100_001,
        "kept, not counted"
    );
    assert_eq!(store.next_seq().unwrap(), 100_001);
    let first = store.pending_from(0, 2).unwrap();
    assert_eq!(first[0].1.url, "http://127.0.0.1:1/first");
    assert_eq!(first[1].1.url, "http://127.0.0.1:1/item/0");
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        0,
        "seeding happens once"
    );
    assert_eq!(store.pending_count(), 100_001);
}

#[test]
fn an_interrupted_seeding_completes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    write_seeds(dir.path(), 3);
    let config = config(dir.path(), "data", "");
    let store = Store::open(&dir.path().join("state")).unwrap();
    // What a run killed mid-seeding leaves: a committed batch, no `seeded` mark.
    let mut partial = CommitBatch::new();
    let job = harvest_store::Job::new("r", "http://127.0.0.1:1/first");
    partial.put_job(0, &job);
    partial.mark_seen(&job.page_key());
    partial.set_next_seq(1);
    store.commit(partial).unwrap();
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        3
    );
    let urls: Vec<String> = store
        .pending_from(0, 10)
        .unwrap()
        .into_iter()
        .map(|(_, j)| j.url)
        .collect();
    assert_eq!(
        urls,
        [
            "http://127.0.0.1:1/first",
            "http://127.0.0.1:1/item/0",
            "http://127.0.0.1:1/item/1",
            "http://127.0.0.1:1/item/2"
        ]
    );
}

#[test]
fn incompatible_changes_are_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    write_seeds(dir.path(), 2);
    let store = Store::open(&dir.path().join("state")).unwrap();
    prepare(
        &config(dir.path(), "data", ""),
        &store,
        &Passes::default(),
        false,
    )
    .unwrap();

    let err = prepare(
        &config(dir.path(), "items", ""),
        &store,
        &Passes::default(),
        false,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("changed its data_selector, paginator or parent"),
        "{err}"
    );
    let more_seeds = config(dir.path(), "data", ", \"http://127.0.0.1:1/new\"");
    let err = prepare(&more_seeds, &store, &Passes::default(), false).unwrap_err();
    assert!(err.to_string().contains("changed its seeds"), "{err}");
    assert!(err.is_usage());

    // --force: the new seed is added once, the old ones are not re-queued.
    assert_eq!(
        prepare(&more_seeds, &store, &Passes::default(), true).unwrap(),
        1
    );
    assert_eq!(
        prepare(&more_seeds, &store, &Passes::default(), false).unwrap(),
        0,
        "the new definition is now the state's"
    );
}

#[test]
fn a_resource_dropped_from_the_config_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    write_seeds(dir.path(), 1);
    let store = Store::open(&dir.path().join("state")).unwrap();
    prepare(
        &config(dir.path(), "data", ""),
        &store,
        &Passes::default(),
        false,
    )
    .unwrap();
    let text = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"other\"\n\
                seeds = [\"http://127.0.0.1:1/x\"]\ndata_selector = \"\"\npaginator = { type = \"single_page\" }\n";
    let other = harvest_config::parse(text, &dir.path().join("c.toml")).unwrap();
    let err = prepare(&other, &store, &Passes::default(), false).unwrap_err();
    assert!(
        err.to_string()
            .contains("resource `r` is in the state but no longer in the config"),
        "{err}"
    );
    assert_eq!(
        prepare(&other, &store, &Passes::default(), true).unwrap(),
        1
    );
}

fn templated(dir: &Path, to: u32, parent_url: &str) -> Config {
    let text = format!(
        "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"r\"\n\
         seed_template = {{ url = \"http://127.0.0.1:1/item/{{n}}\", range = {{ from = 1, to = {to} }} }}\n\
         data_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n\
         [[resources]]\nname = \"child\"\nparent = {{ resource = \"r\", url = \"{parent_url}\" }}\n\
         data_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n"
    );
    harvest_config::parse(&text, &dir.join("c.toml")).unwrap()
}

#[test]
fn seed_templates_seed_and_parent_links_are_fingerprinted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state")).unwrap();
    let config = templated(dir.path(), 25_000, "http://127.0.0.1:1/c/{id}");
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        25_000
    );
    let last = store.pending_from(24_999, 1).unwrap();
    assert_eq!(last[0].1.url, "http://127.0.0.1:1/item/25000");
    assert!(last[0].1.parent.is_empty());
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        0
    );

    let err = prepare(
        &templated(dir.path(), 25_001, "http://127.0.0.1:1/c/{id}"),
        &store,
        &Passes::default(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("changed its seeds"), "{err}");
    let err = prepare(
        &templated(dir.path(), 25_000, "http://127.0.0.1:1/d/{id}"),
        &store,
        &Passes::default(),
        false,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("resource `child` changed its data_selector, paginator or parent"),
        "{err}"
    );
}

#[test]
fn an_unchanged_seed_source_is_not_regenerated_and_an_equivalent_one_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write_seeds(dir.path(), 10);
    let config = config(dir.path(), "data", "");
    let store = Store::open(&dir.path().join("state")).unwrap();
    prepare(&config, &store, &Passes::default(), false).unwrap();
    let source = store.seeds_source("r").unwrap().expect("kept at seeding");
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        0
    );
    // The same seeds from different bytes: checked in full, then remembered.
    let mut text = std::fs::read_to_string(dir.path().join("seeds.txt")).unwrap();
    text.insert_str(0, "# a comment\n\n");
    std::fs::write(dir.path().join("seeds.txt"), text).unwrap();
    assert_eq!(
        prepare(&config, &store, &Passes::default(), false).unwrap(),
        0
    );
    let again = store.seeds_source("r").unwrap().unwrap();
    assert_ne!(again, source);
    // Different seeds are still refused.
    std::fs::write(dir.path().join("seeds.txt"), "http://127.0.0.1:1/other\n").unwrap();
    assert!(matches!(
        prepare(&config, &store, &Passes::default(), false),
        Err(EngineError::Incompatible { .. })
    ));
}
