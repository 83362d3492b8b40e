//! Which response statuses are worth a retry, and the label each retry
//! carries: the one retry status table ([`Disposition::RETRY_STATUSES`]), so
//! the fetcher, the engine's reasons and the metrics agree.

/// What to do with a page after its response status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// 2xx: parse the body.
    Accept,
    /// Transient: 408, 425, 429, 500, 502, 503, 504. Requeue with backoff.
    Retry,
    /// Anything else: the page goes to the dead letters with its status.
    DeadLetter,
}

impl Disposition {
    /// Every status worth another attempt, with the bounded `reason` label
    /// its retries (and its dead letter after the last attempt) carry.
    pub const RETRY_STATUSES: &'static [(u16, &'static str)] = &[
        (408, "http_408"),
        (425, "http_425"),
        (429, "http_429"),
        (500, "http_500"),
        (502, "http_502"),
        (503, "http_503"),
        (504, "http_504"),
    ];

    /// The disposition of a response status code.
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Accept,
            _ if Self::retry_reason(status).is_some() => Self::Retry,
            _ => Self::DeadLetter,
        }
    }

    /// The `reason` label of a retryable status (`http_503`), or `None` for
    /// a status that is not retried.
    pub fn retry_reason(status: u16) -> Option<&'static str> {
        Self::RETRY_STATUSES
            .iter()
            .find(|(code, _)| *code == status)
            .map(|(_, reason)| *reason)
    }

    /// The reasons of [`Self::RETRY_STATUSES`], in order.
    pub fn retry_reasons() -> impl Iterator<Item = &'static str> {
        Self::RETRY_STATUSES.iter().map(|(_, reason)| *reason)
    }
}

/// A bounded label for a status: `2xx`, `3xx`, `4xx`, `5xx` or `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusClass {
    Success,
    Redirect,
    ClientError,
    ServerError,
    Other,
}

impl StatusClass {
    pub fn of(status: u16) -> Self {
        match status {
            200..=299 => Self::Success,
            300..=399 => Self::Redirect,
            400..=499 => Self::ClientError,
            500..=599 => Self::ServerError,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "2xx",
            Self::Redirect => "3xx",
            Self::ClientError => "4xx",
            Self::ServerError => "5xx",
            Self::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_classes() {
        for s in [408, 425, 429, 500, 502, 503, 504] {
            assert_eq!(Disposition::of_status(s), Disposition::Retry, "{s}");
        }
        for s in [400, 401, 403, 404, 410, 422, 501, 505, 301] {
            assert_eq!(Disposition::of_status(s), Disposition::DeadLetter, "{s}");
        }
        assert_eq!(Disposition::of_status(204), Disposition::Accept);
    }

    #[test]
    fn every_retried_status_and_only_those_has_a_reason_naming_it() {
        for status in 0..1000 {
            let retried = Disposition::of_status(status) == Disposition::Retry;
            match Disposition::retry_reason(status) {
                Some(reason) => {
                    assert!(retried, "{status} has a reason but is not retried");
                    assert_eq!(reason, format!("http_{status}"));
                }
                None => assert!(!retried, "{status} is retried without a reason"),
            }
        }
        let reasons: Vec<_> = Disposition::retry_reasons().collect();
        assert_eq!(reasons.len(), 7);
        assert!(reasons.contains(&"http_429") && reasons.contains(&"http_503"));
    }

    #[test]
    fn status_classes() {
        assert_eq!(StatusClass::of(503).as_str(), "5xx");
        assert_eq!(StatusClass::of(99).as_str(), "other");
    }
}
