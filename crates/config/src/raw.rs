//! The config file as written: serde mirrors of every table, defaults beside
//! the fields. Validation into engine types happens in `validate.rs`.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub crawl: RawCrawl,
    #[serde(default)]
    pub client: RawClient,
    #[serde(default)]
    pub retry: RawRetry,
    #[serde(default)]
    pub metrics: RawMetrics,
    #[serde(default)]
    pub breaker: RawBreaker,
    #[serde(default)]
    pub resources: Vec<Spanned<RawResource>>,
}

/// `[breaker]`: every key optional; defaults are `BreakerSettings::default()`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreaker {
    pub failure_ratio: Option<f64>,
    pub min_calls: Option<u32>,
    pub window: Option<u32>,
    pub consecutive_failures: Option<u32>,
    #[serde(default, with = "humantime_serde")]
    pub open_for: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    pub max_open_for: Option<Duration>,
    pub half_open_probes: Option<u32>,
    #[serde(default, with = "humantime_serde")]
    pub give_up_after: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    #[serde(default)]
    pub listen: Option<Spanned<String>>,
    #[serde(default = "default_max_origin_labels")]
    pub max_origin_labels: usize,
    #[serde(default, with = "humantime_serde")]
    pub linger: Option<Duration>,
}

impl Default for RawMetrics {
    fn default() -> Self {
        Self {
            listen: None,
            max_origin_labels: default_max_origin_labels(),
            linger: None,
        }
    }
}

fn default_max_origin_labels() -> usize {
    50
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrawl {
    /// As written: `~` and `$VAR` are expanded by `paths`.
    pub state_dir: Spanned<String>,
    pub output_dir: Spanned<String>,
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: Spanned<usize>,
    /// Threads for fetching and parsing (0: one per CPU core).
    #[serde(default)]
    pub io_threads: usize,
}

fn default_max_in_flight() -> Spanned<usize> {
    Spanned::new(0..0, 256)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    #[serde(default = "default_rate")]
    pub rate_per_sec: f64,
    #[serde(default = "default_burst")]
    pub burst: u32,
    #[serde(default = "default_per_origin")]
    pub max_in_flight_per_origin: usize,
    #[serde(default = "default_connect_timeout", with = "humantime_serde")]
    pub connect_timeout: Duration,
    #[serde(default = "default_read_timeout", with = "humantime_serde")]
    pub read_timeout: Duration,
    #[serde(default = "default_request_timeout", with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Low-speed guard (curl's `--speed-limit`); 0 turns it off.
    #[serde(default = "default_min_bytes_per_sec")]
    pub min_bytes_per_sec: u64,
    #[serde(default = "default_min_speed_window", with = "humantime_serde")]
    pub min_speed_window: Duration,
    #[serde(default = "default_idle_after", with = "humantime_serde")]
    pub idle_after: Duration,
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: u64,
    #[serde(default = "default_max_retry_after", with = "humantime_serde")]
    pub max_retry_after: Duration,
    #[serde(default)]
    pub min_rate_per_sec: Option<f64>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub origins: Vec<Spanned<RawOrigin>>,
    /// Default credentials of every resource without its own `auth`.
    #[serde(default)]
    pub auth: Option<Spanned<RawAuth>>,
    /// `"http://host:port"`: every request goes through this proxy.
    #[serde(default)]
    pub proxy: Option<Spanned<String>>,
    /// PEM file of root certificates trusted besides the bundled ones.
    #[serde(default)]
    pub ca_file: Option<Spanned<String>>,
    /// Header carrying a fresh id per request; `""` sends none.
    #[serde(default = "default_request_id_header")]
    pub request_id_header: String,
}

fn default_request_id_header() -> String {
    "X-Request-ID".to_string()
}

impl Default for RawClient {
    fn default() -> Self {
        toml::from_str("").expect("all client keys have defaults")
    }
}

fn default_rate() -> f64 {
    50.0
}
fn default_burst() -> u32 {
    10
}
fn default_per_origin() -> usize {
    16
}
fn default_connect_timeout() -> Duration {
    Duration::from_secs(5)
}
fn default_read_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_request_timeout() -> Duration {
    Duration::from_secs(120)
}
fn default_min_bytes_per_sec() -> u64 {
    1024
}
fn default_min_speed_window() -> Duration {
    Duration::from_secs(10)
}
fn default_idle_after() -> Duration {
    Duration::from_secs(30)
}
fn default_max_retry_after() -> Duration {
    harvest_policy::DEFAULT_MAX_RETRY_AFTER
}
fn default_max_body_bytes() -> u64 {
    64 << 20
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrigin {
    pub origin: Spanned<String>,
    pub rate_per_sec: Option<f64>,
    pub burst: Option<u32>,
    pub max_in_flight_per_origin: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_base_delay", with = "humantime_serde")]
    pub base_delay: Duration,
    #[serde(default = "default_max_delay", with = "humantime_serde")]
    pub max_delay: Duration,
}

impl Default for RawRetry {
    fn default() -> Self {
        toml::from_str("").expect("all retry keys have defaults")
    }
}

fn default_max_attempts() -> u32 {
    5
}
fn default_base_delay() -> Duration {
    Duration::from_millis(500)
}
fn default_max_delay() -> Duration {
    Duration::from_secs(60)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResource {
    pub name: Spanned<String>,
    #[serde(default)]
    pub seeds: Vec<Spanned<String>>,
    #[serde(default)]
    pub seeds_file: Option<Spanned<String>>,
    #[serde(default)]
    pub seed_template: Option<Spanned<RawSeedTemplate>>,
    #[serde(default)]
    pub parent: Option<Spanned<RawParent>>,
    /// Origins next links may lead to besides the page's own.
    #[serde(default)]
    pub allowed_origins: Vec<Spanned<String>>,
    pub data_selector: Spanned<String>,
    pub paginator: Spanned<RawPaginator>,
    /// `GET` (default) or `POST`.
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    /// JSON body (a TOML table or array) sent with every `POST`.
    #[serde(default)]
    pub body: Option<Spanned<toml::Value>>,
    /// Query parameters added to every request (unless the URL has them).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Headers of this resource's requests (over `[client] headers`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Header carrying the job's idempotency key on `POST`; `""` sends none.
    #[serde(default)]
    pub idempotency_header: Option<String>,
    /// Credentials (over `[client] auth`).
    #[serde(default)]
    pub auth: Option<Spanned<RawAuth>>,
    /// Rules overriding what a response's status would do.
    #[serde(default)]
    pub response_actions: Vec<Spanned<RawResponseAction>>,
    /// Deepest nesting of a record (default `DEFAULT_MAX_DEPTH`).
    #[serde(default)]
    pub max_depth: Option<Spanned<i64>>,
}

/// `{ status = 404, content = "...", action = "end_stream" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponseAction {
    pub status: Option<i64>,
    pub content: Option<String>,
    pub action: String,
}

/// `auth = { type = "...", ... }`. Secrets are named by environment variable
/// (`*_env`), never written in the file. `origins` limits where the
/// credential goes (default: the origins of the resource's seeds).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawAuth {
    /// No credentials (a resource opting out of `[client] auth`).
    None,
    /// `Authorization: Bearer <token>`.
    Bearer {
        token_env: String,
        origins: Option<Vec<String>>,
    },
    /// A key in a header (default `X-API-Key`) or a query parameter.
    ApiKey {
        key_env: String,
        header: Option<String>,
        query_param: Option<String>,
        origins: Option<Vec<String>>,
    },
    /// `Authorization: Basic ...`.
    Basic {
        username_env: String,
        password_env: String,
        origins: Option<Vec<String>>,
    },
    /// OAuth 2.0 client credentials grant; the token is cached and refreshed.
    Oauth2ClientCredentials {
        token_url: String,
        client_id_env: String,
        client_secret_env: String,
        #[serde(default)]
        scopes: Vec<String>,
        #[serde(default, with = "humantime_serde")]
        refresh_margin: Option<Duration>,
        /// `basic` (default: HTTP Basic) or `body` (form fields).
        client_auth: Option<String>,
        origins: Option<Vec<String>>,
    },
}

/// `seed_template = { url = ".../{n}", range = { from, to, step } }` or
/// `{ url = ".../{value}", values_file = "ids.txt" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeedTemplate {
    pub url: String,
    pub range: Option<RawRange>,
    pub values_file: Option<String>,
}

