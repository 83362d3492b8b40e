//! The arrays a JSON body holds, with their dotted paths (the
//! `data_selector` syntax) and lengths: what `harvest sample` lists when a
//! resource's `data_selector` misses, so the user sees what to write
//! instead. Only objects are walked into (an array's elements have no
//! dotted path); the body is parsed whole, so this is for one page shown to
//! a user, never the crawl's hot path.

/// One array found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonArray {
    /// Dotted path from the body's root (`""`: the body is the array).
    pub path: String,
    /// Elements in the array.
    pub len: usize,
    /// Elements that are JSON objects (records usually are).
    pub objects: usize,
}

/// Every array of `body` reachable through objects, depth first, keys in
/// sorted order. Errors when `body` is not JSON.
pub fn list_arrays(body: &[u8]) -> Result<Vec<JsonArray>, serde_json::Error> {
    let root: serde_json::Value = serde_json::from_slice(body)?;
    let mut found = Vec::new();
    walk(&root, String::new(), &mut found);
    Ok(found)
}

/// The array that looks like the records: the largest array of objects
/// (the first of equals), if any holds objects.
pub fn likely_records(arrays: &[JsonArray]) -> Option<&JsonArray> {
    arrays
        .iter()
        .filter(|a| a.objects > 0)
        .rev()
        .max_by_key(|a| a.objects)
}

fn walk(value: &serde_json::Value, path: String, found: &mut Vec<JsonArray>) {
    match value {
        serde_json::Value::Array(items) => found.push(JsonArray {
            path,
            len: items.len(),
            objects: items.iter().filter(|v| v.is_object()).count(),
        }),
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(v, child, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(path: &str, len: usize, objects: usize) -> JsonArray {
        JsonArray {
            path: path.into(),
            len,
            objects,
        }
    }

    #[test]
    fn lists_nested_arrays_with_paths_and_lengths() {
        let body = br#"{"meta":{"tags":["a","b"]},"data":{"items":[{"id":1},{"id":2},{"id":3}]},"results":[{"x":1}]}"#;
        let arrays = list_arrays(body).unwrap();
        assert_eq!(
            arrays,
            vec![
                arr("data.items", 3, 3),
                arr("meta.tags", 2, 0),
                arr("results", 1, 1)
            ]
        );
        assert_eq!(likely_records(&arrays), Some(&arrays[0]));
    }

    #[test]
    fn a_root_array_has_the_empty_path() {
        let arrays = list_arrays(br#"[{"id":1},[2]]"#).unwrap();
        assert_eq!(arrays, vec![arr("", 2, 1)]);
    }

    #[test]
    fn no_array_of_objects_means_no_likely_records() {
        let arrays = list_arrays(br#"{"ids":[1,2,3],"empty":[]}"#).unwrap();
        assert_eq!(arrays.len(), 2);
        assert_eq!(likely_records(&arrays), None);
        assert!(list_arrays(b"<html>").is_err());
    }

    #[test]
    fn equal_arrays_of_objects_pick_the_first() {
        let arrays = list_arrays(br#"{"a":[{}],"b":[{}]}"#).unwrap();
        assert_eq!(likely_records(&arrays).unwrap().path, "a");
    }
}
