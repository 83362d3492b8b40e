//! `~` and `$VAR` in the config's paths (`state_dir`, `output_dir`,
//! `seeds_file`, `values_file`, `ca_file`), as a shell would expand them:
//! a leading `~` or `~/` is `$HOME`, `$NAME` and `${NAME}` are environment
//! variables. A variable that is not set is a problem naming it, never a
//! directory literally called `$HOME`. Variables come through the checker's
//! lookup, so tests inject them.

use crate::checker::Checker;
use std::path::PathBuf;
use toml::Spanned;

/// `written` with `~` and variables expanded; a problem at `key` if one is unset.
pub(crate) fn expand(
    c: &mut Checker<'_>,
    at: &Spanned<impl Sized>,
    key: &str,
    written: &str,
) -> Option<PathBuf> {
    match expand_with(written, &|name| c.var(name)) {
        Ok(path) => Some(PathBuf::from(path)),
        Err(e) => {
            c.at(at, key, e);
            None
        }
    }
}

/// The expansion itself; `Err` names the variable that is not set.
pub(crate) fn expand_with(
    written: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let lookup = |name: &str| {
        var(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("`{written}`: environment variable `{name}` is not set"))
    };
    let mut out = String::new();
    let mut rest = written;
    if rest == "~" || rest.starts_with("~/") {
        out.push_str(&lookup("HOME")?);
        rest = &rest[1..];
    }
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = match after.strip_prefix('{') {
            Some(braced) => match braced.split_once('}') {
                Some((name, tail)) => (name, tail),
                None => return Err(format!("`{written}`: `${{` without its closing `}}`")),
            },
            None => {
                let end = after
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(after.len());
                after.split_at(end)
            }
        };
        if name.is_empty() {
            out.push('$');
        } else {
            out.push_str(&lookup(name)?);
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::expand_with;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/ann".into()),
            "DATA" => Some("/srv/data".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn home_and_variables_expand() {
        for (written, want) in [
            ("~/harvest-out", "/home/ann/harvest-out"),
            ("~", "/home/ann"),
            ("$HOME/x", "/home/ann/x"),
            ("${DATA}/orders_$HOME", "/srv/data/orders_/home/ann"),
            ("$DATA.d/x", "/srv/data.d/x"),
            ("out/orders", "out/orders"),
            ("a~b/~/c", "a~b/~/c"),
            ("cost$/x", "cost$/x"),
        ] {
            assert_eq!(expand_with(written, &env).unwrap(), want, "{written}");
        }
    }

    #[test]
    fn an_unset_variable_is_named() {
        for (written, name) in [
            ("$NOPE/x", "NOPE"),
            ("${NOPE}", "NOPE"),
            ("$EMPTY/x", "EMPTY"),
        ] {
            let e = expand_with(written, &env).unwrap_err();
            assert!(e.contains(&format!("`{name}` is not set")), "{e}");
        }
        let e = expand_with("~/x", &|_| None).unwrap_err();
        assert!(e.contains("`HOME` is not set"), "{e}");
        assert!(expand_with("${OPEN", &env).unwrap_err().contains("closing"));
    }
}
