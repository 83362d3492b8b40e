//! The fan-out shared by `offset` and `page_number`: the next page is
//! computed, not read, so the stream can fan out. Once a page reveals how far the stream goes, every
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

use crate::{query, Next, PageRequest};

/// The number in query parameter `name` of `page`'s URL.
pub(crate) fn number(page: &PageRequest, name: &str) -> Option<u64> {
    query::param(&page.url, name).and_then(|v| v.trim().parse::<u64>().ok())
}

/// The fanned-out pages: each ends its stream, except the last, which keeps
/// walking (a total that grew meanwhile is followed from there).
pub(crate) fn fan_out(mut pages: Vec<PageRequest>) -> Next {
    if let Some(last) = pages.last_mut() {
        last.pos.fanned_out = false;
    }
    Next::Pages(pages)
}
