//! `harvest init URL`: one page of an API in, a commented crawl config out.
//!
//! Three steps, kept apart: `fetch` gets the page once through the crawl's
//! own client (`Http`, as `sample` and `run` build it; the config's
//! defaults, no credentials), `records`, `paginator` and `rate` guess from
//! what came back (pure: the body, the headers and the URL in, a guess with
//! what it was based on out), and `render` writes the TOML a user reads and
//! edits. The defaults it spells out come from a [`Config`] read from a
//! minimal file ([`defaults`]), so they are the config crate's own and
//! cannot drift. Nothing here writes a file: the binary decides where the
//! text goes. Like dlt's paginator detection, but the guess is written down.

mod error;
mod fetch;
mod fields;
mod paginator;
mod rate;
mod records;
mod render;
#[cfg(test)]
mod tests;

pub use error::InitError;
pub use paginator::PaginatorGuess;
pub use rate::RateGuess;
pub use records::RecordsGuess;

use harvest_config::Config;
use std::path::Path;
use std::time::SystemTime;
use url::Url;

/// What `init` made of the page.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The URL asked for (the seed of the drafted resource).
    pub url: Url,
    /// The resource's name, from the URL's path.
    pub name: String,
    pub status: u16,
    /// Body bytes read.
    pub bytes: usize,
    pub records: RecordsGuess,
    pub paginator: PaginatorGuess,
    pub rate: RateGuess,
    /// The defaults every value not guessed is written with.
    pub defaults: Config,
}

impl Draft {
    /// The commented crawl config.
    pub fn render(&self) -> String {
        render::render(self)
    }
}

/// One page of the API as `init` reads it: the pure part's whole input.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL that answered (after redirects).
    pub url: Url,
    /// Every response header, names lower-cased, values as text.
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Page {
    /// Every value of header `name` (lower-case).
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Fetches `url` once and drafts a config from what it answered; `now`
/// turns epoch rate-limit resets into delays. Blocks the calling thread
/// (which must not run an async runtime).
pub fn draft(url: &Url, now: SystemTime) -> Result<Draft, InitError> {
    let name = resource_name(url);
    let defaults = defaults(url, &name)?;
    let answer = fetch::fetch(&defaults, url)?;
    let body = serde_json::from_slice(&answer.body).map_err(|e| InitError::NotJson {
        url: answer.shown_url.clone(),
        content_type: answer.content_type.clone(),
        detail: e.to_string(),
        snippet: fetch::snippet(&answer.body),
    })?;
    let page = Page {
        url: answer.url.clone(),
        headers: answer.headers,
        body,
    };
    Ok(guess(
        url,
        name,
        answer.status,
        answer.body.len(),
        &page,
        defaults,
        now,
    ))
}

/// The guesses from `page`, with the defaults they are written over.
pub fn guess(
    url: &Url,
    name: String,
    status: u16,
    bytes: usize,
    page: &Page,
    defaults: Config,
    now: SystemTime,
) -> Draft {
    let records = records::guess(&page.body);
    let paginator = paginator::guess(page, &records);
    let rate = rate::guess(&page.headers, &defaults.client.defaults, now);
    Draft {
        url: url.clone(),
        name,
        status,
        bytes,
        records,
        paginator,
        rate,
        defaults,
    }
}

/// A config holding nothing but defaults, with one single-page resource
/// seeded at `url`: where every default `init` writes is read from.
pub fn defaults(url: &Url, name: &str) -> Result<Config, InitError> {
    let dir = dir_name(url);
    let text = format!(
        "[crawl]\nstate_dir = {}\noutput_dir = {}\n[[resources]]\nname = {}\nseeds = [{}]\n\
         data_selector = \"\"\npaginator = {{ type = \"single_page\" }}\n",
        render::string(&format!("state/{dir}")),
        render::string(&format!("out/{dir}")),
        render::string(name),
        render::string(url.as_str()),
    );
    // The paths are relative and the file is not read: no file system here.
    harvest_config::parse_with_env(&text, Path::new("init.toml"), &|_| None).map_err(|e| {
        InitError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        }
    })
}

/// The resource's name: the URL path's last segment that is not an id
/// (digits), reduced to letters, digits, `_` and `-`; `items` when none is left.
pub fn resource_name(url: &Url) -> String {
    let mut segments = url.path_segments().into_iter().flatten();
    let last = segments.rfind(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()));
    let name: String = last
        .unwrap_or("")
        .trim_end_matches(".json")
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    if name.trim_matches('_').is_empty() {
        "items".into()
    } else {
        name
    }
}

/// `host` or `host-port` (explicit port), for the state and output dirs.
fn dir_name(url: &Url) -> String {
    let host: String = url
        .host_str()
        .unwrap_or("api")
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .collect();
    match url.port() {
        Some(port) => format!("{host}-{port}"),
        None => host,
    }
}
