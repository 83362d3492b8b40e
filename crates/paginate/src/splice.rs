//! Copying parent fields into child records without re-serialising them.
//!
//! A child record is written as the exact bytes the API sent; the copied
//! members go in right after its opening `{`: `{"id":1}` with `user_id = 7`
//! becomes `{"user_id":7,"id":1}`, `{}` becomes `{"user_id":7}`. A record
//! that is not an object is written unchanged. A child's own member of the
//! same name comes later, so parsers that keep the last duplicate (most do)
//! see the child's value.

/// The members to splice, `"key":value` joined by `,`, from `(key, raw JSON
/// value)` pairs. Empty when there are none.
pub fn members(copied: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (key, raw)) in copied.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Serialising a string cannot fail.
        out.extend_from_slice(&serde_json::to_vec(key).unwrap_or_default());
        out.push(b':');
        out.extend_from_slice(raw.as_bytes());
    }
    out
}

/// Appends `record` to `out`, with `members` spliced in after the opening
/// `{` when the record is an object (whitespace before it is kept).
pub fn push_record(out: &mut Vec<u8>, record: &[u8], members: &[u8]) {
    let open = record.iter().position(|b| !b.is_ascii_whitespace());
    match open {
        Some(at) if !members.is_empty() && record[at] == b'{' => {
            let (head, rest) = record.split_at(at + 1);
            out.extend_from_slice(head);
            out.extend_from_slice(members);
            let empty = rest
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| *b == b'}');
            if !empty {
                out.push(b',');
            }
            out.extend_from_slice(rest);
        }
        _ => out.extend_from_slice(record),
    }
}

/// Turns raw CR/LF (whitespace between tokens; JSON strings cannot hold them
/// unescaped) into spaces, so a record stays on one line.
pub(crate) fn newlines_to_spaces(line: &mut [u8]) {
    if memchr::memchr2(b'\n', b'\r', line).is_some() {
        for b in line {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splice(record: &str, copied: &[(&str, &str)]) -> String {
        let copied: Vec<(String, String)> = copied
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = Vec::new();
        push_record(&mut out, record.as_bytes(), &members(&copied));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn members_go_first_in_an_object() {
        assert_eq!(
            splice(r#"{"id":1, "x" : [1,2]}"#, &[("user_id", "7")]),
            r#"{"user_id":7,"id":1, "x" : [1,2]}"#
        );
        assert_eq!(
            splice(r#"{"id":1}"#, &[("a", "\"s\""), ("b\"q", "{\"n\":null}")]),
            r#"{"a":"s","b\"q":{"n":null},"id":1}"#
        );
    }

    #[test]
    fn empty_objects_get_no_comma() {
        assert_eq!(splice("{}", &[("u", "7")]), r#"{"u":7}"#);
        assert_eq!(splice("{ \t }", &[("u", "7")]), "{\"u\":7 \t }");
    }

    #[test]
    fn non_objects_are_unchanged() {
        for record in ["[1,2]", "\"s\"", "42", "null", "true"] {
            assert_eq!(splice(record, &[("u", "7")]), record);
        }
        assert_eq!(splice(r#"{"id":1}"#, &[]), r#"{"id":1}"#);
    }

    #[test]
    fn whitespace_before_the_brace_is_kept() {
        assert_eq!(
            splice("  \n{\"id\":1}", &[("u", "7")]),
            "  \n{\"u\":7,\"id\":1}"
        );
    }
}
