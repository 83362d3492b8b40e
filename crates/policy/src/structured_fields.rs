//! A tolerant reader for the subset of RFC 8941 structured fields that the
//! rate-limit headers use: a comma-separated list of members, each a bare item
//! (string, token, integer, decimal, boolean) with `;key=value` parameters,
//! or a dictionary member `key=value`. Owns syntax only; what the keys mean is
//! `rate_headers`'s business.
//!
//! Tolerant where servers are sloppy: keys and tokens are case-insensitive
//! (lowercased) and optional whitespace around `;`, `=` and `,` is skipped.
//! A malformed member (bad string, inner list, trailing junk) is dropped;
//! the other members still count.

/// A bare item. Inner lists are not read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Integer(i64),
    Decimal(f64),
    String(String),
    /// Lowercased.
    Token(String),
    /// Base64 text between colons, kept undecoded (the IETF `pk` is one).
    Bytes(String),
    Bool(bool),
}

impl Item {
    /// A non-negative integer, the only kind of number the headers carry.
    pub(crate) fn as_count(&self) -> Option<u64> {
        match self {
            Self::Integer(n) => u64::try_from(*n).ok(),
            _ => None,
        }
    }

    /// A string or token, the two ways a policy may be named.
    pub(crate) fn as_name(&self) -> Option<&str> {
        match self {
            Self::String(s) | Self::Token(s) => Some(s),
            _ => None,
        }
    }
}

/// One list member or dictionary member.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    /// The bare item of a list member, or the key (as a token) of a
    /// dictionary member.
    pub item: Item,
    /// `Some` for a dictionary member `key=value`.
    pub value: Option<Item>,
    pub params: Vec<(String, Item)>,
}

impl Member {
    pub(crate) fn param(&self, key: &str) -> Option<&Item> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The well-formed members of a list or dictionary field value.
pub(crate) fn parse_members(input: &[u8]) -> Vec<Member> {
    split_members(input)
        .into_iter()
        .filter_map(|raw| {
            let mut c = Cursor { s: raw, i: 0 };
            let member = c.member()?;
            c.skip_ws();
            (c.i == c.s.len()).then_some(member)
        })
        .collect()
}

/// Splits on commas outside quoted strings.
fn split_members(input: &[u8]) -> Vec<&[u8]> {
    let (mut out, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, &b) in input.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                out.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&input[start..]);
    out
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.i += usize::from(hit);
        hit
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn member(&mut self) -> Option<Member> {
        self.skip_ws();
        let item = self.bare_item()?;
        self.skip_ws();
        let value = if self.eat(b'=') {
            self.skip_ws();
            Some(self.bare_item()?)
        } else {
            None
        };
        let mut params = Vec::new();
        loop {
            self.skip_ws();
            if !self.eat(b';') {
                break;
            }
            self.skip_ws();
            let key = self.token_like()?;
            self.skip_ws();
            let value = if self.eat(b'=') {
                self.skip_ws();
                self.bare_item()?
            } else {
                Item::Bool(true)
            };
            params.push((key, value));
        }
        Some(Member {
            item,
            value,
            params,
        })
    }

    fn bare_item(&mut self) -> Option<Item> {
        match self.peek()? {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b':' => self.bytes(),
            b'?' => {
                self.i += 1;
                let b = match self.peek()? {
                    b'1' => true,
                    b'0' => false,
                    _ => return None,
                };
                self.i += 1;
                Some(Item::Bool(b))
            }
            b if b.is_ascii_alphabetic() || b == b'*' => self.token_like().map(Item::Token),
            _ => None,
        }
    }

