//! `page_number`: each page asks for a page number from `base`; a total of
//! pages or of records lets the stream fan out (see `fan_out` for when it
//! ends).
//!
//! A `page_number` page queued by a fan-out carries, in its position's
//! `offset`, how many records come before it, so the last page knows whether
//! the total is reached.

use crate::fan_out::{fan_out, number};
use crate::{query, Found, Next, PageRequest, MAX_FAN_OUT};

/// The `page_number` paginator's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Numbered<'a> {
    pub page_param: &'a str,
    /// The first page's number (0 or 1).
    pub base: u64,
    /// The page size asked for, when the config names one.
    pub page_size: Option<u64>,
    pub end_on_short_page: bool,
}

/// How far a page-numbered stream goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Total {
    Pages(u64),
    Records(u64),
}

/// `page_number`: stop on an empty page, `has_more: false`, after the last
/// page the total names, or (opted in, without a total) on a short page.
pub(crate) fn next(
    page: &PageRequest,
    p: Numbered<'_>,
    total: Option<Total>,
    found: &Found,
) -> Next {
    let got = found.records;
    if got == 0 || found.has_more == Some(false) || page.pos.fanned_out {
        return Next::End;
    }
    let current = number(page, p.page_param).unwrap_or(p.base);
    let first = current.saturating_add(1);
    // Records up to the end of this page: a fan-out says how many came
    // before it; else every earlier page is taken to hold as many as this.
    let before = if page.pos.offset > 0 || current <= p.base {
        page.pos.offset
    } else {
        (current - p.base).saturating_mul(got)
    };
    let done = before.saturating_add(got);
    let at = |n: u64| query::with_param(&page.url, p.page_param, &n.to_string());
    let last = match total {
        Some(Total::Pages(n)) => match n.checked_sub(1) {
            Some(k) => p.base.saturating_add(k),
            None => return Next::End, // zero pages
        },
        // This page held the server's real page size (it is not the last).
        Some(Total::Records(n)) if done < n => current.saturating_add((n - done).div_ceil(got)),
        Some(Total::Records(_)) => return Next::End,
        None if p.end_on_short_page && p.page_size.is_some_and(|size| got < size) => {
            return Next::End
        }
        None => u64::MAX,
    };
    if first > last {
        return Next::End;
    }
    if last - first < MAX_FAN_OUT {
        return fan_out(
            (first..=last)
                .map(|n| {
                    let before = done.saturating_add((n - first).saturating_mul(got));
                    page.fanned(n - current, at(n), before)
                })
                .collect(),
        );
    }
    let mut next = page.then(at(first));
    next.pos.offset = done;
    Next::Page(next)
}
