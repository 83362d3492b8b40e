//! Credential checks: origins that require a bearer token, an API key (header
//! or query parameter), HTTP Basic, or an OAuth 2.0 access token issued by
//! the upstream's own token endpoint (`POST /oauth/token` on any origin,
//! client credentials grant). Tokens expire after a lifetime or a number of
//! uses, or are all refused, so tests can stage refreshes; the endpoint
//! counts the token requests.

use axum::http::{header, HeaderMap, Method, StatusCode};
use base64::Engine;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Path of the token endpoint, on every origin.
pub const TOKEN_PATH: &str = "/oauth/token";

/// What an origin requires of each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// The key in this header.
    ApiKeyHeader { name: String, value: String },
    /// The key in this query parameter.
    ApiKeyQuery { name: String, value: String },
    /// `Authorization: Basic ...` of this user and password.
    Basic { user: String, password: String },
    /// A live access token from the token endpoint.
    OAuth2,
}

/// How the token endpoint issues tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPolicy {
    pub client_id: String,
    pub client_secret: String,
    /// Sent as `expires_in`; the token is refused after it.
    pub lifetime: Duration,
    /// The token is refused after this many uses (`None`: no limit),
    /// whatever its lifetime says: a server revoking tokens early.
    pub max_uses: Option<u64>,
    /// Every token is refused (credentials revoked upstream).
    pub refuse_all: bool,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            client_id: "harvest-client".into(),
            client_secret: "client-secret".into(),
            lifetime: Duration::from_secs(3600),
            max_uses: None,
            refuse_all: false,
        }
    }
}

struct Issued {
    expires: Instant,
    uses: u64,
}

/// Per-origin requirements, the token policy and the tokens issued.
#[derive(Default)]
pub(crate) struct AuthState {
    required: Mutex<HashMap<usize, Credential>>,
    policy: Mutex<TokenPolicy>,
    tokens: Mutex<HashMap<String, Issued>>,
    token_requests: AtomicU64,
    /// Requests refused with 401 by a credential check.
    refused: AtomicU64,
}

impl AuthState {
    pub(crate) fn require(&self, origin: usize, credential: Credential) {
        self.required.lock().unwrap().insert(origin, credential);
    }

    pub(crate) fn set_policy(&self, policy: TokenPolicy) {
        *self.policy.lock().unwrap() = policy;
    }

    pub(crate) fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::Relaxed)
    }

    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// The response to a token request or a request failing its origin's
    /// check, as (status, JSON body); `None`: serve the request normally.
    pub(crate) fn intercept(
        &self,
        origin: usize,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<(StatusCode, String)> {
        if path.split('?').next() == Some(TOKEN_PATH) && method == Method::POST {
            return Some(self.issue(headers, body));
        }
        let required = self.required.lock().unwrap().get(&origin).cloned()?;
        if self.accepts(&required, path, headers) {
            return None;
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        Some((
            StatusCode::UNAUTHORIZED,
            "{\"error\":\"unauthorized\"}".into(),
        ))
    }

    fn accepts(&self, required: &Credential, path: &str, headers: &HeaderMap) -> bool {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        match required {
            Credential::Bearer(token) => authorization == Some(&format!("Bearer {token}")),
            Credential::ApiKeyHeader { name, value } => {
                headers.get(name.as_str()).and_then(|v| v.to_str().ok()) == Some(value)
            }
            Credential::ApiKeyQuery { name, value } => query_pairs(path)
                .iter()
                .any(|(k, v)| k == name && v == value),
            Credential::Basic { user, password } => authorization == Some(&basic(user, password)),
            Credential::OAuth2 => {
                let Some(token) = authorization.and_then(|a| a.strip_prefix("Bearer ")) else {
                    return false;
                };
                let policy = self.policy.lock().unwrap().clone();
                let mut tokens = self.tokens.lock().unwrap();
                let Some(issued) = tokens.get_mut(token) else {
                    return false;
                };
                issued.uses += 1;
                !policy.refuse_all
                    && Instant::now() < issued.expires
                    && policy.max_uses.is_none_or(|max| issued.uses <= max)
            }
        }
    }

    /// A client credentials grant: the client authenticated by Basic or by
    /// form fields.
    fn issue(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, String) {
        self.token_requests.fetch_add(1, Ordering::Relaxed);
        let policy = self.policy.lock().unwrap().clone();
        let form: Vec<(String, String)> =
            query_pairs(&format!("?{}", String::from_utf8_lossy(body)));
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let by_basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            == Some(&basic(&policy.client_id, &policy.client_secret));
        let by_body = field("client_id") == Some(&policy.client_id)
            && field("client_secret") == Some(&policy.client_secret);
        if field("grant_type") != Some("client_credentials") {
            return (
                StatusCode::BAD_REQUEST,
                "{\"error\":\"unsupported_grant_type\"}".into(),
            );
        }
        if !(by_basic || by_body) {
            return (
                StatusCode::UNAUTHORIZED,
                "{\"error\":\"invalid_client\"}".into(),
            );
        }
        let n = self.token_requests();
        let token = format!("tok-{n}-{:016x}", rand_u64(n));
        self.tokens.lock().unwrap().insert(
            token.clone(),
            Issued {
                expires: Instant::now() + policy.lifetime,
                uses: 0,
            },
        );
        let body = format!(
            "{{\"access_token\":\"{token}\",\"token_type\":\"Bearer\",\"expires_in\":{}}}",
            policy.lifetime.as_secs()
        );
        (StatusCode::OK, body)
    }
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// The decoded query pairs of a path (`/x?a=1&b=2`).
fn query_pairs(path: &str) -> Vec<(String, String)> {
    let Some((_, query)) = path.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A token suffix that differs per run (tokens must not be guessable from
/// their number alone in a test asserting they never leak).
fn rand_u64(n: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(
            query_pairs("/x?a=1&api_key=s%2Fk+y&b"),
            [
                ("a".into(), "1".into()),
                ("api_key".into(), "s/k y".into()),
                ("b".into(), "".into())
            ]
        );
    }

    #[test]
    fn tokens_expire_by_uses_and_unknown_tokens_are_refused() {
        let state = AuthState::default();
        state.require(0, Credential::OAuth2);
        state.set_policy(TokenPolicy {
            max_uses: Some(2),
            ..TokenPolicy::default()
        });
        let mut form_headers = HeaderMap::new();
        form_headers.insert(
            header::AUTHORIZATION,
            basic("harvest-client", "client-secret").parse().unwrap(),
        );
        let (status, body) = state.issue(&form_headers, b"grant_type=client_credentials");
        assert_eq!(status, StatusCode::OK);
        let token = body.split('"').nth(3).unwrap().to_string();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        let get = Method::GET;
        assert_eq!(state.intercept(0, &get, "/s/0/p/0", &headers, b""), None);
        assert_eq!(state.intercept(0, &get, "/s/0/p/0", &headers, b""), None);
        assert!(state
            .intercept(0, &get, "/s/0/p/0", &headers, b"")
            .is_some());
        assert_eq!(
            state.intercept(1, &get, "/s/0/p/0", &HeaderMap::new(), b""),
            None
        );
        let (status, _) = state.issue(&HeaderMap::new(), b"grant_type=client_credentials");
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(state.token_requests(), 2);
    }
}
