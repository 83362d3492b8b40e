//! The validated configuration the engine runs on. Every value here has been
//! checked; units are in the field names or the types.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

pub use crate::auth::ResourceAuth;
pub use crate::data_selector::DataSelector;
pub use crate::request::RequestSettings;
pub use crate::template::UrlTemplate;

/// A validated crawl configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (for messages).
    pub file: PathBuf,
    pub crawl: CrawlSettings,
    pub client: ClientSettings,
    /// Per-origin overrides, keyed by [`origin_of`] form (`https://host:port`).
    pub origins: HashMap<String, OriginSettings>,
    pub retry: RetrySettings,
    /// `[breaker]`: per-origin circuit breaker tunables.
    pub breaker: harvest_policy::BreakerSettings,
    /// `[breaker] give_up_after`: an origin that has answered nothing but
    /// transport errors this long has its pending pages dead-lettered
    /// (`origin_unreachable`), so a dead origin cannot hold a crawl forever.
    pub give_up_after: Duration,
    pub metrics: MetricsSettings,
    pub resources: Vec<Resource>,
}

/// Default of `[breaker] give_up_after`: long enough for a restart or a
/// failover, short enough that an overnight crawl ends.
pub const DEFAULT_GIVE_UP_AFTER: Duration = Duration::from_secs(600);

/// `[metrics]`: the Prometheus endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsSettings {
    /// Where `/metrics` is served; `None`: no endpoint.
    pub listen: Option<std::net::SocketAddr>,
    /// Origins that get their own `origin` label; the rest share `other`,
    /// so 10,000 origins cannot blow up the series count.
    pub max_origin_labels: usize,
    /// How long `/metrics` stays up after the crawl ends, so a scrape
    /// catches the final counts of a short crawl.
    pub linger: Duration,
}

impl Config {
    /// Politeness settings for `origin` (in [`origin_of`] form).
    pub fn origin_settings(&self, origin: &str) -> OriginSettings {
        self.origins
            .get(origin)
            .copied()
            .unwrap_or(self.client.defaults)
    }

    /// The resource called `name`.
    pub fn resource(&self, name: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.name == name)
    }
}

/// `[crawl]`: where state and output live, and the global cap.
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    /// sled database directory (relative paths: to the working directory).
    pub state_dir: PathBuf,
    /// One `<resource>.jsonl` per resource (relative paths: to the working directory).
    pub output_dir: PathBuf,
    /// Requests in flight across all origins.
    pub max_in_flight: usize,
    /// Worker threads that fetch and parse pages (the supervisor, the
    /// writer and the host actors have their own threads).
    pub io_threads: usize,
}

/// `[client]`: HTTP behaviour shared by every origin.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Politeness defaults for origins without an override.
    pub defaults: OriginSettings,
    /// TCP (and TLS) connect timeout.
    pub connect_timeout: Duration,
    /// Longest silence while reading a response before it is abandoned.
    pub read_timeout: Duration,
    /// Longest whole request, headers and body.
    pub request_timeout: Duration,
    /// A body slower than this (bytes per second, averaged over
    /// `min_speed_window`) is abandoned and retried as `too_slow`; 0: off.
    pub min_bytes_per_sec: u64,
    /// How long a body's rate is averaged over before it is judged.
    pub min_speed_window: Duration,
    /// A host actor with nothing to do for this long stops.
    pub idle_after: Duration,
    /// A body larger than this is an error, not an out-of-memory.
    pub max_body_bytes: u64,
    /// Longest pause a `Retry-After` or a quota reset may impose.
    pub max_retry_after: Duration,
    pub user_agent: String,
    /// Extra request headers, sent to every origin.
    pub headers: Vec<(String, String)>,
    /// Every request goes through this proxy (else the `HTTP_PROXY`,
    /// `HTTPS_PROXY`, `NO_PROXY` environment variables apply).
    pub proxy: Option<Url>,
    /// PEM file of root certificates trusted for https besides the bundled
    /// web roots (a private CA); checked to hold a certificate.
    pub ca_file: Option<PathBuf>,
    /// Header carrying a fresh id per request (`None`: not sent).
    pub request_id_header: Option<String>,
}

/// Politeness of one origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OriginSettings {
    /// Token bucket refill rate.
    pub rate_per_sec: f64,
    /// Token bucket capacity.
    pub burst: u32,
    /// Requests in flight to this origin.
    pub max_in_flight: usize,
    /// Floor of the rate when headerless 429s slow the origin down
    /// (default `rate_per_sec / 32`).
    pub min_rate_per_sec: f64,
}

