//! The one request of `harvest init`: the URL fetched through the crawl's
//! own client and request spec (`Http`, built from the defaults config as
//! `sample` builds it from a crawl's), the whole body read (up to
//! `max_body_bytes`). No retries: a failure is reported as it came.

use super::InitError;
use crate::host::Http;
use crate::redact::Redacted;
use harvest_config::Config;
use harvest_fetch::{Attempt, Fetcher};
use url::Url;

/// What the URL answered.
pub(super) struct Answer {
    /// The URL that answered, after redirects.
    pub url: Url,
    /// `url`, its secrets redacted, for messages.
    pub shown_url: String,
    pub status: u16,
    /// Every header, names lower-cased, values that are text.
    pub headers: Vec<(String, String)>,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// GETs `url` with `config`'s client (its one resource's request spec).
pub(super) fn fetch(config: &Config, url: &Url) -> Result<Answer, InitError> {
    let fetcher = Fetcher::new(&config.client, 1).map_err(InitError::Client)?;
    let http = Http::new(fetcher, config).map_err(InitError::Client)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| InitError::Runtime(e.to_string()))?;
    let shown = Redacted(url).to_string();
    let failed = |source| InitError::Fetch {
        url: shown.clone(),
        source,
    };
    runtime.block_on(async {
        let key = harvest_store::PageKey::new(&config.resources[0].name, url.as_str()).0;
        let mut response = http
            .fetcher
            .get(url, &http.requests[0], &Attempt::new(key))
            .await
            .map_err(failed)?;
        let headers: Vec<(String, String)> = response
            .headers
            .iter()
            .filter_map(|(name, value)| {
                let value = value.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect();
        let content_type = headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map_or_else(|| "none".to_owned(), |(_, v)| v.clone());
        let status = response.status;
        let shown_url = Redacted(&response.url).to_string();
        if !(200..300).contains(&status) {
            let body = response.discard_body().await;
            return Err(InitError::Status {
                url: shown_url,
                status,
                snippet: snippet(&body),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.body.chunk().await.map_err(failed)? {
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            url: response.url.clone(),
            shown_url,
            status,
            headers,
            content_type,
            body,
        })
    })
}

/// The first 200 bytes of a body as one line of text (for messages).
pub(super) fn snippet(body: &[u8]) -> String {
    let end = body.len().min(200);
    let text = String::from_utf8_lossy(&body[..end]);
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.trim().to_owned();
    if body.len() > end {
        format!("{line}…")
    } else {
        line
    }
}
