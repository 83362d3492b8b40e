//! What a page scan looks for and what it finds, and the one-shot scan of a
//! whole body.
//!
//! The scan copies the records at the data path out as raw bytes (one line
//! per record: JSON Lines) and captures a few named scalar fields (a next
//! link, a cursor, a total, a has-more flag) at dotted paths, each checked
//! against what it may hold ([`Want`]) as it is met, so a wrong shape is an
//! error that names the path. The whole body is validated as JSON, so a
//! truncated page is an error and never yields a partial record set.
//!
//! The work is done by [`PageSplitter`], a push parser fed the body chunk by
//! chunk (`split`); [`scan_page`] and [`scan_page_with`] feed it a whole body
//! at once. JSON Lines needs one record per line, so raw newlines inside a
//! record (only possible as insignificant whitespace between tokens) become
//! spaces; every other byte is the API's.
//!
//! With `data_selector = "."` the body itself is the one record: it must be
//! an object, its bytes (less the whitespace around it) are the record line,
//! and the walk still finds the pagination fields inside it. The splitter
//! keeps that record's bytes until the body ends (a record is held whole
//! either way), so it is written only once the body proved complete.

mod bitstack;
mod bytes;
mod node;
mod raw;
mod split;
mod token;

pub use split::{PageSplitter, MAX_DEPTH};

use crate::PageError;
use harvest_config::{DataSelector, Selector};

/// The most scalar fields one scan captures (they are tracked in a bit set).
pub const MAX_FIELDS: usize = 32;

/// What a captured field may hold; `null` is always allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A URL string (a wrong type is [`PageError::BadNext`]).
    Link,
    /// A string or an integer.
    Token,
    /// A non-negative integer (or a string of digits).
    Count,
    /// `true` or `false`.
    Flag,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Self::Link => "a URL string",
            Self::Token => "a string or an integer",
            Self::Count => "a non-negative integer",
            Self::Flag => "a boolean",
        }
    }
}

/// A captured scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
}

impl Scalar {
    /// A string, or an integer in decimal; `None` for null, `""` and booleans.
    pub fn as_token(&self) -> Option<String> {
        match self {
            Self::Str(s) if !s.is_empty() => Some(s.clone()),
            Self::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A non-negative integer (or a string of digits).
    pub fn as_count(&self) -> Option<u64> {
        match self {
            Self::Int(n) => u64::try_from(*n).ok(),
            Self::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Which paths of a page matter.
#[derive(Debug, Clone)]
pub struct ScanSpec {
    /// Where the records are: the items of an array, or the whole body.
    data: DataSelector,
    fields: Vec<(Selector, Want)>,
    /// The deepest a record may be nested (at most [`MAX_DEPTH`]).
    max_depth: usize,
}

impl ScanSpec {
    /// The records at `data`, and a next link at `next` (if any).
    pub fn new(data: impl Into<DataSelector>, next: Option<Selector>) -> Self {
        Self::with_fields(data, next.map(|n| (n, Want::Link)).into_iter().collect())
    }

    /// The records at `data`, and the scalar `fields` (at most [`MAX_FIELDS`]);
    /// [`Scan::fields`] answers in the same order.
    pub fn with_fields(data: impl Into<DataSelector>, fields: Vec<(Selector, Want)>) -> Self {
        assert!(fields.len() <= MAX_FIELDS, "too many scan fields");
        Self {
            data: data.into(),
            fields,
            max_depth: MAX_DEPTH,
        }
    }

    /// Refuses a page holding a record nested deeper than `max_depth`
    /// (capped at [`MAX_DEPTH`]) with [`PageError::TooDeep`].
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth.min(MAX_DEPTH);
        self
    }

    /// The body is the one record (`data_selector = "."`).
    fn whole_body(&self) -> bool {
        self.data == DataSelector::Body
    }

    fn all_fields(&self) -> u32 {
        ((1u64 << self.fields.len()) - 1) as u32
    }
}

/// What the walk found besides the records it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    pub records: u64,
    /// One per spec field, in order: `None` when the path is not in the page.
    pub fields: Vec<Option<Scalar>>,
}

impl Scan {
    /// Field `i` as a non-empty string (`None` when missing, null or `""`).
    pub fn string(&self, i: usize) -> Option<&str> {
        match self.fields.get(i)? {
            Some(Scalar::Str(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    pub fn field(&self, i: usize) -> Option<&Scalar> {
        self.fields.get(i)?.as_ref()
    }
}

/// Walks `body`, appending one line per record to `out`.
/// On error `out` is left as it was.
pub fn scan_page(body: &[u8], spec: &ScanSpec, out: &mut Vec<u8>) -> Result<Scan, PageError> {
    scan_page_with(body, spec, b"", out)
}

/// [`scan_page`], with `members` (`"key":value,...`, see
/// [`crate::splice::members`]) spliced into every record that is an object.
pub fn scan_page_with(
    body: &[u8],
    spec: &ScanSpec,
    members: &[u8],
    out: &mut Vec<u8>,
) -> Result<Scan, PageError> {
    let mark = out.len();
    let mut splitter = PageSplitter::new(spec, members);
    splitter
        .feed(body, out)
        .and_then(|()| splitter.finish(out))
        .inspect_err(|_| out.truncate(mark))
}

#[cfg(test)]
mod differential;
#[cfg(test)]
mod oracle;
#[cfg(test)]
mod speed;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod whole_body;
