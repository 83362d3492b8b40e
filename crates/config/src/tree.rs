//! Where a byte span of the config file sits in its TOML tree: the key path
//! of the innermost key or value holding it (`resources[1].paginator`), and
//! removing that entry. `reading` uses both to report a type error by key and
//! go on past it. Spans are those of the parsed text, kept in every clone.

use std::fmt;
use std::ops::Range;
use toml_edit::{Item, Value};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A key path, printed `client.origins[0].burst`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub(crate) fn child(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        Self(segs)
    }

    /// The last key of the path, if it ends in a key.
    pub(crate) fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn within(outer: Option<Range<usize>>, inner: &Range<usize>) -> bool {
    outer.is_some_and(|o| o.start <= inner.start && inner.end <= o.end)
}

/// The path of the innermost entry of `item` whose key or value holds `span`.
pub(crate) fn find(item: &Item, span: &Range<usize>) -> Option<KeyPath> {
    let mut segs = Vec::new();
    find_item(item, span, &mut segs).then_some(KeyPath(segs))
}

fn find_item(item: &Item, span: &Range<usize>, segs: &mut Vec<Seg>) -> bool {
    match item {
        Item::Table(t) => t.iter().any(|(k, child)| {
            let key_span = t.key(k).and_then(|k| k.span());
            entry(k, key_span, segs, span, |segs| {
                find_item(child, span, segs) || within(child.span(), span)
            })
        }),
        Item::ArrayOfTables(a) => (0..a.len()).any(|i| {
            let Some(t) = item.get(i) else { return false };
            segs.push(Seg::Index(i));
            let found = find_item(t, span, segs) || within(t.span(), span);
            if !found {
                segs.pop();
            }
            found
        }),
        Item::Value(v) => find_value(v, span, segs),
        Item::None => false,
    }
}

fn find_value(value: &Value, span: &Range<usize>, segs: &mut Vec<Seg>) -> bool {
    match value {
        Value::InlineTable(t) => t.iter().any(|(k, child)| {
            let key_span = t.key(k).and_then(|k| k.span());
            entry(k, key_span, segs, span, |segs| {
                find_value(child, span, segs) || within(child.span(), span)
            })
        }),
        Value::Array(a) => a.iter().enumerate().any(|(i, v)| {
            segs.push(Seg::Index(i));
            let found = find_value(v, span, segs) || within(v.span(), span);
            if !found {
                segs.pop();
            }
            found
        }),
        _ => false,
    }
}

/// Pushes `key`; keeps it when `span` is its key or `inside` finds it.
fn entry(
    key: &str,
    key_span: Option<Range<usize>>,
    segs: &mut Vec<Seg>,
    span: &Range<usize>,
    inside: impl FnOnce(&mut Vec<Seg>) -> bool,
) -> bool {
    segs.push(Seg::Key(key.to_string()));
    if within(key_span, span) || inside(segs) {
        return true;
    }
    segs.pop();
    false
}

/// Removes the entry at `path` from `item`; false when there is none.
pub(crate) fn remove(item: &mut Item, path: &[Seg]) -> bool {
    match path {
        [] => false,
        [Seg::Key(k)] if item.is_table() => {
            item.as_table_mut().is_some_and(|t| t.remove(k).is_some())
        }
        [Seg::Index(i)] if item.is_array_of_tables() => match item.as_array_of_tables_mut() {
            Some(a) if *i < a.len() => {
                a.remove(*i);
                true
            }
            _ => false,
        },
        [Seg::Key(k), rest @ ..] if item.is_table() => {
            item.get_mut(k.as_str()).is_some_and(|c| remove(c, rest))
        }
        [Seg::Index(i), rest @ ..] if item.is_array_of_tables() => {
            item.get_mut(*i).is_some_and(|c| remove(c, rest))
        }
        _ => match item {
            Item::Value(v) => remove_value(v, path),
            _ => false,
        },
    }
}

fn remove_value(value: &mut Value, path: &[Seg]) -> bool {
    match (value, path) {
        (Value::InlineTable(t), [Seg::Key(k)]) => t.remove(k).is_some(),
        (Value::InlineTable(t), [Seg::Key(k), rest @ ..]) => {
            t.get_mut(k).is_some_and(|c| remove_value(c, rest))
        }
        (Value::Array(a), [Seg::Index(i)]) if *i < a.len() => {
            a.remove(*i);
            true
        }
        (Value::Array(a), [Seg::Index(i), rest @ ..]) => {
            a.get_mut(*i).is_some_and(|c| remove_value(c, rest))
        }
        _ => false,
    }
}

/// The item at `path`, if any.
pub(crate) fn get<'a>(item: &'a Item, path: &[Seg]) -> Option<&'a Item> {
    match path {
        [] => Some(item),
        [Seg::Key(k), rest @ ..] => get(item.get(k.as_str())?, rest),
        [Seg::Index(i), rest @ ..] => get(item.get(*i)?, rest),
    }
}
