//! In-process upstream for tests, benchmarks and the demo: any number of HTTP
//! origins on 127.0.0.1 (port 0), each serving paginated JSON streams, with a
//! server-side request log (the ground truth for rates and refetches) and
//! fault hooks (status injection, 429 + Retry-After, slow, stalled and
//! truncated bodies, HTML instead of JSON, next links rewritten to lead
//! elsewhere) and credential checks (bearer, API
//! key, Basic, OAuth 2.0 tokens from its own token endpoint; see `auth.rs`).
//! The log records every request's method, headers and body.
//!
//! The servers run on their own tokio runtime in a background thread, so the
//! upstream works the same from a plain `#[test]`, a benchmark or the binary.
//!
//! Page `p` of stream `s` on origin `o` is `GET /s/{s}/p/{p}`:
//! `{"data":[{"id":N,...}, ...],"next":<link>|null}` where record ids run over
//! `0..total_records()` once each, in (origin, stream, page, record) order.
//! The same records are served through other pagination styles too (a `Link`
//! header, cursors, offsets, page numbers): see [`Route`]. Child records of
//! each record id for parent → child crawls are at `/c/{id}/p/{page}`; one
//! detail record per id, a single object (`data_selector = "."`), at
//! `/item/{id}`.
//!
//! [`changing`] is an API whose records change between passes (incremental
//! harvests). [`chaos`] serves streams on a random schedule of failures drawn from a
//! seed, with the oracle a crawl of it is checked against.

mod auth;
pub mod changing;
pub mod chaos;
mod children;
mod detail;
mod encode;
mod faults;
mod hop;
mod log;
mod pages;
mod server;
mod styles;
#[cfg(feature = "tls")]
mod tls;

pub use auth::{basic, Credential, TokenPolicy, TOKEN_PATH};
pub use children::{child_ids, CHILD_PAGES, CHILD_RECORDS};
pub use detail::detail_body;
pub use faults::{Fault, FaultAction};
pub use hop::hop_path;
pub use log::{RequestLog, RequestRecord};
pub use pages::{LinkStyle, UpstreamSpec};
pub use server::{loopback_host, Upstream};
pub use styles::Route;
