//! The grammar of one JSON value taken whole (a record, a value off every
//! walked path, a walked scalar or key), checked as chunks arrive: an
//! explicit state and a bit stack of the open containers, no recursion. It
//! only says where the value ends; the splitter copies the bytes.
//!
//! It checks what serde_json's `ignore_value` checks, no more: structure,
//! string escapes (`\u` takes four hex digits; surrogates need not pair),
//! no raw control characters in strings, the number grammar, the literals.
//! UTF-8 is not checked here: a record is checked whole once complete, and
//! serde_json does not check the strings it skips either.

use super::bitstack::BitStack;
use super::bytes::{is_ws, skip_ws_noting, string_special};

/// The most containers open at once inside one value (1 MiB of `[`); past
/// it the page is refused rather than the bit stack grown without bound.
/// serde_json checks no depth on the values it skips or takes raw. A record
/// has its own, lower bound (the resource's `max_depth`).
pub const MAX_DEPTH: usize = 1 << 20;

/// [`Syntax::what`] of a value nested deeper than the scanner's limit.
pub(super) const TOO_DEEP: &str = "nested too deep";

/// A grammar error: what was wrong, at an index into the scanned chunk.
#[derive(Debug)]
pub(super) struct Syntax {
    pub what: &'static str,
    pub at: usize,
}

/// The scanner of one value; [`Raw::reset`] readies it for the next.
#[derive(Debug, Default)]
pub(super) struct Raw {
    st: St,
    /// The open containers, innermost last.
    open: BitStack,
    /// The most containers open at once (set by [`Raw::reset`]).
    limit: usize,
    /// The value holds a byte above 0x7F (so its UTF-8 needs a check).
    pub non_ascii: bool,
    /// The value holds a raw CR or LF (whitespace between its tokens).
    pub newline: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum St {
    /// A value starts here (the first byte, or after `:` or an array's `,`).
    #[default]
    Value,
    /// After `[`: a value or `]`.
    ValueOrClose,
    /// After `{`: a key or `}`.
    KeyOrClose,
    /// After an object's `,`: a key.
    Key,
    /// After a key.
    Colon,
    /// After a value in a container: `,` or the close.
    Next,
    /// Inside a string; `key`: it is an object key.
    Str {
        key: bool,
    },
    /// After `\` in a string.
    Escape {
        key: bool,
    },
    /// Inside `\uXXXX`, `left` hex digits to go.
    Hex {
        key: bool,
        left: u8,
    },
    Num(Num),
    /// Inside `true`, `false` or `null`: the bytes still expected.
    Literal(&'static [u8]),
}

/// Where a number is in its grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpInt,
}

impl St {
    /// Whitespace may come next (outside strings, numbers and literals).
    fn between_tokens(self) -> bool {
        matches!(
            self,
            Self::Value
                | Self::ValueOrClose
                | Self::KeyOrClose
                | Self::Key
                | Self::Colon
                | Self::Next
        )
    }
}

impl Num {
    /// The number may end here.
    fn complete(self) -> bool {
        matches!(self, Self::Zero | Self::Int | Self::Frac | Self::ExpInt)
    }
}

const EXPECTED_VALUE: &str = "expected a value";
const CONTROL: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const INVALID_NUMBER: &str = "invalid number";

/// Where a scan stopped.
enum Stop {
    /// The value ends before this index.
    End(usize),
    /// The chunk ran out first.
    More,
}

impl Raw {
    /// Readies the scanner for a new value nested at most `limit` levels
    /// deep (keeps the stack's allocation).
    pub fn reset(&mut self, limit: usize) {
        self.limit = limit;
        self.st = St::Value;
        self.open.clear();
        self.non_ascii = false;
        self.newline = false;
    }

    /// Scans `buf[i..]`: `Ok(Some(end))` when the value ends before `end`
    /// (a number ends at the first byte that is not its own, not consumed),
    /// `Ok(None)` when it goes on past the chunk.
    pub fn scan(&mut self, buf: &[u8], i: usize) -> Result<Option<usize>, Syntax> {
        let mut st = self.st;
        let stop = self.run(buf, i, &mut st);
        self.st = st;
        match stop? {
            Stop::End(end) => Ok(Some(end)),
            Stop::More => Ok(None),
        }
    }

