//! Differential property tests: the splitter, fed a body in random chunks
//! (down to one byte), against the serde visitor it replaced (`oracle`):
//! the same record lines, count and fields, and the same outcome — the same
//! error for a shape error, some `NotJson` for a broken body (its message
//! differs). Bodies are generated documents (records of varied shapes,
//! escapes, unicode, raw newlines, odd numbers), often mutated by one byte,
//! and plain fuzz bytes; `data_selector = "."` (the body as one record) among
//! the specs.

use super::oracle;
use super::*;
use harvest_config::DataSelector;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// A document to write, its strings and numbers already as JSON text.
#[derive(Debug, Clone)]
enum Doc {
    Null,
    Bool(bool),
    Num(&'static str),
    Int(i64),
    /// String contents, escapes written out.
    Str(String),
    Arr(Vec<Doc>),
    Obj(Vec<(String, Doc)>),
}

/// Path segments the documents use as keys, so selectors often hit.
const NAMES: &[&str] = &["data", "next", "a", "m", "x", "é"];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(NAMES).prop_map(str::to_owned),
        1 => Just(r"d\u0061ta".to_owned()),
        1 => Just(r"\u00e9".to_owned()),
        1 => Just(r"\ud800".to_owned()),
        1 => Just("a\u{1f600}".to_owned()),
    ]
}

/// Stands for a byte that is not UTF-8 (0xFF): swapped in once the
/// document is written.
const BAD_UTF8: &str = "\u{fffe}";

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z /:,{}\\[\\]]{0,6}",
        1 => prop::sample::select(vec![
            r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\n", r"\r", r"\t", r"\u00e9", r"\u0000",
            r"\ud83d\ude00", r"\ud800", r"\udc00x", BAD_UTF8, "é", "😀", "\u{2028}", "日本", "\u{7f}",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|v| v.concat())
}

fn number() -> impl Strategy<Value = Doc> {
    prop_oneof![
        3 => any::<i64>().prop_map(Doc::Int),
        1 => (0i64..20).prop_map(Doc::Int),
        2 => prop::sample::select(vec![
            "0", "-0", "1.5", "-2.5E-3", "1e400", "0.0e+0", "12e3",
            "9223372036854775807", "9223372036854775808", "18446744073709551615",
            "18446744073709551616", "123456789012345678901234567890",
        ])
        .prop_map(Doc::Num),
    ]
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = prop_oneof![
        Just(Doc::Null),
        any::<bool>().prop_map(Doc::Bool),
        number(),
        text().prop_map(Doc::Str),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Doc::Arr),
            prop::collection::vec((key(), inner), 0..5).prop_map(Doc::Obj),
        ]
    })
}

/// An object with a `data` array of records among other members, often
/// with a `next` link.
fn page() -> impl Strategy<Value = Doc> {
    let next = prop_oneof![
        1 => Just(None),
        2 => text().prop_map(|t| Some(Doc::Str(t))),
        1 => Just(Some(Doc::Null)),
    ];
    (
        prop::collection::vec(doc(), 0..6),
        prop::collection::vec((key(), doc()), 0..4),
        next,
        any::<prop::sample::Index>(),
    )
        .prop_map(|(records, mut others, next, at)| {
            others.extend(next.map(|n| ("next".to_owned(), n)));
            let at = at.index(others.len() + 1);
            others.insert(at, ("data".to_owned(), Doc::Arr(records)));
            Doc::Obj(others)
        })
}

/// Writes `doc` as JSON, with whitespace (raw newlines too) between tokens
/// where `ws` draws it.
fn write(doc: &Doc, ws: &mut StdRng, out: &mut String) {
    space(ws, out);
    match doc {
        Doc::Null => out.push_str("null"),
        Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Doc::Num(n) => out.push_str(n),
        Doc::Int(n) => out.push_str(&n.to_string()),
        Doc::Str(s) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        Doc::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, ws, out);
            }
            space(ws, out);
            out.push(']');
        }
        Doc::Obj(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                space(ws, out);
                out.push('"');
                out.push_str(k);
                out.push('"');
                space(ws, out);
                out.push(':');
                write(v, ws, out);
            }
            space(ws, out);
            out.push('}');
        }
    }
    space(ws, out);
}

/// Whitespace in one place out of four.
fn space(ws: &mut StdRng, out: &mut String) {
    if ws.gen_ratio(1, 4) {
        out.push_str([" ", "\n", "\r\n", "\t", "  "].choose(ws).unwrap());
    }
}

/// One byte changed: cut there, dropped, inserted or replaced.
#[derive(Debug, Clone)]
struct Mutation {
    at: prop::sample::Index,
    op: u8,
    byte: u8,
}

const ALPHABET: &[u8] = b"{}[],:\"\\ \n0123-+.eEtrufalsn\xff\xc3\xa9\x01xu";

