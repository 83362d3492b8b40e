//! What the host actor and its fetch tasks share: [`HostShared`] (handed
//! out by the supervisor), and the [`Feedback`] each fetch task reports to
//! its host through a [`Reporter`].

use crate::clock::Clock;
use crate::event_sink::Events;
use crate::messages::Returned;
use actix::prelude::*;
use harvest_config::Config;
use harvest_paginate::PageRules;
use harvest_policy::{CallOutcome, Quota};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// What every host shares, handed out by the supervisor.
#[derive(Clone)]
pub(crate) struct HostShared {
    /// The client and each resource's request settings.
    pub http: super::Http,
    /// The runtime fetch tasks run on (other threads than the actors').
    pub io: tokio::runtime::Handle,
    /// Page rules per resource, by config index.
    pub rules: Arc<[PageRules]>,
    /// The global in-flight cap.
    pub global: Arc<Semaphore>,
    /// Set when the crawl is stopping: queued jobs are handed back unfetched.
    pub stopping: Arc<AtomicBool>,
    /// Origins whose breaker is open or half-open (for progress displays).
    pub open_breakers: Arc<AtomicUsize>,
    /// Where each job's outcome goes (the supervisor).
    pub supervisor: Recipient<Returned>,
    pub config: Arc<Config>,
    /// Now, for the hosts (see `crate::clock`).
    pub clock: Clock,
    pub events: Events,
}

/// The politeness-relevant part of one response.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub(crate) struct Feedback {
    /// What the call says of the origin's health (the breaker's input).
    pub health: CallOutcome,
    /// The status, or `None` when no response came.
    pub status: Option<u16>,
    /// A `Retry-After` (on 429 / 503), already capped.
    pub retry_after: Option<Duration>,
    pub quota: Option<Quota>,
    /// When the request went out (a 429 for a request sent before the last
    /// slow-down is not another burst).
    pub sent_at: Instant,
}

impl Feedback {
    /// The feedback of a response, or of a transport failure (`None`).
    pub fn of_response(status: Option<u16>, sent_at: Instant) -> Self {
        Self {
            health: status.map_or(CallOutcome::Failure, CallOutcome::of_status),
            status,
            retry_after: None,
            quota: None,
            sent_at,
        }
    }

    /// An admitted call that ended without an answer (stopped, panicked):
    /// it says nothing of the origin, but frees a half-open probe slot.
    pub fn cancelled(now: Instant) -> Self {
        Self {
            health: CallOutcome::Neutral,
            ..Self::of_response(None, now)
        }
    }
}

/// Sends the host exactly one [`Feedback`] per admitted call: a call that
/// ends without one (the crawl stopped, the task panicked) reports
/// [`Feedback::cancelled`] when this is dropped, so a half-open breaker
/// never waits for a probe that will not come back.
pub(crate) struct Reporter {
    host: Recipient<Feedback>,
    clock: Clock,
    sent: bool,
}

impl Reporter {
    pub fn new(host: Recipient<Feedback>, clock: Clock) -> Self {
        Self {
            host,
            clock,
            sent: false,
        }
    }

    pub fn send(&mut self, feedback: Feedback) {
        self.sent = true;
        self.host.do_send(feedback);
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if !self.sent {
            self.host.do_send(Feedback::cancelled(self.clock.now()));
        }
    }
}
