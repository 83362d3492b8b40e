//! `offset` and `page_number`: the next page is computed, not read, so the
//! stream can fan out. Once a page reveals how far the stream goes, every
//! remaining page is returned at once (`Next::Pages`), and those pages end
//! their stream — all but the last, which goes on like any page: if the total
//! grew while the stream was paged (records added upstream), the last page
//! sees the new total and fans out (or walks) the rest; if it shrank, pages
//! past the new end come back empty and end. Without a total, pages are
//! walked one by one until a page is empty (or short, or says `has_more:
//! false`).

use crate::{query, Found, Next, PageRequest, MAX_FAN_OUT};

/// `offset`: stop on an empty page, a short page (fewer than `limit`
/// records), or when the next offset reaches the total.
/// `total` is the body's total, or the config's.
pub(crate) fn offset(
    page: &PageRequest,
    offset_param: &str,
    limit: u64,
    total: Option<u64>,
    found: &Found,
) -> Next {
    if found.records == 0 || found.records < limit || page.pos.fanned_out {
        return Next::End;
    }
    let current = query::param(&page.url, offset_param)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(page.pos.offset);
    let Some(first) = current.checked_add(limit) else {
        return Next::End;
    };
    let at = |offset: u64| query::with_param(&page.url, offset_param, &offset.to_string());
    match total {
        Some(total) if first >= total => Next::End,
        Some(total) if (total - first).div_ceil(limit) <= MAX_FAN_OUT => {
            let count = (total - first).div_ceil(limit);
            fan_out(
                (0..count)
                    .map(|k| {
                        let offset = first + k * limit;
                        page.fanned(k + 1, at(offset), offset)
                    })
                    .collect(),
            )
        }
        _ => {
            let mut next = page.then(at(first));
            next.pos.offset = first;
            Next::Page(next)
        }
    }
}

/// `page_number`: stop on an empty page, a short page (when the page size is
/// known), `has_more: false`, or after the last page the total names.
pub(crate) fn page_number(
    page: &PageRequest,
    page_param: &str,
    base: u64,
    page_size: Option<u64>,
    total_pages: Option<u64>,
    found: &Found,
) -> Next {
    if found.records == 0
        || found.has_more == Some(false)
        || page_size.is_some_and(|size| found.records < size)
        || page.pos.fanned_out
    {
        return Next::End;
    }
    let current = query::param(&page.url, page_param)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(base);
    let first = current.saturating_add(1);
    let at = |n: u64| query::with_param(&page.url, page_param, &n.to_string());
    // The last page number, when the page says how many there are.
    let last = total_pages.map(|n| n.checked_sub(1).map(|k| base.saturating_add(k)));
    match last {
        Some(None) => Next::End, // zero pages
        Some(Some(last)) if first > last => Next::End,
        Some(Some(last)) if last - first < MAX_FAN_OUT => fan_out(
            (first..=last)
                .map(|n| page.fanned(n - current, at(n), 0))
                .collect(),
        ),
        _ => Next::Page(page.then(at(first))),
    }
}

/// The fanned-out pages: each ends its stream, except the last, which keeps
/// walking (a total that grew meanwhile is followed from there).
fn fan_out(mut pages: Vec<PageRequest>) -> Next {
    if let Some(last) = pages.last_mut() {
        last.pos.fanned_out = false;
    }
    Next::Pages(pages)
}
