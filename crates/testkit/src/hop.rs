//! `GET /hop?to=<url>`: a page with no records whose next link is `to`,
//! wherever it points (another origin, another scheme), for tests of where
//! a crawl may follow links and what it sends there.

/// The body for `path` if it is a hop page.
pub(crate) fn respond(path: &str) -> Option<String> {
    let query = path.strip_prefix("/hop?")?;
    let to = query
        .split('&')
        .find_map(|p| p.strip_prefix("to="))
        .map(decode)?;
    Some(format!(
        "{{\"data\":[],\"next\":{}}}",
        serde_json::Value::String(to)
    ))
}

/// Percent-decoding of the `to` value.
fn decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path of a hop page leading to `to` (percent-encoded).
pub fn hop_path(to: &str) -> String {
    let mut encoded = String::new();
    for b in to.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("/hop?to={encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_pages_link_anywhere() {
        let to = "http://127.0.0.1:9/s/0/p/0?a=b&c";
        let body = respond(&hop_path(to)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["next"], to);
        assert_eq!(v["data"], serde_json::json!([]));
        assert_eq!(respond("/s/0/p/0"), None);
    }
}
