//! Config errors: every problem names the file, the line (where the TOML
//! parser can tell) and the key, so the user can go straight to it.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// Dotted key, e.g. `resources[1].seeds[0]`; empty when the parser gave none.
    pub key: String,
    pub message: String,
}

impl Problem {
    pub fn new(line: Option<usize>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line,
            key: key.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", render(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

impl ConfigError {
    /// The individual problems (empty for a read error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Read { .. } => &[],
            Self::Invalid { problems, .. } => problems,
        }
    }
}

fn render(file: &std::path::Path, problems: &[Problem]) -> String {
    let mut out = format!(
        "invalid config {} ({} problem{}):",
        file.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&file.display().to_string());
        if let Some(line) = p.line {
            out.push_str(&format!(":{line}"));
        }
        out.push_str(": ");
        if !p.key.is_empty() {
            out.push_str(&format!("`{}`: ", p.key));
        }
        out.push_str(p.message.trim_end());
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: `{}`: {}", self.key, self.message),
            None => write!(f, "`{}`: {}", self.key, self.message),
        }
    }
}

/// 1-based line number of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
