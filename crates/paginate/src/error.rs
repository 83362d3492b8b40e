//! Why a page body was refused. Every variant is a validation failure: the
//! page is dead-lettered, never retried (the same bytes would fail again).

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    /// Not JSON, truncated, or nested deeper than the parser allows.
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
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
    /// Every [`reason`](Self::reason), for metrics registered before their
    /// first event (a new variant's reason goes here; a test checks it).
    pub const REASONS: &'static [&'static str] = &[
        "not_json",
        "selector_missing",
        "not_an_array",
        "bad_next",
        "bad_field",
    ];

    /// A fixed label for metrics and dead-letter records.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "not_json",
            Self::SelectorMissing(_) => "selector_missing",
            Self::NotAnArray { .. } => "not_an_array",
            Self::BadNext { .. } => "bad_next",
            Self::BadField { .. } => "bad_field",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_lists_every_variant_s_reason() {
        let all = [
            PageError::NotJson("eof".into()),
            PageError::SelectorMissing("data".into()),
            PageError::NotAnArray {
                path: "data".into(),
                found: "an object",
            },
            PageError::BadNext {
                path: "next".into(),
                found: "a number",
            },
            PageError::BadField {
                path: "total".into(),
                found: "a string",
                want: "an integer",
            },
        ];
        // No wildcard: a new variant does not compile until it is listed above.
        for e in &all {
            match e {
                PageError::NotJson(_)
                | PageError::SelectorMissing(_)
                | PageError::NotAnArray { .. }
                | PageError::BadNext { .. }
                | PageError::BadField { .. } => {}
            }
        }
        let reasons: Vec<&str> = all.iter().map(PageError::reason).collect();
        assert_eq!(reasons, PageError::REASONS);
    }
}
