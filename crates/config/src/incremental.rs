//! `incremental = { ... }` on a resource: checked into [`Incremental`].
//!
//! The values are typed the way the records' cursors will be
//! (`harvest_incremental::CursorValue`): a TOML number is a number, a
//! string an RFC 3339 timestamp when it reads as one, else text. What can
//! be known before a page is fetched is checked here: the start and end
//! are of one kind and in order, a lag fits the kind, the parameters do not
//! collide with the paginator's own or the resource's `params`, and the
//! resource is no child (its parent's pass decides its streams).

use crate::checker::Checker;
use crate::model::{PageStyle, Paginator, Selector};
use crate::raw::RawIncremental;
use harvest_incremental::{CursorKind, CursorValue, Lag};
use std::cmp::Ordering;
use toml::Spanned;

/// A resource harvested in passes.
#[derive(Debug, Clone, PartialEq)]
pub struct Incremental {
    /// Where each record holds its cursor value.
    pub cursor_path: Selector,
    /// The query parameter a pass's start is sent as.
    pub param: String,
    /// The first pass's start; `None`: the first pass sends no start.
    pub initial_value: Option<CursorValue>,
    /// The fields naming a record; empty: the record's bytes do.
    pub primary_key: Vec<Selector>,
    /// A closed window's end parameter and (exclusive) value.
    pub end: Option<(String, CursorValue)>,
    pub lag: Option<Lag>,
    pub on_missing: OnMissing,
}

/// What a record without a cursor value does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnMissing {
    /// Its page is dead-lettered (`cursor_missing`): the cursor path is
    /// probably wrong.
    #[default]
    DeadLetter,
    /// Written in every pass.
    Include,
    /// Left out.
    Exclude,
}

impl OnMissing {
    pub const NAMES: &'static [&'static str] = &["dead_letter", "include", "exclude"];

    fn parse(word: &str) -> Option<Self> {
        match word {
            "dead_letter" => Some(Self::DeadLetter),
            "include" => Some(Self::Include),
            "exclude" => Some(Self::Exclude),
            _ => None,
        }
    }
}

/// What a resource's incremental check needs besides the table itself.
pub(crate) struct Around<'a> {
    /// The resource's key (`resources[0]`).
    pub key: &'a str,
    pub paginator: Option<&'a Paginator>,
    /// The resource's `params` names.
    pub params: Vec<&'a str>,
    /// The parent resource's name, for a child.
    pub parent: Option<&'a str>,
}

/// Checks `raw`; every problem is reported, `None` when there was one.
pub(crate) fn check(
    c: &mut Checker<'_>,
    around: &Around<'_>,
    raw: &Spanned<RawIncremental>,
) -> Option<Incremental> {
    let key = format!("{}.incremental", around.key);
    let r = raw.get_ref();
    let before = c.problems_len();
    if let Some(parent) = around.parent {
        c.at(
            raw,
            key.clone(),
            format!(
                "a child resource takes no `incremental` of its own: put it on `{parent}`, \
                 whose pass then names this resource's streams"
            ),
        );
    }
    let cursor_path = match Selector::parse(&r.cursor_path) {
        Ok(path) if path.segments().is_empty() => {
            let why = "must name a field of the record (`updated_at`), not the record itself";
            c.at(raw, format!("{key}.cursor_path"), why);
            None
        }
        Ok(path) => Some(path),
        Err(e) => {
            c.at(raw, format!("{key}.cursor_path"), e);
            None
        }
    };
    check_param(c, raw, &format!("{key}.param"), &r.param, around);
    let initial_value = value(c, raw, &format!("{key}.initial_value"), &r.initial_value);
    let end = match (&r.end_param, &r.end_value) {
        (None, None) => None,
        (Some(param), Some(v)) => {
            check_param(c, raw, &format!("{key}.end_param"), param, around);
            if *param == r.param {
                c.at(raw, format!("{key}.end_param"), "must differ from `param`");
            }
            value(c, raw, &format!("{key}.end_value"), &Some(v.clone()))
                .map(|end| (param.clone(), end))
        }
        (Some(_), None) => {
            c.at(
                raw,
                format!("{key}.end_value"),
                "missing: `end_param` needs `end_value`",
            );
            None
        }
        (None, Some(_)) => {
            c.at(
                raw,
                format!("{key}.end_param"),
                "missing: `end_value` needs `end_param`",
            );
            None
        }
    };
    if let (Some(start), Some((_, end))) = (&initial_value, &end) {
        match start.compare(end) {
            Ok(Ordering::Less) => {}
            Ok(_) => c.at(
                raw,
                format!("{key}.end_value"),
                format!("`{end}` is not after initial_value `{start}`: the window is empty"),
            ),
            Err(_) => c.at(
                raw,
                format!("{key}.end_value"),
                format!(
                    "is {}, initial_value is {}: both must be of one kind",
                    end.kind(),
                    start.kind()
                ),
            ),
        }
    }
    let kind = initial_value
        .as_ref()
        .or(end.as_ref().map(|(_, v)| v))
        .map(CursorValue::kind);
    let lag = r
        .lag
        .as_ref()
        .and_then(|lag| check_lag(c, raw, &format!("{key}.lag"), lag, kind));
    let primary_key = primary_key(c, raw, &format!("{key}.primary_key"), &r.primary_key);
    let on_missing = match r.on_missing.as_deref() {
        None => OnMissing::default(),
        Some(word) => OnMissing::parse(word).unwrap_or_else(|| {
            let why = format!("`{word}`: use {}", OnMissing::NAMES.join(", "));
            c.at(raw, format!("{key}.on_missing"), why);
            OnMissing::default()
        }),
    };
    if c.problems_len() > before {
        return None;
    }
    Some(Incremental {
        cursor_path: cursor_path?,
        param: r.param.clone(),
        initial_value,
        primary_key: primary_key?,
        end,
        lag,
        on_missing,
    })
}

