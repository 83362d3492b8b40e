//! Credentials: `[client] auth` (the default) and a resource's `auth`,
//! validated into [`AuthSettings`] with every secret read from the
//! environment variable the config names. A missing or empty variable is a
//! config problem naming the variable and the line, never a value.

use crate::checker::Checker;
use crate::model::{origin_of, parse_http_url};
use crate::raw::RawAuth;
use crate::secret::Secret;
use std::time::Duration;
use toml::Spanned;
use url::Url;

/// Default `refresh_margin` of OAuth 2.0 tokens: refreshed this long before
/// they expire (at most half their lifetime).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Default header of `api_key` auth.
pub const DEFAULT_API_KEY_HEADER: &str = "X-API-Key";

/// Credentials and where they may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAuth {
    pub kind: AuthSettings,
    /// Origins (in [`origin_of`] form) that receive the credential; requests
    /// anywhere else (next links, redirects, child pages) go without it.
    pub origins: Vec<String>,
}

/// One kind of credential, secrets resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthSettings {
    Bearer {
        token: Secret,
    },
    ApiKey {
        key: Secret,
        place: KeyPlace,
    },
    Basic {
        username: Secret,
        password: Secret,
    },
    OAuth2 {
        token_url: Url,
        client_id: Secret,
        client_secret: Secret,
        scopes: Vec<String>,
        /// A token is refreshed this long before it expires.
        refresh_margin: Duration,
        client_auth: ClientAuth,
    },
}

impl AuthSettings {
    /// A fixed name for messages (`bearer`, `oauth2_client_credentials`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Bearer { .. } => "bearer",
            Self::ApiKey { .. } => "api_key",
            Self::Basic { .. } => "basic",
            Self::OAuth2 { .. } => "oauth2_client_credentials",
        }
    }
}

/// Where an API key goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyPlace {
    Header(String),
    /// Added to the URL when the request is sent, never stored in a job.
    Query(String),
}

/// How the OAuth 2.0 client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` and `client_secret` as form fields.
    Body,
}

/// What `auth` says, before the origins default is known.
pub(crate) enum Parsed {
    /// `type = "none"`: no credentials, also no `[client] auth`.
    Off,
    /// Credentials, with the `origins` the config names (if it does).
    On(Box<AuthSettings>, Option<Vec<String>>),
}

/// Validates `auth` at `key`; problems are reported on `c`.
pub(crate) fn check(c: &mut Checker<'_>, key: &str, spanned: &Spanned<RawAuth>) -> Option<Parsed> {
    let before = c.problems_len();
    let mut secret = |var: &str, what: &str| -> Option<Secret> {
        let k = format!("{key}.{what}");
        if var.is_empty() {
            c.at(spanned, k, "name an environment variable");
            return None;
        }
        match c.env(var) {
            Some(v) if !v.is_empty() => Some(Secret::new(var, v)),
            Some(_) => {
                c.at(spanned, k, format!("environment variable `{var}` is empty"));
                None
            }
            None => {
                c.at(
                    spanned,
                    k,
                    format!("environment variable `{var}` is not set"),
                );
                None
            }
        }
    };
    let (settings, origins) = match spanned.get_ref() {
        RawAuth::None => return Some(Parsed::Off),
        RawAuth::Bearer { token_env, origins } => (
            secret(token_env, "token_env").map(|token| AuthSettings::Bearer { token }),
            origins,
        ),
        RawAuth::Basic {
            username_env,
            password_env,
            origins,
        } => {
            let username = secret(username_env, "username_env");
            let password = secret(password_env, "password_env");
            let basic = username
                .zip(password)
                .map(|(username, password)| AuthSettings::Basic { username, password });
            (basic, origins)
        }
        RawAuth::ApiKey {
            key_env,
            header,
            query_param,
            origins,
        } => {
            let key_secret = secret(key_env, "key_env");
            let place = match (header, query_param) {
                (Some(_), Some(_)) => {
                    c.at(spanned, key, "give `header` or `query_param`, not both");
                    None
                }
                (None, Some(q)) if q.is_empty() => {
                    c.at(
                        spanned,
                        format!("{key}.query_param"),
                        "empty parameter name",
                    );
                    None
                }
                (None, Some(q)) => Some(KeyPlace::Query(q.clone())),
                (h, None) => {
                    let h = h.as_deref().unwrap_or(DEFAULT_API_KEY_HEADER);
                    if crate::checker::is_header_name(h) {
                        Some(KeyPlace::Header(h.to_string()))
                    } else {
                        c.at(spanned, format!("{key}.header"), "not a valid header name");
                        None
                    }
                }
            };
            let api = key_secret
                .zip(place)
                .map(|(key, place)| AuthSettings::ApiKey { key, place });
            (api, origins)
        }
        RawAuth::Oauth2ClientCredentials {
            token_url,
            client_id_env,
            client_secret_env,
            scopes,
            refresh_margin,
            client_auth,
            origins,
        } => {
            let client_id = secret(client_id_env, "client_id_env");
            let client_secret = secret(client_secret_env, "client_secret_env");
            let token_url = check_token_url(c, key, spanned, token_url);
            let client_auth = match client_auth.as_deref() {
                None | Some("basic") => Some(ClientAuth::Basic),
                Some("body") => Some(ClientAuth::Body),
                Some(other) => {
                    c.at(
                        spanned,
                        format!("{key}.client_auth"),
                        format!("`{other}`: use `basic` or `body`"),
                    );
                    None
                }
            };
            let oauth = match (client_id, client_secret, token_url, client_auth) {
                (Some(client_id), Some(client_secret), Some(token_url), Some(client_auth)) => {
                    Some(AuthSettings::OAuth2 {
                        token_url,
                        client_id,
                        client_secret,
                        scopes: scopes.clone(),
                        refresh_margin: refresh_margin.unwrap_or(DEFAULT_REFRESH_MARGIN),
                        client_auth,
                    })
                }
                _ => None,
            };
            (oauth, origins)
        }
    };
    let origins = origins
        .as_ref()
        .map(|list| check_origins(c, key, spanned, list));
    if c.problems_len() > before {
        return None;
    }
    Some(Parsed::On(Box::new(settings?), origins))
}

/// The token endpoint: https, or http to a loopback address only (the client
/// secret must not cross a network in clear text).
fn check_token_url(
    c: &mut Checker<'_>,
    key: &str,
    spanned: &Spanned<RawAuth>,
    text: &str,
) -> Option<Url> {
    let k = format!("{key}.token_url");
    match parse_http_url(text) {
        Ok(url) if url.scheme() == "https" || is_loopback(&url) => Some(url),
        Ok(_) => {
            c.at(
                spanned,
                k,
                "must be https (http only to a loopback address): it carries the client secret",
            );
            None
        }
        Err(e) => {
            c.at(spanned, k, e);
            None
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn check_origins(
    c: &mut Checker<'_>,
    key: &str,
    spanned: &Spanned<RawAuth>,
    list: &[String],
) -> Vec<String> {
    let mut origins = Vec::new();
    for (i, o) in list.iter().enumerate() {
        match parse_http_url(o) {
            Ok(url) if url.path() == "/" && url.query().is_none() => origins.push(origin_of(&url)),
            Ok(_) => c.at(
                spanned,
                format!("{key}.origins[{i}]"),
                "an origin is scheme://host[:port], without a path",
            ),
            Err(e) => c.at(spanned, format!("{key}.origins[{i}]"), e),
        }
    }
    origins
}
