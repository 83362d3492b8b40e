//! The supervisor: one actor that owns the frontier, the host actors, the
//! commit path and the crawl's end.
//!
//! - `actor.rs`: state and start-up.
//! - `tick.rs`: the periodic tick (commits, reaping, progress), timed by
//!   `cadence.rs`: [`Cadence`](cadence::Cadence), when reaping and progress
//!   are due and where progress goes; pure, tested.
//! - `ending.rs`: the end of the crawl (stop, grace, failure, summary), as
//!   `shutdown.rs` says: [`Shutdown`](shutdown::Shutdown), the stop asked
//!   for and its grace, the hosts' stop flag, where the summary goes; pure,
//!   tested.
//! - `dispatch.rs`: frontier → host channels; starting host actors, and
//!   telling the host table of jobs handed out and returned.
//! - `hosts.rs`: [`HostTable`](hosts::HostTable), the host bookkeeping (in
//!   flight per host, the host cap, idle reaping), pure, with its own tests.
//! - `outcome.rs`: what each returned job changes (staged for the next commit);
//!   `failures.rs`: when each retried page first failed (its dead letter's
//!   first time).
//! - `cut.rs`: a stream cut short: logged, counted, recorded in the state.
//! - `unreachable.rs`: origins failing in transport, and giving up on them.

mod actor;
mod cadence;
mod cut;
mod dispatch;
mod ending;
mod failures;
mod hosts;
mod observe;
mod outcome;
mod shutdown;
mod tick;
mod unreachable;

pub(crate) use actor::{Supervisor, SupervisorParts};
