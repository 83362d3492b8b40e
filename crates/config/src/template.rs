//! URL templates: `https://host/items/{n}`, `http://host/users/{id}/orders`.
//!
//! A template is literal text with `{name}` placeholders (for parent links the
//! name is a dotted path into the parent record). Filling it percent-encodes
//! every value (all but the unreserved `A-Z a-z 0-9 - . _ ~`), so a value can
//! never change the URL's structure: `a/b?c` becomes `a%2Fb%3Fc`.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every byte but RFC 3986's unreserved `A-Z a-z 0-9 - . _ ~` (non-ASCII
/// bytes are always encoded).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A parsed URL template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    /// As written (for messages and fingerprints).
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Hole(String),
}

impl UrlTemplate {
    /// Parses `text`; `{` and `}` only delimit placeholders, which must be
    /// non-empty. A template without a placeholder is an error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest.as_bytes()[open] == b'}' {
                return Err(format!("`{text}`: `}}` without `{{`"));
            }
            let Some(len) = rest[open + 1..].find(['{', '}']) else {
                return Err(format!("`{text}`: `{{` without `}}`"));
            };
            let name = &rest[open + 1..open + 1 + len];
            if rest.as_bytes()[open + 1 + len] == b'{' {
                return Err(format!("`{text}`: `{{` inside a placeholder"));
            }
            if name.trim().is_empty() {
                return Err(format!("`{text}`: empty placeholder `{{}}`"));
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            parts.push(Part::Hole(name.trim().to_string()));
            rest = &rest[open + len + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Hole(_))) {
            return Err(format!("`{text}` has no `{{placeholder}}`"));
        }
        Ok(Self {
            text: text.to_string(),
            parts,
        })
    }

    /// The placeholder names, in order of appearance (repeats included).
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Hole(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The template with placeholder `i` (in [`Self::placeholders`] order)
    /// replaced by `values[i]`, percent-encoded.
    pub fn fill(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut i = 0;
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Hole(_) => {
                    percent_encode(values.get(i).copied().unwrap_or(""), &mut out);
                    i += 1;
                }
            }
        }
        out
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for UrlTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Appends `value` to `out`, percent-encoding all but the unreserved bytes
/// (upper-case hex, each byte of a multi-byte character on its own).
pub fn percent_encode(value: &str, out: &mut String) {
    out.extend(utf8_percent_encode(value, NOT_UNRESERVED));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_encoded() {
        let t = UrlTemplate::parse("http://h/u/{user.id}/o?tag={ tag }").unwrap();
        assert_eq!(t.placeholders().collect::<Vec<_>>(), ["user.id", "tag"]);
        assert_eq!(
            t.fill(&["7", "a b/é?&"]),
            "http://h/u/7/o?tag=a%20b%2F%C3%A9%3F%26"
        );
        assert_eq!(UrlTemplate::parse("{x}").unwrap().fill(&["-._~"]), "-._~");
    }

    /// The hand-written encoder `percent_encode` replaced: its output is
    /// what stored seed URLs and fingerprints were made of, so it must not
    /// change by a byte.
    fn by_hand(value: &str) -> String {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = String::new();
        for &b in value.as_bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
        out
    }

    fn encoded(value: &str) -> String {
        let mut out = String::new();
        percent_encode(value, &mut out);
        out
    }

    #[test]
    fn every_ascii_byte_and_some_others_encode_as_before() {
        for c in (0u8..=0x7f)
            .map(char::from)
            .chain(['é', '€', '😀', '\u{ffff}'])
        {
            let s = c.to_string();
            assert_eq!(encoded(&s), by_hand(&s), "{c:?}");
        }
        assert_eq!(encoded(" %+é"), "%20%25%2B%C3%A9");
    }

    proptest::proptest! {
        #[test]
        fn any_text_encodes_as_before(s in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(encoded(&s), by_hand(&s));
        }
    }

    #[test]
    fn bad_templates_are_refused() {
        for bad in [
            "http://h/",
            "http://h/{",
            "http://h/}",
            "http://h/{}",
            "http://h/{a{b}}",
        ] {
            assert!(UrlTemplate::parse(bad).is_err(), "{bad}");
        }
    }
}
