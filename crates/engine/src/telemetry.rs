//! The metric vocabulary: every name, its unit and help text in one list, and
//! the bounded label values (status classes, reasons, capped origins).
//!
//! The engine only records through the `metrics` facade; the binary installs
//! the Prometheus exporter when `[metrics] listen` is set (without it every
//! call here is a no-op). Counts move per page or per commit, never per record.
//!
//! Counters whose label values are known before their first event are
//! exported at 0 from the start ("avoid missing metrics"): retries by reason
//! and dead letters by resource × reason ([`register_known_series`]), and
//! the per-origin counters once an origin gets its label ([`OriginLabels`]).

use harvest_config::Config;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, Unit};
use std::collections::HashMap;

pub const PAGES: &str = "harvest_pages_total";
pub const RECORDS: &str = "harvest_records_total";
pub const BYTES: &str = "harvest_bytes_total";
pub const REQUESTS: &str = "harvest_requests_total";
pub const RESPONSE_BYTES: &str = "harvest_response_bytes_total";
pub const REQUEST_DURATION: &str = "harvest_request_duration_seconds";
pub const RETRIES: &str = "harvest_retries_total";
pub const DEAD_LETTERS: &str = "harvest_dead_letters_total";
pub const STREAMS_CUT: &str = "harvest_streams_cut_total";
pub const RATE_LIMITED: &str = "harvest_rate_limited_total";
pub const CHILD_SKIPS: &str = "harvest_child_skips_total";
pub const BUCKET_WAIT: &str = "harvest_bucket_wait_seconds_total";
pub const BREAKER_STATE: &str = "harvest_breaker_state";
pub const BREAKER_OPENS: &str = "harvest_breaker_opens_total";
pub const FRONTIER_PENDING: &str = "harvest_frontier_pending";
pub const FRONTIER_WAITING: &str = "harvest_frontier_waiting";
pub const IN_FLIGHT: &str = "harvest_in_flight";
pub const HOSTS: &str = "harvest_hosts";
pub const COMMIT_DURATION: &str = "harvest_commit_duration_seconds";
pub const UP: &str = "harvest_up";
pub const BUILD_INFO: &str = "harvest_build_info";

/// Every metric name, for checks (the dashboard uses only these).
pub const ALL: &[&str] = &[
    PAGES,
    RECORDS,
    BYTES,
    REQUESTS,
    RESPONSE_BYTES,
    REQUEST_DURATION,
    RETRIES,
    DEAD_LETTERS,
    STREAMS_CUT,
    RATE_LIMITED,
    CHILD_SKIPS,
    BUCKET_WAIT,
    BREAKER_STATE,
    BREAKER_OPENS,
    FRONTIER_PENDING,
    FRONTIER_WAITING,
    IN_FLIGHT,
    HOSTS,
    COMMIT_DURATION,
    UP,
    BUILD_INFO,
];

/// Histogram buckets (seconds) for request durations: 5 ms to 60 s.
pub const REQUEST_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Histogram buckets (seconds) for group commits: 1 ms to 5 s.
pub const COMMIT_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Registers HELP text and units for every metric; call once after the
/// recorder is installed.
pub fn describe() {
    describe_counter!(
        PAGES,
        Unit::Count,
        "Pages committed, by resource (continues across resumes)."
    );
    describe_counter!(
        RECORDS,
        Unit::Count,
        "Records committed, by resource (continues across resumes)."
    );
    describe_counter!(
        BYTES,
        Unit::Bytes,
        "Bytes written to the outputs, by resource (continues across resumes)."
    );
    describe_counter!(REQUESTS, Unit::Count, "Responses and transport errors, by origin, status class and status (exact for 429 and 5xx).");
    describe_counter!(
        RESPONSE_BYTES,
        Unit::Bytes,
        "Response body bytes, by origin and stage: `wire` as received (compressed or not), `decoded` after Content-Encoding."
    );
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Request duration, headers and body, by origin."
    );
    describe_counter!(
        RETRIES,
        Unit::Count,
        "Pages scheduled for another attempt, by reason."
    );
    describe_counter!(
        DEAD_LETTERS,
        Unit::Count,
        "Pages given up on, by resource and reason (continues across resumes)."
    );
    describe_counter!(
        STREAMS_CUT,
        Unit::Count,
        "Streams cut short (next link to a foreign origin, loop, max_pages, ...), by resource and reason (continues across resumes)."
    );
    describe_counter!(
        CHILD_SKIPS,
        Unit::Count,
        "Parent records that named no child page (a URL placeholder missing or not a string or integer), per child resource, by parent resource."
    );
    describe_counter!(
        RATE_LIMITED,
        Unit::Count,
        "Times an origin asked to slow down (429 / Retry-After), one per burst, by origin."
    );
    describe_gauge!(
        BREAKER_STATE,
        Unit::Count,
        "Circuit breaker state by origin: 0 closed, 1 half-open, 2 open."
    );
    describe_counter!(
        BREAKER_OPENS,
        Unit::Count,
        "Times an origin's circuit breaker opened."
    );
    describe_gauge!(
        BUCKET_WAIT,
        Unit::Seconds,
        "Time jobs waited for a token of their origin's bucket (only grows)."
    );
    describe_gauge!(
        FRONTIER_PENDING,
        Unit::Count,
        "Jobs in the frontier, waiting ones included."
    );
    describe_gauge!(
        FRONTIER_WAITING,
        Unit::Count,
        "Jobs waiting for a retry time."
    );
    describe_gauge!(
        IN_FLIGHT,
        Unit::Count,
        "Jobs handed to host actors and not yet back."
    );
    describe_gauge!(
        HOSTS,
        Unit::Count,
        "Running host actors (origins with work)."
    );
    describe_histogram!(
        COMMIT_DURATION,
        Unit::Seconds,
        "Group commit duration: sink fsync, sled batch and flush."
    );
    describe_gauge!(
        UP,
        Unit::Count,
        "1 while a crawl runs, 0 once it has ended (while /metrics lingers)."
    );
    describe_gauge!(
        BUILD_INFO,
        Unit::Count,
        "Always 1; the version label says which harvest runs."
    );
}

