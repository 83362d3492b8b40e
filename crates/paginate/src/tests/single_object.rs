//! `data_selector = "."` through [`PageRules`]: a detail page is one record
//! whatever its paginator, a link paginator still reads its next link from
//! the body, and a child detail page carries the copied parent fields.

use super::{no_headers, stream, url, urls};
use crate::*;

fn config(text: &str) -> Vec<PageRules> {
    let text = format!("[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n{text}");
    let config = harvest_config::parse(&text, std::path::Path::new("c.toml")).unwrap();
    PageRules::for_config(&config)
}

fn parse(rules: &PageRules, body: &str) -> (Result<Parsed, PageError>, String) {
    let page = PageRequest::seed(url("http://h/users/1"));
    let mut out = Vec::new();
    let r = rules.parse(&page, &no_headers, body.as_bytes(), &mut out);
    (r, String::from_utf8(out).unwrap())
}

#[test]
fn a_detail_page_is_one_record_and_ends_a_single_page_stream() {
    let rules = config(
        "[[resources]]\nname = \"user\"\nseeds = [\"http://h/users/1\"]\n\
         data_selector = \".\"\npaginator = { type = \"single_page\" }\n",
    );
    let body = "{\n  \"id\": 1,\n  \"items\": [{\"n\": 1}, {\"n\": 2}]\n}\n";
    let (r, out) = parse(&rules[0], body);
    let parsed = r.unwrap();
    assert_eq!((parsed.records, &parsed.next), (1, &Next::End));
    assert_eq!(
        out,
        "{   \"id\": 1,   \"items\": [{\"n\": 1}, {\"n\": 2}] }\n"
    );
    // A list where a record was expected is refused, not taken as one.
    let (r, out) = parse(&rules[0], r#"[{"id":1},{"id":2}]"#);
    assert_eq!(r.unwrap_err().reason(), "not_an_object");
    assert_eq!(out, "");
}

#[test]
fn a_link_paginator_reads_its_next_link_inside_the_record() {
    let rules = config(
        "[[resources]]\nname = \"user\"\nseeds = [\"http://h/users/1\"]\n\
         data_selector = \".\"\npaginator = { type = \"json_link\", next_url_path = \"links.next\" }\n",
    );
    let body = r#"{"id":1,"links":{"next":"/users/2"}}"#;
    let (r, out) = parse(&rules[0], body);
    let parsed = r.unwrap();
    assert_eq!(parsed.records, 1);
    assert_eq!(urls(&parsed.next), ["http://h/users/2"]);
    assert_eq!(out, format!("{body}\n"));
    let (r, _) = parse(&rules[0], r#"{"id":2,"links":{"next":null}}"#);
    assert_eq!(r.unwrap().next, Next::End);
}

#[test]
fn a_child_detail_page_carries_the_copied_fields_and_names_grandchildren() {
    let rules = config(
        "[[resources]]\nname = \"users\"\nseeds = [\"http://h/users\"]\n\
         data_selector = \"data\"\npaginator = { type = \"single_page\" }\n\
         [[resources]]\nname = \"user\"\n\
         parent = { resource = \"users\", url = \"http://h/users/{id}\", copy = { list_id = \"id\" } }\n\
         data_selector = \".\"\npaginator = { type = \"single_page\" }\n\
         [[resources]]\nname = \"org\"\n\
         parent = { resource = \"user\", url = \"http://h/orgs/{org}\" }\n\
         data_selector = \".\"\npaginator = { type = \"single_page\" }\n",
    );
    let (r, _) = parse(&rules[0], r#"{"data":[{"id":7},{"id":8}]}"#);
    let children = r.unwrap().children;
    assert_eq!(children.len(), 2);
    assert_eq!(children[0].url.as_str(), "http://h/users/7");

    let page = PageRequest::seed(children[0].url.clone());
    let body = b"{\"id\":7,\r\n\"org\":\"acme\"}";
    let mut whole = Vec::new();
    let parsed = rules[1]
        .parse_child(&page, &no_headers, body, &children[0].parent, &mut whole)
        .unwrap();
    assert_eq!(parsed.records, 1);
    assert_eq!(
        String::from_utf8(whole.clone()).unwrap(),
        "{\"list_id\":7,\"id\":7,  \"org\":\"acme\"}\n"
    );
    let urls: Vec<&str> = parsed.children.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(urls, ["http://h/orgs/acme"]);
    // Streamed in any chunks, the same record and children.
    for chunk in [1, 5, body.len()] {
        let (got, spilled) = stream(&rules[1], &page, &children[0].parent, body, chunk);
        assert_eq!(got.as_ref(), Ok(&parsed), "chunks of {chunk}");
        assert_eq!(spilled, whole, "chunks of {chunk}");
    }
}
