//! Sans-IO politeness and retry policy: token bucket, backoff, retry classes,
//! and the per-origin resilience pieces — `Retry-After` and quota header
//! parsing, the adaptive bucket that acts on them, and the circuit breaker.
//!
//! Nothing here sleeps, spawns or reads a clock: every decision takes `now`
//! (a `SystemTime` where HTTP dates are involved) and returns a decision or a
//! wait. The host actors do the waiting, and the tests drive these types with
//! hand-made instants.
//!
//! How a host actor is meant to use them, per response:
//! 1. `CircuitBreaker::record(CallOutcome::of_status(status), now, rng)`.
//! 2. On a 429 or 503 with `Retry-After`: `parse_retry_after` then
//!    `AdaptiveBucket::pause_until(now + wait, now)`; on a 429 with neither
//!    that nor quota headers, `AdaptiveBucket::on_throttled(sent_at, now)`.
//! 3. `parse_quota` then `AdaptiveBucket::apply_quota`, on any response.
//! 4. On success, `AdaptiveBucket::on_success(now)`.
//!
//! And per job: `CircuitBreaker::admit(now)`, then
//! `AdaptiveBucket::reserve(now)`, waiting as told, and a last
//! `AdaptiveBucket::paused_until(now)` check before sending.

mod adaptive;
mod backoff;
mod breaker;
mod bucket;
mod classify;
#[cfg(test)]
mod fuzz;
mod quota;
mod rate_headers;
mod rate_numeric;
mod response_action;
mod retry_after;
mod structured_fields;

pub use adaptive::{AdaptiveBucket, AdaptiveSettings};
pub use backoff::Backoff;
pub use breaker::{Admit, BreakerSettings, BreakerState, CallOutcome, CircuitBreaker};
pub use bucket::TokenBucket;
pub use classify::{Disposition, StatusClass};
pub use quota::Quota;
pub use rate_headers::parse_quota;
pub use response_action::{Matched, ResponseAction, ResponseRule, ResponseRules, CONTENT_PREFIX};
pub use retry_after::{parse_retry_after, DEFAULT_MAX_RETRY_AFTER};
