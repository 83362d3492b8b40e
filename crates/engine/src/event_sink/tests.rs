//! The test event stream of a whole crawl through `run()`.

use super::*;
use crate::{run, Ending, RunOptions};
use harvest_testkit::{Upstream, UpstreamSpec};

#[test]
fn a_crawl_reports_its_hosts_commits_and_end_as_events() {
    let upstream = Upstream::start(UpstreamSpec {
        origins: 2,
        streams: 2,
        pages: 3,
        ..UpstreamSpec::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let seeds: Vec<String> = upstream.seeds().iter().map(|s| format!("{s:?}")).collect();
    let text = format!(
        "[crawl]\nstate_dir = {:?}\noutput_dir = {:?}\n[[resources]]\nname = \"r\"\n\
         seeds = [{}]\ndata_selector = \"data\"\n\
         paginator = {{ type = \"json_link\", next_url_path = \"next\" }}\n",
        dir.path().join("state"),
        dir.path().join("out"),
        seeds.join(", ")
    );
    let config = harvest_config::parse(&text, &dir.path().join("c.toml")).unwrap();
    let (sink, mut events) = EventSink::channel();
    let options = RunOptions {
        events: Some(sink),
        ..RunOptions::default()
    };
    let summary = run(config, &options).unwrap();
    assert!(matches!(summary.ending, Ending::Finished));
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    let started = |i: usize| RunEvent::HostStarted {
        origin: upstream.origin_url(i),
    };
    assert!(
        seen.contains(&started(0)) && seen.contains(&started(1)),
        "{seen:?}"
    );
    let fetched = seen
        .iter()
        .filter(|e| matches!(e, RunEvent::FetchStarted { .. }))
        .count();
    let committed: u64 = seen
        .iter()
        .map(|e| match e {
            RunEvent::PagesCommitted { pages, .. } => *pages,
            _ => 0,
        })
        .sum();
    assert_eq!(
        (fetched, committed),
        (12, 12),
        "2 origins × 2 streams × 3 pages"
    );
    assert_eq!(seen.last(), Some(&RunEvent::Ended));
}
