//! How one resource's requests are built ([`RequestSpec`], from the config)
//! and what is unique to one attempt ([`Attempt`]: its request id and the
//! job's idempotency key). Credentials and extra query parameters are added
//! to the URL only when a request is sent, and taken out of the URL handed
//! back, so neither reaches a stored job.

use crate::auth::{Auth, AuthRegistry};
use crate::{FetchError, Fetcher};
use bytes::Bytes;
use harvest_config::{ClientSettings, Config, Method as ConfigMethod, Resource};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use url::Url;

/// Everything about a resource's requests that is the same for all of them.
pub struct RequestSpec {
    pub(crate) method: Method,
    /// JSON sent unchanged with every request (`POST`).
    pub(crate) body: Option<Bytes>,
    /// Query parameters added when the URL lacks them.
    params: Vec<(String, String)>,
    /// The resource's own headers (they win over `[client] headers`).
    headers: HeaderMap,
    pub(crate) auth: Option<Auth>,
    /// Origins a redirect may lead to besides the first request's.
    redirect_origins: Vec<String>,
    request_id_header: Option<HeaderName>,
    idempotency_header: Option<HeaderName>,
    /// A failed request may be sent again although it may have reached the
    /// server (`GET`, or a `POST` with an idempotency key).
    retry_safe: bool,
}

/// What is unique to one attempt at a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Sent in the request id header and logged with failures: one per
    /// attempt (kept across the attempt's redirects).
    pub request_id: String,
    /// Identifies the job (its resource and URL): gives the idempotency key.
    job_key: [u8; 16],
}

impl Attempt {
    /// A new attempt with a fresh request id; `job_key` identifies the job
    /// (its resource and URL) and gives the idempotency key.
    pub fn new(job_key: [u8; 16]) -> Self {
        Self {
            request_id: uuid_text(rand::random::<[u8; 16]>()),
            job_key,
        }
    }

    /// The job's idempotency key: the same for every attempt of the job, so
    /// the server can recognise a retry. Made only for the requests that
    /// send it.
    pub fn idempotency_key(&self) -> String {
        uuid_text(self.job_key)
    }
}

/// 16 bytes as a version 4 UUID (version and variant bits set) in its
/// hyphenated lower-case form. Random bytes give a fresh v4 UUID; a job's key
/// gives the same idempotency key in every run.
fn uuid_text(b: [u8; 16]) -> String {
    uuid::Builder::from_random_bytes(b)
        .into_uuid()
        .hyphenated()
        .to_string()
}

impl Fetcher {
    /// One [`RequestSpec`] per resource of `config`, in config order. OAuth
    /// 2.0 token sources with the same settings are shared.
    pub fn request_specs(&self, config: &Config) -> Result<Vec<RequestSpec>, FetchError> {
        let mut registry = AuthRegistry::new(self.client.clone());
        config
            .resources
            .iter()
            .map(|r| {
                let auth = r.auth.as_ref().map(|a| registry.build(a)).transpose()?;
                RequestSpec::new(r, &config.client, auth)
            })
            .collect()
    }
}

impl RequestSpec {
    pub fn new(
        resource: &Resource,
        client: &ClientSettings,
        auth: Option<Auth>,
    ) -> Result<Self, FetchError> {
        let r = &resource.request;
        let header_name = |name: &str| {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| FetchError::Request(format!("header name `{name}`: {e}")))
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &r.headers {
            let value = HeaderValue::from_str(value)
                .map_err(|e| FetchError::Request(format!("header `{name}` value: {e}")))?;
            headers.insert(header_name(name)?, value);
        }
        if r.body.is_some() && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(Self {
            method: match r.method {
                ConfigMethod::Get => Method::GET,
                ConfigMethod::Post => Method::POST,
            },
            body: r.body.clone().map(Bytes::from),
            params: r.params.clone(),
            headers,
            auth,
            redirect_origins: resource.allowed_origins.clone(),
            request_id_header: client
                .request_id_header
                .as_deref()
                .map(header_name)
                .transpose()?,
            idempotency_header: r
                .idempotency_header
                .as_deref()
                .map(header_name)
                .transpose()?,
            retry_safe: r.retry_safe(),
        })
    }

    /// A plain `GET` without credentials (tests, tools).
    pub fn get() -> Self {
        Self {
            method: Method::GET,
            body: None,
            params: Vec::new(),
            headers: HeaderMap::new(),
            auth: None,
            redirect_origins: Vec::new(),
            request_id_header: None,
            idempotency_header: None,
            retry_safe: true,
        }
    }

    /// A failed attempt may be retried although the server may have seen it.
    pub fn retry_safe(&self) -> bool {
        self.retry_safe
    }