/// `[retry]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// One `[[resources]]` entry: a set of paginated streams written to one file.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Unique; names the output file `<name>.jsonl`.
    pub name: String,
    pub seeds: Seeds,
    /// `parent`: this resource is also seeded from the records of another.
    pub parent: Option<ParentLink>,
    /// Where the records are in each page: the items of an array at a
    /// path, or the whole body as one record (`"."`).
    pub data_selector: DataSelector,
    pub paginator: Paginator,
    /// Origins (in [`origin_of`] form) next links may lead to besides the
    /// page's own; by default a stream never leaves its origin.
    pub allowed_origins: Vec<String>,
    /// Method, body, extra parameters and headers of its requests.
    pub request: RequestSettings,
    /// Credentials (its own `auth`, else `[client] auth`), with the origins
    /// they are sent to.
    pub auth: Option<ResourceAuth>,
    /// `response_actions`: rules applied to a response before its status's
    /// usual disposition (first match wins).
    pub response_actions: harvest_policy::ResponseRules,
    /// A page holding a record nested deeper than this is dead-lettered
    /// (`too_deep`): many JSON readers refuse deep documents.
    pub max_depth: usize,
    /// `incremental`: harvested in passes, each taking the records new or
    /// updated since the last.
    pub incremental: Option<crate::Incremental>,
}

/// `max_depth` when the resource does not set it.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// The highest `max_depth` (the page scanner's own bound).
pub const MAX_MAX_DEPTH: usize = 1 << 20;

/// How a page points to the next one, and how many pages a stream may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paginator {
    pub style: PageStyle,
    /// At most this many pages per stream, the seed included (`None`: no cap).
    pub max_pages: Option<u32>,
}

impl Paginator {
    /// `style` without a page cap.
    pub fn new(style: PageStyle) -> Self {
        Self {
            style,
            max_pages: None,
        }
    }
}

/// The pagination styles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// Next page URL at a dotted path of the body (absolute or relative to the
    /// page); missing, `null` or `""` ends the stream.
    JsonLink { next_url_path: Selector },
    /// The RFC 8288 `Link` response header's `rel="next"` target.
    HeaderLink,
    /// A token at `cursor_path` (string or integer) is sent back as the query
    /// parameter `cursor_param`; missing, `null` or `""` ends the stream, so
    /// does `false` at `has_more_path`.
    Cursor {
        cursor_path: Selector,
        cursor_param: String,
        has_more_path: Option<Selector>,
    },
    /// `offset_param` and `limit_param` (= `limit`, on every request). Ends
    /// when the offset reaches the total, on an empty page, or (without a
    /// total, when `end_on_short_page`) on a page of fewer than `limit`
    /// records. The next offset counts the records the page really held.
    Offset {
        offset_param: String,
        limit_param: String,
        limit: u64,
        total_path: Option<Selector>,
        /// Records per stream stated in the config: the seed page fans out
        /// without waiting for a total in the body.
        total: Option<u64>,
        /// Without a total, a short page ends the stream (default: only an
        /// empty one does, since a server may cap the page size).
        end_on_short_page: bool,
    },
    /// `page_param` counts pages from `base`. Ends on an empty page, after the
    /// last page the total names, on `false` at `has_more_path`, or (without a
    /// total, when `end_on_short_page`) on a page of fewer than `page_size`
    /// records.
    PageNumber {
        page_param: String,
        base: u64,
        total: Option<PageTotal>,
        /// Pages per stream stated in the config (used when no total is read).
        total_pages: Option<u64>,
        /// Sent as `page_size_param` on every request, when both are given.
        page_size: Option<u64>,
        page_size_param: Option<String>,
        has_more_path: Option<Selector>,
        /// Without a total, a page of fewer than `page_size` records ends the
        /// stream (needs `page_size`; default: only an empty page does).
        end_on_short_page: bool,
    },
    /// No pagination: every seed is one page.
    SinglePage,
}

/// Where a page-numbered API says how far it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageTotal {
    /// The number of pages.
    Pages(Selector),
    /// The number of records (pages = ⌈records / page_size⌉).
    Records(Selector),
}

/// A dotted path into a JSON document; empty means the document itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selector(Vec<String>);

