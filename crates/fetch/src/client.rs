//! The pooled client: one request, its headers, and a body left to stream.

use crate::body::{Body, Encoding, ACCEPT_ENCODING};
use crate::request::{Attempt, RequestSpec};
use crate::FetchError;
use bytes::Bytes;
use harvest_config::ClientSettings;
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING as ACCEPT_ENCODING_HEADER, CONTENT_ENCODING,
};
use url::Url;

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

    /// Reads the start of an error body (up to 64 KiB) and drops the rest:
    /// short error bodies are drained, so the connection can be reused.
    pub async fn discard_body(&mut self) -> Bytes {
        self.body.prefix(ERROR_BODY_BYTES).await
    }
}

/// One client for the whole crawl; clone it freely (it is a handle).
#[derive(Clone)]
pub struct Fetcher {
    pub(crate) client: reqwest::Client,
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
        let mut builder = reqwest::Client::builder();
        if let Some(proxy) = &settings.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| FetchError::Request(format!("proxy: {e}")))?;
            builder = builder.proxy(proxy);
        }
        if let Some(path) = &settings.ca_file {
            let bad = |e: &dyn std::fmt::Display| {
                FetchError::Request(format!("client.ca_file {}: {e}", path.display()))
            };
            let pem = std::fs::read(path).map_err(|e| bad(&e))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(&e))? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .user_agent(settings.user_agent.clone())
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .timeout(settings.request_timeout)
            .pool_max_idle_per_host(pool_per_origin)
            // Idle connections go with their origin's idle host actor, so
            // 10,000 finished origins do not keep 10,000 sockets open.
            .pool_idle_timeout(settings.idle_after)
            // Redirects are followed by `send`, hop by hop (see `redirect.rs`).
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| FetchError::Request(e.to_string()))?;
        Ok(Self {
            client,
            max_body_bytes: settings.max_body_bytes,
        })
    }

    /// Sends `attempt` at `url` as `spec` says (see `send.rs`) and returns
    /// once the headers are in; the body streams from [`Response::body`],
    /// decoded, at most `max_body_bytes` (checked against Content-Length
    /// first when the body is not compressed).
    pub async fn get(
        &self,
        url: &Url,
        spec: &RequestSpec,
        attempt: &Attempt,
    ) -> Result<Response, FetchError> {
        let sent = self.send(url, spec, attempt).await?;
        let resp = sent.response;
        let status = resp.status().as_u16();
        let url = spec.public_url(url, resp.url(), sent.redirected);
        let headers = resp.headers().clone();
        let coding = headers
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("(not text)"));
        let success = resp.status().is_success();
        let encoding = match Encoding::parse(coding) {
            Ok(encoding) => encoding,
            // An error body is only a message: its coding must not turn a
            // retryable 503 into a dead letter.
            Err(_) if !success => Encoding::Identity,
            Err(why) => return Err(FetchError::Decode(why)),
        };
        let limit = self.max_body_bytes;
        let plain = encoding == Encoding::Identity;
        if success && plain && resp.content_length().is_some_and(|n| n > limit) {
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
