//! Seeding: the config's seed URLs become the first jobs of the frontier.
//!
//! Done once per state, all or nothing: seeds are written in batches, and only
//! the last batch marks the state as seeded. A run killed while seeding finds
//! an unseeded state and starts the seeding over on a clean slate (nothing can
//! have been fetched before seeding completed). Seed files are read line by
//! line, never held in memory; a URL listed twice is queued once.

use crate::EngineError;
use harvest_config::Config;
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
        let result = resource.seeds.for_each(|url| {
            if failure.is_some() {
                return;
            }
            let job = Job {
                resource: resource.name.clone(),
                url: url.into(),
                attempt: 0,
                not_before_ms: 0,
                page: 0,
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
