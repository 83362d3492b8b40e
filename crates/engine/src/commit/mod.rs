//! Group commit: page outcomes are staged in memory and made durable together,
//! at most every 100 ms or 1024 pages (`cadence.rs`), never per page.
//!
//! Staging (`committer.rs`) happens on the supervisor; making a group durable
//! happens on the writer thread (`writer.rs`), so fsyncs never stall fetching.
//! A [`Group`](group::Group) goes to the writer and a [`Durable`] answer comes
//! back (`group.rs`); a page's lines travel as [`PageLines`], in memory or
//! spilled to an anonymous file (`lines.rs`). One group is with the writer
//! at a time; the next one stages meanwhile and goes as soon as the writer
//! answers, so groups grow when the disk is slow.
//!
//! The writer appends and syncs each resource's lines to its sink *first*,
//! then applies and flushes one sled batch holding the new sink offsets,
//! counters, finished and added jobs. A crash anywhere leaves at most bytes
//! past the committed offset, which the next run cuts off (see `harvest_sink`),
//! so every page is in the output exactly once. Pages count as done (stats,
//! progress) only once the writer reports their group durable.

mod cadence;
mod committer;
mod group;
mod lines;
mod writer;

pub(crate) use committer::Committer;
pub(crate) use group::{Committed, Durable};
pub(crate) use lines::{spill_dir, PageLines, SPILL_AT};
