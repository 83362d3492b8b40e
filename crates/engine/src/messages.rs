//! What travels between the actors.
//!
//! Supervisor → host: [`Leased`] jobs over each host's bounded async-channel.
//! Host → supervisor: one [`Returned`] per job, as an actix message sent with
//! `send` (awaited while the job's in-flight permits are still held, so the
//! supervisor's mailbox is bounded by the global in-flight cap).

use actix::Message;
use harvest_paginate::{ChildJob, Next, PageError};
use harvest_store::Job;
use std::time::Duration;
use url::Url;

/// A job taken from the frontier, with what the supervisor needs to route and
/// commit it.
///
/// `job` is the one source of truth: it is what the state persists and what
/// a retry or a dead letter writes back. `url` and `resource` are derived
/// from it once, when the job enters memory (`lease_all`, `enqueue`), and
/// never change: every fetch and every outcome needs the parsed URL (its
/// origin, the request), and the resource's config index, which cannot be
/// persisted since a config may reorder its resources between runs.
#[derive(Debug, Clone)]
pub(crate) struct Leased {
    /// Frontier sequence number: the job's key in the store.
    pub seq: u64,
    pub job: Job,
    /// `job.url`, parsed.
    pub url: Url,
    /// Index of `job.resource` in the config.
    pub resource: usize,
}

/// A leased job back from its host, with what became of it: fetched (a
/// page, a retry, a dead letter) or handed back unfetched (the crawl is
/// stopping, the breaker is open). Named for the job's round trip (leased
/// out, returned), apart from the policy's `CallOutcome` (one call's health)
/// and the binary's exit `Outcome`.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Returned {
    pub leased: Leased,
    pub result: FetchResult,
    /// Response body bytes received on the wire.
    pub bytes_in: u64,
    /// Response body bytes after decompression.
    pub bytes_decoded: u64,
    pub elapsed: Duration,
    /// The first bytes of the response body of an attempt that failed
    /// after a response came (`None`: a page, no response, or unfetched):
    /// its dead letter's snippet, if it is given up on.
    pub snippet: Option<Vec<u8>>,
}

#[derive(Debug)]
pub(crate) enum FetchResult {
    /// A 2xx page, parsed: its records as JSON Lines, what comes next, and
    /// the first pages of child resources its records name.
    Page {
        status: u16,
        lines: crate::commit::PageLines,
        records: u64,
        next: Next,
        children: Vec<ChildJob>,
        /// Parent records skipped for want of a child URL placeholder value.
        children_skipped: u64,
        /// An incremental resource's page: what judging its records found.
        judged: Option<Box<harvest_paginate::Judged>>,
    },
    /// A response whose status says "try again later" (408, 429, 5xx...),
    /// with the server's `Retry-After` if it gave one.
    RetryStatus {
        status: u16,
        retry_after: Option<Duration>,
        /// The attempt's request id (for the log and a dead letter).
        request_id: String,
        /// The retry reason when a response action asked for the retry
        /// (`None`: the status names it).
        reason: Option<&'static str>,
    },
    /// A transport failure worth a retry (connect, timeout, broken read).
    RetryTransport {
        reason: &'static str,
        /// The request provably never reached the server (connect failed).
        never_sent: bool,
        detail: String,
    },
    /// Given up at once: a status that will not change, or a body that fails validation.
    Dead {
        status: Option<u16>,
        reason: &'static str,
        detail: String,
    },
    /// Not attempted: the crawl is stopping. The job stays pending.
    Abandoned,
    /// Not attempted: the origin's breaker is open until `until`. The job
    /// waits in the frontier until then (no attempt spent).
    Deferred { until: std::time::Instant },
}

impl FetchResult {
    pub fn from_page_error(status: u16, e: &PageError) -> Self {
        Self::Dead {
            status: Some(status),
            reason: e.reason(),
            detail: e.to_string(),
        }
    }
}

/// The crawl should stop gracefully.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Stop(pub crate::StopReason);
