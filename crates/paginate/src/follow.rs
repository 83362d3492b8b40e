//! Following a link found on a page, for both link styles (`json_link`: a
//! body field; `header_link`: the `Link` header's `rel="next"`). The link is
//! resolved against the page URL; missing or empty ends the stream. Only
//! http(s) links to the page's own origin, or to one of the resource's
//! `allowed_origins`, are followed; a link to the page itself is refused (a
//! server that would loop forever). A refused link cuts the stream.

use crate::{Cut, CutReason, Next, PageRequest};
use url::Url;

/// A link found on a page, resolved and checked: `Ok(None)` ends the stream,
/// `Err((reason, target))` says why it is not followed and what it names
/// (the resolved URL, or the link's text when it is not a URL).
pub(crate) fn resolve(
    page: &Url,
    link: Option<&str>,
    allowed_origins: &[String],
) -> Result<Option<Url>, (CutReason, String)> {
    let link = match link.map(str::trim) {
        None | Some("") => return Ok(None),
        Some(link) => link,
    };
    let url = page
        .join(link)
        .map_err(|_| (CutReason::BadLink, link.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err((CutReason::BadScheme, url.to_string()));
    }
    if url.origin() != page.origin() && !allowed_origins.contains(&harvest_config::origin_of(&url))
    {
        return Err((CutReason::ForeignOrigin, url.to_string()));
    }
    if url == *page {
        return Err((CutReason::SelfLink, url.to_string()));
    }
    Ok(Some(url))
}

/// Follows a link found on `page`: the next page, the end, or a cut.
pub(crate) fn next(page: &PageRequest, link: Option<&str>, allowed_origins: &[String]) -> Next {
    match resolve(&page.url, link, allowed_origins) {
        Ok(Some(url)) => Next::Page(page.then(url)),
        Ok(None) => Next::End,
        Err((reason, target)) => {
            let pos = page.then(page.url.clone()).pos;
            Next::Refused(Cut::new(reason, target, pos))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(l: Option<&str>) -> Result<Option<Url>, (CutReason, String)> {
        resolve(&page(), l, &[])
    }

    #[test]
    fn allowed_origins_are_followed() {
        let cdn = vec!["https://cdn.example.com".to_string()];
        let cdn_page = "https://cdn.example.com/items?page=3";
        let to_cdn = Some(cdn_page);
        assert!(resolve(&page(), to_cdn, &[]).is_err());
        assert_eq!(
            resolve(&page(), to_cdn, &cdn),
            Ok(Some(Url::parse(cdn_page).unwrap()))
        );
        assert!(resolve(&page(), Some("https://other.example.com/x"), &cdn).is_err());
    }

    fn page() -> Url {
        Url::parse("http://127.0.0.1:8080/v1/items?page=2").unwrap()
    }

    #[test]
    fn end_of_stream() {
        assert_eq!(link(None), Ok(None));
        assert_eq!(link(Some("")), Ok(None));
        assert_eq!(link(Some("  ")), Ok(None));
    }

    #[test]
    fn relative_and_absolute() {
        assert_eq!(
            link(Some("?page=3")),
            Ok(Some(
                Url::parse("http://127.0.0.1:8080/v1/items?page=3").unwrap()
            ))
        );
        assert_eq!(
            link(Some("/v2/x")),
            Ok(Some(Url::parse("http://127.0.0.1:8080/v2/x").unwrap()))
        );
        assert_eq!(
            link(Some("http://127.0.0.1:8080/v1/items?page=3")),
            Ok(Some(
                Url::parse("http://127.0.0.1:8080/v1/items?page=3").unwrap()
            ))
        );
    }

    #[test]
    fn refused_links_say_why_and_where() {
        let refused = |l: &str| link(Some(l)).unwrap_err();
        assert_eq!(
            refused("http://127.0.0.1:9999/x"),
            (CutReason::ForeignOrigin, "http://127.0.0.1:9999/x".into())
        );
        assert_eq!(
            refused("https://127.0.0.1:8080/x").0,
            CutReason::ForeignOrigin,
            "another scheme is another origin"
        );
        assert_eq!(
            refused("ftp://127.0.0.1:8080/x"),
            (CutReason::BadScheme, "ftp://127.0.0.1:8080/x".into())
        );
        assert_eq!(
            refused("http://127.0.0.1:8080/v1/items?page=2"),
            (
                CutReason::SelfLink,
                "http://127.0.0.1:8080/v1/items?page=2".into()
            )
        );
        assert_eq!(
            refused("http://[::1"),
            (CutReason::BadLink, "http://[::1".into())
        );
    }
}
