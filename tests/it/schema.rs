//! The config's JSON Schema (`harvest schema`, `config/harvest.schema.json`),
//! the file editors read: the committed copy is what the binary prints; every
//! example config (config/*.toml, the README's blocks) validates against it and
//! names it with taplo's `#:schema` directive; the common slips do not
//! validate, and the parser refuses them too, so the editor and `harvest check`
//! agree on them.

use crate::readme::{as_config, toml_blocks};
use crate::util::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const COMMITTED: &str = include_str!("../../config/harvest.schema.json");
const README: &str = include_str!("../../README.md");
const REGENERATE: &str = "cargo run -- schema > config/harvest.schema.json";
/// The first line of every config/*.toml (taplo's schema directive).
const DIRECTIVE: &str = "#:schema ./harvest.schema.json";

/// What `harvest schema` prints.
fn printed() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_harvest"))
        .arg("schema")
        .output()
        .expect("harvest runs");
    assert_exit(&out, 0);
    stdout(&out)
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(COMMITTED).expect("the schema is JSON");
    jsonschema::meta::validate(&schema).expect("the schema is a valid draft-07 schema");
    jsonschema::draft7::new(&schema).expect("the schema compiles")
}

/// TOML text → the JSON value an editor validates (`toml::Value` → serde_json).
fn as_json(text: &str) -> Value {
    let value: toml::Value = toml::from_str(text).expect("the text is TOML");
    serde_json::to_value(value).expect("TOML converts to JSON")
}

