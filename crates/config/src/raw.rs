//! The config file as written: serde mirrors of every table, defaults beside
//! the fields. Validation into engine types happens in `validate.rs`.
//!
//! The same types derive `JsonSchema` (`schema.rs` prints the file's JSON
//! Schema for editors): a `///` comment on a field is the help an editor shows
//! for that key, so it is written for the user; notes for the code use `//`.
//! `Spanned` values and durations say with `#[schemars(with = ...)]` what the
//! TOML really holds.

use crate::schema::{self, HumanDuration};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::Spanned;

/// A harvest crawl file: `[crawl]`, optional `[client]`, `[retry]`,
/// `[breaker]`, `[metrics]`, and one `[[resources]]` table per resource.
/// `harvest check CRAWL.toml` validates what this schema cannot (rules across
/// keys, files, environment variables).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "harvest crawl config")]
pub struct RawFile {
    /// Required. Where the crawl keeps its state and writes its output.
    pub crawl: RawCrawl,
    /// HTTP settings; the politeness keys are per-origin defaults.
    #[serde(default)]
    pub client: RawClient,
    /// How failed requests are retried.
    #[serde(default)]
    pub retry: RawRetry,
    /// The Prometheus endpoint.
    #[serde(default)]
    pub metrics: RawMetrics,
    /// The per-origin circuit breaker.
    #[serde(default)]
    pub breaker: RawBreaker,
    /// What to harvest: one `[[resources]]` table (double brackets) per resource.
    #[serde(default)]
    #[schemars(with = "Vec<RawResource>")]
    pub resources: Vec<Spanned<RawResource>>,
}

// Every key optional; defaults are `BreakerSettings::default()`.
/// `[breaker]`: the per-origin circuit breaker.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Breaker")]
pub struct RawBreaker {
    /// Opens at this failure share over the window (default 0.5).
    pub failure_ratio: Option<f64>,
    /// ...once the window holds this many calls (default 10).
    pub min_calls: Option<u32>,
    /// The last N calls the failure ratio is taken over (default 20).
    pub window: Option<u32>,
    /// Or opens after this many failures in a row; 0 = off (default 5).
    pub consecutive_failures: Option<u32>,
    /// First open period; doubles per consecutive opening (default "30s").
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<HumanDuration>")]
    pub open_for: Option<Duration>,
    /// Cap of the open period (default "10m").
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<HumanDuration>")]
    pub max_open_for: Option<Duration>,
    /// Requests admitted while half-open (default 1).
    pub half_open_probes: Option<u32>,
    /// An origin failing in transport this long: its pages are dead-lettered
    /// `origin_unreachable` (default "10m").
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<HumanDuration>")]
    pub give_up_after: Option<Duration>,
}

