//! The drafted crawl config as TOML text: a header saying where it came
//! from and what to do next, every table with every default spelled out
//! and its meaning in a comment, and each guess with what it rests on. The
//! defaults are read from the defaults [`Config`](harvest_config::Config)
//! (never retyped here); the paginator is written by its `Display`, as
//! `harvest check` prints it. Keys whose default is derived (`user_agent`,
//! `min_rate_per_sec`) or absent (`listen`, `auth`, ...) are commented out.

use super::Draft;
use std::fmt::Write;
use std::time::Duration;

/// `draft` as a commented crawl config.
pub(super) fn render(draft: &Draft) -> String {
    let mut out = String::new();
    header(&mut out, draft);
    crawl(&mut out, draft);
    client(&mut out, draft);
    retry_and_breaker(&mut out, draft);
    metrics(&mut out, draft);
    resource(&mut out, draft);
    out
}

/// Appends `# line` for each line.
fn comment<S: AsRef<str>>(out: &mut String, lines: &[S]) {
    for line in lines {
        let _ = writeln!(out, "# {}", line.as_ref());
    }
}

fn key(out: &mut String, name: &str, value: impl std::fmt::Display, meaning: &str) {
    if !meaning.is_empty() {
        comment(out, &[meaning]);
    }
    let _ = writeln!(out, "{name} = {value}");
}

fn header(out: &mut String, d: &Draft) {
    comment(
        out,
        &[
            "Drafted by `harvest init` from one page of".to_owned(),
            format!("  {}", d.url),
            format!(
                "(HTTP {}, {} bytes). Each guess says what it rests on; every default",
                d.status, d.bytes
            ),
            "is spelled out with its meaning. Edit what does not fit, then:".to_owned(),
            "  harvest check FILE    validates it and prints the plan".to_owned(),
            "  harvest sample FILE   fetches the first page(s), shows what run would do".to_owned(),
            "  harvest run FILE      harvests every page, exactly once".to_owned(),
            "Every key: README.md, section Config.".to_owned(),
        ],
    );
    out.push('\n');
}

fn crawl(out: &mut String, d: &Draft) {
    let c = &d.defaults.crawl;
    out.push_str("[crawl]\n");
    key(
        out,
        "state_dir",
        string(&c.state_dir.display().to_string()),
        "The sled database: pending pages, cursors, done pages, dead letters (relative: to the working directory).",
    );
    key(
        out,
        "output_dir",
        string(&c.output_dir.display().to_string()),
        "One <resource>.jsonl per resource, every record exactly once.",
    );
    key(
        out,
        "max_in_flight",
        c.max_in_flight,
        "Requests in flight across all origins.",
    );
    key(
        out,
        "io_threads",
        0,
        "Threads that fetch and parse pages (0: one per CPU core).",
    );
    out.push('\n');
}

fn client(out: &mut String, d: &Draft) {
    let c = &d.defaults.client;
    out.push_str("[client]\n");
    comment(out, &["Politeness per origin: a token bucket of `burst` requests, refilled at `rate_per_sec`."]);
    comment(out, &d.rate.seen);
    key(
        out,
        "rate_per_sec",
        format!("{:?}", d.rate.rate_per_sec),
        "",
    );
    key(out, "burst", d.rate.burst, "");
    key(
        out,
        "max_in_flight_per_origin",
        c.defaults.max_in_flight,
        "Requests in flight to one origin.",
    );
    comment(
        out,
        &[
            "Floor of the rate when 429s without headers slow an origin down (default: rate_per_sec / 32).",
            &format!("min_rate_per_sec = {:?}", d.rate.rate_per_sec / 32.0),
        ],
    );
    key(
        out,
        "connect_timeout",
        duration(c.connect_timeout),
        "TCP (and TLS) connect timeout.",
    );
    key(
        out,
        "read_timeout",
        duration(c.read_timeout),
        "Longest silence while reading a response before it is abandoned (and retried).",
    );
    key(
        out,
        "request_timeout",
        duration(c.request_timeout),
        "Longest whole request, headers and body.",
    );
    key(
        out,
        "min_bytes_per_sec",
        c.min_bytes_per_sec,
        "A body slower than this, averaged over min_speed_window, is retried as too_slow (0: off).",
    );
    key(out, "min_speed_window", duration(c.min_speed_window), "");
    key(
        out,
        "idle_after",
        duration(c.idle_after),
        "An origin with nothing to do for this long lets its connections go.",
    );
    key(
        out,
        "max_body_bytes",
        c.max_body_bytes,
        "A larger body is an error (dead letter), not an out-of-memory.",
    );
    key(
        out,
        "max_retry_after",
        duration(c.max_retry_after),
        "Longest pause a Retry-After or a quota reset may impose.",
    );
    key(
        out,
        "request_id_header",
        string(c.request_id_header.as_deref().unwrap_or("")),
        "Header carrying a fresh id per request (\"\": none).",
    );
    comment(
        out,
        &[
            format!(
                "user_agent = {}   (default: harvest/<version>)",
                string(&c.user_agent)
            ),
            "Extra headers of every request:".to_owned(),
            "headers = { \"Accept\" = \"application/json\" }".to_owned(),
            "Credentials, by environment variable name only (never in this file):".to_owned(),
            "auth = { type = \"bearer\", token_env = \"API_TOKEN\" }".to_owned(),
            "proxy = \"http://proxy.example:3128\"   ca_file = \"private-ca.pem\"".to_owned(),
        ],
    );
    out.push('\n');
}

