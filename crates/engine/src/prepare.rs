//! Before a run: match the config against the state, and seed what is new.
//!
//! Each resource's definition is fingerprinted into the state: its *shape*
//! (data selector, paginator and `parent`: how a page becomes records, next
//! pages and child pages)
//! and its *seeds*. Resuming with a different shape or seed list, or without a
//! resource the state holds, is refused: the output would mix two crawls.
//! `force` accepts the new config instead: fingerprints are rewritten, new
//! seeds are added, and the jobs of resources no longer configured are left
//! aside in the state. Rates, timeouts and concurrency are not fingerprinted:
//! they apply on resume.
//!
//! Seeding happens once per resource: seed URLs become jobs in batches, each
//! batch committed with the next free sequence number; the last one marks the
//! resource as seeded. A run killed while seeding finds the resource unseeded
//! and seeds it again; URLs already queued (the seen set) are skipped, so no
//! seed is queued twice. Seed files are read line by line, never held whole.

use crate::job::new_job;
use crate::passes::Passes;
use crate::EngineError;
use harvest_config::{Config, Resource, SeedValues};
use harvest_paginate::{PageRequest, PageRules};
use harvest_store::{CommitBatch, ResourceMeta, Store};
use std::collections::HashSet;
use xxhash_rust::xxh3::Xxh3;

/// Jobs per seeding batch. sled keeps a copy of every node a batch
/// rewrites until the batch is done (one epoch pin per batch), so smaller
/// batches keep seeding's memory down: 1M seeds peaked at 221 MB with
/// batches of 10,000, 199 MB with 1,000 (and seeded faster).
const BATCH: usize = 1_000;

/// Version of the fingerprint recipe (bump when it changes).
const RECIPE: &[u8] = b"harvest-fingerprint-1";

/// Checks the state against `config` and seeds new resources. Returns the
/// number of seed jobs added.
pub(crate) fn prepare(
    config: &Config,
    store: &Store,
    passes: &Passes,
    force: bool,
) -> Result<u64, EngineError> {
    let configured: HashSet<&str> = config.resources.iter().map(|r| r.name.as_str()).collect();
    for (name, _) in store.resources()? {
        if !configured.contains(name.as_str()) {
            if !force {
                return Err(EngineError::Incompatible {
                    resource: name,
                    what: "is in the state but no longer in the config".into(),
                });
            }
            tracing::warn!(resource = %name, "Resource no longer configured; its pending jobs are left aside (--force).");
        }
    }
    let mut added = 0;
    let rules = passes.rules(config);
    for (i, resource) in config.resources.iter().enumerate() {
        let shape = shape_fingerprint(resource);
        let meta = store.resource_meta(&resource.name)?;
        if meta.is_none() && !force {
            refuse_foreign_output(config, &passes.output(i, &resource.name))?;
        }
        // A pass begun (`passes`): the resource is seeded again, which must
        // not slip in a changed shape. Its seeds may change between passes.
        if let Some(old) = meta.as_ref().filter(|m| !m.seeded && m.shape != shape) {
            if !force {
                return Err(EngineError::Incompatible {
                    resource: resource.name.clone(),
                    what: "changed its data_selector, paginator, parent or incremental".into(),
                });
            }
            tracing::warn!(resource = %resource.name, old = old.shape, "Resource changed its shape; its next pass goes on with the new definition (--force).");
        }
        if let Some(old) = meta.filter(|m| m.seeded) {
            // Only a seeded resource needs its seeds hashed apart; seeding
            // hashes them on its own pass. An unchanged source (file bytes,
            // template and range) has unchanged seeds: a resume of a million
            // templated seeds skips generating them all.
            let source = seeds_source_fingerprint(resource)?;
            if old.shape == shape && store.seeds_source(&resource.name)? == Some(source) {
                continue;
            }
            let seeds = seeds_fingerprint(resource)?;
            let changed = match (old.shape != shape, old.seeds != seeds) {
                (false, false) => {
                    // Same seeds from a changed (or not yet hashed) source.
                    let mut batch = CommitBatch::new();
                    batch.set_seeds_source(&resource.name, source);
                    store.commit(batch)?;
                    continue;
                }
                (true, _) if resource.incremental.is_some() => {
                    "changed its data_selector, paginator, parent or incremental"
                }
                (true, _) => "changed its data_selector, paginator or parent",
                (false, true) => "changed its seeds",
            };
            if !force {
                return Err(EngineError::Incompatible {
                    resource: resource.name.clone(),
                    what: changed.into(),
                });
            }
            tracing::warn!(resource = %resource.name, "Resource {changed}; continuing with the new definition (--force).");
        }
        added += seed(resource, &rules[i], passes, store, shape)?;
    }
    Ok(added)
}

