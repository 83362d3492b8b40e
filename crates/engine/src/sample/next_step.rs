//! The next step of a sampled page in config words: the page `run` would
//! fetch next and why, or why the stream ends there.

use crate::redact::Redacted;
use harvest_config::PageStyle;
use harvest_paginate::Next;

/// The page `run` would fetch after this one, or why the stream ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    /// `page`, `fan_out`, `end` or `cut`.
    pub kind: &'static str,
    /// The next page (the first of a fan-out; the page not followed by a
    /// cut), redacted.
    pub url: Option<String>,
    /// Pages queued by a fan-out (1 for `page`, 0 otherwise).
    pub pages: usize,
    /// Why, in config words.
    pub why: String,
}

/// `next` in config words.
pub(super) fn describe(next: &Next, style: &PageStyle) -> NextStep {
    let step = |kind, url: Option<&url::Url>, pages, why: String| NextStep {
        kind,
        url: url.map(|u| Redacted(u).to_string()),
        pages,
        why,
    };
    match next {
        Next::Page(req) => step("page", Some(&req.url), 1, follows(style)),
        Next::Pages(reqs) => step(
            "fan_out",
            reqs.first().map(|r| &r.url),
            reqs.len(),
            format!(
                "the total is known: {} more pages queued at once",
                reqs.len()
            ),
        ),
        Next::End => step("end", None, 0, ends(style)),
        Next::Refused(cut) => NextStep {
            kind: "cut",
            url: Some(match url::Url::parse(&cut.target) {
                Ok(u) => Redacted(&u).to_string(),
                Err(_) => cut.target.clone(),
            }),
            pages: 0,
            why: format!("the stream is cut here: {}", cut.reason),
        },
    }
}

/// Why the paginator goes on.
fn follows(style: &PageStyle) -> String {
    match style {
        PageStyle::JsonLink { next_url_path } => format!("the body's `{next_url_path}`"),
        PageStyle::HeaderLink => "the Link header's rel=\"next\"".into(),
        PageStyle::Cursor {
            cursor_path,
            cursor_param,
            ..
        } => format!("the cursor at `{cursor_path}`, sent as `{cursor_param}`"),
        PageStyle::Offset { offset_param, .. } => {
            format!("`{offset_param}` advanced by the records of this page")
        }
        PageStyle::PageNumber { page_param, .. } => format!("`{page_param}` + 1"),
        PageStyle::SinglePage => "single_page".into(),
    }
}

/// Why the paginator ends the stream.
fn ends(style: &PageStyle) -> String {
    match style {
        PageStyle::JsonLink { next_url_path } => {
            format!("end: `{next_url_path}` is missing, null or empty")
        }
        PageStyle::HeaderLink => "end: no Link header with rel=\"next\"".into(),
        PageStyle::Cursor { cursor_path, .. } => {
            format!("end: no cursor at `{cursor_path}` (or has_more is false)")
        }
        PageStyle::Offset { .. } | PageStyle::PageNumber { .. } => {
            "end: the total is reached, or the page is empty (or short)".into()
        }
        PageStyle::SinglePage => "end: single_page (one page per seed)".into(),
    }
}
