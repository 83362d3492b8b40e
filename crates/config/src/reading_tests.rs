//! Every shape problem of a file at once: type errors by line, key path and
//! plain words; hints for the common slips.

use crate::*;
use std::path::Path;

const HEAD: &str = "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n";
const RESOURCE: &str = "[[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
                        data_selector = \"data\"\npaginator = { type = \"single_page\" }\n";

fn problems(text: &str) -> Vec<Problem> {
    parse(text, Path::new("c.toml"))
        .unwrap_err()
        .problems()
        .to_vec()
}

/// `(line, key)` of every problem, and the messages joined for asserts.
fn lines_and_keys(p: &[Problem]) -> Vec<(Option<usize>, &str)> {
    p.iter().map(|p| (p.line, p.key.as_str())).collect()
}

#[test]
fn three_type_errors_in_three_tables_are_all_reported() {
    let text = format!(
        "{HEAD}\
         [client]\n\
         rate_per_sec = \"20\"\n\
         [retry]\n\
         base_delay = 500\n\
         [[resources]]\nname = \"a\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
         data_selector = \"data\"\npaginator = {{ type = \"single_page\" }}\n\
         max_depth = \"deep\"\n\
         [[resources]]\nname = \"b\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
         data_selector = \"data\"\npaginator = {{ type = \"json_lnk\" }}\n"
    );
    let p = problems(&text);
    assert_eq!(
        lines_and_keys(&p),
        vec![
            (Some(5), "client.rate_per_sec"),
            (Some(7), "retry.base_delay"),
            (Some(13), "resources[0] (a).max_depth"),
            (Some(18), "resources[1] (b).paginator.type"),
        ],
        "{p:#?}"
    );
    assert_eq!(
        p[0].message,
        "expected a number, e.g. 20.0 (found the string \"20\": write it without quotes)"
    );
    assert!(
        p[1].message.starts_with("expected a duration like \"30s\""),
        "{p:#?}"
    );
    assert!(
        p[2].message.starts_with("expected a whole number"),
        "{p:#?}"
    );
    assert!(p[3].message.contains("unknown type `json_lnk`"), "{p:#?}");
    assert!(p[3].message.contains("json_link"), "{p:#?}");
    assert!(!p
        .iter()
        .any(|p| p.message.contains("f64") || p.message.contains("i64")));
}

#[test]
fn type_errors_come_with_the_other_problems() {
    let text = format!("{HEAD}max_in_flight = 0\n[client]\nburst = \"ten\"\n{RESOURCE}");
    let p = problems(&text);
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(6), "client.burst"), (Some(4), "crawl.max_in_flight")],
        "{p:#?}"
    );
}

#[test]
fn a_mistyped_required_key_is_one_problem_not_two() {
    let text = format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
         data_selector = 5\npaginator = {{ type = \"single_page\" }}\n"
    );
    let p = problems(&text);
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(7), "resources[0] (r).data_selector")],
        "{p:#?}"
    );
    assert!(
        p[0].message.starts_with("expected a string in quotes"),
        "{p:#?}"
    );
}

#[test]
fn a_missing_required_key_names_it() {
    let p = problems(&format!("[crawl]\nstate_dir = \"s\"\n{RESOURCE}"));
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(1), "crawl.output_dir")],
        "{p:#?}"
    );
    assert_eq!(p[0].message, "required key missing: add `output_dir = ...`");
}

#[test]
fn a_resources_table_says_to_write_double_brackets() {
    let text = format!(
        "{HEAD}[resources]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
         data_selector = \"data\"\npaginator = {{ type = \"single_page\" }}\n"
    );
    let p = problems(&text);
    assert_eq!(lines_and_keys(&p), vec![(Some(4), "resources")], "{p:#?}");
    assert!(p[0].message.contains("write `[[resources]]`"), "{p:#?}");
}

#[test]
fn a_client_origins_table_says_to_write_double_brackets() {
    let text =
        format!("{HEAD}[client.origins]\norigin = \"http://127.0.0.1:1\"\nburst = 1\n{RESOURCE}");
    let p = problems(&text);
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(4), "client.origins")],
        "{p:#?}"
    );
    assert!(
        p[0].message.contains("write `[[client.origins]]`"),
        "{p:#?}"
    );
}

#[test]
fn unknown_keys_stay_errors_and_all_are_reported() {
    let text = format!("{HEAD}max_inflight = 3\n[client]\nbrust = 2\n{RESOURCE}");
    let p = problems(&text);
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(4), "crawl.max_inflight"), (Some(6), "client.brust")],
        "{p:#?}"
    );
    assert!(
        p[1].message
            .starts_with("unknown field `brust`, expected one of"),
        "{p:#?}"
    );
}

#[test]
fn a_mistyped_list_item_names_its_index() {
    let text = format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\", 7]\n\
         data_selector = \"data\"\npaginator = {{ type = \"single_page\" }}\n"
    );
    let p = problems(&text);
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(6), "resources[0] (r).seeds[1]")],
        "{p:#?}"
    );
}

#[test]
fn the_jsonpath_habit_is_accepted_and_wildcards_are_explained() {
    assert_eq!(
        Selector::parse("$.data.items").unwrap().to_string(),
        "data.items"
    );
    assert_eq!(Selector::parse("$").unwrap(), Selector::parse("").unwrap());
    assert_eq!(Selector::parse("$data").unwrap().to_string(), "$data");
    let text = format!(
        "{HEAD}[[resources]]\nname = \"r\"\nseeds = [\"http://127.0.0.1:1/\"]\n\
         data_selector = \"$.data\"\npaginator = {{ type = \"json_link\", next_url_path = \"$.links.next\" }}\n"
    );
    let c = parse(&text, Path::new("c.toml")).unwrap();
    assert_eq!(c.resources[0].data_selector.to_string(), "data");
    let p = problems(&text.replace("$.data\"", "$.data[*]\""));
    assert_eq!(
        lines_and_keys(&p),
        vec![(Some(7), "resources[0] (r).data_selector")],
        "{p:#?}"
    );
    assert!(
        p[0].message.contains("name the array itself (`data`)"),
        "{p:#?}"
    );
}
