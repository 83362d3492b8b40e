//! Cursor kinds and comparisons, pass bounds, and a model check: passes
//! over an API that filters with `>=`, with records added and updated
//! between passes and pages merged in random order, write every (id,
//! version) exactly once.

use crate::*;
use proptest::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

fn json(raw: &str) -> CursorValue {
    CursorValue::from_json(raw).unwrap().unwrap()
}

#[test]
fn kinds_come_from_the_value() {
    assert_eq!(json("42").kind(), CursorKind::Number);
    assert_eq!(json("-1.5e3").kind(), CursorKind::Number);
    assert_eq!(
        json("\"2024-01-01T00:00:00Z\"").kind(),
        CursorKind::Timestamp
    );
    assert_eq!(json("\"2024-01-01\"").kind(), CursorKind::Text);
    assert_eq!(json("\"abc\"").kind(), CursorKind::Text);
    assert_eq!(CursorValue::from_json("null"), Ok(None));
    for (raw, what) in [
        ("{}", "an object"),
        ("[1]", "an array"),
        ("true", "a boolean"),
    ] {
        assert_eq!(CursorValue::from_json(raw), Err(NotACursor(what)), "{raw}");
    }
}

#[test]
fn timestamps_compare_in_utc_whatever_their_offset() {
    let a = json("\"2024-05-01T10:00:00+02:00\"");
    let b = json("\"2024-05-01T08:00:00Z\"");
    let c = json("\"2024-05-01T08:00:00.001Z\"");
    assert_eq!(a.compare(&b), Ok(Ordering::Equal));
    assert_eq!(a.compare(&c), Ok(Ordering::Less));
    assert_eq!(
        a.raw(),
        "2024-05-01T10:00:00+02:00",
        "sent back as the API wrote it"
    );
    assert_eq!(
        RecordKey::of_fields(&["1"], &a),
        RecordKey::of_fields(&["1"], &b),
        "one instant, one key"
    );
}

#[test]
fn numbers_compare_as_numbers_not_text() {
    assert_eq!(json("9").compare(&json("10")), Ok(Ordering::Less));
    assert_eq!(json("10").compare(&json("9.5")), Ok(Ordering::Greater));
    assert_eq!(json("2").compare(&json("2.0")), Ok(Ordering::Equal));
    let big = json("170141183460469231731687303715884105727");
    assert_eq!(
        big.compare(&json("170141183460469231731687303715884105726")),
        Ok(Ordering::Greater)
    );
}

#[test]
fn two_kinds_never_compare() {
    let err = json("5")
        .compare(&json("\"2024-01-01T00:00:00Z\""))
        .unwrap_err();
    assert_eq!(err.expected, CursorKind::Number);
    assert_eq!(err.found, CursorKind::Timestamp);
    assert_eq!(
        err.to_string(),
        "the cursor holds an RFC 3339 timestamp (`2024-01-01T00:00:00Z`) where the others hold a number"
    );
    assert!(json("\"x\"")
        .compare(&json("\"2024-01-01T00:00:00Z\""))
        .is_err());
}

#[test]
fn a_lag_moves_a_start_back_in_its_own_kind() {
    let t = json("\"2024-05-01T10:00:00+02:00\"");
    let back = t.minus(Lag::Time(Duration::from_secs(600))).unwrap();
    assert_eq!(back.raw(), "2024-05-01T07:50:00Z");
    assert_eq!(json("100").minus(Lag::Number(7.0)).unwrap().raw(), "93");
    assert_eq!(
        json("1.5")
            .minus(Lag::Number(0.5))
            .unwrap()
            .compare(&json("1")),
        Ok(Ordering::Equal)
    );
    assert_eq!(
        json("\"abc\"").minus(Lag::Number(1.0)),
        None,
        "text has no lag"
    );
    assert_eq!(
        t.minus(Lag::Number(1.0)),
        None,
        "a number does not fit a timestamp"
    );
}

#[test]
fn bounds_drop_below_start_seen_and_past_end() {
    let key = |id: u64| RecordKey(id);
    let bounds = Bounds::new(
        Some(PassStart {
            value: json("10"),
            seen: vec![key(1)],
        }),
        Some(json("20")),
    );
    assert_eq!(bounds.judge(&json("9"), key(9)), Ok(Verdict::BelowStart));
    assert_eq!(bounds.judge(&json("10"), key(1)), Ok(Verdict::Seen));
    assert_eq!(bounds.judge(&json("10"), key(2)), Ok(Verdict::Keep));
    assert_eq!(bounds.judge(&json("19.9"), key(3)), Ok(Verdict::Keep));
    assert_eq!(bounds.judge(&json("20"), key(4)), Ok(Verdict::PastEnd));
    assert!(bounds.judge(&json("\"x\""), key(5)).is_err());
    let open = Bounds::from_initial(None, None);
    assert_eq!(open.judge(&json("\"x\""), key(5)), Ok(Verdict::Keep));
}

