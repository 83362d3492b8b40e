//! Plain-number rate-limit headers (`X-RateLimit-*`, the old IETF
//! `RateLimit-Remaining` / `RateLimit-Reset`): their number syntax and the
//! reset magnitude rule. Owns reading single values; choosing among
//! sources is `rate_headers`'s business.
//!
//! A number is non-negative decimal: digits, optionally `.` and digits
//! (Discord sends `1.25`), spaces and tabs around. No sign, no exponent.
//!
//! A reset value means different things per server, so its magnitude decides:
//! - below 10⁹: delta seconds (10⁹ s is 31 years — no window is that long);
//! - 10⁹ up to 10¹²: Unix epoch seconds (10⁹ s is September 2001 — no
//!   server's clock is earlier); a reset in the past is zero;
//! - 10¹² and above: Unix epoch milliseconds.

use crate::quota::Quota;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One remaining/reset pair from plain numeric headers. Repeated headers
/// keep the tightest reading: the fewest remaining, the latest reset.
#[derive(Debug, Default)]
pub(crate) struct NumericPair {
    remaining: Option<u64>,
    reset_in: Option<Duration>,
}

impl NumericPair {
    /// Takes a remaining-count header value; malformed ones are ignored.
    pub(crate) fn remaining(&mut self, value: &[u8]) {
        // Floored: a server sending "4.9" has 4 whole requests left.
        if let Some(n) = number(value) {
            let n = n as u64; // saturating cast
            self.remaining = Some(self.remaining.map_or(n, |r| r.min(n)));
        }
    }

    /// Takes a parsed reset; `None` (malformed) is ignored.
    pub(crate) fn reset(&mut self, reset_in: Option<Duration>) {
        if let Some(d) = reset_in {
            self.reset_in = Some(self.reset_in.map_or(d, |r| r.max(d)));
        }
    }

    /// The quota, when both halves were seen.
    pub(crate) fn quota(&self) -> Option<Quota> {
        Some(Quota {
            remaining: self.remaining?,
            reset_in: self.reset_in?,
        })
    }
}

/// A reset that may be delta seconds, epoch seconds or epoch milliseconds,
/// told apart by magnitude (module doc), as a delay from `now`.
pub(crate) fn reset_by_magnitude(value: &[u8], now: SystemTime) -> Option<Duration> {
    let at = match number(value)? {
        n if n < 1e9 => return Some(secs(n)),
        n if n < 1e12 => secs(n),
        n => secs(n / 1000.0),
    };
    // Past the end of SystemTime's range: as far away as can be.
    let Some(at) = UNIX_EPOCH.checked_add(at) else {
        return Some(Duration::MAX);
    };
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A non-negative decimal number (`30`, `1.5`), spaces and tabs around.
pub(crate) fn number(value: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(value).ok()?;
    let text = text.trim_matches(|c| c == ' ' || c == '\t');
    let (int, frac) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return None;
    }
    text.parse().ok()
}

/// Seconds to a Duration, saturating (a 400-digit number must not panic).
pub(crate) fn secs(n: f64) -> Duration {
    Duration::try_from_secs_f64(n).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-01 00:00:00 UTC.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_704_067_200)
    }

    fn reset(value: &str) -> Option<Duration> {
        reset_by_magnitude(value.as_bytes(), now())
    }

    fn s(n: u64) -> Option<Duration> {
        Some(Duration::from_secs(n))
    }

    #[test]
    fn reset_kind_by_magnitude() {
        assert_eq!(reset("30"), s(30));
        assert_eq!(reset("0"), s(0));
        assert_eq!(reset("999999999"), s(999_999_999)); // just under 10⁹: delta
        assert_eq!(reset("1000000000"), s(0)); // 2001: epoch, in the past
        assert_eq!(reset("1704067200"), s(0)); // epoch, now
        assert_eq!(reset("1704067260"), s(60)); // epoch, GitHub style
        assert_eq!(reset("1704067290.5"), Some(Duration::from_millis(90_500)));
        assert_eq!(reset("999999999999"), s(999_999_999_999 - 1_704_067_200));
        assert_eq!(reset("1704067215000"), s(15)); // epoch milliseconds
        assert_eq!(
            reset("1704067215250.0"),
            Some(Duration::from_millis(15_250))
        );
    }

    #[test]
    fn absurd_resets_saturate_instead_of_panicking() {
        let far = reset(&"9".repeat(400)).unwrap();
        assert!(far > Duration::from_secs(1 << 40), "{far:?}");
        assert_eq!(secs(f64::INFINITY), Duration::MAX);
        assert_eq!(secs(1e30), Duration::MAX);
    }

    #[test]
    fn number_syntax() {
        assert_eq!(number(b" 7 "), Some(7.0));
        assert_eq!(number(b"\t1.25"), Some(1.25));
        assert_eq!(number(b"007"), Some(7.0));
        for bad in [
            "", " ", "-5", "+5", "1e3", "1.", ".5", "1.2.3", "0x10", "5s", "NaN", "inf",
        ] {
            assert_eq!(number(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(number(b"\xff"), None);
    }

    #[test]
    fn remaining_is_floored_and_saturates() {
        let mut p = NumericPair::default();
        p.remaining(b"4.9");
        p.reset(s(1));
        assert_eq!(p.quota().map(|q| q.remaining), Some(4));
        let mut p = NumericPair::default();
        p.remaining("9".repeat(30).as_bytes());
        p.reset(s(1));
        assert_eq!(p.quota().map(|q| q.remaining), Some(u64::MAX));
    }

    #[test]
    fn repeated_values_keep_the_tightest_reading() {
        let mut p = NumericPair::default();
        for v in ["9", "3", "junk", "5"] {
            p.remaining(v.as_bytes());
        }
        for r in [s(10), None, s(20), s(15)] {
            p.reset(r);
        }
        let q = p.quota().unwrap();
        assert_eq!((q.remaining, q.reset_in), (3, Duration::from_secs(20)));
    }

    #[test]
    fn a_lone_half_is_no_quota() {
        let mut p = NumericPair::default();
        p.remaining(b"5");
        assert_eq!(p.quota(), None);
        let mut p = NumericPair::default();
        p.reset(s(5));
        assert_eq!(p.quota(), None);
    }
}
