//! The pooled client and the streamed, capped body read.

use crate::FetchError;
use bytes::Bytes;
use futures::StreamExt;
use harvest_config::ClientSettings;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;
/// Most bytes read of an error (non-2xx) body: enough for a message, never a
/// reason to download megabytes or to hit `max_body_bytes`.
const ERROR_BODY_BYTES: usize = 64 << 10;

/// A response whose body has been read whole (within the cap).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// The URL that answered, after redirects: relative links resolve against it.
    pub url: Url,
    /// The response headers (the paginator reads `Link`; the politeness
    /// policy reads `Retry-After` and rate-limit fields).
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// Every value of header `name` that is valid text, in order.
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

/// One client for the whole crawl; clone it freely (it is a handle).
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body_bytes: u64,
}

impl Fetcher {
    /// Builds the client. `pool_per_origin` sizes the idle keep-alive pool.
    pub fn new(settings: &ClientSettings, pool_per_origin: usize) -> Result<Self, FetchError> {
        let mut headers = HeaderMap::new();
        for (name, value) in &settings.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| FetchError::Request(format!("header name `{name}`: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| FetchError::Request(format!("header `{name}` value: {e}")))?;
            headers.insert(name, value);
        }
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .timeout(settings.request_timeout)
            .pool_max_idle_per_host(pool_per_origin)
            // Idle connections go with their origin's idle host actor, so
            // 10,000 finished origins do not keep 10,000 sockets open.
            .pool_idle_timeout(settings.idle_after)
            .redirect(reqwest::redirect::Policy::custom(same_origin_redirects))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| FetchError::Request(e.to_string()))?;
        Ok(Self {
            client,
            max_body_bytes: settings.max_body_bytes,
        })
    }

    /// GETs `url` and reads the body as a stream, refusing more than
    /// `max_body_bytes` (checked against Content-Length first, then as bytes
    /// arrive). Error bodies are read up to 64 KiB only.
    pub async fn get(&self, url: &Url) -> Result<Response, FetchError> {
        let resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(FetchError::from_reqwest)?;
        let status = resp.status().as_u16();
        let url = resp.url().clone();
        let headers = resp.headers().clone();
        if !resp.status().is_success() {
            let body = read_prefix(resp, ERROR_BODY_BYTES).await;
            return Ok(Response {
                status,
                url,
                headers,
                body,
            });
        }
        let limit = self.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(FetchError::BodyTooLarge { limit });
        }
        let mut body =
            Vec::with_capacity(resp.content_length().unwrap_or(8192).min(limit) as usize);
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(FetchError::from_reqwest)?;
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(FetchError::BodyTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            url,
            headers,
            body: Bytes::from(body),
        })
    }
}

/// Redirects stay within the origin of the first request (credentials and the
/// resource's origin rules never leak through a redirect); a redirect
/// elsewhere is not followed, so the 3xx response itself comes back (and is
/// dead-lettered with its status). Loops and long chains are errors.
fn same_origin_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let first = &attempt.previous()[0];
    if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else if attempt.previous().contains(attempt.url()) {
        attempt.error("redirect loop")
    } else if attempt.url().origin() != first.origin() {
        attempt.stop()
    } else {
        attempt.follow()
    }
}

/// Up to `limit` bytes of a body; read errors just end it (it is only a message).
async fn read_prefix(resp: reqwest::Response, limit: usize) -> Bytes {
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    Bytes::from(body)
}
