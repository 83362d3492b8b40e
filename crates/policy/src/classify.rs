//! Which HTTP outcomes are worth a retry. The one table of retry classes, so
//! the fetcher, the engine and the metrics agree.

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
    /// The disposition of a response status code.
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Accept,
            408 | 425 | 429 | 500 | 502 | 503 | 504 => Self::Retry,
            _ => Self::DeadLetter,
        }
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
    fn status_classes() {
        assert_eq!(StatusClass::of(503).as_str(), "5xx");
        assert_eq!(StatusClass::of(99).as_str(), "other");
    }
}
