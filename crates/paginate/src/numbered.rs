//! `offset` and `page_number`: the next page is computed, not read, so the
//! stream can fan out. Once a page reveals how far the stream goes, every
//! remaining page is returned at once (`Next::Pages`), and those pages end
//! their stream — all but the last, which goes on like any page: if the total
//! grew while the stream was paged (records added upstream), the last page
//! sees the new total and fans out (or walks) the rest; if it shrank, pages
//! past the new end come back empty and end.
//!
//! # When a stream ends
//!
//! A server may serve fewer records than asked (a capped page size: asked
//! `limit=500`, served 100), so a short page is no proof of the end:
//!
//! - with a total (the body's, or the config's), a page ends the stream only
//!   when the records so far reach it (or the page is empty); the records a
//!   page really held, not the size asked for, step the next offset and size
//!   the fan-out, so a capped page size costs requests, never records;
//! - without one, an empty page ends the stream (or `has_more: false`), and
//!   a short page only with `end_on_short_page`.
//!
//! An `offset` page queued by a fan-out owns the slot `[offset, offset +
//! limit)` (its URL asks for exactly that `limit`): if it comes back short,
//! it asks for the rest of its slot, never past it (the next slot is another
//! page's). A `page_number` page queued by a fan-out carries, in its
//! position's `offset`, how many records come before it, so the last page
//! knows whether the total is reached.

use crate::{query, Found, Next, PageRequest, MAX_FAN_OUT};

/// The `offset` paginator's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Offset<'a> {
    pub offset_param: &'a str,
    pub limit_param: &'a str,
    /// The page size asked for (`limit` in the config).
    pub limit: u64,
    pub end_on_short_page: bool,
}

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

/// `offset`: the next offset is this page's offset plus the records it held.
/// `total` is the body's total, or the config's.
pub(crate) fn offset(page: &PageRequest, o: Offset<'_>, total: Option<u64>, found: &Found) -> Next {
    let got = found.records;
    if got == 0 {
        return Next::End;
    }
    let current = number(page, o.offset_param).unwrap_or(page.pos.offset);
    // The size this page asked for: a fanned-out page asks for its slot.
    let asked = number(page, o.limit_param)
        .filter(|n| *n > 0)
        .unwrap_or(o.limit);
    let Some(first) = current.checked_add(got) else {
        return Next::End;
    };
    if total.is_some_and(|total| first >= total) {
        return Next::End;
    }
    let at = |offset: u64, limit: Option<u64>| {
        let url = query::with_param(&page.url, o.offset_param, &offset.to_string());
        match limit {
            Some(limit) => query::with_param(&url, o.limit_param, &limit.to_string()),
            None => url,
        }
    };
    if page.pos.fanned_out {
        // The slot is full, or the rest of it is fetched as its own page.
        if got >= asked {
            return Next::End;
        }
        let mut rest = page.then(at(first, Some(asked - got)));
        rest.pos.offset = first;
        rest.pos.fanned_out = true;
        return Next::Page(rest);
    }
    match total {
        // The server's real page size steps the fan-out.
        Some(total) if (total - first).div_ceil(got) <= MAX_FAN_OUT => {
            let count = (total - first).div_ceil(got);
            fan_out(
                (0..count)
                    .map(|k| {
                        let offset = first + k * got;
                        page.fanned(k + 1, at(offset, Some(got)), offset)
                    })
                    .collect(),
            )
        }
        None if o.end_on_short_page && got < asked => Next::End,
        _ => {
            let mut next = page.then(at(first, None));
            next.pos.offset = first;
            Next::Page(next)
        }
    }
}

/// `page_number`: stop on an empty page, `has_more: false`, after the last
/// page the total names, or (opted in, without a total) on a short page.
pub(crate) fn page_number(
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

/// The number in query parameter `name` of `page`'s URL.
fn number(page: &PageRequest, name: &str) -> Option<u64> {
    query::param(&page.url, name).and_then(|v| v.trim().parse::<u64>().ok())
}

/// The fanned-out pages: each ends its stream, except the last, which keeps
/// walking (a total that grew meanwhile is followed from there).
fn fan_out(mut pages: Vec<PageRequest>) -> Next {
    if let Some(last) = pages.last_mut() {
        last.pos.fanned_out = false;
    }
    Next::Pages(pages)
}