    /// At the end of the body: whether the value may end here (only a
    /// number standing alone can), else what is missing.
    pub fn at_end(&self) -> Result<(), &'static str> {
        match self.st {
            St::Num(n) if n.complete() && self.open.is_empty() => Ok(()),
            St::Str { .. } | St::Escape { .. } | St::Hex { .. } => {
                Err("EOF while parsing a string")
            }
            _ if self.open.is_empty() => Err("EOF while parsing a value"),
            _ if self.open.top_is_object() => Err("EOF while parsing an object"),
            _ => Err("EOF while parsing a list"),
        }
    }

    /// A value ended before `i`: complete at top level, else its container
    /// expects `,` or its close — and in compact JSON the `,"` opening an
    /// object's next key is taken at once.
    #[inline]
    fn value_done(&self, buf: &[u8], i: &mut usize, st: &mut St) -> Option<Stop> {
        if self.open.is_empty() {
            return Some(Stop::End(*i));
        }
        if buf.get(*i) == Some(&b',') && buf.get(*i + 1) == Some(&b'"') && self.open.top_is_object()
        {
            *i += 2;
            *st = St::Str { key: true };
        } else {
            *st = St::Next;
        }
        None
    }

    /// Opens a container.
    #[inline]
    fn open(&mut self, object: bool, i: usize) -> Result<(), Syntax> {
        if self.open.len() >= self.limit {
            return Err(Syntax {
                what: TOO_DEEP,
                at: i,
            });
        }
        self.open.push(object);
        Ok(())
    }

    /// Closes the innermost container with the byte at `i`.
    #[inline]
    fn close(&mut self, buf: &[u8], i: &mut usize, st: &mut St) -> Option<Stop> {
        self.open.pop();
        *i += 1;
        self.value_done(buf, i, st)
    }

