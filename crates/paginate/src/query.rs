//! Reading and setting one query parameter of a URL (cursor, offset, page).

use url::Url;

/// The first value of query parameter `name`, decoded.
pub(crate) fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` with `name=value`: the first occurrence replaced in place, further
/// ones dropped, appended when absent. Other parameters keep their order.
pub(crate) fn with_param(url: &Url, name: &str, value: &str) -> Url {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut set = false;
    for (k, v) in url.query_pairs() {
        if k == name {
            if !set {
                pairs.push((k.into_owned(), value.to_string()));
                set = true;
            }
        } else {
            pairs.push((k.into_owned(), v.into_owned()));
        }
    }
    if !set {
        pairs.push((name.to_string(), value.to_string()));
    }
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_append_and_decode() {
        let u = Url::parse("http://h/x?a=1&page=2&b=z%20z&page=9").unwrap();
        assert_eq!(param(&u, "b").as_deref(), Some("z z"));
        assert_eq!(param(&u, "page").as_deref(), Some("2"));
        assert_eq!(
            with_param(&u, "page", "3").as_str(),
            "http://h/x?a=1&page=3&b=z+z"
        );
        let u = Url::parse("http://h/x").unwrap();
        assert_eq!(
            with_param(&u, "cursor", "a b&c").as_str(),
            "http://h/x?cursor=a+b%26c"
        );
        assert_eq!(
            param(&with_param(&u, "cursor", "a b&c"), "cursor").as_deref(),
            Some("a b&c")
        );
    }
}
