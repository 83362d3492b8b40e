//! Redirects, decided without I/O: followed up to [`MAX_REDIRECTS`] hops,
//! loops refused, and only to the origin of the first request or to the
//! resource's `allowed_origins`; anything else is not followed (the 3xx comes
//! back and is dead-lettered with its status). Credentials are decided per
//! hop by the caller, from the hop's own origin.

use reqwest::Method;
use url::Url;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// What to do with a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hop {
    /// Not a redirect we follow: the response is the answer.
    Done,
    /// Send the request again to `url` with `method`; `keep_body`: 307/308
    /// resend the body, 301/302/303 turn a `POST` into a bodyless `GET`.
    Follow {
        url: Url,
        method: Method,
        keep_body: bool,
    },
    /// A loop or too many hops.
    Fail(String),
}

/// The next step after a `status` response to `current` carrying `location`.
/// `visited` holds every URL requested so far, the first included;
/// `allowed` says whether an origin other than the first may be followed to.
pub(crate) fn next_hop(
    status: u16,
    location: Option<&str>,
    current: &Url,
    method: &Method,
    visited: &[Url],
    allowed: impl Fn(&Url) -> bool,
) -> Hop {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Hop::Done;
    }
    let Some(target) = location.and_then(|l| current.join(l).ok()) else {
        return Hop::Done;
    };
    if !matches!(target.scheme(), "http" | "https") {
        return Hop::Done;
    }
    let first = &visited[0];
    if target.origin() != first.origin() && !allowed(&target) {
        return Hop::Done;
    }
    if visited.len() > MAX_REDIRECTS {
        return Hop::Fail(format!("more than {MAX_REDIRECTS} redirects"));
    }
    if visited.contains(&target) {
        return Hop::Fail("redirect loop".into());
    }
    let (method, keep_body) = match status {
        307 | 308 => (method.clone(), true),
        _ if *method == Method::GET || *method == Method::HEAD => (method.clone(), false),
        _ => (Method::GET, false),
    };
    Hop::Follow {
        url: target,
        method,
        keep_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn hop(status: u16, location: &str, visited: &[&str], method: Method) -> Hop {
        let visited: Vec<Url> = visited.iter().map(|u| url(u)).collect();
        let current = visited.last().unwrap().clone();
        next_hop(status, Some(location), &current, &method, &visited, |u| {
            u.host_str() == Some("cdn.example.com")
        })
    }

    #[test]
    fn same_origin_and_allowed_origins_are_followed() {
        assert_eq!(
            hop(302, "/b", &["http://a.example.com/a"], Method::GET),
            Hop::Follow {
                url: url("http://a.example.com/b"),
                method: Method::GET,
                keep_body: false
            }
        );
        assert!(matches!(
            hop(
                301,
                "https://cdn.example.com/x",
                &["http://a.example.com/a"],
                Method::GET
            ),
            Hop::Follow { .. }
        ));
    }

    #[test]
    fn other_origins_and_schemes_are_not_followed() {
        for to in [
            "http://evil.example.com/x",
            "https://a.example.com/a",
            "ftp://a.example.com/x",
        ] {
            assert_eq!(
                hop(302, to, &["http://a.example.com/a"], Method::GET),
                Hop::Done,
                "{to}"
            );
        }
        assert_eq!(
            hop(200, "/b", &["http://a.example.com/a"], Method::GET),
            Hop::Done
        );
    }

    #[test]
    fn loops_and_long_chains_fail() {
        assert_eq!(
            hop(
                302,
                "/a",
                &["http://a.example.com/a", "http://a.example.com/b"],
                Method::GET
            ),
            Hop::Fail("redirect loop".into())
        );
        let chain: Vec<String> = (0..=MAX_REDIRECTS)
            .map(|i| format!("http://h/{i}"))
            .collect();
        let chain: Vec<&str> = chain.iter().map(String::as_str).collect();
        assert!(matches!(
            hop(302, "/next", &chain, Method::GET),
            Hop::Fail(_)
        ));
    }

    #[test]
    fn post_becomes_get_except_on_307_and_308() {
        let first = ["http://h/search"];
        assert!(matches!(
            hop(303, "/r", &first, Method::POST),
            Hop::Follow {
                method: Method::GET,
                keep_body: false,
                ..
            }
        ));
        assert!(matches!(
            hop(302, "/r", &first, Method::POST),
            Hop::Follow {
                method: Method::GET,
                keep_body: false,
                ..
            }
        ));
        assert!(matches!(
            hop(307, "/r", &first, Method::POST),
            Hop::Follow {
                method: Method::POST,
                keep_body: true,
                ..
            }
        ));
    }
}
