//! One job's fetch task: send (as the resource's request spec says), classify,
//! parse, report. Runs outside the host
//! actor so the host can start the next job while this one streams.

use super::response_action::{self, Verdict};
use super::shared::{Feedback, HostShared, Reporter};
use super::snippet::{self, Head};
use crate::commit::{spill_dir, PageLines, SPILL_AT};
use crate::messages::{FetchResult, Leased, Returned};
use crate::redact::Redacted;
use actix::Recipient;
use futures::FutureExt;
use harvest_fetch::{Attempt, FetchError, RequestSpec, Response};
use harvest_paginate::PageRequest;
use harvest_policy::Disposition;
use harvest_policy::{parse_quota, parse_retry_after, Quota};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::time::Duration;
use std::time::Instant;
use tokio::sync::OwnedSemaphorePermit;

/// Fetches `leased` and sends its outcome to the supervisor. `permits` (the
/// origin's and the global slot) are held until the supervisor has taken the
/// outcome, which bounds the supervisor's mailbox by the global cap.
pub(crate) async fn fetch_page(
    shared: HostShared,
    host: Recipient<Feedback>,
    leased: Leased,
    permits: (OwnedSemaphorePermit, OwnedSemaphorePermit),
) {
    let started = Instant::now();
    // Dropped at the end of this task at the latest: the breaker hears of
    // every admitted call, whatever happens to it.
    let mut reporter = Reporter::new(host, shared.clock);
    let (result, bytes, snippet) = if shared.stopping.load(Ordering::Relaxed) {
        (FetchResult::Abandoned, BodyBytes::default(), None)
    } else {
        // A panic in the fetch or the parser must still produce an outcome,
        // or the supervisor would wait for this job forever.
        AssertUnwindSafe(fetch(&shared, &mut reporter, &leased))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                let detail = "internal error while fetching or parsing (a bug: please report it)";
                let dead = FetchResult::Dead {
                    status: None,
                    reason: "panic",
                    detail: detail.into(),
                };
                (dead, BodyBytes::default(), None)
            })
    };
    let outcome = Returned {
        leased,
        result,
        bytes_in: bytes.wire,
        bytes_decoded: bytes.decoded,
        elapsed: started.elapsed(),
        snippet,
    };
    // The supervisor may already be gone after a hard stop; nothing to do then.
    let _ = shared.supervisor.send(outcome).await;
    drop(permits);
}

/// Hands `leased` back unfetched, with `result`: `Abandoned` (the crawl is
/// stopping; it stays pending) or `Deferred` (the breaker is open).
pub(crate) async fn hand_back(shared: HostShared, leased: Leased, result: FetchResult) {
    let outcome = Returned {
        leased,
        result,
        bytes_in: 0,
        bytes_decoded: 0,
        elapsed: Default::default(),
        snippet: None,
    };
    let _ = shared.supervisor.send(outcome).await;
}

/// What one attempt came to: its result, its body's size, and, when it
/// failed after a response came, the start of that response's body.
type Attempted = (FetchResult, BodyBytes, Option<Vec<u8>>);

/// Bytes of one response body.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BodyBytes {
    /// As received (compressed, if it was).
    pub wire: u64,
    /// After Content-Encoding was undone.
    pub decoded: u64,
}

async fn fetch(shared: &HostShared, reporter: &mut Reporter, leased: &Leased) -> Attempted {
    let spec = &shared.http.requests[leased.resource];
    // A fresh request id per attempt; the idempotency key stays with the job.
    let attempt = Attempt::new(leased.job.page_key().0);
    let (result, bytes, snippet) = fetch_attempt(shared, reporter, leased, spec, &attempt).await;
    (guard_retry(result, spec, &attempt), bytes, snippet)
}

