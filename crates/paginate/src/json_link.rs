//! `json_link`: the body names the next page's URL (absolute, or relative to
//! the page) at `next_url_path`; `null` or `""` ends the stream. Followed
//! under the rules of `follow`.

use crate::{follow, Next, PageRequest};

/// The next page from the link the page's body names (`None`: no link).
pub(crate) fn next(page: &PageRequest, link: Option<&str>, allowed_origins: &[String]) -> Next {
    follow::next(page, link, allowed_origins)
}
