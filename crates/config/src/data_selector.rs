//! [`DataSelector`]: where a resource's records are in a page — the items of
//! an array at a dotted path, or the whole body as one record (`"."`).
//! Owns the parsing and the display of `data_selector`; the other paths of a
//! config (`next_url_path`, `cursor_path`, ...) are plain [`Selector`]s and
//! have no whole-body form.

use crate::model::Selector;

/// The records of a page.
///
/// One rule, no guessing: a path names an array, each of whose items is a
/// record (`""` being a body that is itself the array); `"."` takes the
/// body, which must then be an object, as one record (a detail endpoint
/// such as `/users/{id}`). A path that reaches an object is a shape error,
/// never one record: a list page whose array went missing must not pass
/// for a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DataSelector {
    /// Each item of the array at this path is a record.
    Items(Selector),
    /// The whole body, an object, is one record (`data_selector = "."`).
    Body,
}

impl DataSelector {
    /// How the whole-body form is written.
    pub const BODY: &'static str = ".";

    /// Parses `data_selector`: `"."` (the body is one record), else a
    /// dotted path to the record array (see [`Selector::parse`]).
    pub fn parse(written: &str) -> Result<Self, String> {
        if written == Self::BODY {
            return Ok(Self::Body);
        }
        match Selector::parse(written) {
            Ok(path) => Ok(Self::Items(path)),
            // Said again in data_selector's own words: `""` is not "the
            // whole body" here but a body that is the array.
            Err(why) if why.contains("empty segment") => Err(format!(
                "bad path `{written}`: empty segment (use `a.b` for the array at a.b, \
                 `\"\"` for a body that is the array, `\".\"` for a body that is one record)"
            )),
            Err(why) => Err(why),
        }
    }

    /// The path of the record array; `None` for [`Self::Body`].
    pub fn items(&self) -> Option<&Selector> {
        match self {
            Self::Items(path) => Some(path),
            Self::Body => None,
        }
    }
}

impl From<Selector> for DataSelector {
    fn from(path: Selector) -> Self {
        Self::Items(path)
    }
}

impl std::fmt::Display for DataSelector {
    /// As written in the config: the path, or `.` for the whole body.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Items(path) => path.fmt(f),
            Self::Body => f.write_str(Self::BODY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dot_is_the_whole_body_and_anything_else_a_path() {
        assert_eq!(DataSelector::parse(".").unwrap(), DataSelector::Body);
        assert_eq!(DataSelector::Body.to_string(), ".");
        assert_eq!(DataSelector::Body.items(), None);
        let items = DataSelector::parse("data.items").unwrap();
        assert_eq!(items.to_string(), "data.items");
        assert_eq!(items.items(), Some(&Selector::parse("data.items").unwrap()));
        // `""` (and JSONPath's `$`) stay the body as the record array.
        assert_eq!(
            DataSelector::parse("").unwrap(),
            DataSelector::Items(Selector::parse("").unwrap())
        );
        assert_eq!(
            DataSelector::parse("$").unwrap(),
            DataSelector::parse("").unwrap()
        );
        // Only a lone dot: `data.` and `.data` are still empty segments.
        for bad in ["data.", ".data", ".."] {
            let why = DataSelector::parse(bad).unwrap_err();
            assert!(
                why.contains("`\".\"` for a body that is one record"),
                "{why}"
            );
        }
    }

    /// A minimal crawl whose one resource has `data_selector = <written>`.
    fn crawl(written: &str) -> String {
        format!(
            "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n\
             [[resources]]\nname = \"user\"\nseeds = [\"http://127.0.0.1:1/users/1\"]\n\
             data_selector = {written}\npaginator = {{ type = \"single_page\" }}\n"
        )
    }

    #[test]
    fn a_crawl_takes_the_dot_and_check_shows_it_back() {
        let c = crate::parse(&crawl("\".\""), std::path::Path::new("c.toml")).unwrap();
        assert_eq!(c.resources[0].data_selector, DataSelector::Body);
        assert_eq!(
            crate::quoted_selector(&c.resources[0].data_selector),
            "\".\""
        );
        let err = crate::parse(&crawl("\"data.\""), std::path::Path::new("c.toml")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("c.toml:7"), "{text}");
        assert!(text.contains("resources[0] (user).data_selector"), "{text}");
        assert!(
            text.contains("`\".\"` for a body that is one record"),
            "{text}"
        );
    }
}
