//! Chaos mode: an upstream whose origins misbehave on a random schedule
//! drawn from a seed (FoundationDB / Jepsen style), and the oracle and
//! invariants a crawl of it is checked against.
//!
//! - `kinds.rs`: which fault kinds may be drawn (one flag each);
//! - `schedule.rs`: the schedule, plain data drawn from a seed;
//! - `serve.rs`, `listener.rs`: the servers that follow it (real sockets:
//!   refused connections, resets, bursts, stalls, trickles, ...), around
//!   the state they share (`shared.rs`);
//! - `oracle.rs`: the records a correct crawl yields, the pages that must
//!   end dead, the streams that must be cut, the time bound;
//! - `check.rs`: what a crawl did against the oracle → broken invariants.

mod check;
mod kinds;
mod listener;
mod oracle;
mod schedule;
mod serve;
mod shared;

pub use check::{check, Listing, Observed, Violation};
pub use kinds::FaultKinds;
pub use oracle::{bound, CutStream, DeadPage, Oracle, Timing};
pub use schedule::{
    End, OriginPlan, Schedule, StreamPlan, Style, Transient, Window, WindowKind, CURSOR_BASE,
    RECORDS_PER_PAGE, TRICKLE_EVERY,
};
pub use serve::ChaosUpstream;

#[cfg(test)]
mod tests;
