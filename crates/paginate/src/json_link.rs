//! `json_link`: the body names the next page's URL (absolute, or relative to
//! the page). Missing, `null` or `""` ends the stream. Only http(s) links to
//! the page's own origin are followed; a link to the page itself ends the
//! stream (a server that would loop forever).

//!
//! The same rules serve `header_link` (the `Link` header's `rel="next"`).

use url::Url;

/// A link found on a page, resolved and checked: `Ok(None)` ends the stream,
/// `Err` says why it is not followed.
pub(crate) fn next(page: &Url, link: Option<&str>) -> Result<Option<Url>, String> {
    let link = match link.map(str::trim) {
        None | Some("") => return Ok(None),
        Some(link) => link,
    };
    let url = page
        .join(link)
        .map_err(|e| format!("next link `{link}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "next link scheme `{}` is not http(s)",
            url.scheme()
        ));
    }
    if url.origin() != page.origin() {
        return Err(format!(
            "next link leaves the origin {}",
            page.origin().ascii_serialization()
        ));
    }
    if url == *page {
        return Err("next link points to the page itself".to_string());
    }
    Ok(Some(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("http://127.0.0.1:8080/v1/items?page=2").unwrap()
    }

    #[test]
    fn end_of_stream() {
        assert_eq!(next(&page(), None), Ok(None));
        assert_eq!(next(&page(), Some("")), Ok(None));
        assert_eq!(next(&page(), Some("  ")), Ok(None));
    }

    #[test]
    fn relative_and_absolute() {
        assert_eq!(
            next(&page(), Some("?page=3")),
            Ok(Some(
                Url::parse("http://127.0.0.1:8080/v1/items?page=3").unwrap()
            ))
        );
        assert_eq!(
            next(&page(), Some("/v2/x")),
            Ok(Some(Url::parse("http://127.0.0.1:8080/v2/x").unwrap()))
        );
        assert_eq!(
            next(&page(), Some("http://127.0.0.1:8080/v1/items?page=3")),
            Ok(Some(
                Url::parse("http://127.0.0.1:8080/v1/items?page=3").unwrap()
            ))
        );
    }

    #[test]
    fn refused_links() {
        assert!(next(&page(), Some("http://127.0.0.1:9999/x")).is_err());
        assert!(next(&page(), Some("ftp://127.0.0.1:8080/x")).is_err());
        assert!(next(&page(), Some("http://127.0.0.1:8080/v1/items?page=2")).is_err());
    }
}
