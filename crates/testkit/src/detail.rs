//! Detail pages for single-object crawls (`data_selector = "."`):
//! `GET /item/{id}` (any `u64` id) serves one record, pretty-printed over
//! several lines as many detail endpoints do, `{"id":N,"name":"item-N",...}`
//! with a nested object and array; anything else under `/item/` is not a
//! page (404). [`detail_body`] is the body, for tests to compare the record
//! written against.

/// The body of `/item/{id}`: one object over several lines.
pub fn detail_body(id: u64) -> String {
    format!(
        "{{\n  \"id\": {id},\n  \"name\": \"item-{id}\",\n  \"tags\": [\"a\", \"b\"],\n  \
         \"owner\": {{ \"id\": {owner} }}\n}}\n",
        owner = id % 7
    )
}

/// The body of `path` when it is a detail page.
pub(crate) fn respond(path: &str) -> Option<String> {
    let id = path.strip_prefix("/item/")?.split(['?', '#']).next()?;
    id.parse().ok().map(detail_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detail_page_is_one_object_over_several_lines() {
        let body = respond("/item/12?x=1").unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["id"], 12);
        assert_eq!(v["name"], "item-12");
        assert_eq!(v["owner"]["id"], 5);
        assert!(body.lines().count() > 3);
        assert_eq!(respond("/item/x"), None);
        assert_eq!(respond("/item/"), None);
        assert_eq!(respond("/items/1"), None);
    }
}
