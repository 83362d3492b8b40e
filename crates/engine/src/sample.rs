//! `harvest sample`: the first page(s) of each resource, fetched with the
//! crawl's own client and request specs (auth, headers, parameters, method
//! and body) and parsed by the resource's own [`PageRules`], so what sample
//! shows is what `run` would do with the same page. It opens no state and
//! writes no output; the pages of one resource are fetched one after the
//! other (the politeness of a user clicking through).
//!
//! Each resource is sampled from its first seed. A child resource (no seeds
//! of its own) is sampled from the first child page its parent's first page
//! names, with the parent's copied fields spliced in as `run` would; the
//! parent's page is the one already sampled, or fetched once more when the
//! parent was not sampled (`--resource child`). A fan-out (`offset` or
//! `page_number` with a total) is followed by its first page. Not applied:
//! `response_actions` (the status's usual disposition is shown) and retries
//! (a retryable failure is reported as such, not tried again).

use crate::host::Http;
use crate::redact::Redacted;
use crate::EngineError;
use harvest_config::{Config, Resource};
use harvest_fetch::{Attempt, FetchError, Fetcher, RequestSpec};
use harvest_paginate::{list_arrays, ChildJob, Next, PageError, PageRequest, PageRules};
use harvest_policy::Disposition;
use std::time::{Duration, Instant};

mod next_step;
mod start;

pub use harvest_paginate::{likely_records, JsonArray};
pub use next_step::NextStep;

/// What to sample.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// Only this resource (`None`: every resource, in config order).
    pub resource: Option<String>,
    /// Pages per resource, following the paginator from the first seed.
    pub pages: u32,
}

/// One sampled page, or a resource that could not be sampled.
#[derive(Debug, Clone)]
pub struct SampledPage {
    pub resource: String,
    /// Index of the page in its stream (the seed is 0).
    pub page: u32,
    /// The URL requested, its secrets redacted (empty when not sampled).
    pub url: String,
    /// `None` when no response came (transport error, not sampled).
    pub status: Option<u16>,
    /// From sending the request to the body's last byte.
    pub elapsed: Duration,
    /// Rate-limit response headers (`Retry-After`, `X-RateLimit-*`,
    /// `RateLimit`, `RateLimit-Policy`, ...), as sent.
    pub rate_headers: Vec<(String, String)>,
    /// Where the stream's first page came from, for a child resource
    /// (`None` for a seed and for later pages).
    pub via: Option<String>,
    pub outcome: PageOutcome,
}

/// What `run` would make of the page.
#[derive(Debug, Clone)]
pub enum PageOutcome {
    /// Parsed: its records would be written.
    Parsed {
        records: u64,
        /// The first record, as the raw JSON the API sent.
        first_record: Option<String>,
        /// First pages of child resources the records name.
        children: usize,
        next: NextStep,
    },
    /// The page would be retried later (`reason` as in the retry metrics).
    Retry { reason: String, detail: String },
    /// The page would be dead-lettered.
    Dead {
        reason: String,
        detail: String,
        /// When the data_selector missed, held no array, or (`"."`) met no
        /// object: the arrays the body does hold.
        arrays: Option<Vec<JsonArray>>,
    },
    /// The resource has nothing to fetch on its own.
    NotSampled { why: String },
}

impl PageOutcome {
    /// Whether `run` would keep this page's records.
    pub fn parsed(&self) -> bool {
        matches!(self, Self::Parsed { .. })
    }
}

