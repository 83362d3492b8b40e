//! The server-side request log: what the upstream actually saw, when.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One request as the upstream saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Time since the upstream started.
    pub at: Duration,
    pub origin: usize,
    /// Path and query.
    pub path: String,
    /// Status sent (0 when the connection was cut without a response).
    pub status: u16,
    pub method: String,
    /// `HTTP/1.1`, `HTTP/2.0`, ...
    pub version: String,
    /// Every request header, names lowercase, in order: the ground truth of
    /// which credentials, request ids and keys an origin received.
    pub headers: Vec<(String, String)>,
    /// The request body (empty for a `GET`).
    pub body: Vec<u8>,
}

impl RequestRecord {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server read of a request, besides its path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    pub method: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub(crate) fn of(parts: &axum::http::request::Parts, body: &[u8]) -> Self {
        Self {
            method: parts.method.to_string(),
            version: format!("{:?}", parts.version),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
        }
    }
}

/// Append-only, shared by every origin. A request is logged once answered
/// (its `at` is when the answer was sent); [`received`](RequestLog::received)
/// counts requests on arrival, answered or not (a request held by a
/// `Delay` fault).
#[derive(Debug)]
pub struct RequestLog {
    started: Instant,
    records: Mutex<Vec<RequestRecord>>,
    received: AtomicUsize,
}

impl RequestLog {
    pub(crate) fn new() -> Self {
        Self {
            started: Instant::now(),
            records: Mutex::new(Vec::new()),
            received: AtomicUsize::new(0),
        }
    }

    /// Counts a request that has arrived (before it is answered).
    pub(crate) fn arrived(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests received since the start or the last [`clear`](Self::clear),
    /// answered or not.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::Relaxed)
    }

    pub(crate) fn push(&self, origin: usize, path: String, status: u16, seen: Seen) {
        let at = self.started.elapsed();
        self.records.lock().unwrap().push(RequestRecord {
            at,
            origin,
            path,
            status,
            method: seen.method,
            version: seen.version,
            headers: seen.headers,
            body: seen.body,
        });
    }

    /// Everything logged so far, in time order (server threads may push
    /// out of order).
    pub fn snapshot(&self) -> Vec<RequestRecord> {
        let mut records = self.records.lock().unwrap().clone();
        records.sort_by_key(|r| r.at);
        records
    }

    /// When the upstream started: a record happened at `started() + at`.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The first request logged since the start or the last [`clear`](Self::clear),
    /// without copying the log.
    pub fn first(&self) -> Option<RequestRecord> {
        self.records.lock().unwrap().first().cloned()
    }

    pub fn len(&self) -> usize {
        self.records.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything logged so far (between the phases of a test).
    pub fn clear(&self) {
        self.records.lock().unwrap().clear();
        self.received.store(0, Ordering::Relaxed);
    }

    /// The most requests `origin` received in any window of length `window`.
    pub fn max_in_window(&self, origin: usize, window: Duration) -> usize {
        // Two server threads may log out of order: sort before sliding.
        let mut times: Vec<Duration> = self
            .records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.origin == origin)
            .map(|r| r.at)
            .collect();
        times.sort();
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..times.len() {
            while times[hi] - times[lo] >= window {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }
}