/// `[metrics]`: the Prometheus endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Metrics")]
pub struct RawMetrics {
    /// `"host:port"` to serve Prometheus text at /metrics; omit for no endpoint.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub listen: Option<Spanned<String>>,
    /// Origins with their own `origin` label; the rest share "other" (default 50).
    #[serde(default = "default_max_origin_labels")]
    pub max_origin_labels: usize,
    /// Keep /metrics up this long after the crawl ends, for a final scrape
    /// (default "0s").
    #[serde(default, with = "humantime_serde")]
    #[schemars(with = "Option<HumanDuration>")]
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

// Paths as written: `~` and `$VAR` are expanded by `paths`.
/// `[crawl]`: where the crawl keeps its state and writes its output.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Crawl")]
pub struct RawCrawl {
    /// Required. The sled state (frontier, progress, offsets), relative to the
    /// working directory; a leading `~` and `$VAR` / `${VAR}` are expanded.
    #[schemars(with = "String")]
    pub state_dir: Spanned<String>,
    /// Required. One `<resource>.jsonl` per resource, relative to the working
    /// directory; a leading `~` and `$VAR` / `${VAR}` are expanded.
    #[schemars(with = "String")]
    pub output_dir: Spanned<String>,
    /// Requests in flight across all origins (default 256).
    #[serde(default = "default_max_in_flight")]
    #[schemars(with = "usize")]
    pub max_in_flight: Spanned<usize>,
    /// Threads that fetch, decode and parse pages; 0 = one per core (default 0).
    #[serde(default)]
    pub io_threads: usize,
}

fn default_max_in_flight() -> Spanned<usize> {
    Spanned::new(0..0, 256)
}

/// `[client]`: HTTP settings; the politeness keys are per-origin defaults.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Client")]
pub struct RawClient {
    /// Token bucket refill per origin, requests per second (default 50).
    #[serde(default = "default_rate")]
    pub rate_per_sec: f64,
    /// Token bucket capacity per origin, saved up while it is quiet (default 10).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// Requests in flight per origin (default 16).
    #[serde(default = "default_per_origin")]
    pub max_in_flight_per_origin: usize,
    /// Longest wait for a connection (default "5s").
    #[serde(default = "default_connect_timeout", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub connect_timeout: Duration,
    /// Longest silence while reading a response (default "30s").
    #[serde(default = "default_read_timeout", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub read_timeout: Duration,
    /// Whole request, headers and body (default "120s").
    #[serde(default = "default_request_timeout", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub request_timeout: Duration,
    // Low-speed guard (curl's `--speed-limit`).
    /// A body slower than this over `min_speed_window` is retried as
    /// `too_slow`; 0 = off (default 1024).
    #[serde(default = "default_min_bytes_per_sec")]
    pub min_bytes_per_sec: u64,
    /// How long a body's rate is averaged before it is judged (default "10s").
    #[serde(default = "default_min_speed_window", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub min_speed_window: Duration,
    /// A host actor idle this long stops, sooner past 2 × max_in_flight idle
    /// hosts (default "30s").
    #[serde(default = "default_idle_after", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub idle_after: Duration,
    /// Larger bodies (after decompression) are dead-lettered (default 64 MiB).
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: u64,
    /// Longest pause a Retry-After or a quota reset may impose (default "1h").
    #[serde(default = "default_max_retry_after", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub max_retry_after: Duration,
    /// Floor of the 429 slow-down (default rate_per_sec / 32).
    #[serde(default)]
    pub min_rate_per_sec: Option<f64>,
    /// The User-Agent header (default "harvest/<version>"); name a contact.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Headers sent to every origin (no credentials here: use `auth`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Per-origin overrides of the politeness keys: `[[client.origins]]`,
    /// after every key of `[client]`.
    #[serde(default)]
    #[schemars(with = "Vec<RawOrigin>")]
    pub origins: Vec<Spanned<RawOrigin>>,
    /// Default credentials of every resource without its own `auth`.
    #[serde(default)]
    #[schemars(with = "Option<RawAuth>")]
    pub auth: Option<Spanned<RawAuth>>,
    /// `"http://host:port"`: every request goes through this proxy (default:
    /// HTTP_PROXY / HTTPS_PROXY / NO_PROXY).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub proxy: Option<Spanned<String>>,
    /// PEM file of root certificates trusted besides the bundled web roots
    /// (relative to this file).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ca_file: Option<Spanned<String>>,
    /// Header carrying a fresh id per request, logged with failures; `""`
    /// sends none (default "X-Request-ID").
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

/// `[[client.origins]]`: politeness overrides for one origin.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Origin")]
pub struct RawOrigin {
    /// Required. `scheme://host[:port]`, no path.
    #[schemars(with = "String")]
    pub origin: Spanned<String>,
    /// Token bucket refill for this origin (default: `[client]`'s).
    pub rate_per_sec: Option<f64>,
    /// Token bucket capacity for this origin (default: `[client]`'s).
    pub burst: Option<u32>,
    /// Requests in flight to this origin (default: `[client]`'s).
    pub max_in_flight_per_origin: Option<usize>,
}

/// `[retry]`: how failed requests are retried (exponential backoff with full
/// jitter; Retry-After wins).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Retry")]
pub struct RawRetry {
    /// Attempts in all, the first included (default 5).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Backoff scale (default "500ms").
    #[serde(default = "default_base_delay", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
    pub base_delay: Duration,
    /// Backoff cap (default "60s").
    #[serde(default = "default_max_delay", with = "humantime_serde")]
    #[schemars(with = "HumanDuration")]
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

/// `[[resources]]`: one resource, harvested into `<name>.jsonl`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Resource")]
pub struct RawResource {
    /// Required, unique; letters, digits, `_` and `-`; names the output file.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Seed URLs (seeds, seeds_file, seed_template and/or parent: at least one).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub seeds: Vec<Spanned<String>>,
    /// A file of seed URLs, one per line, relative to this file; blank lines
    /// and `#` comments skipped.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub seeds_file: Option<Spanned<String>>,
    /// Seeds generated from a URL template: `{ url = ".../{n}", range = { from,
    /// to, step } }` or `{ url = ".../{value}", values_file = "ids.txt" }`.
    #[serde(default)]
    #[schemars(with = "Option<RawSeedTemplate>")]
    pub seed_template: Option<Spanned<RawSeedTemplate>>,
    /// One stream per record of another resource: `{ resource = "users", url =
    /// ".../users/{id}/orders", copy = { user_id = "id" } }`.
    #[serde(default)]
    #[schemars(with = "Option<RawParent>")]
    pub parent: Option<Spanned<RawParent>>,
    /// Origins next links and redirects may also lead to (default: only the
    /// page's own origin).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allowed_origins: Vec<Spanned<String>>,
    /// Required. Dotted path to the record array (`"data.items"`; `"$.data"`
    /// reads as `"data"`); `""` = the body is the array.
    #[schemars(with = "String")]
    pub data_selector: Spanned<String>,
    /// Required. How a page leads to the next: `{ type = "json_link" |
    /// "header_link" | "cursor" | "offset" | "page_number" | "single_page", ... }`.
    #[schemars(with = "RawPaginator")]
    pub paginator: Spanned<RawPaginator>,
    /// `"GET"` (default) or `"POST"`.
    #[serde(default)]
    #[schemars(with = "Option<String>", extend("pattern" = schema::METHOD_PATTERN, "examples" = ["GET", "POST"]))]
    pub method: Option<Spanned<String>>,
    /// POST only: a table or array, sent as JSON, unchanged on every page.
    #[serde(default)]
    #[schemars(schema_with = "schema::body")]
    pub body: Option<Spanned<toml::Value>>,
    /// Query parameters added to every request whose URL lacks them.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// This resource's headers (win over `[client] headers`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// POST only: the header carrying the job's idempotency key; `""` = none
    /// (default "Idempotency-Key").
    #[serde(default)]
    pub idempotency_header: Option<String>,
    /// Credentials (over `[client] auth`); `{ type = "none" }` = none.
    #[serde(default)]
    #[schemars(with = "Option<RawAuth>")]
    pub auth: Option<Spanned<RawAuth>>,
    /// Rules overriding what a response's status would do; the first match
    /// wins (default none).
    #[serde(default)]
    #[schemars(with = "Vec<RawResponseAction>")]
    pub response_actions: Vec<Spanned<RawResponseAction>>,
    /// A page holding a record nested deeper is dead-lettered `too_deep`; 1 to
    /// 1048576 (default 512).
    #[serde(default)]
    #[schemars(with = "Option<i64>", range(min = 1, max = 1_048_576))]
    pub max_depth: Option<Spanned<i64>>,
    /// Incremental passes: each run of a finished crawl fetches only the
    /// records new or updated since the last pass: `{ cursor_path =
    /// "updated_at", param = "updated_since", initial_value =
    /// "2024-01-01T00:00:00Z", primary_key = "id" }`.
    #[serde(default)]
    #[schemars(with = "Option<RawIncremental>")]
    pub incremental: Option<Spanned<RawIncremental>>,
}

/// `incremental = { cursor_path, param, ... }`: a pass sends the last
/// pass's maximum cursor value as `param` and keeps the records from there.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Incremental")]
pub struct RawIncremental {
    /// Required. Dotted path, in each record, of the value that says how new
    /// it is (`updated_at`, a sequence number): a number, an RFC 3339
    /// timestamp or a string.
    pub cursor_path: String,
    /// Required. The query parameter the pass's start is sent as
    /// (`updated_since`), on every page of the stream.
    pub param: String,
    /// The first pass's start (a string or a number); without it the first
    /// pass sends no `param` and takes every record.
    #[serde(default)]
    #[schemars(schema_with = "schema::string_or_number")]
    pub initial_value: Option<toml::Value>,
    /// Field path(s) naming a record (`"id"`, or `["shop", "id"]`), to tell
    /// the records at a pass boundary apart; default: the record's bytes.
    #[serde(default)]
    #[schemars(schema_with = "schema::string_or_list")]
    pub primary_key: Option<toml::Value>,
    /// The query parameter a closed window's end is sent as (with
    /// `end_value`).
    #[serde(default)]
    pub end_param: Option<String>,
    /// A closed window's end (exclusive): records at or past it are left
    /// out. Every pass then re-reads the same window.
    #[serde(default)]
    #[schemars(schema_with = "schema::string_or_number")]
    pub end_value: Option<toml::Value>,
    /// Start each pass this much before the last pass's maximum, to re-read
    /// late writes: a duration (`"10m"`) for timestamp cursors, a number for
    /// number cursors (default none).
    #[serde(default)]
    #[schemars(schema_with = "schema::string_or_number")]
    pub lag: Option<toml::Value>,
    /// A record without the cursor value: `"dead_letter"` (the page;
    /// default), `"include"` (written every pass) or `"exclude"`.
    #[serde(default)]
    #[schemars(extend("enum" = ["dead_letter", "include", "exclude"]))]
    pub on_missing: Option<String>,
}

/// `{ status = 404, content = "...", action = "end_stream" }`: `status`,
/// `content` or both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ResponseAction")]
pub struct RawResponseAction {
    /// The response status this rule matches (100 to 599).
    #[schemars(range(min = 100, max = 599))]
    pub status: Option<i64>,
    /// A case-sensitive substring of the body's first 64 KiB.
    pub content: Option<String>,
    /// Required. What a matching response means for its page.
    #[schemars(schema_with = "schema::response_action")]
    pub action: String,
}

/// `auth = { type = "...", ... }`. Secrets are named by environment variable
/// (`*_env`), never written in the file. `origins` limits where the
/// credential goes (default: the origins of the resource's seeds).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "Auth")]
pub enum RawAuth {
    /// No credentials (a resource opting out of `[client] auth`).
    None,
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// Required. The environment variable holding the token.
        token_env: String,
        /// The origins that receive the credential (default: the origins of
        /// the resource's seeds).
        origins: Option<Vec<String>>,
    },
    /// A key in a header (default `X-API-Key`) or a query parameter.
    ApiKey {
        /// Required. The environment variable holding the key.
        key_env: String,
        /// The header the key goes in (default "X-API-Key").
        header: Option<String>,
        /// Instead of a header: the query parameter the key goes in.
        query_param: Option<String>,
        /// The origins that receive the credential (default: the origins of
        /// the resource's seeds).
        origins: Option<Vec<String>>,
    },
    /// `Authorization: Basic ...`.
    Basic {
        /// Required. The environment variable holding the user name.
        username_env: String,
        /// Required. The environment variable holding the password.
        password_env: String,
        /// The origins that receive the credential (default: the origins of
        /// the resource's seeds).
        origins: Option<Vec<String>>,
    },
    /// OAuth 2.0 client credentials grant; the token is cached and refreshed.
    Oauth2ClientCredentials {
        /// Required. The token endpoint (https, or http to a loopback address).
        token_url: String,
        /// Required. The environment variable holding the client id.
        client_id_env: String,
        /// Required. The environment variable holding the client secret.
        client_secret_env: String,
        /// Scopes asked for (default none).
        #[serde(default)]
        scopes: Vec<String>,
        /// How long before it expires a token is replaced (default "60s").
        #[serde(default, with = "humantime_serde")]
        #[schemars(with = "Option<HumanDuration>")]
        refresh_margin: Option<Duration>,
        /// `"basic"` (default: HTTP Basic) or `"body"` (form fields).
        #[schemars(extend("enum" = ["basic", "body"]))]
        client_auth: Option<String>,
        /// The origins that receive the credential (default: the origins of
        /// the resource's seeds).
        origins: Option<Vec<String>>,
    },
}

/// `seed_template = { url = ".../{n}", range = { from, to, step } }` or
/// `{ url = ".../{value}", values_file = "ids.txt" }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SeedTemplate")]
pub struct RawSeedTemplate {
    /// Required. The URL with exactly one placeholder: `{n}` with `range`,
    /// `{value}` with `values_file`.
    pub url: String,
    /// `{ from, to, step }`: inclusive integers filling `{n}`.
    pub range: Option<RawRange>,
    /// Instead of `range`: one value per line filling `{value}`, relative to
    /// this file (trimmed; blank lines and `#` comments skipped).
    pub values_file: Option<String>,
}

/// Inclusive integer range; `step` defaults to 1.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Range")]
pub struct RawRange {
    /// Required. The first value.
    pub from: i64,
    /// Required. The last value (at least `from`).
    pub to: i64,
    /// At least 1 (default 1).
    pub step: Option<i64>,
}

/// `parent = { resource = "users", url = ".../{id}/orders", copy = { user_id = "id" } }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Parent")]
pub struct RawParent {
    /// Required. The parent resource: another configured resource.
    pub resource: String,
    /// Required. The child's first page; `{dotted.path}` placeholders are
    /// filled from each parent record.
    pub url: String,
    /// `output_key = "path.in.parent"`: copied into every record of the child
    /// stream.
    #[serde(default)]
    pub copy: BTreeMap<String, String>,
}

// Internally tagged: serde buffers the content, so no `Spanned` inside;
// problems point at the whole `paginator` value.
/// How a page leads to the next. Every type but `single_page` takes
/// `max_pages`: at most that many pages per stream, the seed included.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "Paginator")]
pub enum RawPaginator {
    /// The next page's URL sits at a dotted path of the body; missing, `null`
    /// or `""` ends the stream.
    JsonLink {
        /// Dotted path of the next page's URL (default "next").
        #[serde(default = "default_next_url_path")]
        next_url_path: String,
        /// At most this many pages per stream, the seed included.
        max_pages: Option<i64>,
    },
    /// The RFC 8288 `Link` response header's `rel="next"` target.
    HeaderLink {
        /// At most this many pages per stream, the seed included.
        max_pages: Option<i64>,
    },
    /// A token in the body, sent back as a query parameter.
    Cursor {
        /// Required. Dotted path of the token; missing, `null` or `""` ends
        /// the stream.
        cursor_path: String,
        /// The query parameter the token is sent back in (default "cursor").
        #[serde(default = "default_cursor_param")]
        cursor_param: String,
        /// Dotted path of a boolean; `false` ends the stream.
        has_more_path: Option<String>,
        /// At most this many pages per stream, the seed included.
        max_pages: Option<i64>,
    },
    /// `offset` and `limit` query parameters.
    Offset {
        /// Required, at least 1. Sent on every request, the first included.
        limit: i64,
        /// The offset query parameter (default "offset").
        #[serde(default = "default_offset_param")]
        offset_param: String,
        /// The limit query parameter (default "limit").
        #[serde(default = "default_limit_param")]
        limit_param: String,
        /// Dotted path of the stream's record count in the body.
        total_path: Option<String>,
        /// The stream's record count, when known in advance.
        total: Option<i64>,
        /// Without a total, a page with fewer than `limit` records ends the
        /// stream (default false).
        #[serde(default)]
        end_on_short_page: bool,
        /// At most this many pages per stream, the seed included.
        max_pages: Option<i64>,
    },
    /// A page number query parameter.
    PageNumber {
        /// The page number query parameter (default "page").
        #[serde(default = "default_page_param")]
        page_param: String,
        /// The first page's number, 0 or 1 (default 1).
        #[serde(default = "default_base")]
        base: i64,
        /// Dotted path of the stream's page count in the body.
        total_pages_path: Option<String>,
        /// Dotted path of the stream's record count in the body (with
        /// `page_size`).
        total_path: Option<String>,
        /// The stream's page count, when known in advance.
        total_pages: Option<i64>,
        /// Records per page.
        page_size: Option<i64>,
        /// The query parameter that sends `page_size` on every request.
        page_size_param: Option<String>,
        /// Dotted path of a boolean; `false` ends the stream.
        has_more_path: Option<String>,
        /// Without a total, a page with fewer than `page_size` records ends
        /// the stream (default false).
        #[serde(default)]
        end_on_short_page: bool,
        /// At most this many pages per stream, the seed included.
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