/// Samples `config`'s resources as `options` say, calling `each` with every
/// page as soon as it is fetched. Blocks the calling thread (which must not
/// run an async runtime). Errors only when it cannot start.
pub fn sample(
    config: &Config,
    options: &SampleOptions,
    each: &mut dyn FnMut(&SampledPage),
) -> Result<(), EngineError> {
    let fetcher = Fetcher::new(&config.client, 1).map_err(EngineError::Client)?;
    let http = Http::new(fetcher, config).map_err(EngineError::Client)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError::Runtime(e.to_string()))?;
    let mut sampler = Sampler {
        config,
        http,
        // An incremental resource's first page as its first pass asks for
        // it (the start parameter at `initial_value`); no state is read.
        rules: PageRules::for_config(config)
            .into_iter()
            .zip(&config.resources)
            .map(|(rules, r)| match &r.incremental {
                Some(inc) => rules.with_pass(harvest_paginate::PassRules::new(inc, None)),
                None => rules,
            })
            .collect(),
        runtime,
        first_children: vec![None; config.resources.len()],
    };
    for (i, resource) in config.resources.iter().enumerate() {
        if options
            .resource
            .as_ref()
            .is_some_and(|r| *r != resource.name)
        {
            continue;
        }
        let start = match sampler.start_of(i)? {
            Ok(start) => start,
            Err(why) => {
                each(&not_sampled(resource, why));
                continue;
            }
        };
        let mut via = start.via;
        let mut req = start.req;
        for n in 0..options.pages.max(1) {
            let mut page = sampler.fetch(i, &req, &start.parent);
            page.sampled.via = via.take();
            each(&page.sampled);
            let next = page.next.take();
            if n == 0 {
                sampler.first_children[i] = Some(start::children_named(page));
            }
            match next {
                Some(next) => req = next,
                None => break,
            }
        }
    }
    Ok(())
}

/// What sampling needs across resources.
struct Sampler<'c> {
    config: &'c Config,
    http: Http,
    rules: Vec<PageRules>,
    runtime: tokio::runtime::Runtime,
    /// The child pages named by each resource's first page, once fetched.
    first_children: Vec<Option<start::FirstChildren>>,
}

impl Sampler<'_> {
    /// Fetches and parses one page of resource `i` (`parent`: the copied
    /// fields of a child stream).
    fn fetch(&self, i: usize, req: &PageRequest, parent: &[(String, String)]) -> Fetched {
        let resource = &self.config.resources[i];
        let spec = &self.http.requests[i];
        let fetch = fetch_one(
            &self.http.fetcher,
            spec,
            &self.rules[i],
            resource,
            req,
            parent,
        );
        self.runtime.block_on(fetch)
    }
}

fn not_sampled(resource: &Resource, why: String) -> SampledPage {
    SampledPage {
        resource: resource.name.clone(),
        page: 0,
        url: String::new(),
        status: None,
        elapsed: Duration::ZERO,
        rate_headers: Vec::new(),
        via: None,
        outcome: PageOutcome::NotSampled { why },
    }
}

/// A fetched page and the request that would follow it.
struct Fetched {
    sampled: SampledPage,
    next: Option<PageRequest>,
    /// The first pages of child streams its records name.
    children: Vec<ChildJob>,
}

