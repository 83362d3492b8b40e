//! Wall-clock time in the unit the state persists (milliseconds since the
//! Unix epoch): retry not-before times and last-commit stamps survive
//! restarts, so they cannot be `Instant`s.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
