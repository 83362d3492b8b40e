//! URLs as they may appear in logs: credentials in the userinfo and the
//! values of query parameters that usually carry secrets (`api_key`,
//! `access_token`, `X-Amz-Signature`, ...) are replaced by `REDACTED`.
//! Everything else, the path included, stays readable. The state keeps the
//! real URL (it is needed to fetch the page); only what is printed is redacted.

use std::fmt;
use url::Url;

/// Displays a URL with its secrets replaced.
pub struct Redacted<'a>(pub &'a Url);

const MARK: &str = "REDACTED";

/// Query parameter names (lowercase) whose value is a secret when the name
/// contains one of these.
const SECRET_PARTS: &[&str] = &[
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "credential",
    "auth",
    "session",
];

/// Query parameter names (lowercase) that are secrets as a whole word only.
const SECRET_NAMES: &[&str] = &["sig", "pwd", "code"];

fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARTS.iter().any(|p| name.contains(p)) || SECRET_NAMES.contains(&name.as_str())
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        let secret_query = url.query_pairs().any(|(k, _)| is_secret(&k));
        if url.password().is_none() && url.username().is_empty() && !secret_query {
            return f.write_str(url.as_str());
        }
        let mut clean = url.clone();
        if !clean.username().is_empty() {
            let _ = clean.set_username(MARK);
        }
        if clean.password().is_some() {
            let _ = clean.set_password(Some(MARK));
        }
        if secret_query {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if is_secret(&k) {
                        MARK.to_string()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            clean.query_pairs_mut().clear().extend_pairs(pairs);
        }
        f.write_str(clean.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(url: &str) -> String {
        Redacted(&Url::parse(url).unwrap()).to_string()
    }

    #[test]
    fn plain_urls_are_untouched() {
        assert_eq!(
            shown("https://api.example.com/v1/items?page=2&cursor=abc"),
            "https://api.example.com/v1/items?page=2&cursor=abc"
        );
    }

    #[test]
    fn secrets_in_the_query_and_userinfo_are_replaced() {
        assert_eq!(
            shown("https://u:p4ss@api.example.com/x?api_key=s3cr3t&page=2&X-Amz-Signature=abc&sig=z"),
            "https://REDACTED:REDACTED@api.example.com/x?api_key=REDACTED&page=2&X-Amz-Signature=REDACTED&sig=REDACTED"
        );
        assert_eq!(
            shown("http://h/x?access_token=t&Token=u"),
            "http://h/x?access_token=REDACTED&Token=REDACTED"
        );
    }
}