async fn fetch_one(
    fetcher: &Fetcher,
    spec: &RequestSpec,
    rules: &PageRules,
    resource: &Resource,
    req: &PageRequest,
    parent: &[(String, String)],
) -> Fetched {
    let started = Instant::now();
    // The page's own key, as a run derives it (a POST carries the same
    // idempotency key a run would send).
    let key = harvest_store::PageKey::new(&resource.name, req.url.as_str()).0;
    let response = fetcher.get(&req.url, spec, &Attempt::new(key)).await;
    let mut sampled = SampledPage {
        resource: resource.name.clone(),
        page: req.pos.page,
        url: Redacted(&req.url).to_string(),
        status: None,
        elapsed: Duration::ZERO,
        rate_headers: Vec::new(),
        via: None,
        outcome: PageOutcome::NotSampled { why: String::new() },
    };
    let mut children = Vec::new();
    let mut response = match response {
        Ok(r) => r,
        Err(e) => {
            sampled.outcome = failed(e);
            sampled.elapsed = started.elapsed();
            return Fetched {
                sampled,
                next: None,
                children,
            };
        }
    };
    let status = response.status;
    sampled.status = Some(status);
    sampled.rate_headers = rate_headers(&response);
    let mut next = None;
    sampled.outcome = match Disposition::of_status(status) {
        Disposition::Accept => match read_body(&mut response).await {
            Err(e) => failed(e),
            Ok(body) => {
                let page = PageRequest {
                    url: response.url.clone(),
                    pos: req.pos,
                };
                let headers = |name: &str| response.header_values(name);
                let mut out = Vec::new();
                match rules.parse_child(&page, &headers, &body, parent, &mut out) {
                    Ok(mut parsed) => {
                        next = match &parsed.next {
                            Next::Page(r) => Some(r.clone()),
                            Next::Pages(rs) => rs.first().cloned(),
                            Next::End | Next::Refused(_) => None,
                        };
                        children = std::mem::take(&mut parsed.children);
                        PageOutcome::Parsed {
                            records: parsed.records,
                            first_record: first_line(&out),
                            children: children.len(),
                            next: next_step::describe(&parsed.next, &resource.paginator.style),
                        }
                    }
                    Err(e) => refused(&e, &body),
                }
            }
        },
        Disposition::Retry => {
            response.discard_body().await;
            PageOutcome::Retry {
                reason: crate::reasons::status_reason(status).into(),
                detail: format!("HTTP {status}"),
            }
        }
        Disposition::DeadLetter => {
            response.discard_body().await;
            PageOutcome::Dead {
                reason: crate::reasons::status_reason(status).into(),
                detail: format!("HTTP {status}"),
                arrays: None,
            }
        }
    };
    sampled.elapsed = started.elapsed();
    Fetched {
        sampled,
        next,
        children,
    }
}

async fn read_body(response: &mut harvest_fetch::Response) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.body.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn failed(e: FetchError) -> PageOutcome {
    if e.is_retryable() {
        PageOutcome::Retry {
            reason: e.reason().into(),
            detail: e.to_string(),
        }
    } else {
        PageOutcome::Dead {
            reason: e.reason().into(),
            detail: e.to_string(),
            arrays: None,
        }
    }
}

/// A body the page parser refused; a missed data_selector lists the arrays
/// the body holds instead.
fn refused(e: &PageError, body: &[u8]) -> PageOutcome {
    let arrays = match e {
        PageError::SelectorMissing { .. }
        | PageError::NotAnArray { .. }
        | PageError::NotAnObject { .. } => list_arrays(body).ok(),
        _ => None,
    };
    PageOutcome::Dead {
        reason: e.reason().into(),
        detail: e.to_string(),
        arrays,
    }
}

/// The first record line the parser wrote.
fn first_line(out: &[u8]) -> Option<String> {
    let line = out
        .split(|b| *b == b'\n')
        .next()
        .filter(|l| !l.is_empty())?;
    Some(String::from_utf8_lossy(line).into_owned())
}

/// Whether a response header speaks of rate limits.
pub(crate) fn is_rate_header(name: &str) -> bool {
    name == "retry-after"
        || name.starts_with("ratelimit")
        || name.starts_with("x-ratelimit")
        || name.starts_with("x-rate-limit")
}

fn rate_headers(response: &harvest_fetch::Response) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(name, _)| is_rate_header(name.as_str()))
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_headers_are_recognised_by_name() {
        for name in [
            "retry-after",
            "ratelimit",
            "ratelimit-policy",
            "x-ratelimit-remaining",
            "x-rate-limit-reset",
        ] {
            assert!(is_rate_header(name), "{name}");
        }
        assert!(!is_rate_header("content-type"));
    }

    #[test]
    fn the_first_record_is_the_first_line() {
        assert_eq!(
            first_line(b"{\"id\":1}\n{\"id\":2}\n").as_deref(),
            Some("{\"id\":1}")
        );
        assert_eq!(first_line(b""), None);
    }
}
