//! Where the records are: the largest array of objects in the body (the
//! same pick as `harvest sample`'s `likely_records`), with what was seen.
//! A body that is one object (a detail endpoint) or holds no array of
//! objects is said so, with what would fit.

use harvest_paginate::{likely_records, list_arrays, JsonArray};
use serde_json::Value;

/// The `data_selector` guessed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsGuess {
    /// Dotted path of the record array (`""`: the body is the array; `"."`:
    /// the body is the one record).
    pub selector: String,
    /// Records on this page (items of the chosen array, 1 for a single
    /// object; 0 when none was found).
    pub count: usize,
    /// The body is one JSON object with no array of objects: each page is
    /// one record (`data_selector = "."`).
    pub single_object: bool,
    /// What the guess rests on, one comment line each.
    pub seen: Vec<String>,
}

/// The record array of `body`.
pub(super) fn guess(body: &Value) -> RecordsGuess {
    let arrays = collect(body);
    let others = |chosen: &str| -> Option<String> {
        let rest: Vec<String> = arrays
            .iter()
            .filter(|a| a.path != chosen)
            .map(|a| format!("`{}` ({})", shown(&a.path), a.len))
            .collect();
        (!rest.is_empty()).then(|| format!("other arrays: {}", rest.join(", ")))
    };
    if let Some(found) = likely_records(&arrays) {
        let mut seen = vec![format!(
            "`{}` holds {} objects (of {} items): the largest array of objects in the body",
            shown(&found.path),
            found.objects,
            found.len
        )];
        seen.extend(others(&found.path));
        return RecordsGuess {
            selector: found.path.clone(),
            count: found.len,
            single_object: false,
            seen,
        };
    }
    // No array holds an object: an empty record array, scalars, or one object.
    if let Some(empty) = arrays.iter().find(|a| a.len == 0) {
        let mut seen = vec![format!(
            "`{}` is an empty array on this page: check it holds the records on a page that has some",
            shown(&empty.path)
        )];
        seen.extend(others(&empty.path));
        return RecordsGuess {
            selector: empty.path.clone(),
            count: 0,
            single_object: false,
            seen,
        };
    }
    if body.is_object() {
        let mut seen = vec![
            "the body is one JSON object, with no array of objects: a detail endpoint (one record per URL)"
                .to_owned(),
            "`\".\"` takes the whole body as the record; for many of these, seed a template over the ids".to_owned(),
            "(`seed_template`) or fetch one per parent record (`parent`), or point init at the list endpoint".to_owned(),
        ];
        seen.extend(others(""));
        return RecordsGuess {
            selector: ".".to_owned(),
            count: 1,
            single_object: true,
            seen,
        };
    }
    let seen = match arrays.first() {
        Some(a) => vec![format!(
            "`{}` ({} items) holds no object: records are JSON objects; check the URL",
            shown(&a.path),
            a.len
        )],
        None => vec!["the body holds no array: check the URL".to_owned()],
    };
    RecordsGuess {
        selector: arrays.first().map(|a| a.path.clone()).unwrap_or_default(),
        count: 0,
        single_object: false,
        seen,
    }
}

/// The arrays of `body` (`list_arrays` takes bytes; the body is small).
fn collect(body: &Value) -> Vec<JsonArray> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    list_arrays(&bytes).unwrap_or_default()
}

/// A path as written in `data_selector`.
pub(super) fn shown(path: &str) -> &str {
    if path.is_empty() {
        "\"\" (the whole body)"
    } else {
        path
    }
}
