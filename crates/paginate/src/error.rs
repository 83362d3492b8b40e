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
    /// The data path is not in the page; `keys` are the page's top-level
    /// keys, for the message (what the page holds instead).
    #[error("data_selector `{path}` is not in the page{keys}")]
    SelectorMissing { path: String, keys: TopKeys },
    /// The data path holds something else than the record array; an
    /// object there is worded with the whole-body form's hint.
    #[error(
        "data_selector {} holds {found}, not an array{}",
        shown(path),
        object_hint(found)
    )]
    NotAnArray { path: String, found: &'static str },
    /// `data_selector = "."`, and the body is not an object.
    #[error(
        "data_selector `.` takes the body as one object record, but the body is {found}{}",
        array_hint(found)
    )]
    NotAnObject { found: &'static str },
    #[error("next page field `{path}` holds {found}, not a URL string")]
    BadNext { path: String, found: &'static str },
    /// `incremental`: a record without its cursor value, and `on_missing`
    /// says to dead-letter the page.
    #[error(
        "a record has no cursor value at `{path}` (incremental.cursor_path); \
         on_missing = \"include\" or \"exclude\" writes or drops such records instead"
    )]
    CursorMissing { path: String },
    /// `incremental`: a record's cursor value cannot be one, or is of
    /// another kind than the others (a mix of numbers and timestamps).
    #[error("the cursor `{path}` of a record: {why}")]
    BadCursor { path: String, why: String },
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
        "too_deep",
        "selector_missing",
        "not_an_array",
        "not_an_object",
        "bad_next",
        "bad_field",
        "cursor_missing",
        "bad_cursor",
    ];

    /// A fixed label for metrics and dead-letter records.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "not_json",
            Self::TooDeep { .. } => "too_deep",
            Self::SelectorMissing { .. } => "selector_missing",
            Self::NotAnArray { .. } => "not_an_array",
            Self::NotAnObject { .. } => "not_an_object",
            Self::BadNext { .. } => "bad_next",
            Self::BadField { .. } => "bad_field",
            Self::CursorMissing { .. } => "cursor_missing",
            Self::BadCursor { .. } => "bad_cursor",
        }
    }
}

/// The first keys of a page's top-level object, in document order, and how
/// many more it has: what a missed `data_selector` names instead. Empty
/// when the page is not an object (or an empty one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopKeys {
    /// At most [`TopKeys::SHOWN`], each at most [`TopKeys::KEY_CHARS`]
    /// characters (a longer key is cut and ends with `…`).
    pub shown: Vec<String>,
    /// Keys met past the shown ones.
    pub more: u64,
}

impl TopKeys {
    /// Keys named in a message.
    pub const SHOWN: usize = 10;
    /// Characters kept of one key.
    pub const KEY_CHARS: usize = 40;

    /// Counts one more top-level key, keeping it while fewer than
    /// [`SHOWN`](Self::SHOWN) are.
    pub fn push(&mut self, key: &str) {
        if self.shown.len() < Self::SHOWN {
            let mut kept: String = key.chars().take(Self::KEY_CHARS).collect();
            if kept.len() < key.len() {
                kept.push('…');
            }
            self.shown.push(kept);
        } else {
            self.more += 1;
        }
    }
}

impl std::fmt::Display for TopKeys {
    /// ` (its top-level keys: `results`, `next`, and 3 more)`, or nothing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.shown.is_empty() {
            return Ok(());
        }
        f.write_str(" (its top-level keys: ")?;
        for (i, key) in self.shown.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{key}`")?;
        }
        if self.more > 0 {
            write!(f, ", and {} more", self.more)?;
        }
        f.write_str(")")
    }
}

/// A data path as written in the config: `` `data` ``, or `""` for the body.
fn shown(path: &str) -> String {
    if path.is_empty() {
        "`\"\"` (the body)".into()
    } else {
        format!("`{path}`")
    }
}

/// What to write when the data path holds an object.
fn object_hint(found: &str) -> &'static str {
    if found == "an object" {
        " (if the body is one record, write `data_selector = \".\"`: the whole body is then the record)"
    } else {
        ""
    }
}

/// What to write when a whole-body record is an array.
fn array_hint(found: &str) -> &'static str {
    if found == "an array" {
        " (if each of its items is a record, write `data_selector = \"\"`)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_lists_every_variant_s_reason() {
        let all = [
            PageError::NotJson("eof".into()),
            PageError::TooDeep {
                max_depth: 512,
                at: 9,
            },
            PageError::SelectorMissing {
                path: "data".into(),
                keys: TopKeys::default(),
            },
            PageError::NotAnArray {
                path: "data".into(),
                found: "an object",
            },
            PageError::NotAnObject { found: "an array" },
            PageError::BadNext {
                path: "next".into(),
                found: "a number",
            },
            PageError::BadField {
                path: "total".into(),
                found: "a string",
                want: "an integer",
            },
            PageError::CursorMissing {
                path: "updated_at".into(),
            },
            PageError::BadCursor {
                path: "updated_at".into(),
                why: "a boolean".into(),
            },
        ];
        // No wildcard: a new variant does not compile until it is listed above.
        for e in &all {
            match e {
                PageError::NotJson(_)
                | PageError::TooDeep { .. }
                | PageError::SelectorMissing { .. }
                | PageError::NotAnArray { .. }
                | PageError::NotAnObject { .. }
                | PageError::BadNext { .. }
                | PageError::BadField { .. }
                | PageError::CursorMissing { .. }
                | PageError::BadCursor { .. } => {}
            }
        }
        let reasons: Vec<&str> = all.iter().map(PageError::reason).collect();
        assert_eq!(reasons, PageError::REASONS);
    }

    #[test]
    fn a_selector_that_meets_an_object_says_what_to_write() {
        let object = PageError::NotAnArray {
            path: "data".into(),
            found: "an object",
        };
        assert_eq!(
            object.to_string(),
            "data_selector `data` holds an object, not an array (if the body is one record, \
             write `data_selector = \".\"`: the whole body is then the record)"
        );
        let number = PageError::NotAnArray {
            path: "data".into(),
            found: "a number",
        };
        assert_eq!(
            number.to_string(),
            "data_selector `data` holds a number, not an array"
        );
        let body = PageError::NotAnArray {
            path: String::new(),
            found: "an object",
        };
        assert!(
            body.to_string().starts_with(
                "data_selector `\"\"` (the body) holds an object, not an array (if the body is one record"
            ),
            "{body}"
        );
        assert_eq!(
            PageError::NotAnObject { found: "an array" }.to_string(),
            "data_selector `.` takes the body as one object record, but the body is an array \
             (if each of its items is a record, write `data_selector = \"\"`)"
        );
    }
}
