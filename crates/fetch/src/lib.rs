//! HTTP for the engine: one pooled reqwest client, bodies read as streams with
//! a size cap, connect / idle-read / whole-request timeouts, and errors
//! classified once (`is_retryable`, `reason`).

mod client;
mod error;

pub use client::{Fetcher, Response};
pub use error::FetchError;
