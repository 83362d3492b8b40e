//! Request shaping per resource: method, JSON body, extra query parameters
//! and headers, the idempotency-key header of `POST`s. Credentials are in
//! `auth.rs`; headers that carry credentials are refused here (secrets come
//! from the environment only).

use crate::checker::{is_header_name, Checker};
use crate::raw::RawResource;

/// Default header of the idempotency key sent with `POST`.
pub const DEFAULT_IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Headers that carry credentials: refused in `headers` (use `auth`).
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie"];

/// How a resource's requests are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSettings {
    pub method: Method,
    /// JSON text sent unchanged with every request (`POST` only); the
    /// paginator's state travels in the URL query.
    pub body: Option<String>,
    /// Query parameters added to every request whose URL lacks them; added
    /// when the request is sent, not stored with the job.
    pub params: Vec<(String, String)>,
    /// Headers of this resource's requests; they replace `[client] headers`
    /// of the same name.
    pub headers: Vec<(String, String)>,
    /// Header carrying the job's idempotency key (`POST` only; `None`: none).
    pub idempotency_header: Option<String>,
}

impl Default for RequestSettings {
    fn default() -> Self {
        Self {
            method: Method::Get,
            body: None,
            params: Vec::new(),
            headers: Vec::new(),
            idempotency_header: None,
        }
    }
}

impl RequestSettings {
    /// Whether a failed request may be sent again although it may have
    /// reached the server: `GET`, or a `POST` with an idempotency key.
    pub fn retry_safe(&self) -> bool {
        self.method == Method::Get || self.idempotency_header.is_some()
    }
}

/// The HTTP methods a resource may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// Validates the request keys of resource `r` at `key`.
pub(crate) fn check(c: &mut Checker<'_>, key: &str, r: &RawResource) -> RequestSettings {
    let method = match &r.method {
        None => Method::Get,
        Some(m) => match m.get_ref().to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            other => {
                c.at(
                    m,
                    format!("{key}.method"),
                    format!("`{other}`: use GET or POST"),
                );
                Method::Get
            }
        },
    };
    let body = r.body.as_ref().and_then(|b| {
        let k = format!("{key}.body");
        if method != Method::Post {
            c.at(b, k, "a body needs `method = \"POST\"`");
            return None;
        }
        match b.get_ref() {
            toml::Value::Table(_) | toml::Value::Array(_) => {
                match serde_json::to_string(b.get_ref()) {
                    Ok(json) => Some(json),
                    Err(e) => {
                        c.at(b, k, format!("cannot be written as JSON: {e}"));
                        None
                    }
                }
            }
            _ => {
                c.at(
                    b,
                    k,
                    "give a table (`{ query = \"x\" }`) or an array: it is sent as JSON",
                );
                None
            }
        }
    });
    for name in r.params.keys() {
        if name.is_empty() {
            c.bare(format!("{key}.params"), "empty parameter name");
        }
    }
    check_headers(c, &format!("{key}.headers"), &r.headers);
    let idempotency_header = match (method, r.idempotency_header.as_deref()) {
        (Method::Get, _) => None,
        (Method::Post, Some("")) => None,
        (Method::Post, Some(h)) if !is_header_name(h) => {
            c.bare(
                format!("{key}.idempotency_header"),
                "not a valid header name",
            );
            None
        }
        (Method::Post, h) => Some(h.unwrap_or(DEFAULT_IDEMPOTENCY_HEADER).to_string()),
    };
    RequestSettings {
        method,
        body,
        params: r.params.clone().into_iter().collect(),
        headers: r.headers.clone().into_iter().collect(),
        idempotency_header,
    }
}

/// Names and values of a `headers` table; credential headers are refused.
pub(crate) fn check_headers<'a>(
    c: &mut Checker<'_>,
    key: &str,
    headers: impl IntoIterator<Item = (&'a String, &'a String)>,
) {
    for (name, value) in headers {
        if !is_header_name(name) {
            c.bare(format!("{key}.{name}"), "not a valid header name");
        } else if CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            c.bare(
                format!("{key}.{name}"),
                "credentials do not go in the config file: use `auth` (secrets come from environment variables)",
            );
        }
        if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            c.bare(
                format!("{key}.{name}"),
                "header value holds a control character",
            );
        }
    }
}
