//! Why a page body was refused. Every variant is a validation failure: the
//! page is dead-lettered, never retried (the same bytes would fail again).

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    /// Not JSON, truncated, or nested deeper than the parser allows.
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    /// A record nested deeper than the resource's `max_depth`.
    #[error("a record is nested deeper than max_depth ({max_depth}) at byte {at}")]
    TooDeep { max_depth: usize, at: u64 },
    #[error("data_selector `{0}` is not in the page")]
    SelectorMissing(String),
    #[error("data_selector `{path}` holds {found}, not an array")]
    NotAnArray { path: String, found: &'static str },
    #[error("next page field `{path}` holds {found}, not a URL string")]
    BadNext { path: String, found: &'static str },
    /// A pagination field (cursor, total, has-more flag) of the wrong type.
    #[error("pagination field `{path}` holds {found}, not {want}")]
    BadField {
        path: String,
        found: &'static str,
        want: &'static str,
    },
}

impl PageError {
    /// A fixed label for metrics and dead-letter records.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "not_json",
            Self::TooDeep { .. } => "too_deep",
            Self::SelectorMissing(_) => "selector_missing",
            Self::NotAnArray { .. } => "not_an_array",
            Self::BadNext { .. } => "bad_next",
            Self::BadField { .. } => "bad_field",
        }
    }
}
