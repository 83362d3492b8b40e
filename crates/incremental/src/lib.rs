//! Incremental harvests, sans I/O: the typed cursor values of records
//! ([`CursorValue`]), a pass's bounds and what it learns for the next pass
//! ([`Bounds`], [`PassMax`], [`PassStart`]), the identity of a record at a
//! pass boundary ([`RecordKey`]) and the `--every` schedule
//! ([`next_pass_at`]).
//!
//! The model, after dlt's `incremental`: a pass is one ordinary crawl whose
//! seeds carry a start parameter. Its records are judged against the start
//! (APIs filter with `>=`, so the boundary comes back and is de-duplicated
//! by key), and the maximum cursor value among the records the pass wrote
//! becomes the next pass's start. Nothing here reads a clock, a file or the
//! network; the engine feeds it record fields and commits its state with
//! the pages that produced it.

mod cursor;
mod key;
mod schedule;
mod state;
mod window;

pub use cursor::{CursorKind, CursorValue, Lag, Mismatch, NotACursor};
pub use key::RecordKey;
pub use schedule::next_pass_at;
pub use state::{BadState, FinishedPass, PassState};
pub use window::{Bounds, PassMax, PassStart, Verdict};

#[cfg(test)]
mod tests;
