//! The pooled client: one request, its headers, and a body left to stream.

use crate::body::{Body, Encoding, ACCEPT_ENCODING};
use crate::request::{Attempt, RequestSpec};
use crate::speed::SpeedFloor;
use crate::FetchError;
use bytes::Bytes;
use harvest_config::ClientSettings;
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING as ACCEPT_ENCODING_HEADER, CONTENT_ENCODING,
};
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;
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

/// An HTTP client; clone it freely (it is a handle to one connection pool).
///
/// The crawl's fetcher serves token requests; each host actor gets its own
/// from [`for_origin`](Self::for_origin), so its pooled connections close
/// when the host stops instead of lingering in a shared pool.
#[derive(Clone)]
pub struct Fetcher {
    pub(crate) client: reqwest::Client,
    max_body_bytes: u64,
    /// The low-speed guard of every body (`None`: off).
    speed_floor: Option<SpeedFloor>,
    recipe: Arc<Recipe>,
}

/// What every client is built from: the settings, the default headers and
/// one TLS configuration (roots parsed once, not per client).
struct Recipe {
    settings: ClientSettings,
    headers: HeaderMap,
    pool_per_origin: usize,
    tls: rustls::ClientConfig,
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
        let recipe = Arc::new(Recipe {
            settings: settings.clone(),
            headers,
            pool_per_origin,
            tls: tls_config(settings.ca_file.as_deref())?,
        });
        Ok(Self {
            client: recipe.client()?,
            max_body_bytes: settings.max_body_bytes,
            speed_floor: SpeedFloor::new(settings.min_bytes_per_sec, settings.min_speed_window),
            recipe,
        })
    }

    /// A fetcher with the same settings and a pool of its own.
    pub fn for_origin(&self) -> Result<Self, FetchError> {
        Ok(Self {
            client: self.recipe.client()?,
            max_body_bytes: self.max_body_bytes,
            speed_floor: self.speed_floor,
            recipe: self.recipe.clone(),
        })
    }

    /// Sends `attempt` at `url` as `spec` says (see `send.rs`) and returns
    /// once the headers are in; the body streams from [`Response::body`],
    /// decoded, at most `max_body_bytes` (checked against Content-Length
    /// first when the body is not compressed), and no slower than
    /// `min_bytes_per_sec` over `min_speed_window`.
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
            body: Body::new(resp, encoding, limit, self.speed_floor),
        })
    }
}

impl Recipe {
    fn client(&self) -> Result<reqwest::Client, FetchError> {
        let settings = &self.settings;
        let mut builder = reqwest::Client::builder();
        if let Some(proxy) = &settings.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| FetchError::Request(format!("proxy: {e}")))?;
            builder = builder.proxy(proxy);
        }
        builder
            .use_preconfigured_tls(self.tls.clone())
            .user_agent(settings.user_agent.clone())
            .default_headers(self.headers.clone())
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .timeout(settings.request_timeout)
            .pool_max_idle_per_host(self.pool_per_origin)
            .pool_idle_timeout(settings.idle_after)
            // Redirects are followed by `send`, hop by hop (see `redirect.rs`).
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| FetchError::Request(e.to_string()))
    }
}

/// rustls with the bundled web roots plus those of `ca_file`, offering
/// HTTP/2 and HTTP/1.1 by ALPN.
fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, FetchError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let bad = |e: &dyn std::fmt::Display| {
            FetchError::Request(format!("client.ca_file {}: {e}", path.display()))
        };
        let pem = std::fs::read(path).map_err(|e| bad(&e))?;
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
            roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Request(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
