//! The tokens met on the walked paths: object keys and scalars, decoded
//! whole once the grammar scan has found their end. A cold path (a handful
//! per page), so the decoding is serde_json's own and its checks come with
//! it: valid UTF-8, paired `\u` surrogates, numbers in range, whereas the
//! values the walk skips get only the grammar check, as with serde_json.

use std::borrow::Cow;

/// A scalar met on a walked path, as the old serde visitor was handed it.
#[derive(Debug, PartialEq)]
pub(super) enum Met {
    Str(String),
    Null,
    Bool(bool),
    /// An integer that fits an `i64`.
    Int(i64),
    /// A non-negative integer above `i64::MAX`.
    TooLarge,
    /// A number with a fraction or an exponent, `-0`, or an integer beyond `u64`.
    Float,
}

impl Met {
    /// How a shape error names it.
    pub fn found(&self) -> &'static str {
        match self {
            Self::Str(_) => "a string",
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Int(_) | Self::Float => "a number",
            Self::TooLarge => "a number too large",
        }
    }
}

/// An object key (`"..."`, quotes included), borrowed when it has no escapes.
pub(super) fn key(token: &[u8]) -> Result<Cow<'_, str>, String> {
    let inner = &token[1..token.len() - 1];
    if memchr::memchr(b'\\', inner).is_none() {
        return std::str::from_utf8(inner)
            .map(Cow::Borrowed)
            .map_err(|_| "invalid unicode code point in a key".to_owned());
    }
    serde_json::from_slice::<String>(token)
        .map(Cow::Owned)
        .map_err(|e| e.to_string())
}

/// A complete scalar token (string, number or literal).
pub(super) fn scalar(token: &[u8]) -> Result<Met, String> {
    use serde_json::Value;
    match serde_json::from_slice::<Value>(token).map_err(|e| e.to_string())? {
        Value::String(s) => Ok(Met::Str(s)),
        Value::Null => Ok(Met::Null),
        Value::Bool(b) => Ok(Met::Bool(b)),
        Value::Number(n) => Ok(match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => i64::try_from(u).map_or(Met::TooLarge, Met::Int),
            (None, Some(i)) => Met::Int(i),
            (None, None) => Met::Float,
        }),
        Value::Array(_) | Value::Object(_) => Err("expected a scalar".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_classify_as_serde_visits_them() {
        let met = |t: &str| scalar(t.as_bytes());
        assert_eq!(met("12"), Ok(Met::Int(12)));
        assert_eq!(met("-3"), Ok(Met::Int(-3)));
        assert_eq!(met("-0"), Ok(Met::Float));
        assert_eq!(met("1.0"), Ok(Met::Float));
        assert_eq!(met("9223372036854775808"), Ok(Met::TooLarge));
        assert_eq!(met("18446744073709551616"), Ok(Met::Float));
        assert!(met("1e400").is_err(), "out of range, as serde_json says");
    }

    #[test]
    fn keys_and_strings_are_checked_whole() {
        assert_eq!(key(br#""data""#).unwrap(), "data");
        assert_eq!(key(br#""d\u0061ta""#).unwrap(), "data");
        assert!(key(b"\"\xff\"").is_err());
        assert!(key(br#""\ud800""#).is_err(), "a lone surrogate");
        assert_eq!(scalar(br#""\ud83d\ude00""#), Ok(Met::Str("😀".into())));
        assert!(scalar(br#""\udc00""#).is_err());
    }
}
