//! `offset`: each page asks for `limit` records from an offset; the next
//! offset is this page's plus the records it held. The stream can fan out
//! (see `fan_out` for when it ends).
//!
//! An `offset` page queued by a fan-out owns the slot `[offset, offset +
//! limit)` (its URL asks for exactly that `limit`): if it comes back short,
//! it asks for the rest of its slot, never past it (the next slot is another
//! page's).

use crate::fan_out::{fan_out, number};
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

/// `offset`: the next offset is this page's offset plus the records it held.
/// `total` is the body's total, or the config's.
pub(crate) fn next(page: &PageRequest, o: Offset<'_>, total: Option<u64>, found: &Found) -> Next {
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
