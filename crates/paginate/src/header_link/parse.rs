//! An RFC 8288 `Link` header parser, written by hand to be lenient and total:
//! any input (several links per header, several headers, quoted parameters
//! with escapes and commas, odd whitespace, garbage) gives a list of links and
//! never panics. A malformed link-value is skipped up to the next top-level
//! comma; the rest of the header still counts.
//!
//! ```text
//! Link: <https://api.example.com/items?page=3>; rel="next last", <?page=1>; rel=first
//! ```
//!
//! Only what pagination needs is kept: the target (unresolved) and the
//! relation types of `rel` (lower-cased; the first `rel` of a link wins, as
//! the RFC says). Target attributes other than `rel` are skipped.

/// One link-value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URI reference between `<` and `>`, trimmed; resolve it against the
    /// page URL.
    pub target: String,
    /// Relation types, lower-cased (`rel="next last"` → `["next", "last"]`).
    pub rels: Vec<String>,
}

/// Every link in the `values` of one or more `Link` headers, in order.
pub fn parse_links<S: AsRef<str>>(values: &[S]) -> Vec<Link> {
    let mut links = Vec::new();
    for value in values {
        let mut p = Parser {
            s: value.as_ref().as_bytes(),
            at: 0,
        };
        p.links(&mut links);
    }
    links
}

/// The target of the first link with relation `rel` (case-insensitive).
pub fn find_rel<S: AsRef<str>>(values: &[S], rel: &str) -> Option<String> {
    parse_links(values)
        .into_iter()
        .find(|l| l.rels.iter().any(|r| r.eq_ignore_ascii_case(rel)))
        .map(|l| l.target)
}

