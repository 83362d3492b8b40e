//! The crawl configuration: TOML in, a validated [`Config`] out.
//!
//! Parsing happens in two steps (ripgrep's habit): `raw` mirrors the file with
//! serde (`deny_unknown_fields`, so a typo is an error, not a silent default),
//! read by `reading`, which reports every type error and unknown key at once
//! (with `tree` locating spans and `wording` saying it in plain words),
//! then `validate` turns it into the types the engine uses, collecting *every*
//! problem with its file, line and key before reporting. `validate` walks the
//! file and calls one checker per section (`auth`, `paginator`, `request`,
//! `response`, `seeding`); all of them report into a `checker::Checker`. `schema` derives
//! the file's JSON Schema (for editors) from the same raw types. Nothing here touches
//! the network or the state store.

mod auth;
mod checker;
mod data_selector;
mod error;
mod incremental;
mod model;
mod paginator;
mod paths;
mod raw;
mod reading;
mod request;
mod response;
mod schema;
mod secret;
mod seeding;
mod template;
mod tree;
mod validate;
mod wording;
mod words;

pub use auth::{
    AuthSettings, ClientAuth, KeyPlace, ResourceAuth, DEFAULT_API_KEY_HEADER,
    DEFAULT_REFRESH_MARGIN,
};
pub use data_selector::DataSelector;
pub use error::{ConfigError, Problem};
pub use incremental::{Incremental, OnMissing};
pub use model::{
    origin_of, parse_http_url, ClientSettings, Config, CrawlSettings, MetricsSettings,
    OriginSettings, PageStyle, PageTotal, Paginator, ParentLink, Resource, RetrySettings,
    SeedTemplate, SeedValues, Seeds, Selector, DEFAULT_GIVE_UP_AFTER, DEFAULT_MAX_DEPTH,
    MAX_MAX_DEPTH,
};
pub use request::{Method, RequestSettings, DEFAULT_IDEMPOTENCY_HEADER};
pub use schema::{schema, schema_json};
pub use secret::{process_env, EnvLookup, Secret};
pub use template::{percent_encode, UrlTemplate};
pub use words::quoted_selector;

use std::path::Path;

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.to_path_buf(),
        source: e,
    })?;
    parse(&text, path)
}

/// Reads and validates the config at `path` for a command that fetches
/// nothing (`status`, `dead-letters`, `retry-dead`): secrets are not looked
/// up, so such commands work without them (each [`Secret`] holds a placeholder).
pub fn load_without_secrets(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.to_path_buf(),
        source: e,
    })?;
    read_and_check(
        &text,
        path,
        &|_| Some("(not read)".to_string()),
        &process_env,
    )
}

/// Validates `text` as if read from `path` (relative `seeds_file` paths are
/// resolved against `path`'s directory); secrets come from the process
/// environment.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    parse_with_env(text, path, &process_env)
}

/// [`parse`], with secrets and the variables of paths (`$HOME`, `~`) looked
/// up in `env` (tests pass a map).
pub fn parse_with_env(text: &str, path: &Path, env: EnvLookup<'_>) -> Result<Config, ConfigError> {
    read_and_check(text, path, env, env)
}

/// Secrets come from `secrets`, the variables of paths from `vars`.
fn read_and_check(
    text: &str,
    path: &Path,
    secrets: EnvLookup<'_>,
    vars: EnvLookup<'_>,
) -> Result<Config, ConfigError> {
    let reading = reading::read(text);
    match reading.raw {
        Some(raw) if reading.whole => {
            validate::validate(raw, text, path, secrets, vars, reading.problems)
        }
        _ => Err(ConfigError::Invalid {
            file: path.to_path_buf(),
            problems: reading.problems,
        }),
    }
}

#[cfg(test)]
mod auth_tests;
#[cfg(test)]
mod paths_tests;
#[cfg(test)]
mod reading_tests;
#[cfg(test)]
mod tests;
