//! Secrets: values read from environment variables named in the config, never
//! from the file itself. A [`Secret`] prints as `REDACTED` (`Debug`) and has
//! no `Display`, so it cannot slip into a log line or an error by accident;
//! the one way to the value is [`Secret::expose`], called where a request is
//! built.

use std::fmt;

/// A value that must never be printed, logged or stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret {
    /// The environment variable it came from (safe to print).
    var: String,
    value: String,
}

impl Secret {
    pub fn new(var: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            var: var.into(),
            value: value.into(),
        }
    }

    /// The secret value, for building a request. Never log the result.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// The name of the variable it was read from.
    pub fn var(&self) -> &str {
        &self.var
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(${}: REDACTED)", self.var)
    }
}

/// Where secrets are looked up: the process environment, or a map in tests.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("TOKEN", "s3cr3t-value");
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("$TOKEN"), "{shown}");
        assert_eq!(s.expose(), "s3cr3t-value");
    }
}
