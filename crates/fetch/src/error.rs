//! Why a fetch produced no response body.

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FetchError {
    #[error("connect failed: {0}")]
    Connect(String),
    #[error("timed out: {0}")]
    Timeout(String),
    /// The connection broke while reading headers or body (reset, truncated body).
    #[error("read failed: {0}")]
    Read(String),
    #[error("body larger than max_body_bytes ({limit} bytes)")]
    BodyTooLarge { limit: u64 },
    /// A compressed body that does not decode, or an encoding not supported.
    #[error("cannot decode the body: {0}")]
    Decode(String),
    /// No access token: the OAuth 2.0 token endpoint failed (`retryable`: a
    /// transport error or a 408/429/5xx there).
    #[error("{detail}")]
    Token { detail: String, retryable: bool },
    /// The request could not be built or sent for a reason a retry will not fix.
    #[error("request failed: {0}")]
    Request(String),
}

impl FetchError {
    /// Transient: worth another attempt later.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect(_) | Self::Timeout(_) | Self::Read(_) => true,
            Self::Token { retryable, .. } => *retryable,
            Self::BodyTooLarge { .. } | Self::Decode(_) | Self::Request(_) => false,
        }
    }

    /// A fixed label for metrics and dead letters.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Connect(_) => "connect",
            Self::Timeout(_) => "timeout",
            Self::Read(_) => "read",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::Decode(_) => "bad_encoding",
            Self::Token { .. } => "token",
            Self::Request(_) => "request",
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        // Never the URL: it may carry a query key added at send time.
        let e = e.without_url();
        let text = error_chain(&e);
        if e.is_timeout() {
            Self::Timeout(text)
        } else if e.is_connect() {
            Self::Connect(text)
        } else if e.is_body() || e.is_decode() || e.is_request() {
            // is_request covers connections that broke before a response came.
            Self::Read(text)
        } else {
            Self::Request(text)
        }
    }
}

/// `e` and its sources on one line (reqwest's own message is terse).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
