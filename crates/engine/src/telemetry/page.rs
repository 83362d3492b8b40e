//! Events of one page: retried, dead-lettered, its stream cut short, child
//! pages its records could not name. Each writes its log line and moves its
//! counter; the counters whose labels are known before the first event
//! start at 0 (`register_zero`).

use super::names::{CHILD_SKIPS, DEAD_LETTERS, RETRIES, STREAMS_CUT};
use super::InternalEvent;
use crate::reasons;
use crate::redact::Redacted;
use harvest_paginate::{Cut, CutReason};
use metrics::{counter, Counter, SharedString};
use std::time::Duration;
use url::Url;

/// A page is scheduled for another attempt after `delay`.
pub(crate) struct PageRetried<'a> {
    pub url: &'a Url,
    /// The attempt to come (1 for the first retry).
    pub attempt: u32,
    pub delay: Duration,
    /// A retry reason (`reasons::retry_reasons`).
    pub reason: &'static str,
    pub detail: &'a str,
}

impl PageRetried<'_> {
    fn counter(reason: &'static str) -> Counter {
        counter!(RETRIES, "reason" => reason)
    }

    /// Exports `harvest_retries_total` at 0 for every retry reason.
    pub fn register_zero() {
        for reason in reasons::retry_reasons() {
            Self::counter(reason).increment(0);
        }
    }
}

impl InternalEvent for PageRetried<'_> {
    fn emit(self) {
        let Self {
            url,
            attempt,
            delay,
            reason,
            detail,
        } = self;
        debug_assert!(
            reasons::retry_reasons().contains(&reason),
            "retry reason {reason} is not in reasons::retry_reasons()"
        );
        tracing::debug!(url = %Redacted(url), attempt, ?delay, reason, %detail, "Page will be retried.");
        Self::counter(reason).increment(1);
    }
}

/// The `{resource, reason}` series of the counter `name` (dead letters,
/// stream cuts).
fn by_resource_reason(
    name: &'static str,
    resource: &str,
    reason: impl Into<SharedString>,
) -> Counter {
    counter!(name, "resource" => resource.to_string(), "reason" => reason)
}

/// A page is given up on: it goes to the dead letters with its reason.
pub(crate) struct PageDeadLettered<'a> {
    pub resource: &'a str,
    pub url: &'a Url,
    /// A dead-letter reason (`reasons::dead_letter_reasons`).
    pub reason: &'static str,
    pub detail: &'a str,
}

impl PageDeadLettered<'_> {
    /// Starts `harvest_dead_letters_total{resource, reason}` at `count`, the
    /// dead letters the state holds, so the counter continues across resumes.
    /// `reason`: a metric label ([`reasons::metric_reason`] of the letters'
    /// reasons, summed).
    pub fn restore(resource: &str, reason: &str, count: u64) {
        by_resource_reason(DEAD_LETTERS, resource, reason.to_string()).absolute(count);
    }

    /// Exports `harvest_dead_letters_total` at 0 for `resource` × every
    /// dead-letter reason.
    pub fn register_zero(resource: &str) {
        for reason in reasons::dead_letter_reasons() {
            by_resource_reason(DEAD_LETTERS, resource, reason).increment(0);
        }
    }
}

impl InternalEvent for PageDeadLettered<'_> {
    fn emit(self) {
        let Self {
            resource,
            url,
            reason,
            detail,
        } = self;
        // The exact reason in the log; a status not listed counts under
        // its class (`http_418` → `http_4xx`), so the label stays bounded.
        let label = reasons::metric_reason(reason);
        debug_assert!(
            reasons::dead_letter_reasons().contains(&label),
            "dead-letter reason {reason} is not in reasons::dead_letter_reasons()"
        );
        tracing::warn!(%resource, url = %Redacted(url), reason, %detail, "Page dead-lettered.");
        by_resource_reason(DEAD_LETTERS, resource, label).increment(1);
    }
}

/// A page's stream is cut short: the page is done, the page after it
/// (`cut.target`) is not followed.
pub(crate) struct StreamCut<'a> {
    pub resource: &'a str,
    /// The page that cut its stream.
    pub page: &'a Url,
    pub cut: &'a Cut,
}

impl StreamCut<'_> {
    /// Starts `harvest_streams_cut_total{resource, reason}` at `count`, the
    /// cuts the state holds (0 for most): every resource × reason series
    /// exists from the start and continues across resumes.
    pub fn restore(resource: &str, reason: &str, count: u64) {
        by_resource_reason(STREAMS_CUT, resource, reason.to_string()).absolute(count);
    }
}

impl InternalEvent for StreamCut<'_> {
    fn emit(self) {
        let Self {
            resource,
            page,
            cut,
        } = self;
        let next = match Url::parse(&cut.target) {
            Ok(url) => Redacted(&url).to_string(),
            Err(_) => cut.target.clone(),
        };
        let page = Redacted(page);
        let reason = cut.reason.as_str();
        match cut.reason {
            CutReason::ForeignOrigin => {
                let target = cut.target_origin().unwrap_or_default();
                tracing::warn!(%resource, url = %page, %target, %next, reason, "Next link leads to another origin; the stream is cut here. Add it to allowed_origins to follow it.");
            }
            _ => {
                tracing::warn!(%resource, url = %page, %next, reason, "{}", cut_message(cut.reason));
            }
        }
        by_resource_reason(STREAMS_CUT, resource, reason).increment(1);
    }
}

/// The warning for a cut of `reason` (foreign origins name their target
/// apart).
fn cut_message(reason: CutReason) -> &'static str {
    match reason {
        CutReason::ForeignOrigin => "Next link leads to another origin; the stream is cut here.",
        CutReason::BadScheme => "Next link is not http(s); the stream is cut here.",
        CutReason::BadLink => "Next link is not a URL; the stream is cut here.",
        CutReason::SelfLink => "Next link points to the page itself; the stream is cut here.",
        CutReason::RepeatedCursor => "Next cursor is the page's own; the stream is cut here.",
        CutReason::MaxPages => {
            "The stream goes on past max_pages; it is cut here. Raise max_pages to follow it."
        }
        CutReason::Loop => {
            "Next page was already queued (a loop, or a stream running into another); the stream is cut here."
        }
    }
}

/// Parent records of a page named no child page (a URL placeholder missing,
/// or not a string or integer).
pub(crate) struct ChildPagesSkipped<'a> {
    /// The parent resource.
    pub resource: &'a str,
    pub url: &'a Url,
    pub skipped: u64,
}

impl ChildPagesSkipped<'_> {
    fn counter(resource: &str) -> Counter {
        counter!(CHILD_SKIPS, "resource" => resource.to_string())
    }

    /// Exports `harvest_child_skips_total` at 0 for a parent resource.
    pub fn register_zero(resource: &str) {
        Self::counter(resource).increment(0);
    }
}

impl InternalEvent for ChildPagesSkipped<'_> {
    fn emit(self) {
        let Self {
            resource,
            url,
            skipped,
        } = self;
        if skipped == 0 {
            return;
        }
        tracing::debug!(
            url = %Redacted(url),
            skipped,
            "Records without a usable value for a child URL placeholder were skipped."
        );
        Self::counter(resource).increment(skipped);
    }
}
