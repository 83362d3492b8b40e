//! The crawl engine: one [`Supervisor`](supervisor) actor that owns the
//! frontier and the commit path, and one host actor per origin that owns the
//! origin's token bucket and in-flight cap and runs the fetches.
//!
//! ```text
//! seeds ─► store (sled) ─► Frontier ─► Supervisor ─async-channel─► HostActor(origin) ─► fetch + parse
//!                ▲                          │ ▲                                             │
//!                └──── Committer (sinks + one sled batch) ◄──── Returned (actix message) ◄──┘
//! ```
//!
//! [`run`] drives a whole crawl to its end on an actix system in the calling
//! thread and returns a [`Summary`].

pub mod admin;
mod clock;
mod commit;
pub mod dead_letters;
mod error;
mod event_sink;
mod frontier;
mod host;
pub mod init;
mod job;
mod messages;
mod passes;
mod prepare;
mod reach;
pub mod reasons;
pub mod redact;
mod reopen;
pub mod reset;
mod run;
pub mod sample;
mod snapshot;
mod stats;
mod stop;
mod supervisor;
pub mod telemetry;

pub use error::EngineError;
pub use event_sink::{EventSink, RunEvent};
pub use run::{run, RunOptions};
pub use stats::{
    total_known, CrawlTotals, Ending, PassSummary, Progress, ProgressFn, RunStats, Summary,
};
pub use stop::{StopHandle, StopReason};