    fn string(&mut self) -> Option<Item> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(Item::String(out));
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek()? {
                        c @ (b'"' | b'\\') => out.push(char::from(c)),
                        _ => return None,
                    }
                }
                c @ 0x20..=0x7e => out.push(char::from(c)),
                _ => return None,
            }
            self.i += 1;
        }
    }

    fn bytes(&mut self) -> Option<Item> {
        self.i += 1; // opening colon
        let start = self.i;
        while let Some(b) = self.peek() {
            if b == b':' {
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                self.i += 1;
                return Some(Item::Bytes(text.to_owned()));
            }
            if !(b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
                return None;
            }
            self.i += 1;
        }
        None
    }

    /// Integer (at most 15 digits, as RFC 8941 allows) or decimal.
    fn number(&mut self) -> Option<Item> {
        let start = self.i;
        self.eat(b'-');
        let digits = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let int_len = self.i - digits;
        if int_len == 0 || int_len > 15 {
            return None;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if !self.eat(b'.') {
            return text.parse().ok().map(Item::Integer);
        }
        let frac = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        if self.i == frac || self.i - frac > 3 || int_len > 12 {
            return None;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        text.parse().ok().map(Item::Decimal)
    }

    /// A token or key, lowercased: letter or `*`, then token characters.
    fn token_like(&mut self) -> Option<String> {
        let start = self.i;
        match self.peek()? {
            b if b.is_ascii_alphabetic() || b == b'*' => self.i += 1,
            _ => return None,
        }
        while let Some(b) = self.peek() {
            let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&b);
            if !tchar {
                break;
            }
            self.i += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        Some(token.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(s: &str) -> Vec<Member> {
        parse_members(s.as_bytes())
    }

    #[test]
    fn list_members_with_params() {
        let m = members(r#""default";r=50;t=30, "daily" ; r=0 ;t=3600"#);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].item.as_name(), Some("default"));
        assert_eq!(m[0].param("r").and_then(Item::as_count), Some(50));
        assert_eq!(m[0].param("t").and_then(Item::as_count), Some(30));
        assert_eq!(m[1].item.as_name(), Some("daily"));
        assert_eq!(m[1].param("r").and_then(Item::as_count), Some(0));
        assert_eq!(m[1].value, None);
    }

    #[test]
    fn dictionary_members() {
        let m = members("limit=100, Remaining=50,reset=30");
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].item, Item::Token("remaining".into()));
        assert_eq!(m[1].value, Some(Item::Integer(50)));
    }

    #[test]
    fn strings_keep_commas_and_escapes() {
        let m = members(r#""a,b\"c\\";q=1, x"#);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].item.as_name(), Some(r#"a,b"c\"#));
        assert_eq!(m[1].item.as_name(), Some("x"));
    }

    #[test]
    fn items_of_every_kind() {
        let m = members(r#"a;i=-3;d=1.5;b=?0;t=Tok/en;s="x";flag;pk=:cA==:"#);
        let p = &m[0].params;
        assert_eq!(p[0], ("i".into(), Item::Integer(-3)));
        assert_eq!(p[1], ("d".into(), Item::Decimal(1.5)));
        assert_eq!(p[2], ("b".into(), Item::Bool(false)));
        assert_eq!(p[3], ("t".into(), Item::Token("tok/en".into())));
        assert_eq!(p[4], ("s".into(), Item::String("x".into())));
        assert_eq!(p[5], ("flag".into(), Item::Bool(true)));
        assert_eq!(p[6], ("pk".into(), Item::Bytes("cA==".into())));
        assert_eq!(Item::Integer(-3).as_count(), None);
    }

    #[test]
    fn malformed_members_are_dropped_alone() {
        let m = members(
            r#""open, ok;r=1, (inner list), :Ynl0ZXM=:, x;r=1 junk, y;r=1234567890123456, z;r=2"#,
        );
        // The unterminated string swallows the rest of the input as one bad member.
        assert!(m.is_empty());
        let m =
            members(r#"(inner), :Ynl0ZX!M=:, :open, x;r=1 junk, y;r=1234567890123456, z;r=2,,"#);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].item.as_name(), Some("z"));
    }

    #[test]
    fn empty_and_blank_inputs() {
        assert!(members("").is_empty());
        assert!(members("  ,\t, ").is_empty());
    }
}
