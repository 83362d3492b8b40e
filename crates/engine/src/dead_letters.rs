//! Dead letters outside a run: listing them (in today's reason words) and
//! putting them back in the frontier, both limited by one
//! [`DeadLetterFilter`] (`harvest dead-letters` and `harvest retry-dead`
//! share it). Owns the filter and its checks; the record and its encoding
//! are the store's (`harvest_store::DeadLetter`), the words `reasons`'.
//!
//! Each function opens the state itself, so it is refused (with the lock
//! message) while a crawl runs on it, and none creates a state.

use crate::reasons;
use crate::EngineError;
use harvest_config::Config;
use harvest_store::{CommitBatch, Counters, Job, Store};
use std::collections::{BTreeMap, BTreeSet};

pub use harvest_store::{DeadLetter, SNIPPET_BYTES};

/// Which dead letters a command acts on: those matching every filter set
/// (none set: all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadLetterFilter {
    /// Only this resource's letters.
    pub resource: Option<String>,
    /// Only letters with this reason (`http_404`, `not_json`, ...).
    pub reason: Option<String>,
    /// Only letters whose last response had this HTTP status.
    pub status: Option<u16>,
}

/// A filter that cannot match as asked.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("--resource {name}: no such resource in the config or the state (known: {})", known.join(", "))]
    UnknownResource { name: String, known: Vec<String> },
    #[error(
        "--reason {reason}: not a dead-letter reason (one of: {}, or http_<code> for any HTTP status)",
        valid.join(", ")
    )]
    UnknownReason {
        reason: String,
        valid: Vec<&'static str>,
    },
}

impl DeadLetterFilter {
    /// Whether `letter` (its reason in today's words) is one to act on.
    pub fn matches(&self, letter: &DeadLetter) -> bool {
        let resource = self.resource.as_ref();
        resource.is_none_or(|r| *r == letter.job.resource)
            && self.reason.as_ref().is_none_or(|r| *r == letter.reason)
            && self.status.is_none_or(|s| letter.status == Some(s))
    }

    /// Refuses a resource neither the config nor the state knows, and a
    /// reason outside the vocabulary (`reasons`).
    fn check(&self, config: &Config, store: &Store) -> Result<(), EngineError> {
        if let Some(name) = &self.resource {
            let mut known: BTreeSet<String> =
                config.resources.iter().map(|r| r.name.clone()).collect();
            known.extend(store.resources()?.into_iter().map(|(name, _)| name));
            if !known.contains(name) {
                let known = known.into_iter().collect();
                let name = name.clone();
                return Err(FilterError::UnknownResource { name, known }.into());
            }
        }
        if let Some(reason) = &self.reason {
            if !reasons::is_dead_letter_reason(reason) {
                return Err(FilterError::UnknownReason {
                    reason: reason.clone(),
                    valid: reasons::dead_letter_words(),
                }
                .into());
            }
        }
        Ok(())
    }
}

/// The dead letters `filter` matches, oldest first, each with its sequence
/// number; a letter an older build wrote reads with its reason in today's
/// words (`http_status` for a 404 → `http_404`).
fn matching(
    store: &Store,
    filter: &DeadLetterFilter,
) -> Result<Vec<(u64, DeadLetter)>, EngineError> {
    let mut letters = store.dead_letters()?;
    for (_, l) in &mut letters {
        l.reason = reasons::current_word(&l.reason, l.status);
    }
    letters.retain(|(_, l)| filter.matches(l));
    Ok(letters)
}

/// The dead letters `filter` matches, oldest first.
pub fn list(config: &Config, filter: &DeadLetterFilter) -> Result<Vec<DeadLetter>, EngineError> {
    let store = Store::open_existing(&config.crawl.state_dir)?;
    filter.check(config, &store)?;
    Ok(matching(&store, filter)?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

/// What [`retry`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retried {
    /// Letters matched and put back in the frontier.
    pub matched: u64,
    /// Letters that stay dead (not matched).
    pub stayed: u64,
}

/// Puts the dead pages `filter` matches back in the frontier as fresh jobs
/// (attempts reset), under their old sequence numbers; the others stay.
pub fn retry(config: &Config, filter: &DeadLetterFilter) -> Result<Retried, EngineError> {
    let store = Store::open_existing(&config.crawl.state_dir)?;
    filter.check(config, &store)?;
    let all = store.dead_letters()?.len() as u64;
    let letters = matching(&store, filter)?;
    let mut batch = CommitBatch::new();
    batch.set_pending_count(store.pending_count_kept()? + letters.len() as u64);
    let mut counters: BTreeMap<String, Counters> = BTreeMap::new();
    for (seq, letter) in &letters {
        let job = Job {
            attempt: 0,
            not_before_ms: 0,
            ..letter.job.clone()
        };
        batch.put_job(*seq, &job);
        batch.remove_dead_letter(*seq);
        let resource = &letter.job.resource;
        if !counters.contains_key(resource) {
            counters.insert(resource.clone(), store.counters(resource)?);
        }
        let c = counters.get_mut(resource).expect("just inserted");
        c.dead = c.dead.saturating_sub(1);
    }
    for (name, c) in &counters {
        batch.set_counters(name, c);
    }
    store.commit(batch)?;
    store.flush()?;
    let matched = letters.len() as u64;
    Ok(Retried {
        matched,
        stayed: all - matched,
    })
}