/// Queues every seed of `resource` not queued before, then records the
/// resource as seeded, with its `shape` and the seeds' fingerprint (hashed on
/// the same pass over the seeds).
fn seed(
    resource: &Resource,
    rules: &PageRules,
    passes: &Passes,
    store: &Store,
    shape: u128,
) -> Result<u64, EngineError> {
    let mut seeds_hash = seeds_hasher();
    let mut seq = store.next_seq()?;
    let first = seq;
    let pending = store.pending_count_kept()?;
    let mut batch = CommitBatch::new();
    let mut in_batch = HashSet::new();
    let mut failure = None;
    // Parameters sent on every request (an offset paginator's limit, a
    // pass's start) are part of the seed's URL, hence of its page identity.
    let result = resource.seeds.for_each(|url| {
        if failure.is_some() {
            return;
        }
        hash_seed(&mut seeds_hash, &url);
        let PageRequest { url, pos } = rules.seed(url);
        let job = new_job(resource.name.clone(), url.into(), pos, Vec::new());
        let key = passes.page_key(&job);
        match store.is_seen(&key) {
            Ok(false) if in_batch.insert(key) => {}
            Ok(_) => return,
            Err(e) => return failure = Some(EngineError::from(e)),
        }
        batch.put_job(seq, &job);
        batch.mark_seen(&key);
        seq += 1;
        if in_batch.len() >= BATCH {
            batch.set_next_seq(seq);
            batch.set_pending_count(pending + seq - first);
            if let Err(e) = store.commit(std::mem::take(&mut batch)) {
                failure = Some(e.into());
            }
            in_batch.clear();
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    result.map_err(|reason| EngineError::Seeds {
        resource: resource.name.clone(),
        reason,
    })?;
    batch.set_next_seq(seq);
    batch.set_pending_count(pending + seq - first);
    let meta = ResourceMeta {
        shape,
        seeds: seeds_hash.digest128(),
        seeded: true,
    };
    batch.set_resource_meta(&resource.name, &meta);
    batch.set_seeds_source(&resource.name, seeds_source_fingerprint(resource)?);
    store.commit(batch)?;
    Ok(seq - first)
}

/// A resource new to the state must not silently overwrite an output file
/// that some other crawl (or a person) left in `output_dir`; `output` is
/// its name there (`Passes::output`).
fn refuse_foreign_output(config: &Config, output: &str) -> Result<(), EngineError> {
    let path = config.crawl.output_dir.join(format!("{output}.jsonl"));
    match std::fs::metadata(&path) {
        Ok(m) if m.len() > 0 => Err(EngineError::OutputExists { path }),
        _ => Ok(()),
    }
}

fn shape_fingerprint(resource: &Resource) -> u128 {
    let mut h = Xxh3::new();
    h.update(RECIPE);
    h.update(resource.data_selector.to_string().as_bytes());
    h.update(&[0]);
    h.update(format!("{:?}", resource.paginator).as_bytes());
    // Only when set, so the fingerprints of resources without one are unchanged.
    if let Some(inc) = &resource.incremental {
        h.update(b"\0incremental\0");
        h.update(format!("{}\0{}\0{:?}", inc.cursor_path, inc.param, inc.primary_key).as_bytes());
    }
    if let Some(parent) = &resource.parent {
        h.update(&[0]);
        h.update(parent.resource.as_bytes());
        h.update(&[0]);
        h.update(parent.url.as_str().as_bytes());
        for (key, path) in &parent.copy {
            h.update(&[0]);
            h.update(format!("{key}={path}").as_bytes());
        }
    }
    h.digest128()
}

fn seeds_fingerprint(resource: &Resource) -> Result<u128, EngineError> {
    let mut h = seeds_hasher();
    resource
        .seeds
        .for_each(|url| hash_seed(&mut h, &url))
        .map_err(|reason| EngineError::Seeds {
            resource: resource.name.clone(),
            reason,
        })?;
    Ok(h.digest128())
}

/// A hash of where the seeds come from, not of the seeds themselves: the
/// inline URLs, the bytes of `seeds_file` and of a template's `values_file`,
/// the template's text and range. Reading a file's bytes is far cheaper than
/// parsing a million URLs; a stale hash only costs the full check.
fn seeds_source_fingerprint(resource: &Resource) -> Result<u128, EngineError> {
    let mut h = Xxh3::new();
    h.update(b"harvest-seeds-source-1");
    let seeds = &resource.seeds;
    for url in &seeds.urls {
        hash_seed(&mut h, url);
    }
    let hash_file = |h: &mut Xxh3, tag: &[u8], path: &std::path::Path| {
        h.update(tag);
        let mut file = std::fs::File::open(path).map_err(|e| EngineError::Seeds {
            resource: resource.name.clone(),
            reason: format!("cannot open {}: {e}", path.display()),
        })?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf).map_err(|e| EngineError::Seeds {
                resource: resource.name.clone(),
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            if n == 0 {
                return Ok::<(), EngineError>(());
            }
            h.update(&buf[..n]);
        }
    };
    if let Some(path) = &seeds.file {
        hash_file(&mut h, b"\0file\0", path)?;
    }
    if let Some(t) = &seeds.template {
        h.update(b"\0template\0");
        h.update(t.url.as_str().as_bytes());
        match &t.values {
            SeedValues::Range { from, to, step } => {
                h.update(format!("\0range {from} {to} {step}").as_bytes());
            }
            SeedValues::File(path) => hash_file(&mut h, b"\0values\0", path)?,
        }
    }
    Ok(h.digest128())
}

fn seeds_hasher() -> Xxh3 {
    let mut h = Xxh3::new();
    h.update(RECIPE);
    h
}

fn hash_seed(h: &mut Xxh3, url: &url::Url) {
    h.update(url.as_str().as_bytes());
    h.update(b"\n");
}

#[cfg(test)]
mod tests;
