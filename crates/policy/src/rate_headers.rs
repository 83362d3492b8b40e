//! Quota headers: how many requests the server will still take and when its
//! window refills. Owns reading them into a [`Quota`]; acting on it is
//! `AdaptiveBucket::apply_quota`. Takes `(name, value)` pairs, so it depends on
//! no HTTP crate; names match case-insensitively.
//!
//! Understood, in any mix:
//! - IETF `RateLimit` (draft-ietf-httpapi-ratelimit-headers, -08 on): a list
//!   of policies, `"default";r=50;t=30` — `r` remaining, `t` seconds to reset.
//!   When `t` is absent, the window `w` of the `RateLimit-Policy` member with
//!   the same name (`"default";q=100;w=60`) stands in for it; with neither,
//!   that policy is skipped.
//! - The draft -07 dictionary form, `RateLimit: limit=100, remaining=50, reset=30`.
//! - The older trio `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset`.
//! - `X-RateLimit-Remaining` / `X-RateLimit-Reset` (also spelled
//!   `X-Rate-Limit-*`), and `X-RateLimit-Reset-After` (delta seconds).
//!
//! `X-RateLimit-Reset` and `RateLimit-Reset` are delta seconds, epoch seconds
//! or epoch milliseconds, told apart by magnitude: see `rate_numeric`. The
//! IETF `t` is always delta seconds, as the draft requires.
//!
//! A remaining count needs a reset time from the same source (and vice
//! versa); a lone half is ignored. When several policies or sources are
//! present, the tightest wins (see [`Quota::is_tighter_than`]). Malformed
//! values are ignored, never an error.

use crate::quota::Quota;
use crate::rate_numeric::{number, reset_by_magnitude, secs, NumericPair};
use crate::structured_fields::{parse_members, Item, Member};
use std::time::{Duration, SystemTime};

/// The tightest quota the response headers announce, if any; `now` turns
/// epoch resets into delays.
pub fn parse_quota<'a, I>(headers: I, now: SystemTime) -> Option<Quota>
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    let mut x = NumericPair::default();
    let mut trio = NumericPair::default();
    let mut listed = Vec::new();
    let mut policies = Vec::new();
    for (name, value) in headers {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "x-ratelimit-remaining" | "x-rate-limit-remaining" => x.remaining(value),
            "x-ratelimit-reset" | "x-rate-limit-reset" => x.reset(reset_by_magnitude(value, now)),
            "x-ratelimit-reset-after" => x.reset(number(value).map(secs)),
            "ratelimit-remaining" => trio.remaining(value),
            "ratelimit-reset" => trio.reset(reset_by_magnitude(value, now)),
            "ratelimit" => listed.extend(parse_members(value)),
            "ratelimit-policy" => policies.extend(parse_members(value)),
            _ => {}
        }
    }
    let mut found = vec![x.quota(), trio.quota(), dictionary_form(&listed)];
    found.extend(listed.iter().map(|m| list_form(m, &policies)));
    found
        .into_iter()
        .flatten()
        .reduce(|a, b| if b.is_tighter_than(&a) { b } else { a })
}

/// `RateLimit: "name";r=…;t=…`, with `t` falling back to the policy's `w`.
fn list_form(member: &Member, policies: &[Member]) -> Option<Quota> {
    if member.value.is_some() {
        return None;
    }
    let remaining = member.param("r")?.as_count()?;
    let reset = member.param("t").and_then(Item::as_count).or_else(|| {
        let name = member.item.as_name()?;
        policies
            .iter()
            .find(|p| p.value.is_none() && p.item.as_name() == Some(name))?
            .param("w")?
            .as_count()
    })?;
    Some(Quota {
        remaining,
        reset_in: Duration::from_secs(reset),
    })
}