/// Inclusive integer range; `step` defaults to 1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    pub from: i64,
    pub to: i64,
    pub step: Option<i64>,
}

/// `parent = { resource = "users", url = ".../{id}/orders", copy = { user_id = "id" } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParent {
    pub resource: String,
    pub url: String,
    /// Output key → dotted path in the parent record.
    #[serde(default)]
    pub copy: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
/// (Internally tagged: serde buffers the content, so no `Spanned` inside;
/// problems point at the whole `paginator` value.) `max_pages` is on every
/// style: at most that many pages per stream, the seed included.
pub enum RawPaginator {
    /// The next page's URL sits at a dotted path of the body.
    JsonLink {
        #[serde(default = "default_next_url_path")]
        next_url_path: String,
        max_pages: Option<i64>,
    },
    /// RFC 8288 `Link` header, `rel="next"`.
    HeaderLink { max_pages: Option<i64> },
    /// A token in the body, sent back as a query parameter.
    Cursor {
        cursor_path: String,
        #[serde(default = "default_cursor_param")]
        cursor_param: String,
        has_more_path: Option<String>,
        max_pages: Option<i64>,
    },
    /// `offset` and `limit` query parameters.
    Offset {
        limit: i64,
        #[serde(default = "default_offset_param")]
        offset_param: String,
        #[serde(default = "default_limit_param")]
        limit_param: String,
        total_path: Option<String>,
        /// The stream's record count, when known in advance.
        total: Option<i64>,
        /// Without a total, a page with fewer than `limit` records ends the stream.
        #[serde(default)]
        end_on_short_page: bool,
        max_pages: Option<i64>,
    },
    /// A page number query parameter.
    PageNumber {
        #[serde(default = "default_page_param")]
        page_param: String,
        #[serde(default = "default_base")]
        base: i64,
        total_pages_path: Option<String>,
        total_path: Option<String>,
        /// The stream's page count, when known in advance.
        total_pages: Option<i64>,
        page_size: Option<i64>,
        page_size_param: Option<String>,
        has_more_path: Option<String>,
        /// Without a total, a page with fewer than `page_size` records ends the stream.
        #[serde(default)]
        end_on_short_page: bool,
        max_pages: Option<i64>,
    },
    /// Every seed is one page.
    SinglePage,
}

fn default_next_url_path() -> String {
    "next".to_string()
}
fn default_cursor_param() -> String {
    "cursor".to_string()
}
fn default_offset_param() -> String {
    "offset".to_string()
}
fn default_limit_param() -> String {
    "limit".to_string()
}
fn default_page_param() -> String {
    "page".to_string()
}
fn default_base() -> i64 {
    1
}
