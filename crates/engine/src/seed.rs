//! Seeding: the config's seed URLs become the first jobs of the frontier.
//!
//! Done once per state, all or nothing: seeds are written in batches, and only
//! the last batch marks the state as seeded. A run killed while seeding finds
//! an unseeded state and starts the seeding over on a clean slate (nothing can
//! have been fetched before seeding completed). Seed files are read line by
//! line, never held in memory; a URL listed twice is queued once.

use crate::EngineError;
use harvest_config::Config;
use harvest_paginate::{PageRequest, PageRules};
use harvest_store::{CommitBatch, Job, Store};
use std::collections::HashSet;

/// Jobs per seeding batch.
const BATCH: usize = 10_000;

/// Seeds `store` unless already done. Returns the number of seed jobs added.
pub(crate) fn seed(config: &Config, store: &Store) -> Result<u64, EngineError> {
    if store.is_seeded()? {
        return Ok(0);
    }
    store.clear()?;
    let mut seq = 0u64;
    let mut batch = CommitBatch::new();
    let mut in_batch = HashSet::new();
    let mut failure = None;
    for resource in &config.resources {
        // Parameters sent on every request (an offset paginator's limit) are
        // part of the seed's URL, hence of its page identity.
        let rules = PageRules::new(resource);
        let result = resource.seeds.for_each(|url| {
            if failure.is_some() {
                return;
            }
            let PageRequest { url, pos } = rules.seed(url);
            let job = Job {
                resource: resource.name.clone(),
                url: url.into(),
                attempt: 0,
                not_before_ms: 0,
                page: pos.page,
                offset: pos.offset,
                fanned_out: pos.fanned_out,
            };
            let key = job.page_key();
            match store.is_seen(&key) {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => return failure = Some(EngineError::from(e)),
            }
            if !in_batch.insert(key) {
                return;
            }
            batch.put_job(seq, &job);
            batch.mark_seen(&key);
            seq += 1;
            if in_batch.len() >= BATCH {
                batch.set_next_seq(seq);
                if let Err(e) = store.commit(std::mem::take(&mut batch)) {
                    failure = Some(e.into());
                }
                in_batch.clear();
            }
        });
        if let Some(e) = failure.take() {
            return Err(e);
        }
        result.map_err(|reason| EngineError::Seeds {
            resource: resource.name.clone(),
            reason,
        })?;
    }
    batch.set_next_seq(seq);
    batch.set_seeded();
    store.commit(batch)?;
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_store::CommitBatch;
    use std::path::Path;

    fn config(dir: &Path, seeds_file: &str) -> Config {
        let text = format!(
            "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"r\"\n\
             seeds = [\"http://127.0.0.1:1/first\"]\nseeds_file = {seeds_file:?}\n\
             data_selector = \"data\"\npaginator = {{ type = \"json_link\" }}\n"
        );
        harvest_config::parse(&text, &dir.join("c.toml")).unwrap()
    }

    #[test]
    fn a_hundred_thousand_seeds_load_once_without_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines: String = (0..100_000)
            .map(|i| format!("http://127.0.0.1:1/item/{i}\n"))
            .collect();
        lines.push_str("http://127.0.0.1:1/item/7\nhttp://127.0.0.1:1/first\n"); // listed twice
        std::fs::write(dir.path().join("seeds.txt"), lines).unwrap();
        let config = config(dir.path(), "seeds.txt");
        let store = Store::open(&dir.path().join("state")).unwrap();
        assert_eq!(seed(&config, &store).unwrap(), 100_001);
        assert_eq!(store.pending_count(), 100_001);
        assert_eq!(store.next_seq().unwrap(), 100_001);
        let first = store.pending_from(0, 2).unwrap();
        assert_eq!(first[0].1.url, "http://127.0.0.1:1/first");
        assert_eq!(first[1].1.url, "http://127.0.0.1:1/item/0");
        assert_eq!(
            seed(&config, &store).unwrap(),
            0,
            "seeding happens once per state"
        );
        assert_eq!(store.pending_count(), 100_001);
    }

    #[test]
    fn an_interrupted_seeding_starts_over_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("seeds.txt"),
            "http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\n",
        )
        .unwrap();
        let config = config(dir.path(), "seeds.txt");
        let store = Store::open(&dir.path().join("state")).unwrap();
        // What a killed seeding leaves: some batches, no `seeded` mark.
        let mut partial = CommitBatch::new();
        let job = Job {
            resource: "r".into(),
            url: "http://127.0.0.1:1/first".into(),
            attempt: 0,
            not_before_ms: 0,
            page: 0,
            offset: 0,
            fanned_out: false,
        };
        partial.put_job(0, &job);
        partial.mark_seen(&job.page_key());
        partial.put_job(
            1,
            &Job {
                url: "http://127.0.0.1:1/stale".into(),
                ..job.clone()
            },
        );
        store.commit(partial).unwrap();
        assert_eq!(seed(&config, &store).unwrap(), 3);
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
                "http://127.0.0.1:1/a",
                "http://127.0.0.1:1/b"
            ]
        );
    }
}
