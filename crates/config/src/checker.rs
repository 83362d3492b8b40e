//! [`Checker`]: where every config checker (`validate` and the per-section
//! `auth`, `paginator`, `request`, `response`, `seeding`) reports a problem
//! with its line and key, and the HTTP syntax check several of them share.
//! Imports no checker, so none of them import each other through it.

use crate::error::{line_of, Problem};
use toml::Spanned;

pub(crate) struct Checker<'a> {
    text: &'a str,
    problems: Vec<Problem>,
    /// Where secrets are read from.
    env: crate::secret::EnvLookup<'a>,
    /// Where `$VAR` and `~` in paths are read from.
    vars: crate::secret::EnvLookup<'a>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(
        text: &'a str,
        env: crate::secret::EnvLookup<'a>,
        vars: crate::secret::EnvLookup<'a>,
    ) -> Self {
        Self {
            text,
            problems: Vec::new(),
            env,
            vars,
        }
    }

    /// Every problem collected, in the order found.
    pub(crate) fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    pub(crate) fn at<T>(
        &mut self,
        spanned: &Spanned<T>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        let span = spanned.span();
        let line = (span.end > 0).then(|| line_of(self.text, span.start));
        self.problems.push(Problem::new(line, key, message));
    }

    /// Problems found before the checkers ran (by `reading`).
    pub(crate) fn extend(&mut self, problems: Vec<Problem>) {
        self.problems.extend(problems);
    }

    pub(crate) fn problems_len(&self) -> usize {
        self.problems.len()
    }

    /// The environment variable `name`, if set.
    pub(crate) fn env(&self, name: &str) -> Option<String> {
        (self.env)(name)
    }

    /// The environment variable `name` for a path, if set.
    pub(crate) fn var(&self, name: &str) -> Option<String> {
        (self.vars)(name)
    }

    pub(crate) fn bare(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(None, key, message));
    }
}

/// An HTTP token (RFC 9110 §5.6.2).
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
