//! One pass of an incremental resource: which records it keeps
//! ([`Bounds::judge`]) and what it learns for the next pass ([`PassMax`]).
//!
//! A pass starts at the previous pass's maximum cursor value (moved back by
//! `lag`, if any) and knows the keys of the records already written at or
//! after that start (`seen`). APIs filter with `>=`, so the records at the
//! boundary come back: the ones in `seen` are dropped, any other is new (or
//! updated: its key includes its cursor value) and kept. Records below the
//! start (an API that ignores the parameter) are dropped too, and records
//! at or past `end` (a closed window's open end, as dlt's `range_end =
//! "open"`).
//!
//! [`PassMax`] folds every record at or above the start — kept *and* seen,
//! since both are written by now — keeping the maximum and the keys of the
//! records within `lag` of it (with no lag: the records at the maximum,
//! dlt's `unique_hashes`). It is bounded: past [`PassMax::CAP`] keys the
//! lowest quarter is dropped and counted, which can only let a boundary record be
//! written twice, never lose one. Merging is how page results combine in
//! commit order.

use crate::cursor::{CursorValue, Lag, Mismatch};
use crate::key::RecordKey;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashSet;

/// Where a pass starts: the value sent as the start parameter and the keys
/// of the records already written from there on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassStart {
    pub value: CursorValue,
    pub seen: Vec<RecordKey>,
}

/// What happens to one record of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// Below the pass's start.
    BelowStart,
    /// Written by an earlier pass (at the boundary, or within the lag).
    Seen,
    /// At or past the window's end.
    PastEnd,
}

/// The bounds one pass judges records by.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    start: Option<CursorValue>,
    seen: HashSet<RecordKey>,
    end: Option<CursorValue>,
}

impl Bounds {
    /// A pass from `start` (none: the first pass without an initial value)
    /// up to `end` (exclusive).
    pub fn new(start: Option<PassStart>, end: Option<CursorValue>) -> Self {
        let (start, seen) = match start {
            Some(s) => (Some(s.value), s.seen.into_iter().collect()),
            None => (None, HashSet::new()),
        };
        Self { start, seen, end }
    }

    /// The first pass's bounds from the config's `initial_value`.
    pub fn from_initial(initial: Option<CursorValue>, end: Option<CursorValue>) -> Self {
        Self::new(
            initial.map(|value| PassStart {
                value,
                seen: Vec::new(),
            }),
            end,
        )
    }

    pub fn start(&self) -> Option<&CursorValue> {
        self.start.as_ref()
    }

    /// The verdict on a record with cursor `value` and `key`.
    pub fn judge(&self, value: &CursorValue, key: RecordKey) -> Result<Verdict, Mismatch> {
        if let Some(start) = &self.start {
            if start.compare(value)? == Ordering::Greater {
                return Ok(Verdict::BelowStart);
            }
        }
        if let Some(end) = &self.end {
            if end.compare(value)? != Ordering::Greater {
                return Ok(Verdict::PastEnd);
            }
        }
        if self.seen.contains(&key) {
            return Ok(Verdict::Seen);
        }
        Ok(Verdict::Keep)
    }
}

/// The running maximum of a pass and the keys near it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PassMax {
    max: Option<CursorValue>,
    /// Records within the lag of `max` (at `max` without a lag).
    near: Vec<(CursorValue, RecordKey)>,
    /// Keys dropped past [`Self::CAP`].
    pub overflowed: u64,
}

impl PassMax {
    /// Keys kept at most (8 bytes each plus the value).
    pub const CAP: usize = 100_000;

    pub fn max(&self) -> Option<&CursorValue> {
        self.max.as_ref()
    }

    /// Folds one written (kept or seen) record in.
    pub fn add(
        &mut self,
        value: CursorValue,
        key: RecordKey,
        lag: Option<Lag>,
    ) -> Result<(), Mismatch> {
        let raised = match &self.max {
            None => true,
            Some(max) => max.compare(&value)? == Ordering::Less,
        };
        if raised {
            self.max = Some(value.clone());
            self.prune(lag)?;
        }
        if self.is_near(&value, lag)? {
            self.near.push((value, key));
            self.bound();
        }
        Ok(())
    }

    /// Folds another page's (or batch's) result in.
    pub fn merge(&mut self, other: PassMax, lag: Option<Lag>) -> Result<(), Mismatch> {
        self.overflowed += other.overflowed;
        for (value, key) in other.near {
            self.add(value, key, lag)?;
        }
        Ok(())
    }

    /// Where the next pass starts: the maximum moved back by `lag`, with the
    /// keys of the records from there on. `None` when the pass wrote
    /// nothing (the next pass starts where this one did).
    pub fn next_start(&self, lag: Option<Lag>) -> Option<PassStart> {
        let max = self.max.as_ref()?;
        let value = match lag {
            Some(lag) => max.minus(lag).unwrap_or_else(|| max.clone()),
            None => max.clone(),
        };
        let seen = self.near.iter().map(|(_, k)| *k).collect();
        Some(PassStart { value, seen })
    }

    fn floor(&self, lag: Option<Lag>) -> Option<CursorValue> {
        let max = self.max.as_ref()?;
        Some(match lag {
            Some(lag) => max.minus(lag).unwrap_or_else(|| max.clone()),
            None => max.clone(),
        })
    }

    fn is_near(&self, value: &CursorValue, lag: Option<Lag>) -> Result<bool, Mismatch> {
        match self.floor(lag) {
            None => Ok(false),
            Some(floor) => Ok(floor.compare(value)? != Ordering::Greater),
        }
    }

    fn prune(&mut self, lag: Option<Lag>) -> Result<(), Mismatch> {
        let Some(floor) = self.floor(lag) else {
            return Ok(());
        };
        let mut kept = Vec::with_capacity(self.near.len());
        for (value, key) in self.near.drain(..) {
            if floor.compare(&value)? != Ordering::Greater {
                kept.push((value, key));
            }
        }
        self.near = kept;
        Ok(())
    }

    /// Past the cap, keeps the highest three quarters (so the sort runs
    /// once per `CAP / 4` records, not per record).
    fn bound(&mut self) {
        if self.near.len() <= Self::CAP {
            return;
        }
        // Values here are all of the max's kind: comparisons cannot fail.
        self.near
            .sort_by(|a, b| b.0.compare(&a.0).unwrap_or(Ordering::Equal));
        let keep = Self::CAP - Self::CAP / 4;
        self.overflowed += (self.near.len() - keep) as u64;
        self.near.truncate(keep);
    }
}
