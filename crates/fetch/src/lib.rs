//! HTTP for the engine: one pooled reqwest client, bodies streamed and
//! decoded (gzip, deflate, br, zstd) with a size cap, connect / idle-read /
//! whole-request timeouts, and errors classified once (`is_retryable`, `reason`).

mod body;
mod client;
mod error;

pub use body::{Body, Encoding, ACCEPT_ENCODING};
pub use client::{Fetcher, Response};
pub use error::FetchError;