/// `RateLimit: limit=100, remaining=50, reset=30` (draft -07).
fn dictionary_form(members: &[Member]) -> Option<Quota> {
    let get = |key: &str| {
        members
            .iter()
            .find(|m| m.item == Item::Token(key.into()))?
            .value
            .as_ref()?
            .as_count()
    };
    Some(Quota {
        remaining: get("remaining")?,
        reset_in: Duration::from_secs(get("reset")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// 2024-01-01 00:00:00 UTC.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_704_067_200)
    }

    fn quota(headers: &[(&str, &str)]) -> Option<Quota> {
        parse_quota(headers.iter().map(|(n, v)| (*n, v.as_bytes())), now())
    }

    fn q(remaining: u64, reset_secs: u64) -> Option<Quota> {
        Some(Quota {
            remaining,
            reset_in: Duration::from_secs(reset_secs),
        })
    }

    #[test]
    fn github_style_epoch_reset() {
        let h = [
            ("X-RateLimit-Limit", "5000"),
            ("X-RateLimit-Remaining", "42"),
            ("X-RateLimit-Reset", "1704067260"),
        ];
        assert_eq!(quota(&h), q(42, 60));
    }

    #[test]
    fn a_lone_half_is_no_quota() {
        assert_eq!(quota(&[("X-RateLimit-Remaining", "5")]), None);
        assert_eq!(quota(&[("X-RateLimit-Reset", "5")]), None);
        assert_eq!(
            quota(&[("RateLimit-Remaining", "5"), ("X-RateLimit-Reset", "5")]),
            None
        );
        assert_eq!(quota(&[("Content-Type", "application/json")]), None);
        assert_eq!(quota(&[]), None);
    }

    #[test]
    fn ietf_trio() {
        let h = [
            ("RateLimit-Limit", "100, 100;w=60"),
            ("RateLimit-Remaining", "50"),
            ("RateLimit-Reset", "30"),
        ];
        assert_eq!(quota(&h), q(50, 30));
    }

    #[test]
    fn ietf_list_form() {
        assert_eq!(quota(&[("RateLimit", r#""default";r=50;t=30"#)]), q(50, 30));
        assert_eq!(quota(&[("ratelimit", "default;r=0;t=5")]), q(0, 5));
        // Unknown parameters and a partition key are ignored.
        let h = [("RateLimit", r#""user";r=5;t=10;pk=:cHJvamVjdDEyMw==:;x=?1"#)];
        assert_eq!(quota(&h), q(5, 10));
    }

    #[test]
    fn ietf_multiple_policies_tightest_wins() {
        // 50 in 30 s is 1.67/s; 1000 in 3600 s is 0.28/s: the daily one binds.
        let h = [("RateLimit", r#""burst";r=50;t=30, "daily";r=1000;t=3600"#)];
        assert_eq!(quota(&h), q(1000, 3600));
        // Spread over two header lines, and one exhausted: it binds.
        let h = [
            ("RateLimit", r#""burst";r=0;t=3"#),
            ("RateLimit", r#""daily";r=1000;t=3600"#),
        ];
        assert_eq!(quota(&h), q(0, 3));
        // Both exhausted: the later reset binds.
        let h = [("RateLimit", r#""a";r=0;t=3, "b";r=0;t=9"#)];
        assert_eq!(quota(&h), q(0, 9));
    }

    #[test]
    fn ietf_window_from_the_policy_when_t_is_missing() {
        let h = [
            (
                "RateLimit-Policy",
                r#""burst";q=100;w=60, "day";q=1000;w=86400"#,
            ),
            ("RateLimit", r#""burst";r=10"#),
        ];
        assert_eq!(quota(&h), q(10, 60));
        // No matching policy: skipped.
        let h = [
            ("RateLimit-Policy", r#""other";q=1;w=1"#),
            ("RateLimit", r#""burst";r=10"#),
        ];
        assert_eq!(quota(&h), None);
    }

    #[test]
    fn ietf_quoting_and_bad_members() {
        let h = [("RateLimit", r#""a, b";r=2;t=4, "broken;r=1;t=1"#)];
        // The second member's string never closes; the first is still read.
        assert_eq!(quota(&h), q(2, 4));
        for bad in [
            r#""x";r=-1;t=5"#,
            r#""x";r=1.5;t=5"#,
            r#""x";r="1";t=5"#,
            r#""x";t=5"#,
        ] {
            assert_eq!(quota(&[("RateLimit", bad)]), None, "{bad}");
        }
    }

    #[test]
    fn ietf_dictionary_form() {
        assert_eq!(
            quota(&[("RateLimit", "limit=100, remaining=50, reset=30")]),
            q(50, 30)
        );
        assert_eq!(quota(&[("RateLimit", "limit=100, remaining=50")]), None);
    }

    #[test]
    fn sources_mix_and_the_tightest_wins() {
        let h = [
            ("X-RateLimit-Remaining", "4000"),
            ("X-RateLimit-Reset", "3600"),
            ("RateLimit", r#""default";r=2;t=10"#),
        ];
        assert_eq!(quota(&h), q(2, 10));
    }
}