    /// The credential's kind, when requests to `url` carry one.
    pub fn auth_for(&self, url: &Url) -> Option<&'static str> {
        self.auth
            .as_ref()
            .filter(|a| a.applies_to(url))
            .map(Auth::name)
    }

    /// The credential, when requests to `url` carry it.
    pub(crate) fn credential(&self, url: &Url) -> Option<&Auth> {
        self.auth.as_ref().filter(|a| a.applies_to(url))
    }

    /// A redirect may lead to `url`'s origin (besides the first request's).
    pub(crate) fn redirect_allowed(&self, url: &Url) -> bool {
        let origin = harvest_config::origin_of(url);
        self.redirect_origins.contains(&origin)
    }

    /// The URL to send for `url`: the extra parameters it lacks (first hop
    /// only; a redirect target is the server's), and the query key when the
    /// credential goes to that origin.
    pub(crate) fn url_to_send(&self, url: &Url, first_hop: bool) -> Url {
        let mut out = url.clone();
        if first_hop {
            let missing: Vec<&(String, String)> = self
                .params
                .iter()
                .filter(|(k, _)| !url.query_pairs().any(|(have, _)| have == k.as_str()))
                .collect();
            if !missing.is_empty() {
                out.query_pairs_mut().extend_pairs(missing);
            }
        }
        if let Some((name, value)) = self.credential(url).and_then(Auth::query_param) {
            out = self.without_key(&out);
            out.query_pairs_mut().append_pair(name, value.expose());
        }
        out
    }

    /// `url` without the query key parameter (if the credential has one).
    pub(crate) fn without_key(&self, url: &Url) -> Url {
        let Some((name, _)) = self.auth.as_ref().and_then(Auth::query_param) else {
            return url.clone();
        };
        if !url.query_pairs().any(|(k, _)| k == name) {
            return url.clone();
        }
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != name)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut clean = url.clone();
        if kept.is_empty() {
            clean.set_query(None);
        } else {
            clean.query_pairs_mut().clear().extend_pairs(kept);
        }
        clean
    }

    /// The URL a response is reported under: the job's own URL when no
    /// redirect happened, else the last target without the query key.
    pub(crate) fn public_url(&self, job_url: &Url, final_url: &Url, redirected: bool) -> Url {
        if redirected {
            self.without_key(final_url)
        } else {
            job_url.clone()
        }
    }

    /// `req` with this resource's headers, the attempt's request id and, on
    /// a `POST`, the job's idempotency key.
    pub(crate) fn shape(
        &self,
        mut req: reqwest::RequestBuilder,
        method: &Method,
        attempt: &Attempt,
    ) -> reqwest::RequestBuilder {
        req = req.headers(self.headers.clone());
        if let Some(name) = &self.request_id_header {
            req = req.header(name, &attempt.request_id);
        }
        if let Some(name) = self
            .idempotency_header
            .as_ref()
            .filter(|_| *method == Method::POST)
        {
            req = req.header(name, attempt.idempotency_key());
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_config::{AuthSettings, KeyPlace, ResourceAuth, Secret};

    fn spec_with_query_key() -> RequestSpec {
        let client = reqwest::Client::new();
        let auth = AuthRegistry::new(client)
            .build(&ResourceAuth {
                kind: AuthSettings::ApiKey {
                    key: Secret::new("K", "s3cr3t"),
                    place: KeyPlace::Query("api_key".into()),
                },
                origins: vec!["https://api.example.com".into()],
            })
            .unwrap();
        RequestSpec {
            params: vec![("v".into(), "2".into()), ("page".into(), "1".into())],
            auth: Some(auth),
            ..RequestSpec::get()
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn params_and_the_query_key_are_added_at_send_time_only_where_they_belong() {
        let spec = spec_with_query_key();
        assert_eq!(
            spec.url_to_send(&url("https://api.example.com/x?page=3"), true)
                .as_str(),
            "https://api.example.com/x?page=3&v=2&api_key=s3cr3t"
        );
        // Another origin: parameters yes, the key never.
        assert_eq!(
            spec.url_to_send(&url("https://cdn.example.com/x"), true)
                .as_str(),
            "https://cdn.example.com/x?v=2&page=1"
        );
        // A redirect hop: the server's URL, plus the key if it is in scope.
        assert_eq!(
            spec.url_to_send(&url("https://api.example.com/y?api_key=echoed"), false)
                .as_str(),
            "https://api.example.com/y?api_key=s3cr3t"
        );
    }

    #[test]
    fn urls_handed_back_never_hold_the_key() {
        let spec = spec_with_query_key();
        let job = url("https://api.example.com/x?page=3");
        let sent = spec.url_to_send(&job, true);
        assert_eq!(spec.public_url(&job, &sent, false), job);
        assert_eq!(
            spec.public_url(
                &job,
                &url("https://api.example.com/z?a=1&api_key=s3cr3t"),
                true
            )
            .as_str(),
            "https://api.example.com/z?a=1"
        );
        assert_eq!(
            spec.without_key(&url("https://api.example.com/z?api_key=s3cr3t"))
                .as_str(),
            "https://api.example.com/z"
        );
    }

    #[test]
    fn request_ids_are_uuids_and_fresh_per_attempt_while_the_key_stays() {
        let a = Attempt::new([7; 16]);
        let b = Attempt::new([7; 16]);
        assert_ne!(a.request_id, b.request_id);
        assert_eq!(a.idempotency_key(), b.idempotency_key());
        assert_eq!(a.request_id.len(), 36);
        assert_eq!(&a.request_id[14..15], "4");
        assert_ne!(Attempt::new([8; 16]).idempotency_key(), a.idempotency_key());
    }

    #[test]
    fn uuid_text_is_the_8_4_4_4_12_form_with_version_bits() {
        let bytes: [u8; 16] = std::array::from_fn(|i| (i as u8) * 17);
        assert_eq!(uuid_text(bytes), "00112233-4455-4677-8899-aabbccddeeff");
        // Version and variant bits are set whatever the input, exactly as
        // the hand-written formatter before did: a job's idempotency key
        // stays the same across the upgrade.
        assert_eq!(
            uuid_text([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(uuid_text([0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
