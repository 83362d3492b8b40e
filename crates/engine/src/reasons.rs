//! Every `reason` label a retry or a dead letter can carry, in one place, so
//! `harvest_retries_total{reason}` and `harvest_dead_letters_total{resource,
//! reason}` can be exported at 0 before their first event.
//!
//! The reasons come from lists kept next to their definitions —
//! [`FetchError::REASONS`], [`PageError::REASONS`] and the retry status
//! table [`Disposition::RETRY_STATUSES`] (harvest-policy) — plus the
//! engine's own literals in [`ENGINE_DEAD_REASONS`]. Tests check each list
//! against what it lists; the telemetry events that count a reason check
//! (in debug builds) that it is one of these, so a reason missing here
//! fails the first test that emits it.

use harvest_fetch::FetchError;
use harvest_paginate::PageError;
use harvest_policy::Disposition;

/// The reason of a status that will not change (dead-lettered at once), and
/// the fallback of [`retry_status_reason`].
pub const HTTP_STATUS: &str = "http_status";

/// A bounded retry reason for a retryable status: its entry in the retry
/// status table (`http_503`).
pub fn retry_status_reason(status: u16) -> &'static str {
    Disposition::retry_reason(status).unwrap_or(HTTP_STATUS)
}

/// The reasons [`retry_status_reason`] can return.
pub fn retry_status_reasons() -> impl Iterator<Item = &'static str> {
    Disposition::retry_reasons().chain([HTTP_STATUS])
}

/// The retry and dead-letter reason of a resource's `response_actions`
/// (host/response_action.rs).
pub const RESPONSE_ACTION: &str = "response_action";

/// Dead-letter reasons the engine sets itself: `http_status` and
/// `unauthorized` (a status that will not change), `not_retried` (a `POST`
/// without an idempotency key), `panic` and `spill` (host/fetch.rs),
/// `origin_unreachable` (the give-up budget of an origin), and
/// [`RESPONSE_ACTION`].
pub const ENGINE_DEAD_REASONS: &[&str] = &[
    HTTP_STATUS,
    "unauthorized",
    "not_retried",
    "panic",
    "spill",
    "origin_unreachable",
    RESPONSE_ACTION,
];

/// Every reason a page can be retried for.
pub fn retry_reasons() -> Vec<&'static str> {
    union(&[
        FetchError::RETRYABLE_REASONS,
        &retry_status_reasons().collect::<Vec<_>>(),
        &[RESPONSE_ACTION],
    ])
}

/// Every reason a page can be dead-lettered for: a retry reason after the
/// last attempt, or a failure that is not retried.
pub fn dead_letter_reasons() -> Vec<&'static str> {
    union(&[
        FetchError::REASONS,
        &retry_status_reasons().collect::<Vec<_>>(),
        PageError::REASONS,
        ENGINE_DEAD_REASONS,
    ])
}

/// The lists' reasons in order, each once.
fn union(lists: &[&[&'static str]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for reason in lists.iter().flat_map(|l| l.iter()) {
        if !out.contains(reason) {
            out.push(reason);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_retryable_status_has_a_listed_reason_of_its_own() {
        let retry = retry_reasons();
        for status in 100..600 {
            if Disposition::of_status(status) == Disposition::Retry {
                let reason = retry_status_reason(status);
                assert_ne!(reason, HTTP_STATUS, "{status} has no exact reason");
                assert!(retry.contains(&reason), "{reason}");
            }
        }
        assert_eq!(retry_status_reason(404), HTTP_STATUS);
        assert!(
            retry.contains(&HTTP_STATUS),
            "the fallback is registered too"
        );
    }

    #[test]
    fn retry_and_dead_letter_reasons_cover_every_list() {
        let retry = retry_reasons();
        assert!(retry.contains(&"too_slow") && retry.contains(&"http_503"));
        assert!(retry.contains(&"response_action"));
        assert!(!retry.contains(&"body_too_large"), "not retried");
        let dead = dead_letter_reasons();
        for reason in retry
            .iter()
            .chain(FetchError::REASONS)
            .chain(PageError::REASONS)
            .chain(ENGINE_DEAD_REASONS)
        {
            assert_eq!(dead.iter().filter(|r| *r == reason).count(), 1, "{reason}");
        }
    }

    /// The engine's own reasons are string literals (`reason: "spill"`, or
    /// `("unauthorized", detail)`): each one in its sources must be listed.
    #[test]
    fn every_reason_literal_in_the_engine_is_listed() {
        let known = dead_letter_reasons();
        let mut found = 0;
        let mut missing = Vec::new();
        for_each_source(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut |text| {
                let code = text.split("#[cfg(test)]").next().unwrap_or(text);
                for pattern in ["reason: \"", "=> (\""] {
                    for (at, _) in code.match_indices(pattern) {
                        let rest = &code[at + pattern.len()..];
                        let literal = &rest[..rest.find('"').unwrap_or(0)];
                        let is_label = !literal.is_empty()
                            && literal.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                        if is_label {
                            found += 1;
                            if !known.contains(&literal) {
                                missing.push(literal.to_string());
                            }
                        }
                    }
                }
            },
        );
        assert!(found >= 5, "the scan found only {found} reason literals");
        assert!(
            missing.is_empty(),
            "not in ENGINE_DEAD_REASONS: {missing:?}"
        );
    }

    fn for_each_source(dir: &Path, each: &mut dyn FnMut(&str)) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                for_each_source(&path, each);
            } else if path.extension().is_some_and(|e| e == "rs") {
                each(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
}
