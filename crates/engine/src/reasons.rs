//! Every `reason` label a retry or a dead letter can carry, in one place, so
//! `harvest_retries_total{reason}` and `harvest_dead_letters_total{resource,
//! reason}` can be exported at 0 before their first event.
//!
//! The reasons come from lists kept next to their definitions —
//! [`FetchError::REASONS`], [`PageError::REASONS`] and the retry status
//! table [`Disposition::RETRY_STATUSES`] (harvest-policy) — plus the
//! engine's own literals in [`ENGINE_DEAD_REASONS`]. A status is worded
//! `http_<code>` ([`status_reason`]) wherever it ends a page; the metrics
//! count the statuses not listed under their class ([`metric_reason`]). Tests check each list
//! against what it lists; the telemetry events that count a reason check
//! (in debug builds) that it is one of these, so a reason missing here
//! fails the first test that emits it.

use harvest_fetch::FetchError;
use harvest_paginate::PageError;
use harvest_policy::Disposition;
use std::sync::OnceLock;

/// The statuses whose exact reason (`http_404`) is also a metric label,
/// besides the retry status table: the common ones that end a page at once.
/// Any other status is stored with its exact reason and counted under its
/// class ([`metric_reason`]: `http_418` → `http_4xx`).
pub const LISTED_STATUSES: &[u16] = &[400, 401, 403, 404, 405, 409, 410, 422];

/// The metric labels of the statuses not listed, by class.
pub const STATUS_CLASS_REASONS: &[&str] = &["http_3xx", "http_4xx", "http_5xx", "http_other"];

/// The one word for a response status that ended a page or is retried:
/// `http_<code>` (`http_404`, `http_500`), for every status. A run, `harvest
/// sample` and the dead letters all word a status through this function.
pub fn status_reason(status: u16) -> &'static str {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    // One word per possible code, made once (bounded: 900 short strings),
    // so a reason stays a `&'static str` like every other.
    let words = WORDS.get_or_init(|| {
        (100..1000u16)
            .map(|code| match Disposition::retry_reason(code) {
                Some(listed) => listed,
                None => &*Box::leak(format!("http_{code}").into_boxed_str()),
            })
            .collect()
    });
    match status {
        100..=999 => words[usize::from(status - 100)],
        _ => "http_other",
    }
}

/// The status an `http_<code>` reason names, if it is one.
pub fn status_of_reason(reason: &str) -> Option<u16> {
    let code = reason.strip_prefix("http_")?;
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| code.parse().ok())
        .flatten()
        .filter(|c| (100..1000).contains(c))
}

/// The `reason` label `reason` is counted under in the metrics: itself, or,
/// for the status of a class not listed ([`LISTED_STATUSES`], the retry
/// table), its class (`http_418` → `http_4xx`), so the label's values stay
/// the fixed list [`dead_letter_reasons`].
pub fn metric_reason(reason: &str) -> &str {
    match status_of_reason(reason) {
        Some(status) if !is_listed_status(status) => match status {
            300..=399 => "http_3xx",
            400..=499 => "http_4xx",
            500..=599 => "http_5xx",
            _ => "http_other",
        },
        _ => reason,
    }
}

fn is_listed_status(status: u16) -> bool {
    LISTED_STATUSES.contains(&status) || Disposition::retry_reason(status).is_some()
}

/// The reason of a dead letter in today's words: a letter written by a
/// build before the `http_<code>` vocabulary says `http_status` (any status
/// that will not change) or `unauthorized` (a refused credential, 401).
pub fn current_word(reason: &str, status: Option<u16>) -> String {
    match (reason, status) {
        ("http_status" | "unauthorized", Some(status)) => status_reason(status).to_string(),
        _ => reason.to_string(),
    }
}

/// Whether `reason` is one a dead letter can carry: a listed reason or
/// `http_<code>` for any status.
pub fn is_dead_letter_reason(reason: &str) -> bool {
    status_of_reason(reason).is_some()
        || (dead_letter_reasons().contains(&reason) && !STATUS_CLASS_REASONS.contains(&reason))
}