    fn run(&mut self, buf: &[u8], mut i: usize, st: &mut St) -> Result<Stop, Syntax> {
        let err = |what, at| Err(Syntax { what, at });
        loop {
            match *st {
                St::Str { key } => {
                    let Some(k) = string_special(&buf[i..], &mut self.non_ascii) else {
                        return Ok(Stop::More);
                    };
                    i += k;
                    match buf[i] {
                        b'"' if key => {
                            // Compact JSON: the `:` follows at once, and
                            // often a string value.
                            if buf.get(i + 1) == Some(&b':') {
                                if buf.get(i + 2) == Some(&b'"') {
                                    i += 3;
                                    *st = St::Str { key: false };
                                } else {
                                    i += 2;
                                    *st = St::Value;
                                }
                            } else {
                                i += 1;
                                *st = St::Colon;
                            }
                        }
                        b'"' => {
                            i += 1;
                            if let Some(stop) = self.value_done(buf, &mut i, st) {
                                return Ok(stop);
                            }
                        }
                        b'\\' => {
                            i += 1;
                            *st = St::Escape { key };
                        }
                        _ => return err(CONTROL, i),
                    }
                    continue;
                }
                St::Num(num) => {
                    match self.number(buf, &mut i, num, st) {
                        Ok(Some(stop)) => return Ok(stop),
                        Ok(None) => {}
                        Err(at) => return err(INVALID_NUMBER, at),
                    }
                    continue;
                }
                _ => {}
            }
            let Some(&b) = buf.get(i) else {
                return Ok(Stop::More);
            };
            if is_ws(b) && st.between_tokens() {
                i = skip_ws_noting(buf, i, &mut self.newline);
                continue;
            }
            match *st {
                St::Value | St::ValueOrClose => {
                    *st = match b {
                        b'"' => St::Str { key: false },
                        b'{' => {
                            self.open(true, i)?;
                            // Compact JSON: the first key follows at once.
                            if buf.get(i + 1) == Some(&b'"') {
                                i += 1;
                                St::Str { key: true }
                            } else {
                                St::KeyOrClose
                            }
                        }
                        b'[' => {
                            self.open(false, i)?;
                            St::ValueOrClose
                        }
                        b'0' => St::Num(Num::Zero),
                        b'1'..=b'9' => St::Num(Num::Int),
                        b'-' => St::Num(Num::Minus),
                        b't' => St::Literal(b"rue"),
                        b'f' => St::Literal(b"alse"),
                        b'n' => St::Literal(b"ull"),
                        b']' if *st == St::ValueOrClose => {
                            if let Some(stop) = self.close(buf, &mut i, st) {
                                return Ok(stop);
                            }
                            continue;
                        }
                        _ => return err(EXPECTED_VALUE, i),
                    };
                    i += 1;
                }
                St::KeyOrClose | St::Key => {
                    match b {
                        b'"' => *st = St::Str { key: true },
                        b'}' if *st == St::KeyOrClose => {
                            if let Some(stop) = self.close(buf, &mut i, st) {
                                return Ok(stop);
                            }
                            continue;
                        }
                        _ => return err("key must be a string", i),
                    }
                    i += 1;
                }
                St::Colon => {
                    if b != b':' {
                        return err("expected `:`", i);
                    }
                    *st = St::Value;
                    i += 1;
                }
                St::Next => {
                    let object = self.open.top_is_object();
                    match b {
                        b',' if object => {
                            // Compact JSON: the next key follows at once.
                            if buf.get(i + 1) == Some(&b'"') {
                                i += 1;
                                *st = St::Str { key: true };
                            } else {
                                *st = St::Key;
                            }
                        }
                        b',' => *st = St::Value,
                        b'}' | b']' if (b == b'}') == object => {
                            if let Some(stop) = self.close(buf, &mut i, st) {
                                return Ok(stop);
                            }
                            continue;
                        }
                        _ if object => return err("expected `,` or `}`", i),
                        _ => return err("expected `,` or `]`", i),
                    }
                    i += 1;
                }
                St::Escape { key } => {
                    *st = match b {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => St::Str { key },
                        b'u' => St::Hex { key, left: 4 },
                        _ => return err("invalid escape", i),
                    };
                    i += 1;
                }
                St::Hex { key, left } => {
                    if !b.is_ascii_hexdigit() {
                        return err("invalid escape", i);
                    }
                    *st = if left == 1 {
                        St::Str { key }
                    } else {
                        St::Hex {
                            key,
                            left: left - 1,
                        }
                    };
                    i += 1;
                }
                St::Literal(rest) => {
                    if b != rest[0] {
                        return err("expected ident", i);
                    }
                    i += 1;
                    if rest.len() == 1 {
                        if let Some(stop) = self.value_done(buf, &mut i, st) {
                            return Ok(stop);
                        }
                    } else {
                        *st = St::Literal(&rest[1..]);
                    }
                }
                St::Str { .. } | St::Num(_) => unreachable!("handled above"),
            }
        }
    }

    /// Goes on with a number at `num`: `Ok(Some)` when it ends the value or
    /// the chunk runs out, `Ok(None)` when the container goes on, `Err(at)`
    /// for a malformed number.
    #[inline]
    fn number(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        mut num: Num,
        st: &mut St,
    ) -> Result<Option<Stop>, usize> {
        loop {
            let Some(&b) = buf.get(*i) else {
                *st = St::Num(num);
                return Ok(Some(Stop::More));
            };
            num = match (num, b) {
                (Num::Int | Num::Frac | Num::ExpInt, b'0'..=b'9') => {
                    *i += 1;
                    while buf.get(*i).is_some_and(u8::is_ascii_digit) {
                        *i += 1;
                    }
                    continue;
                }
                (Num::Minus, b'0') => Num::Zero,
                (Num::Minus, b'1'..=b'9') => Num::Int,
                (Num::Zero | Num::Int, b'.') => Num::Dot,
                (Num::Dot, b'0'..=b'9') => Num::Frac,
                (Num::Zero | Num::Int | Num::Frac, b'e' | b'E') => Num::Exp,
                (Num::Exp, b'+' | b'-') => Num::ExpSign,
                (Num::Exp | Num::ExpSign, b'0'..=b'9') => Num::ExpInt,
                (Num::Zero, b'0'..=b'9') => return Err(*i),
                (n, _) if n.complete() => return Ok(self.value_done(buf, i, st)),
                _ => return Err(*i),
            };
            *i += 1;
        }
    }
}
