//! The scalar fields of a body that pagination may hide in: every
//! non-container value reachable through objects (not into arrays: those
//! are records), a few levels deep, with its dotted path. Also the two small
//! word tests the guesses share.

use serde_json::Value;

/// Objects nested deeper than this are not looked into
/// (`meta.pagination.next` is three levels).
const MAX_LEVELS: usize = 3;

/// One scalar field of a body.
#[derive(Debug)]
pub(super) struct Field<'a> {
    /// Dotted path from the root (`meta.next_cursor`).
    pub path: String,
    /// Its own key, as written (`next_cursor`).
    pub key: String,
    /// The key of the object holding it (`meta`; `""` at the root).
    pub parent: &'a str,
    /// `key` in the form the name lists use: [`norm`].
    pub norm: String,
    pub value: &'a Value,
}

/// Every scalar field of `body`, shallow ones first (then keys in order).
pub(super) fn scalars(body: &Value) -> Vec<Field<'_>> {
    let mut found = Vec::new();
    let mut level: Vec<(String, &str, &Value)> = vec![(String::new(), "", body)];
    for _ in 0..MAX_LEVELS {
        let mut deeper = Vec::new();
        for (prefix, parent, value) in level {
            let Value::Object(map) = value else { continue };
            for (key, v) in map {
                // A key with a dot cannot be named by a dotted path.
                if key.is_empty() || key.contains('.') {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match v {
                    Value::Object(_) => deeper.push((path, key.as_str(), v)),
                    Value::Array(_) => {}
                    _ => found.push(Field {
                        path,
                        key: key.clone(),
                        parent,
                        norm: norm(key),
                        value: v,
                    }),
                }
            }
        }
        level = deeper;
    }
    found
}

/// `key` lower-cased without `_` and `-`: `nextCursor`, `next_cursor` and
/// `next-cursor` are all `nextcursor`.
pub(super) fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether `s` reads as a link to another page: absolute http(s), or a
/// path or query relative to the page.
pub(super) fn is_url_like(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || (s.starts_with('/') && !s.starts_with("//"))
        || s.starts_with('?')
        || s.starts_with("./")
}
