//! TOML text → [`RawFile`], with *every* shape problem of the file: a wrong
//! type, an unknown key, a missing key. serde stops at the first error, so
//! the text is parsed once with spans (`toml_edit`), then deserialized again
//! and again: each error is reported at its line and key path, and the entry
//! it is about is taken out of the tree before the next try. `raw.rs` keeps
//! `deny_unknown_fields`, so a typo is one of those problems.

use crate::error::{line_of, Problem};
use crate::raw::RawFile;
use crate::tree::{self, KeyPath, Seg};
use serde::Deserialize;
use toml_edit::{DocumentMut, ImDocument, Item};

/// More problems than this in one file: the rest is not worth reading.
const MAX_PROBLEMS: usize = 100;

/// What reading the file gave.
pub(crate) struct Reading {
    /// The file as read; `None` when it could not be read at all.
    pub raw: Option<RawFile>,
    /// Every problem found, in the order found.
    pub problems: Vec<Problem>,
    /// False when a table or a required key had to be dropped to read on:
    /// `raw` then lacks parts of the file and is not worth validating.
    pub whole: bool,
}

pub(crate) fn read(text: &str) -> Reading {
    let doc = match ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            return Reading {
                raw: None,
                problems: vec![Problem::new(line, "", e.message())],
                whole: false,
            };
        }
    };
    let original = doc.as_item().clone();
    let mut pruned = doc.into_item();
    let mut problems = Vec::new();
    let mut dropped: Vec<KeyPath> = Vec::new();
    let mut whole = true;
    while problems.len() < MAX_PROBLEMS {
        let Some(table) = pruned.as_table() else {
            break;
        };
        let de = toml_edit::de::Deserializer::from(DocumentMut::from(table.clone()));
        let e = match RawFile::deserialize(de) {
            Ok(raw) => {
                return Reading {
                    raw: Some(raw),
                    problems,
                    whole,
                }
            }
            Err(e) => e,
        };
        let span = e.span();
        // Found in what is left (to take it out) and in the file (to name it).
        let here = span.as_ref().and_then(|s| tree::find(&pruned, s));
        let at = match (&here, &span) {
            (Some(_), Some(s)) => tree::find(&original, s).unwrap_or_default(),
            _ => KeyPath::default(),
        };
        let (key, message) = crate::wording::plain(e.message(), &at);
        // A required key this loop dropped as mistyped is not missing twice.
        if !dropped.contains(&key) {
            let line = span.map(|s| line_of(text, s.start));
            problems.push(Problem::new(line, named(&original, &key), message));
        }
        let Some(here) = here.filter(|h| !h.0.is_empty()) else {
            break;
        };
        if key != at || !is_scalar(tree::get(&pruned, &here.0)) {
            whole = false;
        }
        if matches!(here.0.last(), Some(Seg::Index(_))) {
            whole = false;
        }
        dropped.push(at);
        if !tree::remove(&mut pruned, &here.0) {
            break;
        }
    }
    Reading {
        raw: None,
        problems,
        whole: false,
    }
}

fn is_scalar(item: Option<&Item>) -> bool {
    item.and_then(Item::as_value)
        .is_some_and(|v| !v.is_array() && !v.is_inline_table())
}

/// `key` as the checkers write it: `resources[1] (orders).paginator`.
fn named(original: &Item, key: &KeyPath) -> String {
    let text = key.to_string();
    if let [Seg::Key(top), Seg::Index(i), ..] = key.0.as_slice() {
        if top == "resources" {
            let name = tree::get(original, &key.0[..2])
                .and_then(|r| r.get("name"))
                .and_then(Item::as_str);
            if let Some(name) = name {
                let head = format!("resources[{i}]");
                return text.replacen(&head, &format!("{head} ({name})"), 1);
            }
        }
    }
    text
}