/// A cursor over one header value. Every delimiter is ASCII, so slicing at
/// the positions it stops on always falls on UTF-8 boundaries.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.s[from..to]).into_owned()
    }

    fn links(&mut self, out: &mut Vec<Link>) {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n' | b',')) {
                self.at += 1;
            }
            if self.peek().is_none() {
                return;
            }
            match self.link() {
                Some(link) => out.push(link),
                None => self.recover(),
            }
        }
    }

    /// `<target> *( ";" param )`, ending at a top-level `,` or the end.
    fn link(&mut self) -> Option<Link> {
        if self.peek() != Some(b'<') {
            return None;
        }
        self.at += 1;
        let start = self.at;
        let len = self.s[start..].iter().position(|&b| b == b'>')?;
        let target = self.text(start, start + len).trim().to_string();
        self.at = start + len + 1;
        let mut rels = None;
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(b',') => break,
                Some(b';') => self.at += 1,
                Some(_) => return None,
            }
            self.skip_ws();
            let Some((name, value)) = self.param() else {
                continue;
            };
            if rels.is_none() && name.eq_ignore_ascii_case("rel") {
                rels = Some(
                    value
                        .split_ascii_whitespace()
                        .map(|r| r.to_ascii_lowercase())
                        .collect(),
                );
            }
        }
        Some(Link {
            target,
            rels: rels.unwrap_or_default(),
        })
    }

    /// `token [ "=" ( token / quoted-string ) ]`; `None` for an empty name
    /// (e.g. `;;`).
    fn param(&mut self) -> Option<(String, String)> {
        let start = self.at;
        while let Some(b) = self.peek() {
            if matches!(b, b'=' | b';' | b',' | b' ' | b'\t' | b'\r' | b'\n') {
                break;
            }
            self.at += 1;
        }
        let name = self.text(start, self.at);
        self.skip_ws();
        let value = if self.peek() == Some(b'=') {
            self.at += 1;
            self.skip_ws();
            if self.peek() == Some(b'"') {
                self.quoted()
            } else {
                let start = self.at;
                while let Some(b) = self.peek() {
                    if matches!(b, b';' | b',' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.at += 1;
                }
                self.text(start, self.at)
            }
        } else {
            String::new()
        };
        (!name.is_empty()).then_some((name, value))
    }

    /// A quoted-string starting at `"`, with `\` escapes; an unterminated one
    /// runs to the end of the value.
    fn quoted(&mut self) -> String {
        self.at += 1;
        let mut bytes = Vec::new();
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(escaped) = self.peek() {
                        bytes.push(escaped);
                        self.at += 1;
                    }
                }
                b => bytes.push(b),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Skips to just past the next `,` outside quotes and angle brackets.
    fn recover(&mut self) {
        let mut quoted = false;
        let mut angle = false;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'\\' if quoted => self.at += 1,
                b'"' if !angle => quoted = !quoted,
                b'<' if !quoted => angle = true,
                b'>' if !quoted => angle = false,
                b',' if !quoted && !angle => return,
                _ => {}
            }
        }
        self.at = self.at.min(self.s.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(values: &[&str]) -> Option<String> {
        find_rel(values, "next")
    }

    #[test]
    fn github_style_header() {
        let h = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(
            next(&[h]).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=2")
        );
        let links = parse_links(&[h]);
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].rels, ["last"]);
    }

    #[test]
    fn several_relations_headers_and_case() {
        assert_eq!(
            next(&[r#"</p/1>; rel="prev first""#, r#"</p/3>; REL="Last  NEXT""#]).as_deref(),
            Some("/p/3")
        );
        assert_eq!(next(&["</a>; rel=next"]).as_deref(), Some("/a"));
        assert_eq!(
            next(&["</a>;rel=prev,</b>;rel=next"]).as_deref(),
            Some("/b")
        );
        assert_eq!(next(&["</a>; rel=\"prev\""]), None);
        // Only the first rel counts.
        assert_eq!(next(&["</a>; rel=prev; rel=next"]), None);
    }

    #[test]
    fn quoting_commas_semicolons_and_escapes_in_params() {
        let h = r#"</a>; title="a, b; <c>"; rel="prev", </b>; title="say \"hi\", ok"; rel="next""#;
        let links = parse_links(&[h]);
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(next(&[h]).as_deref(), Some("/b"));
        assert_eq!(
            next(&[r#"<https://x/?a=1,2;b=3>; rel="next""#]).as_deref(),
            Some("https://x/?a=1,2;b=3")
        );
        assert_eq!(
            next(&["< /spaced >  ;  rel = \"next\" "]).as_deref(),
            Some("/spaced")
        );
        assert_eq!(
            next(&["</a>; rel*=UTF-8''next, </b>; rel=next"]).as_deref(),
            Some("/b")
        );
    }

    #[test]
    fn garbage_is_skipped_not_fatal() {
        assert_eq!(next(&["nonsense, </ok>; rel=next"]).as_deref(), Some("/ok"));
        assert_eq!(
            next(&["</bad> junk; rel=next, </ok>; rel=next"]).as_deref(),
            Some("/ok")
        );
        assert_eq!(
            next(&["x=\"unterminated, </no>; rel=next"]),
            None,
            "an open quote swallows the rest"
        );
        for h in [
            "",
            ",",
            "<",
            ">",
            "<<>>",
            ";",
            "</a",
            "</a>;",
            "</a>; rel",
            "</a>; rel=",
            "</a>; rel=\"",
            "</a>; rel=\"\\",
            "\"",
            "\\",
            ";;;,,,",
            "<é>; rel=\"ñ\u{0}\"",
            "</a>;=x;rel=next",
        ] {
            let _ = parse_links(&[h]);
        }
        assert_eq!(next(&["</a>;=x;rel=next"]).as_deref(), Some("/a"));
        assert_eq!(next(&["<>; rel=next"]).as_deref(), Some(""));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// Any string over the delimiter alphabet parses without a panic.
        #[test]
        fn never_panics_on_arbitrary_bytes(
            chars in proptest::collection::vec(
                proptest::sample::select("<>;,=\" \\relnxt/é\t".chars().collect::<Vec<_>>()),
                0..24,
            )
        ) {
            let s: String = chars.into_iter().collect();
            let _ = parse_links(&[s.as_str(), s.as_str()]);
        }
    }
}
