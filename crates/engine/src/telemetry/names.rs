//! The metric list: every name, its unit and help text, and the histogram
//! buckets.

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};

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
pub const BUCKET_WAIT: &str = "harvest_bucket_wait_microseconds_total";
pub const BREAKER_STATE: &str = "harvest_breaker_state";
pub const BREAKER_OPENS: &str = "harvest_breaker_opens_total";
pub const FRONTIER_PENDING: &str = "harvest_frontier_pending";
pub const FRONTIER_WAITING: &str = "harvest_frontier_waiting";
pub const IN_FLIGHT: &str = "harvest_in_flight";
pub const HOSTS: &str = "harvest_hosts";
pub const COMMIT_DURATION: &str = "harvest_commit_duration_seconds";
pub const UP: &str = "harvest_up";
pub const PASS: &str = "harvest_pass";
pub const CURSOR_BEHIND: &str = "harvest_incremental_cursor_seconds";
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
    PASS,
    CURSOR_BEHIND,
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
    describe_counter!(REQUESTS, Unit::Count, "Responses and transport errors, by origin, status class and status (exact for the retried statuses: 408, 425, 429, 500, 502, 503, 504).");
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
    describe_counter!(
        BUCKET_WAIT,
        Unit::Microseconds,
        "Time jobs waited for a token of their origin's bucket, by origin."
    );
    describe_gauge!(
        PASS,
        Unit::Count,
        "The pass under way, by incremental resource (from 1)."
    );
    describe_gauge!(
        CURSOR_BEHIND,
        Unit::Seconds,
        "How far behind now the pass's start is, by incremental resource with a timestamp cursor."
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
