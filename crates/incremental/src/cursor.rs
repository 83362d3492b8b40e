//! A cursor value: the record field that says how new a record is
//! (`updated_at`, a sequence number), typed by what it holds and compared
//! only with values of the same type.
//!
//! Three kinds, found from the value itself: a JSON number is a *number*
//! (integers compare exactly, any float makes the comparison a float one); a
//! string holding an RFC 3339 timestamp is a *timestamp* (any offset,
//! normalised to UTC nanoseconds, so `10:00:00+02:00` equals `08:00:00Z`);
//! any other string is *text*, compared byte by byte (ISO dates without a
//! time sort right that way). Comparing two kinds is a [`Mismatch`], never a
//! guess.
//!
//! A value keeps the text the API sent (`raw`), which is what goes back to
//! the API as the next pass's start parameter; a value computed here (a
//! start moved back by a lag) is written in the API's own kind: RFC 3339 in
//! UTC, or a decimal number.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// What a cursor value is, for comparison and for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKind {
    Number,
    Timestamp,
    Text,
}

impl fmt::Display for CursorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Number => "a number",
            Self::Timestamp => "an RFC 3339 timestamp",
            Self::Text => "a string",
        })
    }
}

/// Two cursor values of different kinds were compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cursor holds {found} (`{raw}`) where the others hold {expected}")]
pub struct Mismatch {
    pub found: CursorKind,
    pub expected: CursorKind,
    /// The value of the found kind, as the API sent it.
    pub raw: String,
}

/// A value that cannot be a cursor (an object, an array, a boolean, a
/// non-finite number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a cursor must be a number or a string, not {0}")]
pub struct NotACursor(pub &'static str);

/// One cursor value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CursorValue {
    order: Order,
    /// The value as the API sent it (a string's content, unescaped; a
    /// number's text), or as computed here.
    raw: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Order {
    Int(i128),
    Float(f64),
    /// Nanoseconds since the Unix epoch, UTC.
    Time(i128),
    Text(String),
}

/// How far a next pass's start is moved back behind the last pass's
/// maximum, to re-read records written late (`lag`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lag {
    /// For timestamp cursors.
    Time(Duration),
    /// For number cursors.
    Number(f64),
}

impl CursorValue {
    /// The cursor in a record's raw JSON value text (as
    /// `serde_json::value::RawValue` gives it). `None` for `null`.
    pub fn from_json(raw: &str) -> Result<Option<Self>, NotACursor> {
        let raw = raw.trim();
        match raw.as_bytes().first() {
            Some(b'"') => {
                let text: String =
                    serde_json::from_str(raw).map_err(|_| NotACursor("a broken string"))?;
                Ok(Some(Self::from_text(text)))
            }
            Some(b'n') if raw == "null" => Ok(None),
            Some(b't' | b'f') => Err(NotACursor("a boolean")),
            Some(b'{') => Err(NotACursor("an object")),
            Some(b'[') => Err(NotACursor("an array")),
            Some(_) => Self::from_number_text(raw).map(Some),
            None => Err(NotACursor("nothing")),
        }
    }

    /// A string cursor: a timestamp when it is RFC 3339, else text.
    pub fn from_text(text: String) -> Self {
        match OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(t) => Self {
                order: Order::Time(t.unix_timestamp_nanos()),
                raw: text,
            },
            Err(_) => Self {
                order: Order::Text(text.clone()),
                raw: text,
            },
        }
    }

    /// A number cursor from its JSON text (`42`, `-1.5e3`).
    pub fn from_number_text(text: &str) -> Result<Self, NotACursor> {
        let integral = !text.contains(['.', 'e', 'E']);
        let order = match text.parse::<i128>() {
            Ok(n) if integral => Order::Int(n),
            _ => match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Order::Float(x),
                _ => return Err(NotACursor("a number out of range")),
            },
        };
        Ok(Self {
            order,
            raw: text.to_owned(),
        })
    }

    /// An integer cursor (a config's `initial_value = 1000`).
    pub fn int(n: i64) -> Self {
        Self {
            order: Order::Int(n.into()),
            raw: n.to_string(),
        }
    }

    /// A float cursor; `None` when not finite.
    pub fn float(x: f64) -> Option<Self> {
        x.is_finite().then(|| Self {
            order: Order::Float(x),
            raw: format!("{x}"),
        })
    }

    pub fn kind(&self) -> CursorKind {
        match self.order {
            Order::Int(_) | Order::Float(_) => CursorKind::Number,
            Order::Time(_) => CursorKind::Timestamp,
            Order::Text(_) => CursorKind::Text,
        }
    }

    /// The value as the API sent it: what a start parameter carries.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Compares two values of one kind.
    pub fn compare(&self, other: &Self) -> Result<Ordering, Mismatch> {
        use Order::*;
        Ok(match (&self.order, &other.order) {
            (Int(a), Int(b)) => a.cmp(b),
            (Int(a), Float(b)) => (*a as f64).total_cmp(b),
            (Float(a), Int(b)) => a.total_cmp(&(*b as f64)),
            (Float(a), Float(b)) => a.total_cmp(b),
            (Time(a), Time(b)) => a.cmp(b),
            (Text(a), Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            _ => {
                return Err(Mismatch {
                    found: other.kind(),
                    expected: self.kind(),
                    raw: other.raw.clone(),
                })
            }
        })
    }

    /// The value `lag` earlier; `None` when `lag` does not fit this kind
    /// (text has no lag, a duration fits only a timestamp, a number only a
    /// number) or the result is out of range.
    pub fn minus(&self, lag: Lag) -> Option<Self> {
        match (&self.order, lag) {
            (Order::Time(t), Lag::Time(d)) => {
                let t = t.checked_sub(i128::try_from(d.as_nanos()).ok()?)?;
                let at = OffsetDateTime::from_unix_timestamp_nanos(t).ok()?;
                Some(Self {
                    order: Order::Time(t),
                    raw: at.format(&Rfc3339).ok()?,
                })
            }
            (Order::Int(n), Lag::Number(x)) if x.fract() == 0.0 && x.abs() < 1e18 => {
                let n = n.checked_sub(x as i128)?;
                Some(Self {
                    order: Order::Int(n),
                    raw: n.to_string(),
                })
            }
            (Order::Int(n), Lag::Number(x)) => Self::float(*n as f64 - x),
            (Order::Float(v), Lag::Number(x)) => Self::float(v - x),
            _ => None,
        }
    }

    /// Bytes that identify the value within its kind, for record keys
    /// (`10:00+02:00` and `08:00Z` give the same bytes).
    pub(crate) fn canonical(&self, out: &mut Vec<u8>) {
        match &self.order {
            Order::Int(n) => {
                out.push(b'i');
                out.extend_from_slice(&n.to_le_bytes());
            }
            Order::Float(x) => {
                out.push(b'f');
                out.extend_from_slice(&x.to_bits().to_le_bytes());
            }
            Order::Time(t) => {
                out.push(b't');
                out.extend_from_slice(&t.to_le_bytes());
            }
            Order::Text(s) => {
                out.push(b's');
                out.extend_from_slice(s.as_bytes());
            }
        }
    }

    /// Seconds from this timestamp to `now_unix_nanos` (how far behind now
    /// a time cursor is); `None` for other kinds.
    pub fn seconds_behind(&self, now_unix_nanos: i128) -> Option<f64> {
        match self.order {
            Order::Time(t) => Some((now_unix_nanos - t) as f64 / 1e9),
            _ => None,
        }
    }
}

impl fmt::Display for CursorValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}
