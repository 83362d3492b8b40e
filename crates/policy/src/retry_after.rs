//! `Retry-After` (RFC 9110 §10.2.3): how long the server asks us to wait.
//! Owns parsing only; pausing the origin is `AdaptiveBucket::pause_until`.
//!
//! Rules:
//! - `delay-seconds` is one or more ASCII digits, surrounding spaces and tabs
//!   allowed. A number too large for a `u64` saturates (and then hits the cap).
//!   A sign (`-5`, `+5`), a fraction (`1.5`) or anything else is not a delay.
//! - An HTTP-date in any of the three forms: IMF-fixdate
//!   (`Sun, 06 Nov 1994 08:49:37 GMT`), obsolete RFC 850
//!   (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
//!   (`Sun Nov  6 08:49:37 1994`). Parsing is strict, as in the `httpdate`
//!   crate: the weekday must match the date, and RFC 850 two-digit years
//!   00–69 mean 20xx, 70–99 mean 19xx. A date in the past means "now" (zero).
//! - Anything else (empty, not UTF-8, garbage) is `None`: the caller falls
//!   back to its own backoff.
//! - The result never exceeds the caller's `max`, so a hostile or buggy
//!   server cannot park an origin for a year. [`DEFAULT_MAX_RETRY_AFTER`] is
//!   one hour.

use std::time::{Duration, SystemTime};

/// The cap a crawl uses unless configured otherwise: one hour.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The wait a `Retry-After` header value asks for, seen from `now` and capped
/// at `max`; `None` when the value is neither delay-seconds nor an HTTP-date.
pub fn parse_retry_after(value: &[u8], now: SystemTime, max: Duration) -> Option<Duration> {
    let text = std::str::from_utf8(value)
        .ok()?
        .trim_matches(|c| c == ' ' || c == '\t');
    if text.is_empty() {
        return None;
    }
    let wait = if text.bytes().all(|b| b.is_ascii_digit()) {
        Duration::from_secs(delay_seconds(text))
    } else {
        let at = httpdate::parse_http_date(text).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(max))
}

/// Digits to seconds, saturating at `u64::MAX` instead of failing.
fn delay_seconds(digits: &str) -> u64 {
    digits.bytes().fold(0u64, |acc, d| {
        acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// 1994-11-06 08:49:37 UTC, the RFC's example date.
    fn rfc_example() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    fn parse(value: &str, now: SystemTime) -> Option<Duration> {
        parse_retry_after(value.as_bytes(), now, DEFAULT_MAX_RETRY_AFTER)
    }

    fn secs(n: u64) -> Option<Duration> {
        Some(Duration::from_secs(n))
    }

    #[test]
    fn delay_seconds_forms() {
        let now = rfc_example();
        assert_eq!(parse("0", now), secs(0));
        assert_eq!(parse("120", now), secs(120));
        assert_eq!(parse("  120 ", now), secs(120));
        assert_eq!(parse("\t7\t", now), secs(7));
        assert_eq!(parse("0042", now), secs(42));
    }

    #[test]
    fn huge_delays_saturate_then_hit_the_cap() {
        let now = rfc_example();
        assert_eq!(parse("3601", now), Some(DEFAULT_MAX_RETRY_AFTER));
        assert_eq!(
            parse("99999999999999999999999999999999", now),
            Some(DEFAULT_MAX_RETRY_AFTER)
        );
        assert_eq!(delay_seconds("99999999999999999999999999"), u64::MAX);
        let max = Duration::from_secs(10);
        assert_eq!(parse_retry_after(b"11", now, max), Some(max));
        assert_eq!(parse_retry_after(b"9", now, max), secs(9));
    }

    #[test]
    fn signs_fractions_and_garbage_are_not_delays() {
        let now = rfc_example();
        for bad in [
            "", "   ", "-5", "+5", "1.5", "1e3", "12 34", "soon", "0x10", "٣", "5s",
        ] {
            assert_eq!(parse(bad, now), None, "{bad:?}");
        }
        assert_eq!(
            parse_retry_after(b"\xff\xfe", now, DEFAULT_MAX_RETRY_AFTER),
            None
        );
    }

    #[test]
    fn the_three_date_forms() {
        let now = rfc_example() - Duration::from_secs(90);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse(form, now), secs(90), "{form:?}");
        }
    }

    #[test]
    fn rfc850_years_pivot_at_70() {
        // 06-Nov-25 is 2025 (a Thursday), not 1925.
        let now = UNIX_EPOCH + Duration::from_secs(1_762_419_000); // 2025-11-06 08:50:00
        let at = UNIX_EPOCH + Duration::from_secs(1_762_419_060);
        assert_eq!(at.duration_since(now).ok(), secs(60));
        assert_eq!(parse("Thursday, 06-Nov-25 08:51:00 GMT", now), secs(60));
    }

    #[test]
    fn past_dates_mean_now() {
        let now = rfc_example() + Duration::from_secs(3600);
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT", now), secs(0));
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT", now), secs(0));
        // Exactly now is zero too.
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:49:37 GMT", rfc_example()),
            secs(0)
        );
    }

    #[test]
    fn far_dates_hit_the_cap() {
        let now = rfc_example();
        assert_eq!(
            parse("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(DEFAULT_MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn malformed_dates_are_garbage() {
        let now = rfc_example();
        for bad in [
            "Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
            "Sun, 06 Nov 1994 08:49:37 UTC", // not GMT
            "Sun, 6 Nov 1994 08:49:37 GMT",  // one-digit day
            "Sun, 31 Feb 1994 08:49:37 GMT", // no such day
            "Sun, 06 Nov 1994 25:49:37 GMT", // no such hour
            "Sun, 06 Nov 1994",              // truncated
            "Sun, 06 Nov 1969 08:49:37 GMT", // before the epoch
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 06 08:49:37 1994 GMT",
            "1994-11-06T08:49:37Z", // ISO 8601 is not an HTTP-date
        ] {
            assert_eq!(parse(bad, now), None, "{bad:?}");
        }
    }
}
