//! The supervisor: one actor that owns the frontier, the host actors, the
//! commit path and the crawl's end.
//!
//! - `actor.rs`: state, start-up, the periodic tick, the end of the crawl.
//! - `dispatch.rs`: frontier → host channels; starting host actors, and
//!   telling the host table of jobs handed out and returned.
//! - `hosts.rs`: [`HostTable`](hosts::HostTable), the host bookkeeping (in
//!   flight per host, the host cap, idle reaping), pure, with its own tests.
//! - `outcome.rs`: what each returned job changes (staged for the next commit).
//! - `cut.rs`: a stream cut short: logged, counted, recorded in the state.
//! - `unreachable.rs`: origins failing in transport, and giving up on them.

mod actor;
mod cut;
mod dispatch;
mod hosts;
mod observe;
mod outcome;
mod unreachable;

pub(crate) use actor::{Supervisor, SupervisorParts};
