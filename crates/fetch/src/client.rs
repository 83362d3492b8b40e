//! The pooled client and the streamed, capped body read.

use crate::FetchError;
use bytes::Bytes;
use futures::StreamExt;
use harvest_config::ClientSettings;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

/// A response whose body has been read whole (within the cap).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// The response headers (the paginator reads `Link`).
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
    /// arrive).
    pub async fn get(&self, url: &Url) -> Result<Response, FetchError> {
        let resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(FetchError::from_reqwest)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
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
            headers,
            body: Bytes::from(body),
        })
    }
}
