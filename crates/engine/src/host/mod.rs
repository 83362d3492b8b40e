//! One actor per origin (scheme, host, port). It owns the origin's token
//! bucket and in-flight cap, takes jobs from its bounded channel only when it
//! can act on them, runs each fetch as its own task, and reports an
//! [`Returned`](crate::messages::Returned) per job to the supervisor.
//!
//! The host stops when its channel closes: the supervisor drops the sender of
//! an idle origin, and the stream of jobs ending stops the actor.

mod actor;
mod feedback;
mod fetch;
mod http;
mod response_action;
mod shared;
mod snippet;
#[cfg(test)]
mod tests;

pub(crate) use actor::HostActor;
pub(crate) use http::Http;
pub(crate) use shared::HostShared;
