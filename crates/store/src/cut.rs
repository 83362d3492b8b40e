//! Streams cut short: a stream that ended before its server said so (a next
//! link to a foreign origin, a loop, `max_pages`, ...) is kept under the
//! sequence number of the page that cut it, written in the same batch as
//! that page. One entry per cut stream: the page that cuts a stream derives
//! nothing else, and is done once.

use crate::{job, Job, StoreError};
use serde::{Deserialize, Serialize};

/// A stream cut short, and where it would have gone on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutStream {
    /// The page not fetched, as the job it would have been: its resource,
    /// URL (the offending link; its text when it is not a URL), position and
    /// copied parent fields — so a run whose config allows it can queue it.
    pub next: Job,
    /// Fixed label (`foreign_origin`, `loop`, `max_pages`, ...).
    pub reason: String,
    /// The page whose next page was not followed.
    pub page_url: String,
}

impl CutStream {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("a cut stream always serialises")
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        job::decode(bytes, "cut stream")
    }
}