async fn fetch_attempt(
    shared: &HostShared,
    reporter: &mut Reporter,
    leased: &Leased,
    spec: &RequestSpec,
    attempt: &Attempt,
) -> Attempted {
    let sent_at = shared.clock.now();
    let response = shared.http.fetcher.get(&leased.url, spec, attempt).await;
    let (status, retry_after, quota) = match &response {
        Ok(r) => (Some(r.status), retry_after(shared, r), quota(shared, r)),
        Err(_) => (None, None, None),
    };
    reporter.send(Feedback {
        retry_after,
        quota,
        ..Feedback::of_response(status, sent_at)
    });
    let mut response = match response {
        Ok(response) => response,
        Err(e) => return (failed(None, e), BodyBytes::default(), None),
    };
    let status = response.status;
    // The resource's response actions come first; a content rule may have
    // read the start of the body, which the page parser then gets first.
    let actions = &shared.config.resources[leased.resource].response_actions;
    let mut read = Vec::new();
    if !actions.is_empty() {
        let id = &attempt.request_id;
        match response_action::apply(actions, leased, &mut response, retry_after, id).await {
            Ok(Verdict::Act(result)) => return (result, body_bytes(&response), None),
            Ok(Verdict::Usual(chunks)) => read = chunks,
            Err(e) => return (failed(Some(status), e), body_bytes(&response), None),
        }
    }
    let (result, snippet) = match Disposition::of_status(status) {
        Disposition::Accept => read_page(shared, leased, &mut response, read).await,
        Disposition::Retry => {
            let body = snippet::of(&response.discard_body().await);
            let retry = FetchResult::RetryStatus {
                status,
                retry_after,
                request_id: attempt.request_id.clone(),
                reason: None,
            };
            (retry, Some(body))
        }
        Disposition::DeadLetter => {
            let body = snippet::of(&response.discard_body().await);
            // A 401 to a request that carried a credential names it.
            let detail = match spec.auth_for(&leased.url).filter(|_| status == 401) {
                Some(kind) => unauthorized(kind),
                None => format!("HTTP {status}"),
            };
            let dead = FetchResult::Dead {
                status: Some(status),
                reason: crate::reasons::status_reason(status),
                detail,
            };
            (dead, Some(body))
        }
    };
    (result, body_bytes(&response), snippet)
}

fn body_bytes(response: &Response) -> BodyBytes {
    BodyBytes {
        wire: response.body.wire_bytes(),
        decoded: response.body.decoded_bytes(),
    }
}

/// Streams a 2xx body through the page parser as it arrives: records are
/// split out chunk by chunk, and lines past [`SPILL_AT`](crate::commit) move
/// to a spill file, so no page is ever held whole in memory. `read`: the
/// body's first chunks, already read (by a response action's check). A
/// page that fails comes with the start of its body (its dead letter's
/// snippet).
async fn read_page(
    shared: &HostShared,
    leased: &Leased,
    response: &mut Response,
    read: Vec<bytes::Bytes>,
) -> (FetchResult, Option<Vec<u8>>) {
    let mut head = Head::default();
    let result = parse_page(shared, leased, response, read, &mut head).await;
    match result {
        FetchResult::Page { .. } => (result, None),
        failed => (failed, Some(head.snippet())),
    }
}

/// [`read_page`]'s work; `head` keeps the body's first bytes.
async fn parse_page(
    shared: &HostShared,
    leased: &Leased,
    response: &mut Response,
    read: Vec<bytes::Bytes>,
    head: &mut Head,
) -> FetchResult {
    let status = response.status;
    let page = PageRequest {
        url: response.url.clone(),
        pos: crate::job::position(&leased.job),
    };
    let rules = &shared.rules[leased.resource];
    let mut parser = rules.page_parser(&page, &leased.job.parent);
    let mut lines = PageLines::default();
    // The lines are about the body's size: one allocation, not a doubling
    // series (capped: beyond SPILL_AT they go to a spill file anyway).
    let hint = response
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .unwrap_or(16 << 10);
    lines.mem.reserve(hint.min(SPILL_AT) + 64);
    let mut read = read.into_iter();
    loop {
        let next = match read.next() {
            Some(chunk) => Ok(Some(chunk)),
            None => response.body.chunk().await,
        };
        let chunk = match next {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return failed(Some(status), e),
        };
        head.keep(&chunk);
        if let Err(e) = parser.feed(&chunk, &mut lines.mem) {
            return FetchResult::from_page_error(status, &e);
        }
        if lines.mem.len() >= SPILL_AT {
            let dir = spill_dir(&shared.config.crawl.state_dir);
            if lines.spill.is_none() {
                tracing::debug!(url = %Redacted(&leased.url), "Large page: its lines spill to disk.");
            }
            if let Err(e) = tokio::task::block_in_place(|| lines.spill(&dir)) {
                return FetchResult::Dead {
                    status: Some(status),
                    reason: "spill",
                    detail: format!("cannot spill a large page to {}: {e}", dir.display()),
                };
            }
        }
    }
    let headers = |name: &str| response.header_values(name);
    match parser.finish(&headers, &mut lines.mem) {
        Ok(parsed) => {
            // Records without a child URL value: `ChildPagesSkipped` (supervisor).
            FetchResult::Page {
                status,
                lines,
                records: parsed.records,
                next: parsed.next,
                children: parsed.children,
                children_skipped: parsed.children_skipped,
                judged: parsed.judged.map(Box::new),
            }
        }
        Err(e) => FetchResult::from_page_error(status, &e),
    }
}

