//! The engine's one notion of "now", for the supervisor and the host actors.
//!
//! The choice, and why:
//!
//! - **Monotonic time is tokio's clock** ([`tokio::time::Instant`]), handed
//!   out as a `std::time::Instant` because the policy crate (bucket,
//!   breaker, backoff) takes std instants. In a crawl it reads the std
//!   clock. A test on a current-thread runtime (the actix system is one) can
//!   `tokio::time::pause()` and advance it, and the actors' timers
//!   (`run_later`, `run_interval`, tokio sleeps) follow the same clock, so
//!   waits are tested without sleeping. No trait object and no field is
//!   needed for this half: the runtime is the injection point.
//! - **Wall time** (milliseconds since the Unix epoch) is what the state
//!   persists: retry not-before times survive restarts, so they cannot be
//!   `Instant`s. It comes from a [`Clock`] value, injected through the
//!   supervisor and the hosts: the system clock in a crawl, or in tests a
//!   clock that starts at a given time and then follows the monotonic
//!   clock, so paused time moves both halves together.
//!
//! Not covered, on purpose: fetch tasks run on the io runtime, which is
//! multi-threaded and never paused; durations measured there (request
//! time) and by the commit writer use the std clock, since they measure
//! real I/O.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Where "now" comes from (see the module doc). Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    wall: Wall,
}

#[derive(Debug, Clone, Copy)]
enum Wall {
    /// The system clock.
    System,
    /// `ms` at the monotonic instant `at`, then moving with the monotonic clock.
    #[cfg(test)]
    Following { at: Instant, ms: u64 },
}

impl Clock {
    /// The clock of a crawl: tokio's monotonic clock, the system's wall clock.
    pub fn system() -> Self {
        Self { wall: Wall::System }
    }

    /// A clock whose wall time is `start_ms` now and then moves with the
    /// monotonic clock (for tests under `tokio::time::pause`).
    #[cfg(test)]
    pub fn following(start_ms: u64) -> Self {
        Self {
            wall: Wall::Following {
                at: Self::system().now(),
                ms: start_ms,
            },
        }
    }

    /// Monotonic now: tokio's clock (the std clock unless a test paused it).
    pub fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    /// Wall-clock now in milliseconds since the Unix epoch (0 before 1970).
    pub fn now_ms(&self) -> u64 {
        match self.wall {
            Wall::System => system_ms(),
            #[cfg(test)]
            Wall::Following { at, ms } => {
                ms + self.now().saturating_duration_since(at).as_millis() as u64
            }
        }
    }

    /// Wall-clock now, for HTTP dates (`Retry-After`, rate-limit resets).
    pub fn wall(&self) -> SystemTime {
        match self.wall {
            Wall::System => SystemTime::now(),
            #[cfg(test)]
            Wall::Following { .. } => UNIX_EPOCH + std::time::Duration::from_millis(self.now_ms()),
        }
    }
}

/// Milliseconds since the Unix epoch by the system clock (0 if the clock is
/// before 1970): the wall clock of code outside the supervisor and hosts
/// (the commit path stamps its counters with it).
pub(crate) fn now_ms() -> u64 {
    system_ms()
}

fn system_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn paused_time_moves_both_halves_of_a_following_clock() {
        let clock = Clock::following(1_000);
        let t0 = clock.now();
        assert_eq!(clock.now_ms(), 1_000);
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(clock.now().duration_since(t0), Duration::from_millis(250));
        assert_eq!(clock.now_ms(), 1_250);
        assert_eq!(clock.wall(), UNIX_EPOCH + Duration::from_millis(1_250));
    }

    #[test]
    fn the_system_clock_reads_the_system_wall_clock() {
        let before = system_ms();
        let ms = Clock::system().now_ms();
        assert!(ms >= before && ms <= system_ms());
    }
}
