//! `rate_per_sec` and `burst` from the rate-limit headers of the page:
//! the quota they announce (read by the policy crate's `parse_quota`, as a
//! run reads it) spread evenly until its reset, never above the default;
//! `burst` about one second of that rate, capped by the stated limit. No
//! headers: the defaults, saying so. Pure: takes `now` (epoch resets).

use harvest_config::OriginSettings;
use harvest_policy::parse_quota;
use std::time::SystemTime;

/// The politeness suggested, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RateGuess {
    pub rate_per_sec: f64,
    pub burst: u32,
    /// Whether the values come from the headers (else: the defaults).
    pub from_headers: bool,
    /// One comment line each.
    pub seen: Vec<String>,
}

/// Limit headers: the window's size, a cap for `burst`.
const LIMIT_HEADERS: &[&str] = &["x-ratelimit-limit", "x-rate-limit-limit", "ratelimit-limit"];

/// The suggestion from `headers` (names lower-case) over `defaults`.
pub(super) fn guess(
    headers: &[(String, String)],
    defaults: &OriginSettings,
    now: SystemTime,
) -> RateGuess {
    let seen_headers: Vec<String> = headers
        .iter()
        .filter(|(n, _)| crate::sample::is_rate_header(n))
        .map(|(n, v)| format!("`{n}: {v}`"))
        .collect();
    let keep = |seen: Vec<String>| RateGuess {
        rate_per_sec: defaults.rate_per_sec,
        burst: defaults.burst,
        from_headers: false,
        seen,
    };
    if seen_headers.is_empty() {
        return keep(vec![
            "no rate-limit headers on the page (Retry-After, X-RateLimit-*, RateLimit, RateLimit-Policy): the defaults"
                .to_owned(),
            "(a run slows down on 429s and on such headers by itself; set the API's documented limit here)".to_owned(),
        ]);
    }
    let mut seen = vec![format!("the page said {}", seen_headers.join(", "))];
    let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
    let limit = headers
        .iter()
        .find(|(n, _)| LIMIT_HEADERS.contains(&n.as_str()))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0);
    let Some(quota) = parse_quota(pairs, now) else {
        seen.push("no remaining count with a reset time among them: the defaults".to_owned());
        return keep(seen);
    };
    let secs = quota.reset_in.as_secs_f64();
    let rate = if quota.remaining > 0 {
        quota.spread_rate_per_sec()
    } else {
        limit.map_or(f64::INFINITY, |l| l as f64 / secs.max(1.0))
    };
    seen.push(format!(
        "{} requests left for {secs} s: {} a second, spent evenly",
        quota.remaining,
        shown(rate)
    ));
    if !rate.is_finite() || rate >= defaults.rate_per_sec {
        seen.push("that is no tighter than the default pace: the defaults".to_owned());
        return keep(seen);
    }
    let rate = ((rate * 100.0).floor() / 100.0).max(0.01);
    let cap = limit.map_or(defaults.burst, |l| l.min(u64::from(defaults.burst)) as u32);
    let burst = (rate.ceil() as u32).clamp(1, cap.max(1));
    seen.push(format!(
        "so rate_per_sec = {rate:?} and a burst of about a second of it; a run adapts to the headers as they change"
    ));
    RateGuess {
        rate_per_sec: rate,
        burst,
        from_headers: true,
        seen,
    }
}

fn shown(rate: f64) -> String {
    if rate.is_finite() {
        format!("{:.2}", rate)
    } else {
        "unlimited".to_owned()
    }
}