/// A request or body read that failed: retried when it may work next time.
fn failed(status: Option<u16>, e: FetchError) -> FetchResult {
    if e.is_retryable() {
        FetchResult::RetryTransport {
            reason: e.reason(),
            // Only a failed connect proves the server never saw the request.
            never_sent: matches!(e, FetchError::Connect(_)),
            detail: e.to_string(),
        }
    } else {
        FetchResult::Dead {
            status,
            reason: e.reason(),
            detail: e.to_string(),
        }
    }
}

/// Names the request in failure details, and turns a retry that could
/// repeat a non-idempotent request into a dead letter: a `POST` without an
/// idempotency key is retried only when it provably never reached the server.
fn guard_retry(result: FetchResult, spec: &RequestSpec, attempt: &Attempt) -> FetchResult {
    let id = &attempt.request_id;
    match result {
        FetchResult::RetryTransport {
            reason: _,
            never_sent,
            detail,
        } if !spec.retry_safe() && !never_sent => FetchResult::Dead {
            status: None,
            reason: "not_retried",
            detail: format!(
                "{detail}; a POST without an idempotency key is not retried (request id {id})"
            ),
        },
        FetchResult::RetryStatus { status, .. } if !spec.retry_safe() => FetchResult::Dead {
            status: Some(status),
            reason: "not_retried",
            detail: format!(
                "HTTP {status}; a POST without an idempotency key is not retried (request id {id})"
            ),
        },
        mut other => {
            if let FetchResult::RetryTransport { detail, .. } | FetchResult::Dead { detail, .. } =
                &mut other
            {
                detail.push_str(" (request id ");
                detail.push_str(id);
                detail.push(')');
            }
            other
        }
    }
}

/// Why a 401 ends the page: the credential was refused (an OAuth 2.0 token
/// was already replaced once by `Fetcher::get`).
fn unauthorized(kind: &str) -> String {
    if kind == "oauth2_client_credentials" {
        "HTTP 401: the access token was refused, also a freshly fetched one".into()
    } else {
        format!("HTTP 401: the {kind} credential was refused")
    }
}

/// The response's `Retry-After`, on the statuses that carry one, capped by
/// `max_retry_after`.
fn retry_after(shared: &HostShared, response: &Response) -> Option<Duration> {
    if !matches!(response.status, 429 | 503) {
        return None;
    }
    let value = response.headers.get("retry-after")?;
    let max = shared.config.client.max_retry_after;
    parse_retry_after(value.as_bytes(), shared.clock.wall(), max)
}

/// What the rate-limit headers say of the origin's quota, if anything.
fn quota(shared: &HostShared, response: &Response) -> Option<Quota> {
    let headers = response
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()));
    parse_quota(headers, shared.clock.wall())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(result: FetchResult) -> String {
        match result {
            FetchResult::RetryTransport { detail, .. } | FetchResult::Dead { detail, .. } => detail,
            other => panic!("not a failure with a detail: {other:?}"),
        }
    }

    #[test]
    fn failures_name_their_request() {
        let attempt = Attempt::new([7; 16]);
        let spec = RequestSpec::get();
        let id = &attempt.request_id;
        let transport = FetchResult::RetryTransport {
            reason: "timeout",
            never_sent: false,
            detail: "read timed out".into(),
        };
        assert_eq!(
            detail(guard_retry(transport, &spec, &attempt)),
            format!("read timed out (request id {id})")
        );
        let dead = FetchResult::Dead {
            status: Some(404),
            reason: "status",
            detail: "HTTP 404".into(),
        };
        assert_eq!(
            detail(guard_retry(dead, &spec, &attempt)),
            format!("HTTP 404 (request id {id})")
        );
        assert!(matches!(
            guard_retry(FetchResult::Abandoned, &spec, &attempt),
            FetchResult::Abandoned
        ));
    }
}
