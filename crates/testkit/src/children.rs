//! Child records of every parent record, for parent → child crawls:
//! `GET /c/{parent_id}/p/{page}` (0-based, [`CHILD_PAGES`] pages linked by
//! an absolute `"next"`, `null` on the last) serves [`CHILD_RECORDS`]
//! records per page, `{"id":N,"parent_id":P,"page":p}`, with
//! `N = P * 10 + page * CHILD_RECORDS + j`: every child id is known from its
//! parent's id alone.

/// Pages per child stream.
pub const CHILD_PAGES: u64 = 2;
/// Records per child page.
pub const CHILD_RECORDS: u64 = 3;

/// Every child id of parent `parent_id`.
pub fn child_ids(parent_id: u64) -> impl Iterator<Item = u64> {
    (0..CHILD_PAGES * CHILD_RECORDS).map(move |k| parent_id * 10 + k)
}

/// The body of `path` when it is a child page.
pub(crate) fn respond(port: u16, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/c/")?;
    let (parent, page) = rest.split_once("/p/")?;
    let parent: u64 = parent.parse().ok()?;
    let page: u64 = page.split(['?', '#']).next()?.parse().ok()?;
    if page >= CHILD_PAGES {
        return None;
    }
    let records: Vec<String> = (0..CHILD_RECORDS)
        .map(|j| {
            let id = parent * 10 + page * CHILD_RECORDS + j;
            format!("{{\"id\":{id},\"parent_id\":{parent},\"page\":{page}}}")
        })
        .collect();
    let next = if page + 1 < CHILD_PAGES {
        format!("\"http://127.0.0.1:{port}/c/{parent}/p/{}\"", page + 1)
    } else {
        "null".to_string()
    };
    Some(format!(
        "{{\"data\":[{}],\"next\":{next}}}",
        records.join(",")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_pages_serve_the_ids_of_their_parent() {
        let mut ids = Vec::new();
        for page in 0..CHILD_PAGES {
            let body: serde_json::Value =
                serde_json::from_str(&respond(1, &format!("/c/7/p/{page}")).unwrap()).unwrap();
            for r in body["data"].as_array().unwrap() {
                assert_eq!(r["parent_id"], 7);
                ids.push(r["id"].as_u64().unwrap());
            }
        }
        assert_eq!(ids, child_ids(7).collect::<Vec<_>>());
        assert!(respond(1, "/c/7/p/0").unwrap().contains("/c/7/p/1\""));
        assert!(respond(1, "/c/7/p/1").unwrap().contains("\"next\":null"));
        assert_eq!(respond(1, &format!("/c/7/p/{CHILD_PAGES}")), None);
    }
}
