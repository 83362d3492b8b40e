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
    /// The body came slower than `[client] min_bytes_per_sec` over a whole
    /// `min_speed_window` (see `speed.rs`).
    #[error(
        "body too slow: {bytes} bytes in {:.1}s, below min_bytes_per_sec ({min_bytes_per_sec} B/s)",
        elapsed.as_secs_f64()
    )]
    TooSlow {
        bytes: u64,
        elapsed: std::time::Duration,
        min_bytes_per_sec: u64,
    },
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
    /// Every [`reason`](Self::reason), for metrics registered before their
    /// first event (a new variant's reason goes here; a test checks it).
    pub const REASONS: &'static [&'static str] = &[
        "connect",
        "timeout",
        "read",
        "too_slow",
        "body_too_large",
        "bad_encoding",
        "token",
        "request",
    ];

    /// The reasons of the errors that may be retried (`is_retryable`).
    pub const RETRYABLE_REASONS: &'static [&'static str] =
        &["connect", "timeout", "read", "too_slow", "token"];

    /// Transient: worth another attempt later.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect(_) | Self::Timeout(_) | Self::Read(_) | Self::TooSlow { .. } => true,
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
            Self::TooSlow { .. } => "too_slow",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant (both kinds of token failure). The match has no
    /// wildcard: a new variant does not compile until it is added here.
    fn one_of_each() -> Vec<FetchError> {
        let all = vec![
            FetchError::Connect("refused".into()),
            FetchError::Timeout("read".into()),
            FetchError::Read("reset".into()),
            FetchError::TooSlow {
                bytes: 1,
                elapsed: std::time::Duration::from_secs(10),
                min_bytes_per_sec: 1024,
            },
            FetchError::BodyTooLarge { limit: 1 },
            FetchError::Decode("bad gzip".into()),
            FetchError::Token {
                detail: "503".into(),
                retryable: true,
            },
            FetchError::Token {
                detail: "400".into(),
                retryable: false,
            },
            FetchError::Request("bad header".into()),
        ];
        for e in &all {
            match e {
                FetchError::Connect(_)
                | FetchError::Timeout(_)
                | FetchError::Read(_)
                | FetchError::TooSlow { .. }
                | FetchError::BodyTooLarge { .. }
                | FetchError::Decode(_)
                | FetchError::Token { .. }
                | FetchError::Request(_) => {}
            }
        }
        all
    }

    #[test]
    fn the_reason_lists_name_every_variant_s_reason() {
        let all = one_of_each();
        let mut reasons: Vec<&str> = all.iter().map(FetchError::reason).collect();
        reasons.dedup();
        assert_eq!(reasons, FetchError::REASONS);
        let mut retryable: Vec<&str> = all
            .iter()
            .filter(|e| e.is_retryable())
            .map(FetchError::reason)
            .collect();
        retryable.dedup();
        let mut listed = FetchError::RETRYABLE_REASONS.to_vec();
        listed.sort_unstable();
        retryable.sort_unstable();
        assert_eq!(retryable, listed);
    }

    #[test]
    fn a_body_too_slow_is_retried_as_too_slow() {
        let e = FetchError::TooSlow {
            bytes: 10,
            elapsed: std::time::Duration::from_secs(1),
            min_bytes_per_sec: 100,
        };
        assert!(e.is_retryable());
        assert_eq!(e.reason(), "too_slow");
        assert_eq!(
            e.to_string(),
            "body too slow: 10 bytes in 1.0s, below min_bytes_per_sec (100 B/s)"
        );
    }
}
