//! Credentials at request time: which requests get them (only those to the
//! origins they were configured for) and how they are attached. Built once
//! per resource from the config; OAuth 2.0 token sources are shared by every
//! resource with the same settings ([`AuthRegistry`]), so they share one
//! cached token.

mod oauth2;
pub mod token;

pub use oauth2::TokenSource;

use crate::FetchError;
use harvest_config::{origin_of, AuthSettings, KeyPlace, ResourceAuth, Secret};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use url::Url;

/// One resource's credential and where it may go.
pub struct Auth {
    kind: Kind,
    /// Origins (`scheme://host[:port]`) that receive it; nothing else does.
    origins: HashSet<String>,
    /// `bearer`, `api_key`, ... for messages.
    name: &'static str,
}

enum Kind {
    /// A ready header (`Authorization: Bearer ...`, an API key header),
    /// marked sensitive.
    Header(HeaderName, HeaderValue),
    /// A query parameter added to the URL at send time.
    Query(String, Secret),
    Basic(Secret, Secret),
    OAuth2(Arc<TokenSource>),
}

/// What one request carried, for the 401 handling.
pub(crate) enum Attached {
    /// Nothing (another origin, or no credential).
    Nothing,
    /// A fixed credential: a 401 will not change with another try.
    Fixed,
    /// This OAuth 2.0 token: a 401 drops it and the request is sent once more.
    Token(Arc<TokenSource>, Arc<str>),
}

impl Auth {
    /// The credential goes with requests to `url`.
    pub fn applies_to(&self, url: &Url) -> bool {
        self.origins.contains(&origin_of(url))
    }

    /// `bearer`, `api_key`, `basic` or `oauth2_client_credentials`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The query parameter name of a key sent in the query (to add it to a
    /// request's URL and to strip it from URLs handed back).
    pub(crate) fn query_param(&self) -> Option<(&str, &Secret)> {
        match &self.kind {
            Kind::Query(name, value) => Some((name, value)),
            _ => None,
        }
    }

    /// Adds the credential's headers to `req` (the URL already carries a
    /// query key). Fetches an OAuth 2.0 token first when the cached one is stale.
    pub(crate) async fn attach(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(reqwest::RequestBuilder, Attached), FetchError> {
        Ok(match &self.kind {
            Kind::Header(name, value) => (req.header(name, value.clone()), Attached::Fixed),
            Kind::Query(..) => (req, Attached::Fixed),
            Kind::Basic(user, password) => (
                req.basic_auth(user.expose(), Some(password.expose())),
                Attached::Fixed,
            ),
            Kind::OAuth2(source) => {
                let token = source.token(Instant::now()).await?;
                let value = sensitive(&format!("Bearer {token}"))?;
                (
                    req.header(AUTHORIZATION, value),
                    Attached::Token(source.clone(), token),
                )
            }
        })
    }
}

/// A header value that hyper will not log and that refuses control bytes.
fn sensitive(text: &str) -> Result<HeaderValue, FetchError> {
    let mut value = HeaderValue::from_str(text).map_err(|_| {
        FetchError::Request("a credential holds a character not allowed in a header".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Builds [`Auth`]s, one token source per distinct OAuth 2.0 setting.
pub struct AuthRegistry {
    client: reqwest::Client,
    sources: HashMap<AuthSettings, Arc<TokenSource>>,
}

impl AuthRegistry {
    pub(crate) fn new(client: reqwest::Client) -> Self {
        Self {
            client,
            sources: HashMap::new(),
        }
    }

    /// The runtime form of `auth`.
    pub fn build(&mut self, auth: &ResourceAuth) -> Result<Auth, FetchError> {
        let kind = match &auth.kind {
            AuthSettings::Bearer { token } => Kind::Header(
                AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()))?,
            ),
            AuthSettings::ApiKey { key, place } => match place {
                KeyPlace::Header(name) => {
                    let name = HeaderName::from_bytes(name.as_bytes())
                        .map_err(|e| FetchError::Request(format!("header name `{name}`: {e}")))?;
                    Kind::Header(name, sensitive(key.expose())?)
                }
                KeyPlace::Query(name) => Kind::Query(name.clone(), key.clone()),
            },
            AuthSettings::Basic { username, password } => {
                Kind::Basic(username.clone(), password.clone())
            }
            settings @ AuthSettings::OAuth2 {
                token_url,
                client_id,
                client_secret,
                scopes,
                refresh_margin,
                client_auth,
            } => {
                let source = self.sources.entry(settings.clone()).or_insert_with(|| {
                    Arc::new(TokenSource::new(
                        self.client.clone(),
                        token_url.clone(),
                        client_id.clone(),
                        client_secret.clone(),
                        scopes.clone(),
                        *client_auth,
                        *refresh_margin,
                    ))
                });
                Kind::OAuth2(source.clone())
            }
        };
        Ok(Auth {
            kind,
            origins: auth.origins.iter().cloned().collect(),
            name: auth.kind.kind(),
        })
    }
}