#[test]
fn the_next_start_is_the_maximum_with_the_keys_at_it() {
    let mut max = PassMax::default();
    for (v, k) in [("3", 1), ("7", 2), ("7", 3), ("5", 4)] {
        max.add(json(v), RecordKey(k), None).unwrap();
    }
    let next = max.next_start(None).unwrap();
    assert_eq!(next.value.raw(), "7");
    assert_eq!(next.seen, vec![RecordKey(2), RecordKey(3)]);
    assert_eq!(
        PassMax::default().next_start(None),
        None,
        "nothing written: no new start"
    );
}

#[test]
fn a_lag_keeps_the_keys_within_it() {
    let lag = Some(Lag::Number(2.0));
    let mut max = PassMax::default();
    for (v, k) in [("1", 1), ("4", 2), ("5", 3), ("6", 4), ("3", 5)] {
        max.add(json(v), RecordKey(k), lag).unwrap();
    }
    let next = max.next_start(lag).unwrap();
    assert_eq!(next.value.raw(), "4");
    let mut seen = next.seen.clone();
    seen.sort_by_key(|k| k.0);
    assert_eq!(seen, vec![RecordKey(2), RecordKey(3), RecordKey(4)]);
}

#[test]
fn the_boundary_keys_are_bounded() {
    let mut max = PassMax::default();
    let n = PassMax::CAP as u64 + 10;
    for k in 0..n {
        max.add(json("1"), RecordKey(k), None).unwrap();
    }
    let next = max.next_start(None).unwrap();
    assert!(next.seen.len() <= PassMax::CAP);
    assert_eq!(
        next.seen.len() as u64 + max.overflowed,
        n,
        "every dropped key counted"
    );
}

/// The API of the model: records `id → (version, cursor)`; a pass asks
/// for `cursor >= start` and gets pages of 3 records in cursor order.
#[derive(Debug, Clone)]
enum Change {
    Add { cursor: u8 },
    Update { which: usize, cursor: u8 },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0u8..40).prop_map(|cursor| Change::Add { cursor }),
        (any::<usize>(), 0u8..40).prop_map(|(which, cursor)| Change::Update { which, cursor }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every (id, version) the API holds after each batch of changes is
    /// written exactly once by the passes, whatever order pages merge in.
    /// Cursors only grow (an update sets a later cursor, as `updated_at`
    /// does), ties are common (cursor range 0..40).
    #[test]
    fn passes_write_every_version_exactly_once(
        batches in prop::collection::vec(prop::collection::vec(change(), 0..12), 1..6),
        lag in prop::option::of(0u8..5),
        order in any::<u64>(),
    ) {
        let lag = lag.map(|l| Lag::Number(f64::from(l)));
        let mut api: BTreeMap<u64, (u32, u64)> = BTreeMap::new();
        let mut next_id = 0;
        let mut clock = 0u64;
        let mut start: Option<PassStart> = None;
        let mut written: HashMap<(u64, u32), u32> = HashMap::new();
        for batch in batches {
            for c in batch {
                match c {
                    Change::Add { cursor } => {
                        clock = clock.max(u64::from(cursor));
                        api.insert(next_id, (0, clock));
                        next_id += 1;
                    }
                    Change::Update { which, cursor } if !api.is_empty() => {
                        let id = *api.keys().nth(which % api.len()).unwrap();
                        // An update moves the cursor forward (`updated_at`).
                        clock = clock.max(u64::from(cursor)) + 1;
                        let entry = api.get_mut(&id).unwrap();
                        *entry = (entry.0 + 1, clock);
                    }
                    Change::Update { .. } => {}
                }
            }
            // One pass: the API filters `>=` start, pages of 3.
            let bounds = Bounds::new(start.clone(), None);
            let from = bounds.start().map(|s| s.raw().parse::<f64>().unwrap());
            let mut rows: Vec<(u64, u32, u64)> = api
                .iter()
                .map(|(id, (v, c))| (*id, *v, *c))
                .filter(|(_, _, c)| from.is_none_or(|f| *c as f64 >= f))
                .collect();
            rows.sort_by_key(|r| (r.2, r.0));
            let mut pages: Vec<PassMax> = Vec::new();
            for page in rows.chunks(3) {
                let mut page_max = PassMax::default();
                for (id, version, cursor) in page {
                    let value = CursorValue::int(*cursor as i64);
                    let key = RecordKey::of_fields(&[&id.to_string()], &value);
                    match bounds.judge(&value, key).unwrap() {
                        Verdict::Keep => {
                            *written.entry((*id, *version)).or_default() += 1;
                            page_max.add(value, key, lag).unwrap();
                        }
                        Verdict::Seen => page_max.add(value, key, lag).unwrap(),
                        Verdict::BelowStart | Verdict::PastEnd => {}
                    }
                }
                pages.push(page_max);
            }
            // Pages commit in any order.
            let n = pages.len().max(1);
            pages.rotate_left((order as usize) % n);
            if order % 2 == 1 { pages.reverse(); }
            let mut pass = PassMax::default();
            for p in pages {
                pass.merge(p, lag).unwrap();
            }
            if let Some(next) = pass.next_start(lag) {
                start = Some(next);
            }
            for (id, (version, _)) in &api {
                prop_assert_eq!(written.get(&(*id, *version)).copied(), Some(1), "id {} v{}", id, version);
            }
        }
        prop_assert!(written.values().all(|n| *n == 1), "{:?}", written);
    }
}