fn retry_and_breaker(out: &mut String, d: &Draft) {
    let r = &d.defaults.retry;
    out.push_str("[retry]\n");
    comment(out, &["Connect/read errors, timeouts, 408, 425, 429, 5xx are retried with jittered exponential backoff."]);
    key(
        out,
        "max_attempts",
        r.max_attempts,
        "Attempts in all, the first included; then the page is dead-lettered.",
    );
    key(out, "base_delay", duration(r.base_delay), "");
    key(out, "max_delay", duration(r.max_delay), "");
    out.push('\n');
    let b = &d.defaults.breaker;
    out.push_str("[breaker]\n");
    comment(out, &["Per origin: opens on a failure ratio or a failure streak; an open breaker delays, never drops."]);
    key(
        out,
        "failure_ratio",
        format!("{:?}", b.failure_ratio),
        "Share of failures in the window that opens it.",
    );
    key(
        out,
        "min_calls",
        b.min_calls,
        "Calls the window must hold before the ratio counts.",
    );
    key(
        out,
        "window",
        b.window,
        "How many of the latest calls the ratio looks at.",
    );
    key(
        out,
        "consecutive_failures",
        b.consecutive_failures,
        "Failures in a row that open it whatever the ratio (0: off).",
    );
    key(
        out,
        "open_for",
        duration(b.open_for),
        "The first open period (doubles while the origin stays bad)...",
    );
    key(
        out,
        "max_open_for",
        duration(b.max_open_for),
        "...up to this.",
    );
    key(
        out,
        "half_open_probes",
        b.half_open_probes,
        "Calls let through at once to test a recovering origin.",
    );
    key(
        out,
        "give_up_after",
        duration(d.defaults.give_up_after),
        "An origin answering only transport errors this long has its pages dead-lettered.",
    );
    out.push('\n');
}

fn metrics(out: &mut String, d: &Draft) {
    let m = &d.defaults.metrics;
    out.push_str("[metrics]\n");
    comment(
        out,
        &[
            "Prometheus /metrics is served only with `listen`:",
            "listen = \"127.0.0.1:9898\"",
        ],
    );
    key(
        out,
        "max_origin_labels",
        m.max_origin_labels,
        "Origins with their own `origin` label; the rest share `other`.",
    );
    key(
        out,
        "linger",
        duration(m.linger),
        "How long /metrics stays up after the crawl ends.",
    );
    out.push('\n');
}

fn resource(out: &mut String, d: &Draft) {
    let r = &d.defaults.resources[0];
    out.push_str("[[resources]]\n");
    key(
        out,
        "name",
        string(&d.name),
        "Names the output file, <name>.jsonl (from the URL's path).",
    );
    key(
        out,
        "seeds",
        format!("[{}]", string(d.url.as_str())),
        "First pages; or seeds_file = \"seeds.txt\" (one URL a line), or a seed_template.",
    );
    comment(
        out,
        &["Where the records are in each page (a dotted path; \"\": the body itself):"],
    );
    comment(out, &d.records.seen);
    key(out, "data_selector", string(&d.records.selector), "");
    comment(out, &["How a page leads to the next:"]);
    comment(out, &d.paginator.seen);
    key(out, "paginator", &d.paginator.paginator, "");
    if !d.paginator.alternatives.is_empty() {
        comment(out, &["Would fit too:"]);
        for (p, why) in &d.paginator.alternatives {
            comment(out, &[format!("paginator = {p}"), format!("  ({why})")]);
        }
    }
    comment(
        out,
        &["To cap the pages of a stream, add max_pages = N inside the paginator table."],
    );
    key(
        out,
        "max_depth",
        r.max_depth,
        "A record nested deeper than this is dead-lettered (too_deep).",
    );
}

/// `d` as the config writes durations (`500ms`, `30s`, `2m`, `1h`).
fn duration(d: Duration) -> String {
    string(&humantime::format_duration(d).to_string())
}

/// `s` as a TOML basic string: JSON's string escapes are TOML's too
/// (`\"`, `\\`, `\n`, `\u0001`); DEL, which JSON leaves bare, is escaped.
pub(super) fn string(s: &str) -> String {
    serde_json::Value::String(s.to_owned())
        .to_string()
        .replace('\u{7f}', "\\u007F")
}
