//! `cursor`: the body names an opaque token for the next page, sent back as
//! a query parameter.

use crate::{query, Cut, CutReason, Found, Next, PageRequest};

/// `cursor`: the token goes back as `cursor_param`; a missing/null/empty
/// token or `has_more: false` ends the stream, a repeated one is refused.
pub(crate) fn next(page: &PageRequest, cursor_param: &str, found: &Found) -> Next {
    if found.has_more == Some(false) {
        return Next::End;
    }
    let Some(cursor) = &found.cursor else {
        return Next::End;
    };
    let next = page.then(query::with_param(&page.url, cursor_param, cursor));
    if query::param(&page.url, cursor_param).as_deref() == Some(cursor.as_str()) {
        let target = next.url.as_str();
        return Next::Refused(Cut::new(CutReason::RepeatedCursor, target, next.pos));
    }
    Next::Page(next)
}
