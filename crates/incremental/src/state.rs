//! An incremental resource's passes as the state keeps them ([`PassState`]):
//! the pass under way (its number, where it started, the running maximum
//! of what it wrote, committed with every page) and the last finished one.
//! Owns the record's versioned encoding; the store keeps its bytes.
//!
//! Encoding: the format byte (`1`), then the record in postcard.

use crate::cursor::{CursorValue, Lag};
use crate::window::{PassMax, PassStart};
use serde::{Deserialize, Serialize};

/// The record format written now.
const FORMAT: u8 = 1;

/// An incremental resource's passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassState {
    /// The pass under way (or finished, until the next run begins the
    /// next), from 1.
    pub pass: u32,
    /// Where it started (`None`: no start parameter was sent).
    pub start: Option<PassStart>,
    /// The maximum of the records it wrote (or had written) so far.
    pub max: PassMax,
    /// Records it wrote so far.
    pub records: u64,
    /// When it began (ms since the Unix epoch).
    pub started_ms: u64,
    /// The last finished pass.
    pub last: Option<FinishedPass>,
}

/// A pass that finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishedPass {
    pub pass: u32,
    /// The start value it sent.
    pub start: Option<CursorValue>,
    /// Where the next pass starts (its maximum, less the lag).
    pub next_start: Option<CursorValue>,
    pub records: u64,
    pub started_ms: u64,
    /// Its last commit (ms since the Unix epoch).
    pub finished_ms: u64,
}

/// A state record that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pass state: {0}")]
pub struct BadState(String);

impl PassState {
    /// The first pass, from `start` (the config's `initial_value`).
    pub fn first(start: Option<CursorValue>, now_ms: u64) -> Self {
        Self {
            pass: 1,
            start: start.map(|value| PassStart {
                value,
                seen: Vec::new(),
            }),
            max: PassMax::default(),
            records: 0,
            started_ms: now_ms,
            last: None,
        }
    }

    /// The pass after this finished one, which ended at `finished_ms`: it
    /// starts at this pass's maximum less `lag`, with the keys of the
    /// records from there on; a pass that wrote nothing leaves the start
    /// where it was.
    pub fn next(&self, lag: Option<Lag>, finished_ms: u64, now_ms: u64) -> Self {
        let start = self.max.next_start(lag).or_else(|| self.start.clone());
        let last = FinishedPass {
            pass: self.pass,
            start: self.start.as_ref().map(|s| s.value.clone()),
            next_start: start.as_ref().map(|s| s.value.clone()),
            records: self.records,
            started_ms: self.started_ms,
            finished_ms,
        };
        Self {
            pass: self.pass + 1,
            start,
            max: PassMax::default(),
            records: 0,
            started_ms: now_ms,
            last: Some(last),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        out.extend(postcard::to_stdvec(self).expect("a pass state always serialises"));
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, BadState> {
        match bytes.split_first() {
            Some((&FORMAT, rest)) => {
                postcard::from_bytes(rest).map_err(|e| BadState(e.to_string()))
            }
            Some((format, _)) => Err(BadState(format!(
                "format {format}, written by a newer harvest"
            ))),
            None => Err(BadState("empty record".into())),
        }
    }
}
