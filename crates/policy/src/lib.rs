//! Sans-IO politeness and retry policy: token bucket, backoff, retry classes.
//!
//! Nothing here sleeps, spawns or reads a clock: every decision takes `now`
//! and returns a decision or a wait. The host actors do the waiting, and the
//! tests drive these types with hand-made instants.

mod adaptive;
mod backoff;
mod breaker;
mod bucket;
mod classify;
mod rate_headers;
mod rate_numeric;
mod retry_after;
mod sf;

pub use adaptive::{AdaptiveBucket, AdaptiveSettings};
pub use backoff::Backoff;
pub use breaker::{Admit, BreakerSettings, BreakerState, CallOutcome, CircuitBreaker};
pub use bucket::TokenBucket;
pub use classify::{Disposition, StatusClass};
pub use rate_headers::{parse_quota, Quota};
pub use retry_after::{parse_retry_after, DEFAULT_MAX_RETRY_AFTER};
