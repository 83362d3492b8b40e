//! Why `harvest init` could not draft a config. Kept apart from
//! `EngineError` (what can end a crawl): init runs no crawl, and its
//! failures are about one URL. Each says what to do; none leaves a file.

use harvest_fetch::FetchError;

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The URL cannot seed a crawl (not http(s), no host, ...).
    #[error("`{url}` cannot seed a crawl: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(FetchError),
    #[error("cannot start the fetch: {0}")]
    Runtime(String),
    /// No response (connect, timeout, read, body too large).
    #[error("cannot fetch {url}: {source} (is the URL right and the API up?)")]
    Fetch { url: String, source: FetchError },
    /// A response, but not a 2xx one.
    #[error(
        "{url} answered HTTP {status}{}: init needs the URL of a page of records \
         (an API that needs credentials: draft from a public page, then add `auth`)",
        body_hint(snippet)
    )]
    Status {
        url: String,
        status: u16,
        snippet: String,
    },
    /// A 2xx response whose body is not JSON.
    #[error(
        "{url} did not answer JSON (content-type {content_type}: {detail}){}: \
         init needs the URL of an API page, not a web page",
        body_hint(snippet)
    )]
    NotJson {
        url: String,
        content_type: String,
        detail: String,
        snippet: String,
    },
}

impl InitError {
    /// True when the URL is at fault (exit 2): not usable, a non-2xx status,
    /// a body that is not JSON. Not reaching it at all is a runtime failure.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::BadUrl { .. } | Self::Status { .. } | Self::NotJson { .. }
        )
    }
}

fn body_hint(snippet: &str) -> String {
    if snippet.is_empty() {
        String::new()
    } else {
        format!("; the body begins `{snippet}`")
    }
}
