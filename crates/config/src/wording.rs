//! serde's words → the user's: `invalid type: string "20", expected f64` at
//! `client.rate_per_sec` becomes `expected a number, e.g. 20.0 (found the
//! string "20": write it without quotes)`, and the common slips get a hint
//! saying what to type (`[resources]` → `[[resources]]`).

use crate::tree::KeyPath;

/// The key a deserialization error is about and what to tell the user.
pub(crate) fn plain(message: &str, at: &KeyPath) -> (KeyPath, String) {
    let message = message.trim_end();
    if let Some(field) = quoted_after(message, "missing field ") {
        let key = at.child(field);
        return (key, format!("required key missing: add `{field} = ...`"));
    }
    if let Some(field) = quoted_after(message, "unknown field ") {
        let key = match at.last_key() {
            Some(k) if k == field => at.clone(),
            _ => at.child(field),
        };
        // serde's words say it already: `unknown field `x`, expected one of ...`.
        return (key, message.to_string());
    }
    if let Some(variant) = quoted_after(message, "unknown variant ") {
        let key = match at.last_key() {
            Some("type") => at.clone(),
            _ => at.child("type"),
        };
        let rest = message.split_once(", expected ").map_or("", |(_, e)| e);
        return (key, format!("unknown type `{variant}`, expected {rest}"));
    }
    let parsed = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split_once(", expected "));
    match parsed {
        Some((found, expected)) => (at.clone(), mismatch(found, expected, at)),
        None => (at.clone(), message.to_string()),
    }
}

/// `expected <plain words> (found ...)`, with a hint for the common slips.
fn mismatch(found: &str, expected: &str, at: &KeyPath) -> String {
    let last = at.last_key().unwrap_or("");
    let quoted = found
        .strip_prefix("string \"")
        .and_then(|s| s.strip_suffix('"'));
    let words = match expected {
        "f64" | "f32" => {
            let example = quoted
                .and_then(|s| s.trim().parse::<f64>().ok())
                .map_or("1.5".to_string(), |n| format!("{n:?}"));
            format!("expected a number, e.g. {example}")
        }
        "u8" | "u16" | "u32" | "u64" | "usize" => "expected a whole number, 0 or more".to_string(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "expected a whole number".to_string(),
        "a duration" => "expected a duration like \"30s\" (units: ms, s, m, h)".to_string(),
        "a string" | "path string" => "expected a string in quotes".to_string(),
        "a boolean" => "expected true or false".to_string(),
        "a sequence" if last == "resources" && found == "map" => {
            return "`[resources]` declares one table: write `[[resources]]` (double brackets) \
                    before each resource"
                .to_string()
        }
        "a sequence" if last == "origins" && found == "map" => {
            return "`[client.origins]` declares one table: write `[[client.origins]]` \
                    (double brackets) before each origin"
                .to_string()
        }
        "a sequence" => "expected a list in brackets, e.g. [\"a\", \"b\"]".to_string(),
        e if e.starts_with("struct ") || e == "a map" || e.contains("enum ") => {
            "expected a table, e.g. { key = \"value\" }".to_string()
        }
        other => format!("expected {other}"),
    };
    let found = match quoted {
        Some(s) if words.contains("number") && s.trim().parse::<f64>().is_ok() => {
            format!("the string \"{s}\": write it without quotes")
        }
        _ => found.replace('`', ""),
    };
    format!("{words} (found {found})")
}

/// `x` of a message starting `<prefix>`x``.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(field, _)| field)
}