/// Every schema error of `text`, one per line, with the path it is at.
fn schema_errors(v: &jsonschema::Validator, text: &str) -> Vec<String> {
    let json = as_json(text);
    v.iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_harvest_schema_prints() {
    let printed = printed();
    if printed != COMMITTED {
        let mut printed_lines = printed.lines();
        let mut committed_lines = COMMITTED.lines();
        let line = 1
            + (0..)
                .find(|_| printed_lines.next() != committed_lines.next())
                .expect("two different texts differ at some line");
        panic!(
            "config/harvest.schema.json differs from `harvest schema` (first at line {line}); \
             regenerate it with `{REGENERATE}`"
        );
    }
    assert!(COMMITTED.ends_with("}\n") && !COMMITTED.ends_with("\n\n"));
}

#[test]
fn every_config_file_names_and_validates_against_the_schema() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension() != Some(std::ffi::OsStr::new("toml")) {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.lines().next() != Some(DIRECTIVE) {
            failures.push(format!(
                "config/{name}: the first line is not `{DIRECTIVE}`"
            ));
        }
        for e in schema_errors(&v, &text) {
            failures.push(format!("config/{name}: {e}"));
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} config files found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_toml_block_of_the_readme_validates_against_the_schema() {
    let v = validator();
    let blocks = toml_blocks(README);
    let whole = blocks
        .iter()
        .filter(|(_, b)| b.lines().any(|l| l.trim() == "[crawl]"))
        .count();
    assert!(whole >= 1, "README.md holds the full reference block");
    let mut failures = Vec::new();
    for (line, block) in &blocks {
        for e in schema_errors(&v, &as_config(block)) {
            failures.push(format!("README.md block at line {line}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A valid file, for the slips below to break.
const BASE: &str = r#"[crawl]
state_dir = "state"
output_dir = "out"

[client]
rate_per_sec = 20.0
read_timeout = "30s"

[[resources]]
name = "orders"
seeds = ["https://api.example.com/v1/orders"]
data_selector = "data"
paginator = { type = "json_link", next_url_path = "next" }
"#;

/// `BASE` with `old` replaced by `new` (which must be there).
fn slip(old: &str, new: &str) -> String {
    assert!(BASE.contains(old), "{old:?} is not in the base file");
    BASE.replacen(old, new, 1)
}

#[test]
fn the_common_slips_do_not_validate_and_the_parser_agrees() {
    let v = validator();
    assert_eq!(schema_errors(&v, BASE), Vec::<String>::new());
    harvest_config::parse_with_env(BASE, Path::new("crawl.toml"), &|_| None)
        .unwrap_or_else(|e| panic!("the base file is valid: {e}"));
    let slips = [
        ("an unknown key", slip("rate_per_sec = 20.0", "rate_per_second = 20.0")),
        ("a wrong type", slip("rate_per_sec = 20.0", "rate_per_sec = \"20\"")),
        (
            "[resources] for [[resources]]",
            slip("[[resources]]", "[resources]"),
        ),
        ("a duration without unit", slip("\"30s\"", "\"30\"")),
        ("a duration as a number", slip("\"30s\"", "30")),
        (
            "a missing required key",
            slip("data_selector = \"data\"\n", ""),
        ),
        (
            "an unknown paginator type",
            slip("type = \"json_link\"", "type = \"link\""),
        ),
        (
            "a key of another paginator type",
            slip("next_url_path = \"next\"", "cursor_path = \"next\""),
        ),
        (
            "a [client] key after [[client.origins]]",
            slip(
                "read_timeout = \"30s\"\n",
                "[[client.origins]]\norigin = \"https://api.example.com\"\nmax_retry_after = \"1h\"\n",
            ),
        ),
        (
            "an unknown response action",
            slip(
                "paginator",
                "response_actions = [{ status = 404, action = \"stop\" }]\npaginator",
            ),
        ),
        (
            "an unknown auth type",
            slip("paginator", "auth = { type = \"token\", token_env = \"T\" }\npaginator"),
        ),
    ];
    let mut failures = Vec::new();
    for (what, text) in &slips {
        if schema_errors(&v, text).is_empty() {
            failures.push(format!("{what}: valid for the schema\n{text}"));
        }
        if harvest_config::parse_with_env(text, Path::new("crawl.toml"), &|_| None).is_ok() {
            failures.push(format!("{what}: accepted by the parser\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The schema's duration pattern and the parser (humantime) agree on what a
/// duration is, both ways, for the forms people write.
#[test]
fn the_duration_pattern_accepts_what_the_parser_reads() {
    let v = validator();
    let forms = [
        "250ms",
        "5s",
        "30s",
        "1m",
        "10m",
        "1h",
        "2days",
        "1h 30m",
        "1h30m",
        "1.5s",
        "0s",
        "500 ms",
        "2min",
        "3 hours",
        "1w",
        "100us",
        "7 d",
        "30",
        "",
        "5 s x",
        "s",
        "1.s",
        "-5s",
        "5S",
        "1 fortnight",
        "1h,30m",
        "abc",
    ];
    let mut disagreements = Vec::new();
    for form in forms {
        // `linger` may be 0s (a timeout may not: a rule beyond the schema).
        let text = format!("{BASE}\n[metrics]\nlinger = {form:?}\n");
        let schema_ok = schema_errors(&v, &text).is_empty();
        let parser_ok =
            harvest_config::parse_with_env(&text, Path::new("crawl.toml"), &|_| None).is_ok();
        if schema_ok != parser_ok {
            disagreements.push(format!(
                "{form:?}: schema {}, parser {}",
                if schema_ok { "accepts" } else { "refuses" },
                if parser_ok { "accepts" } else { "refuses" },
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Every key has help for the editor's hover: a `description` on the key
/// itself (the `type` tag of a paginator or `auth` excepted: its variant holds
/// the description).
#[test]
fn every_key_of_the_schema_is_described() {
    fn walk(at: &str, schema: &Value, missing: &mut Vec<String>) {
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (key, property) in properties {
                let tag = key == "type" && property.get("const").is_some();
                if property.get("description").is_none() && !tag {
                    missing.push(format!("{at}.{key}"));
                }
                walk(&format!("{at}.{key}"), property, missing);
            }
        }
        for (i, variant) in schema
            .get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if variant.get("description").is_none() {
                missing.push(format!("{at}.oneOf[{i}]"));
            }
            walk(&format!("{at}.oneOf[{i}]"), variant, missing);
        }
    }
    let schema: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut missing = Vec::new();
    walk("", &schema, &mut missing);
    for (name, definition) in schema["definitions"].as_object().unwrap() {
        if definition.get("description").is_none() {
            missing.push(format!("definitions.{name}"));
        }
        walk(&format!("definitions.{name}"), definition, &mut missing);
    }
    assert!(missing.is_empty(), "no description: {}", missing.join(", "));
}