/// A query parameter of the pass: a name that the paginator and `params`
/// leave alone.
fn check_param(
    c: &mut Checker<'_>,
    raw: &Spanned<RawIncremental>,
    key: &str,
    name: &str,
    around: &Around<'_>,
) {
    if name.is_empty() {
        c.at(
            raw,
            key,
            "must not be empty: the query parameter the start is sent as",
        );
        return;
    }
    if let Some(own) = around
        .paginator
        .and_then(|p| paginator_param(&p.style, name))
    {
        c.at(
            raw,
            key,
            format!(
                "`{name}` is the paginator's own {own}: pages could not carry the pass's value"
            ),
        );
    }
    if around.params.contains(&name) {
        c.at(
            raw,
            key,
            format!("`{name}` is also in this resource's `params`: say it in one place"),
        );
    }
}

/// Which of the paginator's query parameters `name` is, if any.
fn paginator_param(style: &PageStyle, name: &str) -> Option<&'static str> {
    match style {
        PageStyle::Cursor { cursor_param, .. } if cursor_param == name => Some("cursor_param"),
        PageStyle::Offset { offset_param, .. } if offset_param == name => Some("offset_param"),
        PageStyle::Offset { limit_param, .. } if limit_param == name => Some("limit_param"),
        PageStyle::PageNumber { page_param, .. } if page_param == name => Some("page_param"),
        PageStyle::PageNumber {
            page_size_param: Some(p),
            ..
        } if p == name => Some("page_size_param"),
        _ => None,
    }
}

/// A cursor value written in the config: a number or a string.
fn value(
    c: &mut Checker<'_>,
    raw: &Spanned<RawIncremental>,
    key: &str,
    v: &Option<toml::Value>,
) -> Option<CursorValue> {
    match v.as_ref()? {
        toml::Value::String(s) if s.is_empty() => {
            c.at(raw, key, "must not be empty");
            None
        }
        toml::Value::String(s) => Some(CursorValue::from_text(s.clone())),
        toml::Value::Integer(n) => Some(CursorValue::int(*n)),
        toml::Value::Float(x) => CursorValue::float(*x).or_else(|| {
            c.at(raw, key, "must be a finite number");
            None
        }),
        toml::Value::Datetime(d) => Some(CursorValue::from_text(d.to_string())),
        other => {
            let why = format!(
                "expected a string or a number, e.g. \"2024-01-01T00:00:00Z\" or 1000, not {}",
                other.type_str()
            );
            c.at(raw, key, why);
            None
        }
    }
}

/// `lag`: a duration for timestamp cursors, a number for number cursors;
/// `kind` is the cursor's kind when the config shows it.
fn check_lag(
    c: &mut Checker<'_>,
    raw: &Spanned<RawIncremental>,
    key: &str,
    lag: &toml::Value,
    kind: Option<CursorKind>,
) -> Option<Lag> {
    let lag = match lag {
        toml::Value::String(s) => match humantime::parse_duration(s) {
            Ok(d) => Lag::Time(d),
            Err(e) => {
                c.at(
                    raw,
                    key,
                    format!("`{s}` is not a duration ({e}), e.g. \"10m\""),
                );
                return None;
            }
        },
        toml::Value::Integer(n) if *n >= 0 => Lag::Number(*n as f64),
        toml::Value::Float(x) if x.is_finite() && *x >= 0.0 => Lag::Number(*x),
        other => {
            let why = format!(
                "expected a duration (\"10m\") or a number not below 0, not {}",
                other.type_str()
            );
            c.at(raw, key, why);
            return None;
        }
    };
    let fits = match (lag, kind) {
        (_, None) => true,
        (Lag::Time(_), Some(k)) => k == CursorKind::Timestamp,
        (Lag::Number(_), Some(k)) => k == CursorKind::Number,
    };
    if !fits {
        let what = match lag {
            Lag::Time(_) => "a duration fits timestamp cursors",
            Lag::Number(_) => "a number fits number cursors",
        };
        let kind = kind.expect("checked above");
        c.at(raw, key, format!("{what}, and this cursor is {kind}"));
        return None;
    }
    Some(lag)
}

/// `primary_key`: one path or a non-empty list of paths.
fn primary_key(
    c: &mut Checker<'_>,
    raw: &Spanned<RawIncremental>,
    key: &str,
    v: &Option<toml::Value>,
) -> Option<Vec<Selector>> {
    let written: Vec<&str> = match v {
        None => return Some(Vec::new()),
        Some(toml::Value::String(s)) => vec![s.as_str()],
        Some(toml::Value::Array(items)) if !items.is_empty() => {
            let strings: Option<Vec<&str>> = items.iter().map(toml::Value::as_str).collect();
            match strings {
                Some(s) => s,
                None => {
                    c.at(
                        raw,
                        key,
                        "expected field paths (strings), e.g. [\"shop\", \"id\"]",
                    );
                    return None;
                }
            }
        }
        Some(_) => {
            c.at(
                raw,
                key,
                "expected a field path or a list of them, e.g. \"id\"",
            );
            return None;
        }
    };
    let mut paths = Vec::new();
    for w in written {
        match Selector::parse(w) {
            Ok(p) if !p.segments().is_empty() => paths.push(p),
            Ok(_) => c.at(
                raw,
                key,
                "a key field must be a field of the record, not the record",
            ),
            Err(e) => c.at(raw, key, e),
        }
    }
    (paths.len() == v.as_ref().map_or(0, |v| v.as_array().map_or(1, Vec::len))).then_some(paths)
}
