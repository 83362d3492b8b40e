//! Robustness of the header parsers: whatever bytes a server sends, they
//! return a value or `None`, never panic, and keep their caps. Exhaustive
//! over short strings of the bytes that matter to the grammars, then
//! seeded-random over arbitrary bytes and mutations of valid values.

use crate::rate_headers::parse_quota;
use crate::rate_numeric::reset_by_magnitude;
use crate::retry_after::parse_retry_after;
use crate::structured_fields::parse_members;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every header name `parse_quota` reads.
const NAMES: [&str; 9] = [
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-After",
    "X-Rate-Limit-Remaining",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit",
    "RateLimit-Policy",
    "ratelimit",
];

/// Valid values to mutate, one per grammar.
const SEEDS: [&str; 10] = [
    "120",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    r#""default";r=50;t=30, "daily";r=1000;t=86400"#,
    r#""default";q=100;w=60;qu="requests""#,
    "limit=100, remaining=50, reset=30",
    r#""a\"b";r=1;t=2;pk=:cHJvamVjdA==:;x=?1;d=1.5"#,
    "1704067260",
    "1.25",
];

/// Runs every parser on `value`, checking what must hold whatever it is.
fn check(value: &[u8], now: SystemTime) {
    let max = Duration::from_secs(3600);
    if let Some(wait) = parse_retry_after(value, now, max) {
        assert!(wait <= max, "{value:?} → {wait:?}");
    }
    let _ = parse_members(value);
    let _ = reset_by_magnitude(value, now);
    let _ = parse_quota(NAMES.iter().map(|n| (*n, value)), now);
    // Beside valid values, so that the choosing among sources runs too.
    let _ = parse_quota(
        [
            ("RateLimit", value),
            ("X-RateLimit-Remaining", b"1"),
            ("X-RateLimit-Reset", b"9"),
        ],
        now,
    );
    let _ = parse_quota(
        [
            ("RateLimit-Policy", value),
            ("RateLimit", b"\"default\";r=1"),
        ],
        now,
    );
}

fn nows() -> [SystemTime; 3] {
    [
        UNIX_EPOCH,
        UNIX_EPOCH + Duration::from_secs(1_704_067_200),
        UNIX_EPOCH + Duration::from_secs(253_402_300_799), // 9999-12-31
    ]
}

#[test]
fn every_short_string_of_grammar_bytes() {
    let alphabet = b"\"\\,;=:-.09rtwq ?(*Ga\t\x00\x80\xff";
    let now = nows()[1];
    check(b"", now);
    for &a in alphabet {
        check(&[a], now);
        for &b in alphabet {
            check(&[a, b], now);
            for &c in alphabet {
                check(&[a, b, c], now);
            }
        }
    }
}

#[test]
fn arbitrary_bytes() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    for _ in 0..20_000 {
        let len = rng.gen_range(0..64);
        let value: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        check(&value, nows()[rng.gen_range(0..3)]);
    }
}

#[test]
fn mutations_of_valid_values() {
    let mut rng = StdRng::seed_from_u64(42);
    let interesting = b"\"\\,;=:-.0123456789 \t?()*GMTrtwq\x00\xff";
    for _ in 0..20_000 {
        let mut value = SEEDS[rng.gen_range(0..SEEDS.len())].as_bytes().to_vec();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..=value.len());
            let byte = if rng.gen_bool(0.8) {
                interesting[rng.gen_range(0..interesting.len())]
            } else {
                rng.gen()
            };
            match rng.gen_range(0..3) {
                0 => value.insert(at, byte),
                1 if at < value.len() => value[at] = byte,
                _ if at < value.len() => {
                    value.remove(at);
                }
                _ => value.push(byte),
            }
        }
        check(&value, nows()[rng.gen_range(0..3)]);
    }
}

#[test]
fn long_runs_of_digits() {
    for len in [15, 16, 19, 20, 39, 309, 400, 5000] {
        let digits = "9".repeat(len);
        let variants = [
            digits.clone(),
            format!("{digits}.{digits}"),
            format!(r#""p";r={digits};t={digits}"#),
            format!("remaining={digits}, reset={digits}"),
        ];
        for v in variants {
            for now in nows() {
                check(v.as_bytes(), now);
            }
        }
    }
}
