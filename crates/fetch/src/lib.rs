//! HTTP for the engine: one pooled reqwest client, bodies streamed and
//! decoded (gzip, deflate, br, zstd) with a size cap, connect / idle-read /
//! whole-request timeouts, a low-speed guard, and errors classified once
//! (`is_retryable`, `reason`). Requests are built from a per-resource [`RequestSpec`] (method,
//! body, parameters, headers, credentials scoped to their origins) and a
//! per-attempt [`Attempt`] (request id, idempotency key).

pub mod auth;
mod body;
mod client;
mod error;
mod redirect;
mod request;
mod send;
mod speed;

pub use auth::{Auth, AuthRegistry};
pub use body::{Body, Encoding, ACCEPT_ENCODING};
pub use client::{Fetcher, Response};
pub use error::FetchError;
pub use redirect::MAX_REDIRECTS;
pub use request::{Attempt, RequestSpec};
