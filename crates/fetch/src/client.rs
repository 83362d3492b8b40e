//! The pooled client: one request, its headers, and a body left to stream.

use crate::body::{Body, Encoding, ACCEPT_ENCODING};
use crate::FetchError;
use bytes::Bytes;
use harvest_config::ClientSettings;
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING as ACCEPT_ENCODING_HEADER, CONTENT_ENCODING,
};
use url::Url;

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;
/// Most bytes read of an error (non-2xx) body: enough for a message, never a
/// reason to download megabytes or to hit `max_body_bytes`.
const ERROR_BODY_BYTES: usize = 64 << 10;

/// A response with its headers read and its body still to stream.
pub struct Response {
    pub status: u16,
    /// The URL that answered, after redirects: relative links resolve against it.
    pub url: Url,
    /// The response headers (the paginator reads `Link`; the politeness
    /// policy reads `Retry-After` and rate-limit fields).
    pub headers: HeaderMap,
    pub body: Body,
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

    /// The status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Reads the start of an error body (up to 64 KiB) and drops the rest:
    /// short error bodies are drained, so the connection can be reused.
    pub async fn discard_body(&mut self) -> Bytes {
        self.body.prefix(ERROR_BODY_BYTES).await
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
        headers.insert(
            ACCEPT_ENCODING_HEADER,
            HeaderValue::from_static(ACCEPT_ENCODING),
        );
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
            .redirect(reqwest::redirect::Policy::custom(same_origin_redirects))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| FetchError::Request(e.to_string()))?;
        Ok(Self {
            client,
            max_body_bytes: settings.max_body_bytes,
        })
    }

    /// GETs `url` and returns once the headers are in; the body streams
    /// from [`Response::body`], decoded, at most `max_body_bytes` (checked
    /// against Content-Length first when the body is not compressed).
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
        let coding = headers
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("(not text)"));
        let encoding = Encoding::parse(coding).map_err(FetchError::Decode)?;
        let limit = self.max_body_bytes;
        let plain = encoding == Encoding::Identity;
        if resp.status().is_success() && plain && resp.content_length().is_some_and(|n| n > limit) {
            return Err(FetchError::BodyTooLarge { limit });
        }
        Ok(Response {
            status,
            url,
            headers,
            body: Body::new(resp, encoding, limit),
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
