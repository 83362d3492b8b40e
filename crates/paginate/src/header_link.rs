//! `header_link`: the RFC 8288 `Link` response header's `rel="next"` target
//! (relative targets resolved against the page URL), followed under the
//! rules of `follow`: same origin, http(s) only, never the page itself. The
//! header's parser is `parse` (public as [`parse_links`] and [`find_rel`]).

use crate::{follow, Next, PageRequest};

mod parse;

pub use parse::{find_rel, parse_links, Link};

/// The next page from the page's `Link` header values.
pub(crate) fn next(
    page: &PageRequest,
    link_headers: &[String],
    allowed_origins: &[String],
) -> Next {
    follow::next(
        page,
        find_rel(link_headers, "next").as_deref(),
        allowed_origins,
    )
}
