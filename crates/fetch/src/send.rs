//! Sending one attempt: the request built from its [`RequestSpec`], redirects
//! followed by hand (so credentials are decided per hop, by the hop's
//! origin), and an OAuth 2.0 token refused with a 401 replaced once.

use crate::auth::Attached;
use crate::redirect::{next_hop, Hop};
use crate::request::{Attempt, RequestSpec};
use crate::{FetchError, Fetcher};
use url::Url;

/// The answer to an attempt, before its body is read.
pub(crate) struct Sent {
    pub response: reqwest::Response,
    /// A redirect was followed: the response's URL is the server's choice.
    pub redirected: bool,
}

struct Hops {
    sent: Sent,
    attached: Attached,
}

impl Fetcher {
    /// Sends `attempt` at `url`. A 401 to an OAuth 2.0 token drops the token
    /// and sends the request once more with a new one; a second 401 is the answer.
    pub(crate) async fn send(
        &self,
        url: &Url,
        spec: &RequestSpec,
        attempt: &Attempt,
    ) -> Result<Sent, FetchError> {
        let first = self.send_hops(url, spec, attempt).await?;
        if first.sent.response.status() == reqwest::StatusCode::UNAUTHORIZED {
            if let Attached::Token(source, token) = first.attached {
                drop(first.sent);
                source.refused(&token).await;
                return Ok(self.send_hops(url, spec, attempt).await?.sent);
            }
        }
        Ok(first.sent)
    }

    async fn send_hops(
        &self,
        url: &Url,
        spec: &RequestSpec,
        attempt: &Attempt,
    ) -> Result<Hops, FetchError> {
        let mut visited = vec![url.clone()];
        let mut method = spec.method.clone();
        let mut body = spec.body.clone();
        let mut current = url.clone();
        loop {
            let target = spec.url_to_send(&current, visited.len() == 1);
            let mut req = self.client.request(method.clone(), target.clone());
            req = spec.shape(req, &method, attempt);
            if let Some(body) = &body {
                req = req.body(body.clone());
            }
            let (req, attached) = match spec.credential(&current) {
                Some(auth) => auth.attach(req).await?,
                None => (req, Attached::Nothing),
            };
            let response = req.send().await.map_err(FetchError::from_reqwest)?;
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            let hop = next_hop(
                response.status().as_u16(),
                location,
                &target,
                &method,
                &visited,
                |u| spec.redirect_allowed(u),
            );
            match hop {
                Hop::Done => {
                    let redirected = visited.len() > 1;
                    let sent = Sent {
                        response,
                        redirected,
                    };
                    return Ok(Hops { sent, attached });
                }
                Hop::Fail(why) => return Err(FetchError::Request(why)),
                Hop::Follow {
                    url,
                    method: next_method,
                    keep_body,
                } => {
                    current = spec.without_key(&url);
                    visited.push(current.clone());
                    method = next_method;
                    if !keep_body {
                        body = None;
                    }
                }
            }
        }
    }
}
