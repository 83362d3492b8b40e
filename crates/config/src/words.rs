//! A [`Paginator`] written back in the config's own words: the inline TOML
//! table a user would write (`{ type = "json_link", next_url_path = "next" }`),
//! every resolved value spelled out, defaults included. `harvest check`
//! prints it and `harvest init` writes it, so what is shown can be pasted
//! into a file and reads back as the same paginator (tested below). Nothing
//! here parses or validates.

use crate::model::{PageStyle, PageTotal, Paginator};
use std::fmt;

impl fmt::Display for Paginator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<(&str, String)> = Vec::new();
        let kind = match &self.style {
            PageStyle::JsonLink { next_url_path } => {
                keys.push(("next_url_path", quoted_selector(next_url_path)));
                "json_link"
            }
            PageStyle::HeaderLink => "header_link",
            PageStyle::Cursor {
                cursor_path,
                cursor_param,
                has_more_path,
            } => {
                keys.push(("cursor_path", quoted_selector(cursor_path)));
                keys.push(("cursor_param", string(cursor_param)));
                if let Some(path) = has_more_path {
                    keys.push(("has_more_path", quoted_selector(path)));
                }
                "cursor"
            }
            PageStyle::Offset {
                offset_param,
                limit_param,
                limit,
                total_path,
                total,
                end_on_short_page,
            } => {
                keys.push(("offset_param", string(offset_param)));
                keys.push(("limit_param", string(limit_param)));
                keys.push(("limit", limit.to_string()));
                if let Some(path) = total_path {
                    keys.push(("total_path", quoted_selector(path)));
                }
                if let Some(n) = total {
                    keys.push(("total", n.to_string()));
                }
                keys.push(("end_on_short_page", end_on_short_page.to_string()));
                "offset"
            }
            PageStyle::PageNumber {
                page_param,
                base,
                total,
                total_pages,
                page_size,
                page_size_param,
                has_more_path,
                end_on_short_page,
            } => {
                keys.push(("page_param", string(page_param)));
                keys.push(("base", base.to_string()));
                match total {
                    Some(PageTotal::Pages(path)) => {
                        keys.push(("total_pages_path", quoted_selector(path)))
                    }
                    Some(PageTotal::Records(path)) => {
                        keys.push(("total_path", quoted_selector(path)))
                    }
                    None => {}
                }
                if let Some(n) = total_pages {
                    keys.push(("total_pages", n.to_string()));
                }
                if let Some(n) = page_size {
                    keys.push(("page_size", n.to_string()));
                }
                if let Some(name) = page_size_param {
                    keys.push(("page_size_param", string(name)));
                }
                if let Some(path) = has_more_path {
                    keys.push(("has_more_path", quoted_selector(path)));
                }
                keys.push(("end_on_short_page", end_on_short_page.to_string()));
                "page_number"
            }
            PageStyle::SinglePage => "single_page",
        };
        // `single_page` takes no `max_pages` (one page per seed).
        if let (Some(n), false) = (self.max_pages, kind == "single_page") {
            keys.push(("max_pages", n.to_string()));
        }
        write!(f, "{{ type = {}", string(kind))?;
        for (key, value) in keys {
            write!(f, ", {key} = {value}")?;
        }
        f.write_str(" }")
    }
}

/// A selector as a TOML string (`""`: the body is the record array, `"."`
/// for a `data_selector`: the body is one record).
pub fn quoted_selector(selector: &impl std::fmt::Display) -> String {
    string(&selector.to_string())
}

/// `s` as a TOML string, as the `toml` crate writes one: TOML's escapes
/// (not Rust's), a literal `'...'` string when that needs none.
fn string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use crate::{parse, PageStyle, Paginator};
    use std::path::Path;

    /// `paginator = <words>` read back in a minimal crawl.
    fn read_back(words: &str) -> Paginator {
        let text = format!(
            "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n[[resources]]\nname = \"r\"\n\
             seeds = [\"http://127.0.0.1:1/a\"]\ndata_selector = \"data\"\npaginator = {words}\n"
        );
        let config = parse(&text, Path::new("words.toml"))
            .unwrap_or_else(|e| panic!("`{words}` does not read back: {e}"));
        config.resources[0].paginator.clone()
    }

    #[test]
    fn every_style_written_in_words_reads_back_as_the_same_paginator() {
        let written = [
            r#"{ type = "json_link" }"#,
            r#"{ type = "json_link", next_url_path = "links.next", max_pages = 7 }"#,
            r#"{ type = "header_link" }"#,
            r#"{ type = "cursor", cursor_path = "meta.next_cursor", cursor_param = "after", has_more_path = "meta.more" }"#,
            r#"{ type = "offset", limit = 50 }"#,
            r#"{ type = "offset", limit = 50, offset_param = "skip", limit_param = "take", total_path = "meta.total", total = 900, end_on_short_page = true }"#,
            r#"{ type = "page_number" }"#,
            r#"{ type = "page_number", page_param = "p", base = 0, total_pages_path = "pages", page_size = 20, page_size_param = "per_page", has_more_path = "more" }"#,
            r#"{ type = "page_number", total_path = "total", page_size = 20, total_pages = 4, end_on_short_page = true }"#,
            r#"{ type = "single_page" }"#,
        ];
        for words in written {
            let p = read_back(words);
            let again = p.to_string();
            assert_eq!(read_back(&again), p, "{words} → {again}");
        }
    }

    #[test]
    fn defaults_are_spelled_out_and_strings_are_toml_escaped() {
        // TOML escapes, not Rust's `\u{1b}`.
        assert_eq!(super::string("q\"\u{1b}"), r#""q\"\u001B""#);
        let p = read_back(r#"{ type = "json_link", next_url_path = "links.n\"ext" }"#);
        assert_eq!(
            p.to_string(),
            r#"{ type = "json_link", next_url_path = 'links.n"ext' }"#
        );
        let p = read_back(r#"{ type = "offset", limit = 5 }"#);
        assert!(matches!(p.style, PageStyle::Offset { .. }));
        assert_eq!(
            p.to_string(),
            r#"{ type = "offset", offset_param = "offset", limit_param = "limit", limit = 5, end_on_short_page = false }"#
        );
    }
}
