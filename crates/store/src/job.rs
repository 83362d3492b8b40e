//! The records kept in the state: jobs, page identities, counters (dead
//! letters: `dead_letter.rs`).
//! Plain serde data, encoded with postcard.

use crate::StoreError;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// One page fetch to do. Plain data: it is persisted in the frontier and read
/// back after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Name of the resource the page belongs to.
    pub resource: String,
    pub url: String,
    /// Attempts already made (0 for a fresh job).
    pub attempt: u32,
    /// Do not fetch before this time (milliseconds since the Unix epoch; 0 = now).
    /// Persisted, so a restart keeps a retry's schedule.
    pub not_before_ms: u64,
    /// Position of the page in its stream, the seed being 0.
    pub page: u32,
    /// Pagination position beyond `page` (`harvest_paginate::Position`):
    /// the offset this page was requested at (`offset` paginator).
    pub offset: u64,
    /// The page was queued by a fan-out (offset/page number with a known
    /// total), so it derives no further pages.
    pub fanned_out: bool,
    /// `(output key, raw JSON value)` copied from the parent record of a
    /// child stream (`parent.copy`), spliced into each of its records.
    /// Empty for every other job.
    pub parent: Vec<(String, String)>,
}

impl Job {
    /// A fresh job for the first page of a stream: no attempt made, due
    /// now, no parent fields. Set `page`, `offset`, `fanned_out` and
    /// `parent` with struct update syntax for any other page (the engine
    /// does it in one place, from a `harvest_paginate::Position`).
    pub fn new(resource: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            url: url.into(),
            attempt: 0,
            not_before_ms: 0,
            page: 0,
            offset: 0,
            fanned_out: false,
            parent: Vec::new(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("a job always serialises")
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        decode(bytes, "job")
    }

    /// The identity of this job's page.
    pub fn page_key(&self) -> PageKey {
        PageKey::new(&self.resource, &self.url)
    }
}

/// The identity of a page: a 128-bit hash of its resource and URL. The state
/// keeps one per page queued, never one per record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey(pub [u8; 16]);

impl PageKey {
    pub fn new(resource: &str, url: &str) -> Self {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(resource.as_bytes());
        h.update(&[0]);
        h.update(url.as_bytes());
        Self(h.digest128().to_be_bytes())
    }
}

/// Committed totals of one resource; they survive restarts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub pages: u64,
    pub records: u64,
    /// Bytes written to the output.
    pub bytes: u64,
    pub dead: u64,
    /// When a page of this resource was last committed (ms since the Unix epoch).
    pub last_commit_ms: u64,
}

impl Counters {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("counters always serialise")
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        decode(bytes, "counters")
    }
}

/// What the state remembers of a resource's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceMeta {
    /// Hash of what decides how pages become records and next pages (data
    /// selector, paginator): resuming with a different one is refused.
    pub shape: u128,
    /// Hash of the seed list the frontier was seeded from.
    pub seeds: u128,
    /// Every seed of the resource is in the frontier.
    pub seeded: bool,
}

impl ResourceMeta {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("resource meta always serialises")
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        decode(bytes, "resource meta")
    }
}

pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt {
        what,
        reason: e.to_string(),
    })
}
