//! The crawl configuration: TOML in, a validated [`Config`] out.
//!
//! Parsing happens in two steps (ripgrep's habit): `raw` mirrors the file with
//! serde (`deny_unknown_fields`, so a typo is an error, not a silent default),
//! then `validate` turns it into the types the engine uses, collecting *every*
//! problem with its file, line and key before reporting. Nothing here touches
//! the network or the state store.

mod error;
mod model;
mod paginator;
mod raw;
mod seeding;
mod template;
mod validate;

pub use error::{ConfigError, Problem};
pub use model::{
    origin_of, parse_http_url, ClientSettings, Config, CrawlSettings, MetricsSettings,
    OriginSettings, PageStyle, PageTotal, Paginator, ParentLink, Resource, RetrySettings,
    SeedTemplate, SeedValues, Seeds, Selector,
};
pub use template::{percent_encode, UrlTemplate};

use std::path::Path;

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.to_path_buf(),
        source: e,
    })?;
    parse(&text, path)
}

/// Validates `text` as if read from `path` (relative `seeds_file` paths are
/// resolved against `path`'s directory).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let raw: raw::RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| error::line_of(text, s.start));
        ConfigError::Invalid {
            file: path.to_path_buf(),
            problems: vec![Problem::new(line, "", e.message())],
        }
    })?;
    validate::validate(raw, text, path)
}

#[cfg(test)]
mod tests;