impl Selector {
    /// Parses `a.b.c`; `""` is the root. Empty segments are an error.
    /// The JSONPath habit is accepted: a leading `$.` (or a lone `$`) is
    /// dropped, so `$.data` is `data` and `$` the root; wildcards (`[*]`,
    /// `*`) are refused, since the path names the record array itself.
    pub fn parse(path: &str) -> Result<Self, String> {
        let written = path;
        let path = match path.strip_prefix('$') {
            Some(rest) if rest.is_empty() => rest,
            Some(rest) if rest.starts_with('.') => &rest[1..],
            _ => path,
        };
        if path.split('.').any(|s| s == "*" || s.ends_with("[*]")) {
            let array = path.trim_end_matches(".*").trim_end_matches("[*]");
            return Err(format!(
                "`{written}`: no wildcards; name the array itself (`{array}`): each of its items is a record"
            ));
        }
        if path.is_empty() {
            return Ok(Self(Vec::new()));
        }
        let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(format!(
                "bad path `{path}`: empty segment (use `a.b`, or `\"\"` for the whole body)"
            ));
        }
        Ok(Self(segments))
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// `parent = { resource, url, copy }`: every record of `resource` yields one
/// first page of this resource, at `url` filled from the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentLink {
    /// Name of the parent resource (checked to exist, no cycles).
    pub resource: String,
    /// Child URL; each placeholder is a dotted path into the parent record.
    pub url: UrlTemplate,
    /// The placeholders of `url` as paths, in the template's order.
    pub fields: Vec<Selector>,
    /// `(output key, parent path)`: parent fields copied into each child
    /// record, in output key order.
    pub copy: Vec<(String, Selector)>,
}

/// Where a resource's first pages come from: an inline list, a file of one
/// URL per line (blank lines and `#` comments skipped), a template, or any
/// of them together (in that order).
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    pub urls: Vec<Url>,
    /// Already resolved against the config file's directory.
    pub file: Option<PathBuf>,
    /// `seed_template`: URLs generated one at a time, never held as a list.
    pub template: Option<SeedTemplate>,
}

/// `seed_template = { url, range | values_file }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTemplate {
    /// Exactly one placeholder: `{n}` for a range, `{value}` for a file.
    pub url: UrlTemplate,
    pub values: SeedValues,
}

/// What fills a seed template's placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedValues {
    /// `from`, `from + step`, ... up to `to` inclusive.
    Range { from: i64, to: i64, step: u64 },
    /// One value per line (trimmed; blank lines and `#` comments skipped),
    /// already resolved against the config file's directory.
    File(PathBuf),
}

impl Seeds {
    /// Calls `each` with every seed in order, reading the file line by line
    /// (never whole into memory). Stops at the first bad line.
    pub fn for_each(&self, mut each: impl FnMut(Url)) -> Result<(), String> {
        for url in &self.urls {
            each(url.clone());
        }
        if let Some(path) = &self.file {
            each_line(path, "seeds_file", |line| {
                parse_http_url(line).map(&mut each)
            })?;
        }
        if let Some(template) = &self.template {
            template.for_each(&mut each)?;
        }
        Ok(())
    }
}

impl SeedTemplate {
    /// Calls `each` with every generated URL in order, one at a time.
    pub fn for_each(&self, mut each: impl FnMut(Url)) -> Result<(), String> {
        match &self.values {
            SeedValues::Range { from, to, step } => {
                let mut n = *from;
                while n <= *to {
                    each(self.url_for(&n.to_string())?);
                    match n.checked_add_unsigned(*step) {
                        Some(next) => n = next,
                        None => break,
                    }
                }
                Ok(())
            }
            SeedValues::File(path) => each_line(path, "values_file", |value| {
                self.url_for(value).map(&mut each)
            }),
        }
    }

    /// The URL for one value.
    pub fn url_for(&self, value: &str) -> Result<Url, String> {
        parse_http_url(&self.url.fill(&[value]))
    }
}

/// Calls `each` with every trimmed line of `path` that is neither blank nor
/// a `#` comment, reading line by line. Errors name the file and line.
fn each_line(
    path: &std::path::Path,
    what: &str,
    mut each: impl FnMut(&str) -> Result<(), String>,
) -> Result<(), String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open {what} {}: {e}", path.display()))?;
    for (n, line) in std::io::BufReader::with_capacity(1 << 16, file)
        .lines()
        .enumerate()
    {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        each(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
    }
    Ok(())
}

/// Parses an absolute `http` or `https` URL.
pub fn parse_http_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("invalid URL `{s}`: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(format!("invalid URL `{s}`: no host")),
        other => Err(format!(
            "invalid URL `{s}`: scheme `{other}` is not http or https"
        )),
    }
}

/// The origin of `url` as `scheme://host[:port]` (default ports omitted), the
/// key of per-origin settings and host actors.
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}
