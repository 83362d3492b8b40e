//! What crosses from the supervisor to the writer thread and back: a
//! [`Group`] of staged changes goes out, a [`Durable`] answer carrying what
//! it [`Committed`] comes back.

use super::lines::PageLines;
use crate::EngineError;
use actix::Message;
use harvest_store::CommitBatch;

/// One group of staged changes.
pub(super) struct Group {
    /// Pages' lines per resource (index into the writer's sinks).
    pub lines: Vec<(usize, Vec<PageLines>)>,
    pub batch: CommitBatch,
    pub done: Committed,
}

/// What one group made durable (for the run's stats).
#[derive(Debug, Default, Clone)]
pub(crate) struct Committed {
    pub pages: u64,
    pub records: u64,
    pub bytes_out: u64,
    /// The frontier's next sequence number when the group was cut: every job
    /// below it is now in sled (or finished).
    pub next_seq: u64,
    /// (resource index, pages, records, bytes) for each resource with pages.
    pub by_resource: Vec<(usize, u64, u64, u64)>,
}

/// The writer's answer for one group.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Durable(pub Result<Committed, EngineError>);