/// The reasons a dead letter can carry, listed (for a message): every
/// metric label but the status classes; any other `http_<code>` is one too.
pub fn dead_letter_words() -> Vec<&'static str> {
    let mut words = dead_letter_reasons();
    words.retain(|r| !STATUS_CLASS_REASONS.contains(r));
    words
}

/// The retry and dead-letter reason of a resource's `response_actions`
/// (host/response_action.rs).
pub const RESPONSE_ACTION: &str = "response_action";

/// Dead-letter reasons the engine sets itself: `not_retried` (a `POST`
/// without an idempotency key), `panic` and `spill` (host/fetch.rs),
/// `origin_unreachable` (the give-up budget of an origin), and
/// [`RESPONSE_ACTION`].
pub const ENGINE_DEAD_REASONS: &[&str] = &[
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
        &Disposition::retry_reasons().collect::<Vec<_>>(),
        &[RESPONSE_ACTION],
    ])
}

/// Every reason label a dead letter is counted under: a retry reason after
/// the last attempt, or a failure that is not retried; of the statuses, the
/// listed ones and the classes of the others ([`metric_reason`]).
pub fn dead_letter_reasons() -> Vec<&'static str> {
    let statuses: Vec<&'static str> = Disposition::retry_reasons()
        .chain(LISTED_STATUSES.iter().map(|&s| status_reason(s)))
        .collect();
    union(&[
        FetchError::REASONS,
        &statuses,
        STATUS_CLASS_REASONS,
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
                let reason = status_reason(status);
                assert_eq!(Disposition::retry_reason(status), Some(reason));
                assert!(retry.contains(&reason), "{reason}");
            }
        }
        assert!(!retry.contains(&"http_404"), "a 404 is not retried");
    }

    #[test]
    fn every_status_is_worded_http_code_and_counted_under_a_bounded_label() {
        assert_eq!(status_reason(404), "http_404");
        assert_eq!(status_reason(500), "http_500");
        assert_eq!(status_reason(401), "http_401");
        assert_eq!(status_reason(418), "http_418");
        assert_eq!(status_of_reason("http_418"), Some(418));
        for bad in ["http_4xx", "http_", "http_1234", "http_099", "not_json"] {
            assert_eq!(status_of_reason(bad), None, "{bad}");
        }
        let labels = dead_letter_reasons();
        for status in 100..1000 {
            let reason = status_reason(status);
            assert_eq!(status_of_reason(reason), Some(status));
            assert!(is_dead_letter_reason(reason), "{reason}");
            let label = metric_reason(reason);
            assert!(labels.contains(&label), "{status}: {label} is not listed");
        }
        assert_eq!(metric_reason("http_404"), "http_404");
        assert_eq!(metric_reason("http_503"), "http_503");
        assert_eq!(metric_reason("http_418"), "http_4xx");
        assert_eq!(metric_reason("http_599"), "http_5xx");
        assert_eq!(metric_reason("http_302"), "http_3xx");
        assert_eq!(metric_reason("not_json"), "not_json");
        let status_labels = labels.iter().filter(|r| r.starts_with("http_")).count();
        assert!(status_labels < 25, "{status_labels} status labels");
        assert!(
            !is_dead_letter_reason("http_4xx"),
            "a metric class, not a reason"
        );
        assert!(!is_dead_letter_reason("http_status"), "the old word");
        assert!(is_dead_letter_reason("not_json") && is_dead_letter_reason("connect"));
    }

    #[test]
    fn old_words_read_as_todays() {
        assert_eq!(current_word("http_status", Some(404)), "http_404");
        assert_eq!(current_word("unauthorized", Some(401)), "http_401");
        assert_eq!(current_word("http_500", Some(500)), "http_500");
        assert_eq!(current_word("not_json", Some(200)), "not_json");
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
