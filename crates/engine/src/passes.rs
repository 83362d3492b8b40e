//! Incremental passes in a run: which pass each resource's pages belong to,
//! where its records go, and the pass a run begins.
//!
//! A resource with `incremental` is harvested in passes; so are its child
//! resources (their streams come from the parent records of the pass). A
//! pass is an ordinary crawl of those resources: its pages are told apart
//! from other passes' by their page key (the pass number is hashed in), so
//! pass 3 fetches a page pass 2 fetched; its records go to
//! `<output_dir>/<resource>/pass-NNNNNN.jsonl`, one file per pass, so a
//! loader can take the delta alone.
//!
//! [`begin`] runs before seeding. A resource met for the first time starts
//! pass 1 at its `initial_value`. When the crawl it belongs to has nothing
//! pending (the last pass finished, dead letters and cut streams aside),
//! its next pass begins: the finished pass's maximum, less the lag, is the
//! new start (`PassState::next`), and the resource is marked unseeded so
//! seeding queues its seeds again with the new start parameter. Both go in
//! one commit, so a run killed here either begins the pass or does not. A
//! pass that was under way is resumed as it was. Resources without
//! `incremental` are untouched: their layout and page keys are today's.

use crate::EngineError;
use harvest_config::Config;
use harvest_incremental::PassState;
use harvest_paginate::{PageRules, PassRules};
use harvest_store::{CommitBatch, Job, PageKey, ResourceMeta, Store, StoreError};
use std::collections::HashMap;

/// The passes of one run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Passes {
    /// Per resource (config index): the pass its pages belong to (its own,
    /// or its incremental ancestor's); `None`: not harvested in passes.
    pass_of: Vec<Option<u32>>,
    /// Per resource: an incremental resource's pass state as this run
    /// began it.
    states: Vec<Option<PassState>>,
    by_name: HashMap<String, usize>,
}

/// Reads (or begins) every incremental resource's pass; see the module doc.
pub(crate) fn begin(config: &Config, store: &Store, now_ms: u64) -> Result<Passes, EngineError> {
    let n = config.resources.len();
    let mut states = vec![None; n];
    if config.resources.iter().all(|r| r.incremental.is_none()) {
        return Ok(Passes::of(config, states));
    }
    let finished = store.pending_count_kept()? == 0;
    let mut batch = CommitBatch::new();
    for (i, r) in config.resources.iter().enumerate() {
        let Some(inc) = &r.incremental else {
            continue;
        };
        let meta = store.resource_meta(&r.name)?;
        let state = match read(store, &r.name)? {
            None => {
                let first = PassState::first(inc.initial_value.clone(), now_ms);
                batch.set_pass_state(&r.name, first.encode());
                first
            }
            Some(state) if finished && meta.as_ref().is_some_and(|m| m.seeded) => {
                let finished_ms = store.counters(&r.name)?.last_commit_ms;
                let next = state.next(inc.lag, finished_ms, now_ms);
                tracing::info!(
                    resource = %r.name,
                    pass = next.pass,
                    start = next.start.as_ref().map(|s| s.value.raw()).unwrap_or("-"),
                    "Pass {} finished with {} records; pass {} begins.",
                    state.pass,
                    state.records,
                    next.pass
                );
                batch.set_pass_state(&r.name, next.encode());
                let meta = meta.expect("checked above");
                batch.set_resource_meta(
                    &r.name,
                    &ResourceMeta {
                        seeded: false,
                        ..meta
                    },
                );
                next
            }
            Some(state) => state,
        };
        states[i] = Some(state);
    }
    store.commit(batch)?;
    Ok(Passes::of(config, states))
}

/// `resource`'s pass state, if it has one.
pub(crate) fn read(store: &Store, resource: &str) -> Result<Option<PassState>, EngineError> {
    let Some(bytes) = store.pass_state(resource)? else {
        return Ok(None);
    };
    PassState::decode(&bytes).map(Some).map_err(|e| {
        StoreError::Corrupt {
            what: "pass state",
            reason: e.to_string(),
        }
        .into()
    })
}

impl Passes {
    fn of(config: &Config, states: Vec<Option<PassState>>) -> Self {
        let by_name: HashMap<String, usize> = config
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        // A resource's pass: its own, else its parent's (a parent chain
        // is acyclic: config validation refuses cycles).
        let pass_of = (0..config.resources.len())
            .map(|i| {
                let mut at = i;
                for _ in 0..=config.resources.len() {
                    if let Some(s) = &states[at] {
                        return Some(s.pass);
                    }
                    let parent = config.resources[at].parent.as_ref()?;
                    at = *by_name.get(&parent.resource)?;
                }
                None
            })
            .collect();
        Self {
            pass_of,
            states,
            by_name,
        }
    }

    /// The pass resource `i`'s pages belong to, if it is harvested in passes.
    pub fn pass_of(&self, i: usize) -> Option<u32> {
        self.pass_of.get(i).copied().flatten()
    }

    /// Incremental resource `i`'s pass state as this run began it.
    pub fn state(&self, i: usize) -> Option<&PassState> {
        self.states.get(i).and_then(Option::as_ref)
    }

    /// The identity of `job`'s page: in a pass, the pass is part of it.
    pub fn page_key(&self, job: &Job) -> PageKey {
        match self
            .by_name
            .get(&job.resource)
            .and_then(|&i| self.pass_of(i))
        {
            Some(pass) => PageKey::new(&format!("{}\u{1f}pass-{pass}", job.resource), &job.url),
            None => job.page_key(),
        }
    }

    /// Where resource `i`'s records go, relative to `output_dir` and without
    /// `.jsonl`; also the name its sink offset is kept under.
    pub fn output(&self, i: usize, name: &str) -> String {
        match self.pass_of(i) {
            Some(pass) => pass_output(name, pass),
            None => name.to_owned(),
        }
    }

    /// Every resource's page rules, an incremental one's for its pass.
    pub fn rules(&self, config: &Config) -> Vec<PageRules> {
        PageRules::for_config(config)
            .into_iter()
            .zip(&config.resources)
            .enumerate()
            .map(|(i, (rules, r))| match (&r.incremental, self.state(i)) {
                (Some(inc), Some(state)) => {
                    rules.with_pass(PassRules::new(inc, state.start.clone()))
                }
                _ => rules,
            })
            .collect()
    }
}

/// `<resource>/pass-NNNNNN`: pass `pass`'s output of `resource`.
pub fn pass_output(resource: &str, pass: u32) -> String {
    format!("{resource}/pass-{pass:06}")
}
