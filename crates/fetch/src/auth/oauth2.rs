//! OAuth 2.0 client credentials (RFC 6749 §4.4): one cached token per token
//! source, shared by every request that uses it. The lock is held while a
//! token is fetched, so a hundred requests finding it stale cause one token
//! request. A token refused with a 401 is dropped once ([`TokenSource::refused`]),
//! and only if it is still the cached one, so concurrent 401s refresh once.

use super::token::TokenLifetime;
use crate::FetchError;
use harvest_config::{ClientAuth, Secret};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use url::Url;

/// Longest token endpoint answer read (a token response is small).
const MAX_TOKEN_RESPONSE: usize = 64 << 10;

/// Where tokens come from and the one cached token.
pub struct TokenSource {
    client: reqwest::Client,
    token_url: Url,
    client_id: Secret,
    client_secret: Secret,
    scopes: Vec<String>,
    client_auth: ClientAuth,
    margin: Duration,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    /// The access token (an `Arc` so a request can hold it without the lock).
    token: Arc<str>,
    lifetime: TokenLifetime,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(serde::Deserialize)]
struct TokenErrorResponse {
    error: String,
}

impl TokenSource {
    pub fn new(
        client: reqwest::Client,
        token_url: Url,
        client_id: Secret,
        client_secret: Secret,
        scopes: Vec<String>,
        client_auth: ClientAuth,
        margin: Duration,
    ) -> Self {
        Self {
            client,
            token_url,
            client_id,
            client_secret,
            scopes,
            client_auth,
            margin,
            cached: Mutex::new(None),
        }
    }

    /// A token fresh at `now`: the cached one, or a new one from the endpoint.
    pub async fn token(&self, now: Instant) -> Result<Arc<str>, FetchError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| c.lifetime.is_fresh(now)) {
            return Ok(c.token.clone());
        }
        let fresh = self.fetch(Instant::now()).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// `token` was refused (401): forget it, unless another request already
    /// replaced it.
    pub async fn refused(&self, token: &str) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| &*c.token == token) {
            *cached = None;
        }
    }

    async fn fetch(&self, issued_at: Instant) -> Result<Cached, FetchError> {
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        let scope = self.scopes.join(" ");
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        let mut req = self
            .client
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        match self.client_auth {
            ClientAuth::Basic => {
                req = req.basic_auth(self.client_id.expose(), Some(self.client_secret.expose()))
            }
            ClientAuth::Body => {
                form.push(("client_id", self.client_id.expose()));
                form.push(("client_secret", self.client_secret.expose()));
            }
        }
        let resp = req.form(&form).send().await.map_err(|e| {
            token_error(
                format!("token request failed: {}", FetchError::from_reqwest(e)),
                true,
            )
        })?;
        let status = resp.status();
        let body = read_small(resp).await?;
        if !status.is_success() {
            // The OAuth `error` code is safe to show; the rest of the body is not shown.
            let code = serde_json::from_slice::<TokenErrorResponse>(&body)
                .map(|e| format!(" ({})", e.error.chars().take(64).collect::<String>()))
                .unwrap_or_default();
            let retryable = matches!(status.as_u16(), 408 | 429 | 500..=599);
            return Err(token_error(
                format!("token endpoint answered HTTP {}{code}", status.as_u16()),
                retryable,
            ));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
            token_error(
                "token endpoint sent no JSON with an `access_token`".into(),
                false,
            )
        })?;
        if parsed.access_token.is_empty() {
            return Err(token_error(
                "token endpoint sent an empty access_token".into(),
                false,
            ));
        }
        Ok(Cached {
            token: parsed.access_token.into(),
            lifetime: TokenLifetime {
                issued_at,
                expires_in: parsed.expires_in.map(Duration::from_secs),
                margin: self.margin,
            },
        })
    }
}

fn token_error(detail: String, retryable: bool) -> FetchError {
    FetchError::Token { detail, retryable }
}

async fn read_small(mut resp: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        token_error(
            format!("token response: {}", FetchError::from_reqwest(e)),
            true,
        )
    })? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_TOKEN_RESPONSE {
            return Err(token_error("token response too large".into(), false));
        }
    }
    Ok(body)
}
