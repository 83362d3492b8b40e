//! Which cut streams a run resumes, on a temporary state.

use super::*;
use harvest_store::Job;
use std::path::Path;

fn config(dir: &Path, extra: &str) -> Config {
    let text = format!(
        "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"r\"\n\
         seeds = [\"http://127.0.0.1:1/s/0/p/0\"]\ndata_selector = \"data\"\n{extra}"
    );
    harvest_config::parse(&text, &dir.join("c.toml")).unwrap()
}

fn cut(reason: CutReason, url: &str, page: u32) -> CutStream {
    CutStream {
        next: Job {
            page,
            ..Job::new("r", url)
        },
        reason: reason.as_str().into(),
        page_url: "http://127.0.0.1:1/s/0/p/1".into(),
    }
}

/// A state holding a foreign-origin cut (seq 1), a max_pages cut (seq 2)
/// and a loop (seq 3), with 5 jobs allocated.
fn state(dir: &Path) -> Store {
    let store = Store::open(&dir.join("state")).unwrap();
    let mut b = CommitBatch::new();
    b.cut_stream(
        1,
        &cut(CutReason::ForeignOrigin, "http://127.0.0.1:2/s/0/p/2", 2),
    );
    b.cut_stream(
        2,
        &cut(CutReason::MaxPages, "http://127.0.0.1:1/s/1/p/3", 3),
    );
    b.cut_stream(3, &cut(CutReason::Loop, "http://127.0.0.1:1/s/2/p/0", 4));
    b.set_next_seq(5);
    b.set_pending_count(0);
    store.commit(b).unwrap();
    store
}

fn reasons(store: &Store) -> Vec<String> {
    let cuts = store.cut_streams().unwrap();
    cuts.into_iter().map(|(_, c)| c.reason).collect()
}

#[test]
fn cuts_stay_while_the_config_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = state(dir.path());
    let same = config(
        dir.path(),
        "paginator = { type = \"json_link\", max_pages = 3 }\n",
    );
    assert_eq!(reopen(&same, &store, &Passes::default()).unwrap(), 0);
    assert_eq!(reasons(&store), ["foreign_origin", "max_pages", "loop"]);
    assert_eq!(store.pending_count(), 0);
}

#[test]
fn an_allowed_origin_and_a_higher_max_pages_resume_their_streams() {
    let dir = tempfile::tempdir().unwrap();
    let store = state(dir.path());
    let allowed = config(
        dir.path(),
        "paginator = { type = \"json_link\", max_pages = 4 }\n\
         allowed_origins = [\"http://127.0.0.1:2\"]\n",
    );
    assert_eq!(reopen(&allowed, &store, &Passes::default()).unwrap(), 2);
    assert_eq!(reasons(&store), ["loop"], "a loop never resumes");
    let pending = store.pending_from(0, 10).unwrap();
    let queued: Vec<_> = pending
        .iter()
        .map(|(seq, j)| (*seq, j.url.as_str(), j.page))
        .collect();
    assert_eq!(
        queued,
        [
            (5, "http://127.0.0.1:2/s/0/p/2", 2),
            (6, "http://127.0.0.1:1/s/1/p/3", 3)
        ]
    );
    assert_eq!(store.next_seq().unwrap(), 7);
    assert_eq!(store.pending_count_kept().unwrap(), 2);
    assert!(store.is_seen(&pending[0].1.page_key()).unwrap());
    assert_eq!(
        reopen(&allowed, &store, &Passes::default()).unwrap(),
        0,
        "once"
    );
}

#[test]
fn a_cut_page_queued_meanwhile_is_not_queued_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = state(dir.path());
    let mut b = CommitBatch::new();
    b.mark_seen(
        &cut(CutReason::MaxPages, "http://127.0.0.1:1/s/1/p/3", 3)
            .next
            .page_key(),
    );
    store.commit(b).unwrap();
    let unlimited = config(dir.path(), "paginator = { type = \"json_link\" }\n");
    assert_eq!(reopen(&unlimited, &store, &Passes::default()).unwrap(), 0);
    assert_eq!(reasons(&store), ["foreign_origin", "loop"]);
    assert_eq!(store.pending_count(), 0);
}