/// Exports at 0 every counter of `config`'s crawl whose labels are known
/// before its first event: `harvest_retries_total` for every retry reason,
/// `harvest_dead_letters_total` for each resource × dead-letter reason (see
/// [`reasons`](crate::reasons)), and `harvest_child_skips_total` for each
/// parent resource. Call once after the recorder is installed; counts that
/// exist already are left as they are.
pub fn register_known_series(config: &Config) {
    for reason in crate::reasons::retry_reasons() {
        counter!(RETRIES, "reason" => reason).increment(0);
    }
    let dead = crate::reasons::dead_letter_reasons();
    for r in &config.resources {
        for &reason in &dead {
            counter!(DEAD_LETTERS, "resource" => r.name.clone(), "reason" => reason).increment(0);
        }
        if let Some(parent) = &r.parent {
            counter!(CHILD_SKIPS, "resource" => parent.resource.clone()).increment(0);
        }
    }
}

/// The crawl is over: `harvest_up` drops to 0. Call again to keep the gauge
/// from expiring while `/metrics` lingers.
pub fn mark_ended() {
    gauge!(UP).set(0.0);
}

/// The per-origin counters an origin's label starts at 0.
fn register_origin(label: &'static str) {
    counter!(RATE_LIMITED, "origin" => label).increment(0);
    counter!(BREAKER_OPENS, "origin" => label).increment(0);
}

/// The label of an HTTP outcome: `(status_class, status)`, where `status` is
/// exact for 429 and 5xx and the class otherwise; transport errors are `error`.
pub fn status_labels(status: Option<u16>) -> (&'static str, &'static str) {
    let Some(status) = status else {
        return ("error", "error");
    };
    let class = harvest_policy::StatusClass::of(status).as_str();
    const EXACT: [(u16, &str); 5] = [
        (429, "429"),
        (500, "500"),
        (502, "502"),
        (503, "503"),
        (504, "504"),
    ];
    let exact = EXACT
        .iter()
        .find(|(code, _)| *code == status)
        .map_or(class, |(_, label)| label);
    (class, exact)
}

/// Bounded `origin` label values: the first `cap` origins seen keep their
/// name, later ones share `other`. A label's per-origin counters are
/// exported at 0 when it is first handed out.
pub struct OriginLabels {
    cap: usize,
    named: HashMap<String, &'static str>,
    /// `other` was handed out (its counters are registered).
    other_used: bool,
}

impl OriginLabels {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            named: HashMap::new(),
            other_used: false,
        }
    }

    /// The label for `origin`. Names are leaked once per labelled origin
    /// (at most `cap`), so metric keys can borrow them for the whole run.
    pub fn label(&mut self, origin: &str) -> &'static str {
        if let Some(label) = self.named.get(origin) {
            return label;
        }
        if self.named.len() >= self.cap {
            if !self.other_used {
                self.other_used = true;
                register_origin("other");
            }
            return "other";
        }
        let label: &'static str = Box::leak(origin.to_owned().into_boxed_str());
        self.named.insert(origin.to_owned(), label);
        register_origin(label);
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_bounded_labels() {
        assert_eq!(status_labels(Some(200)), ("2xx", "2xx"));
        assert_eq!(status_labels(Some(404)), ("4xx", "4xx"));
        assert_eq!(status_labels(Some(429)), ("4xx", "429"));
        assert_eq!(status_labels(Some(503)), ("5xx", "503"));
        assert_eq!(status_labels(Some(599)), ("5xx", "5xx"));
        assert_eq!(status_labels(None), ("error", "error"));
    }

    #[test]
    fn the_shipped_dashboard_only_queries_metrics_that_exist() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/grafana-dashboard.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut used = 0;
        for (at, _) in text.match_indices("harvest_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let base = name.strip_suffix("_bucket").unwrap_or(&name);
            assert!(
                ALL.contains(&base),
                "dashboard queries unknown metric {name}"
            );
            used += 1;
        }
        assert!(used >= 10);
    }

    #[test]
    fn origins_beyond_the_cap_share_a_label() {
        let mut labels = OriginLabels::new(2);
        assert_eq!(labels.label("http://a"), "http://a");
        assert_eq!(labels.label("http://b"), "http://b");
        assert_eq!(labels.label("http://c"), "other");
        assert_eq!(labels.label("http://a"), "http://a");
    }
}
