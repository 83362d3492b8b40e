//! A resource's `response_actions` applied to one response, before its
//! status's usual disposition (the matching itself is pure, in
//! `harvest_policy::ResponseRules`). When a content rule could decide, the
//! body's first [`CONTENT_PREFIX`] bytes are read here; if no rule matches,
//! those chunks go back to the caller so a 2xx page still parses whole.

use crate::commit::PageLines;
use crate::messages::{FetchResult, Leased};
use crate::reasons::RESPONSE_ACTION;
use crate::redact::Redacted;
use bytes::Bytes;
use harvest_fetch::{FetchError, Response};
use harvest_paginate::Next;
use harvest_policy::{ResponseAction, ResponseRules, CONTENT_PREFIX};
use std::time::Duration;

/// What the rules make of a response.
pub(super) enum Verdict {
    /// A rule matched: this is the page's result (the body is drained).
    Act(FetchResult),
    /// No rule matched: the usual disposition applies; these chunks were
    /// read from the body already, in order.
    Usual(Vec<Bytes>),
}

/// Applies `rules` to `response` (for `leased`); `retry_after` is the
/// response's, for a `retry` action.
pub(super) async fn apply(
    rules: &ResponseRules,
    leased: &Leased,
    response: &mut Response,
    retry_after: Option<Duration>,
    request_id: &str,
) -> Result<Verdict, FetchError> {
    let status = response.status;
    let (read, body) = if rules.needs_body(status) {
        let read = prefix(response).await?;
        let body = read.concat();
        (read, Some(body))
    } else {
        (Vec::new(), None)
    };
    let Some(matched) = rules.first_match(status, body.as_deref()) else {
        return Ok(Verdict::Usual(read));
    };
    let action = matched.rule.action;
    tracing::debug!(
        resource = %leased.job.resource,
        url = %Redacted(&leased.url),
        status,
        rule = %matched,
        action = action.as_str(),
        "Response action."
    );
    let detail = format!("HTTP {status} matched {matched}");
    response.discard_body().await;
    Ok(Verdict::Act(match action {
        ResponseAction::EndStream | ResponseAction::Ignore => FetchResult::Page {
            status,
            lines: PageLines::default(),
            records: 0,
            next: Next::End,
            children: Vec::new(),
            children_skipped: 0,
            judged: None,
        },
        ResponseAction::Retry => FetchResult::RetryStatus {
            status,
            retry_after,
            request_id: request_id.to_string(),
            reason: Some(RESPONSE_ACTION),
        },
        ResponseAction::DeadLetter => FetchResult::Dead {
            status: Some(status),
            reason: RESPONSE_ACTION,
            detail,
        },
    }))
}

/// The body's chunks up to [`CONTENT_PREFIX`] bytes (or its end).
async fn prefix(response: &mut Response) -> Result<Vec<Bytes>, FetchError> {
    let mut chunks = Vec::new();
    let mut len = 0;
    while len < CONTENT_PREFIX {
        let Some(chunk) = response.body.chunk().await? else {
            break;
        };
        len += chunk.len();
        chunks.push(chunk);
    }
    Ok(chunks)
}