fn mutation() -> impl Strategy<Value = Option<Mutation>> {
    prop::option::weighted(
        0.3,
        (
            any::<prop::sample::Index>(),
            0u8..4,
            prop::sample::select(ALPHABET),
        )
            .prop_map(|(at, op, byte)| Mutation { at, op, byte }),
    )
}

fn mutate(body: &mut Vec<u8>, m: &Option<Mutation>) {
    let Some(m) = m else { return };
    let at = m.at.index(body.len() + 1);
    match m.op {
        0 => body.truncate(at),
        1 if at < body.len() => {
            body.remove(at);
        }
        2 => body.insert(at, m.byte),
        _ if at < body.len() => body[at] = m.byte,
        _ => body.push(m.byte),
    }
}

fn path() -> impl Strategy<Value = Selector> {
    prop::collection::vec(prop::sample::select(NAMES), 0..3)
        .prop_map(|s| Selector::parse(&s.join(".")).unwrap())
}

fn spec() -> impl Strategy<Value = ScanSpec> {
    let data = prop_oneof![
        6 => Just(DataSelector::from(Selector::parse("data").unwrap())),
        1 => path().prop_map(DataSelector::from),
        1 => Just(DataSelector::Body),
    ];
    let want = prop::sample::select(vec![Want::Link, Want::Token, Want::Count, Want::Flag]);
    let next = (Selector::parse("next").unwrap(), Want::Link);
    let fields = prop_oneof![
        1 => Just(Vec::new()),
        1 => Just(vec![next]),
        1 => prop::collection::vec((path(), want), 1..4),
    ];
    (data, fields).prop_map(|(data, fields)| ScanSpec::with_fields(data, fields))
}

fn members() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![&b""[..], br#""p":1"#, br#""q":{"r":[1]},"s":"t""#])
        .prop_map(<[u8]>::to_vec)
}

/// Chunk sizes, used in turn; often all ones.
fn chunks() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        1 => Just(vec![1]),
        3 => prop::collection::vec(1usize..12, 1..6),
        1 => prop::collection::vec(1usize..300, 1..3),
    ]
}

/// Feeds `body` in chunks of `sizes` (in turn), then finishes.
fn split(
    body: &[u8],
    spec: &ScanSpec,
    members: &[u8],
    sizes: &[usize],
    out: &mut Vec<u8>,
) -> Result<Scan, PageError> {
    let mut splitter = PageSplitter::new(spec, members);
    let mut rest = body;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at((*size).min(rest.len()));
        splitter.feed(chunk, out)?;
        rest = tail;
    }
    splitter.finish(out)
}

fn same(
    want: &Result<Scan, PageError>,
    got: &Result<Scan, PageError>,
) -> Result<(), TestCaseError> {
    match (want, got) {
        (Err(PageError::NotJson(_)), Err(PageError::NotJson(_))) => Ok(()),
        _ => {
            prop_assert_eq!(want, got);
            Ok(())
        }
    }
}

/// The oracle, the whole-body wrapper and the chunked splitter agree.
fn check(
    body: &[u8],
    spec: &ScanSpec,
    members: &[u8],
    sizes: &[usize],
) -> Result<(), TestCaseError> {
    let prefix = b"earlier line\n".to_vec();
    let mut want_out = prefix.clone();
    let want = oracle::scan_page_with(body, spec, members, &mut want_out);
    let mut whole_out = prefix.clone();
    let whole = scan_page_with(body, spec, members, &mut whole_out);
    same(&want, &whole)?;
    prop_assert_eq!(&want_out, &whole_out, "whole body: the same bytes out");
    let mut split_out = prefix.clone();
    let chunked = split(body, spec, members, sizes, &mut split_out);
    same(&want, &chunked)?;
    if want.is_ok() {
        prop_assert_eq!(&want_out, &split_out, "chunked: the same bytes out");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn splitter_matches_the_serde_scan(
        doc in prop_oneof![6 => page(), 1 => doc()],
        ws in any::<u64>(),
        mutation in mutation(),
        spec in spec(),
        members in members(),
        sizes in chunks(),
    ) {
        let mut body = String::new();
        write(&doc, &mut StdRng::seed_from_u64(ws), &mut body);
        let mut body = body.replace(BAD_UTF8, "\u{1}").into_bytes();
        for b in body.iter_mut().filter(|b| **b == 1) {
            *b = 0xff;
        }
        mutate(&mut body, &mutation);
        check(&body, &spec, &members, &sizes)?;
    }

    #[test]
    fn fuzz_bytes_never_panic_and_match_the_serde_scan(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            prop::collection::vec(prop::sample::select(ALPHABET), 0..96),
        ],
        spec in spec(),
        sizes in chunks(),
    ) {
        check(&body, &spec, b"", &sizes)?;
    }
}
