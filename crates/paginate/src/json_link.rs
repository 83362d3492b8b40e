//! `json_link`: the body names the next page's URL (absolute, or relative to
//! the page). Missing, `null` or `""` ends the stream. Only http(s) links to
//! the page's own origin are followed; a link to the page itself ends the
//! stream (a server that would loop forever).

use crate::Next;
use url::Url;

pub(crate) fn next(page: &Url, link: Option<&str>) -> Next {
    let link = match link.map(str::trim) {
        None | Some("") => return Next::End,
        Some(link) => link,
    };
    let url = match page.join(link) {
        Ok(url) => url,
        Err(e) => return Next::Refused(format!("next link `{link}` is not a URL: {e}")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Next::Refused(format!(
            "next link scheme `{}` is not http(s)",
            url.scheme()
        ));
    }
    if url.origin() != page.origin() {
        return Next::Refused(format!(
            "next link leaves the origin {}",
            page.origin().ascii_serialization()
        ));
    }
    if url == *page {
        return Next::Refused("next link points to the page itself".to_string());
    }
    Next::Page(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("http://127.0.0.1:8080/v1/items?page=2").unwrap()
    }

    #[test]
    fn end_of_stream() {
        assert_eq!(next(&page(), None), Next::End);
        assert_eq!(next(&page(), Some("")), Next::End);
        assert_eq!(next(&page(), Some("  ")), Next::End);
    }

    #[test]
    fn relative_and_absolute() {
        assert_eq!(
            next(&page(), Some("?page=3")),
            Next::Page(Url::parse("http://127.0.0.1:8080/v1/items?page=3").unwrap())
        );
        assert_eq!(
            next(&page(), Some("/v2/x")),
            Next::Page(Url::parse("http://127.0.0.1:8080/v2/x").unwrap())
        );
        assert_eq!(
            next(&page(), Some("http://127.0.0.1:8080/v1/items?page=3")),
            Next::Page(Url::parse("http://127.0.0.1:8080/v1/items?page=3").unwrap())
        );
    }

    #[test]
    fn refused_links() {
        assert!(matches!(
            next(&page(), Some("http://127.0.0.1:9999/x")),
            Next::Refused(_)
        ));
        assert!(matches!(
            next(&page(), Some("ftp://127.0.0.1:8080/x")),
            Next::Refused(_)
        ));
        assert!(matches!(
            next(&page(), Some("http://127.0.0.1:8080/v1/items?page=2")),
            Next::Refused(_)
        ));
    }
}
