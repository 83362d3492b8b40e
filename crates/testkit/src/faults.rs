//! Fault hooks: rules that replace or spoil the normal response of matching
//! requests, so tests can stage flaky, slow and hostile upstreams.

use std::time::Duration;

/// What a matching request gets instead of its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// This status with a small JSON error body.
    Status(u16),
    /// 429, with a `Retry-After` header when given (sent verbatim).
    RateLimited { retry_after: Option<String> },
    /// The normal page, after a delay.
    Delay(Duration),
    /// Headers and the first bytes of the page, then nothing, forever.
    Stall,
    /// The page one byte at a time, this long between bytes (never silent
    /// long enough for an idle-read timeout; only a total timeout ends it).
    Trickle(Duration),
    /// Headers announce the full length; the connection breaks halfway.
    Truncate,
    /// 200 with an HTML body.
    Html,
    /// 302 to this location (absolute or relative).
    Redirect(String),
    /// The normal page, compressed with this `Content-Encoding` (gzip,
    /// deflate, br or zstd).
    Encoded(&'static str),
    /// 200 with `Content-Encoding: gzip` and a small body that inflates to
    /// this many bytes of spaces (a decompression bomb).
    GzipBomb(usize),
    /// The normal page (records and all) with its body's `next` link
    /// replaced by this one: a stream that leads elsewhere, as behind a
    /// reverse proxy that rewrites the port or the scheme.
    NextLink(String),
    /// The normal page with these extra response headers (rate-limit
    /// fields on a 200, say).
    Headers(Vec<(String, String)>),
}

/// `page` (a `{"data":[...],"next":...}` body) with its `next` set to `to`.
pub(crate) fn with_next(page: &str, to: &str) -> String {
    let body = page.trim_end().strip_suffix('}').unwrap_or(page);
    let body = body.rfind(",\"next\":").map_or(body, |at| &body[..at]);
    format!(
        "{body},\"next\":{}}}",
        serde_json::Value::String(to.to_string())
    )
}

/// A rule: which requests, how many times, what happens.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Only this origin (index), or all.
    pub origin: Option<usize>,
    /// Only paths starting with this ("" = all).
    pub path_prefix: String,
    /// Fires on every `every`-th matching request (1 = each one).
    pub every: u64,
    /// Fires this many times in all, then the rule is spent (None = forever).
    pub times: Option<u64>,
    pub action: FaultAction,
    /// Matching requests seen so far.
    pub(crate) seen: u64,
}

impl Fault {
    /// A rule firing on every request of every origin, forever.
    pub fn new(action: FaultAction) -> Self {
        Self {
            origin: None,
            path_prefix: String::new(),
            every: 1,
            times: None,
            action,
            seen: 0,
        }
    }

    pub fn origin(mut self, origin: usize) -> Self {
        self.origin = Some(origin);
        self
    }

    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    pub fn every(mut self, n: u64) -> Self {
        self.every = n.max(1);
        self
    }

    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Counts the request and says whether the rule fires for it.
    pub(crate) fn fires(&mut self, origin: usize, path: &str) -> bool {
        if self.origin.is_some_and(|o| o != origin) || !path.starts_with(&self.path_prefix) {
            return false;
        }
        if self.times == Some(0) {
            return false;
        }
        self.seen += 1;
        if !self.seen.is_multiple_of(self.every) {
            return false;
        }
        if let Some(t) = &mut self.times {
            *t -= 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_and_times() {
        let mut f = Fault::new(FaultAction::Status(503))
            .origin(1)
            .path("/s/")
            .every(2)
            .times(2);
        let fired: Vec<bool> = (0..8).map(|_| f.fires(1, "/s/0/p/0")).collect();
        assert_eq!(
            fired,
            [false, true, false, true, false, false, false, false]
        );
        assert!(!Fault::new(FaultAction::Html).origin(1).fires(0, "/"));
    }

    #[test]
    fn next_links_are_replaced_and_records_kept() {
        let to = "http://127.0.0.1:9/s/0/p/2";
        for page in [
            r#"{"data":[{"id":1}],"next":"http://127.0.0.1:8/s/0/p/2"}"#,
            r#"{"data":[{"id":1}],"next":null}"#,
            r#"{"data":[{"id":1}]}"#,
        ] {
            let v: serde_json::Value = serde_json::from_str(&with_next(page, to)).unwrap();
            assert_eq!(v["next"], to, "{page}");
            assert_eq!(v["data"], serde_json::json!([{"id": 1}]), "{page}");
        }
    }
}
