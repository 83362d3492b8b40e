//! Before a run: streams cut short that the config now allows go on. A
//! stream cut at a foreign origin that the resource's `allowed_origins` now
//! names, or at a `max_pages` that is now higher (or gone), has its next page
//! queued as a fresh job and its record removed, in one batch; the run then
//! walks the stream from there. Other cuts (loops, self links, repeated
//! cursors, links that are not http(s) URLs) stay recorded: no config makes
//! them go on.

use crate::passes::Passes;
use crate::EngineError;
use harvest_config::{origin_of, Config, Resource};
use harvest_paginate::CutReason;
use harvest_store::{CommitBatch, CutStream, Store};
use std::collections::HashSet;

/// Queues the next page of every cut stream `config` allows now; returns
/// how many streams were resumed.
pub(crate) fn reopen(config: &Config, store: &Store, passes: &Passes) -> Result<u64, EngineError> {
    let cuts = store.cut_streams()?;
    if cuts.is_empty() {
        return Ok(0);
    }
    let mut batch = CommitBatch::new();
    let mut seq = store.next_seq()?;
    let first = seq;
    let mut queued = HashSet::new();
    let mut resolved = 0;
    for (cut_seq, cut) in cuts {
        let resource = config
            .resources
            .iter()
            .find(|r| r.name == cut.next.resource);
        if !resource.is_some_and(|r| allows(r, &cut)) {
            continue;
        }
        resolved += 1;
        batch.remove_cut_stream(cut_seq);
        let key = passes.page_key(&cut.next);
        // A page queued meanwhile (another stream reached it) is no more to fetch.
        if store.is_seen(&key)? || !queued.insert(key) {
            continue;
        }
        tracing::info!(resource = %cut.next.resource, reason = %cut.reason, "A stream cut short is allowed now; it goes on.");
        batch.put_job(seq, &cut.next);
        batch.mark_seen(&key);
        seq += 1;
    }
    if resolved == 0 {
        return Ok(0);
    }
    batch.set_next_seq(seq);
    batch.set_pending_count(store.pending_count_kept()? + (seq - first));
    store.commit(batch)?;
    store.flush()?;
    Ok(seq - first)
}

/// Whether `resource` as configured now lets `cut`'s stream go on.
fn allows(resource: &Resource, cut: &CutStream) -> bool {
    match CutReason::parse(&cut.reason) {
        Some(CutReason::ForeignOrigin) => url::Url::parse(&cut.next.url)
            .is_ok_and(|u| resource.allowed_origins.contains(&origin_of(&u))),
        Some(CutReason::MaxPages) => resource
            .paginator
            .max_pages
            .is_none_or(|max| cut.next.page < max),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
