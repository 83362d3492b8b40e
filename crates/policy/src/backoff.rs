//! Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
//! Backoff And Jitter"): the n-th retry waits a uniform random time in
//! `[0, min(max_delay, base_delay × 2^n))`. Pure: the caller passes the random
//! source, so tests are deterministic.

use rand::Rng;
use std::time::Duration;

/// Retry schedule of one crawl (`[retry]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay scale of the first retry.
    pub base_delay: Duration,
    /// Upper bound of any single delay.
    pub max_delay: Duration,
    /// Attempts in all, the first included; the job is dead-lettered after the last.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_attempts: 5,
        }
    }
}

impl Backoff {
    /// Delay before the retry that follows failed attempt number `attempt`
    /// (1-based), or `None` when the attempts are used up.
    pub fn delay<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        Some(self.full_jitter(self.ceiling(attempt), rng))
    }

    /// The cap of the jitter window after attempt `attempt`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(32);
        self.base_delay
            .saturating_mul(1u32 << exp.min(31))
            .min(self.max_delay)
    }

    fn full_jitter<R: Rng + ?Sized>(&self, ceiling: Duration, rng: &mut R) -> Duration {
        if ceiling.is_zero() {
            return Duration::ZERO;
        }
        Duration::from_nanos(rng.gen_range(0..=ceiling.as_nanos().min(u64::MAX as u128) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn backoff() -> Backoff {
        Backoff {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_attempts: 4,
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = backoff();
        assert_eq!(b.ceiling(1), Duration::from_millis(100));
        assert_eq!(b.ceiling(2), Duration::from_millis(200));
        assert_eq!(b.ceiling(3), Duration::from_millis(400));
        assert_eq!(b.ceiling(5), Duration::from_secs(1));
        assert_eq!(b.ceiling(400), Duration::from_secs(1));
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let b = backoff();
        let mut rng = StdRng::seed_from_u64(7);
        let delays: Vec<_> = (0..200).map(|_| b.delay(3, &mut rng).unwrap()).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(400)));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 150, "full jitter spreads retries");
    }

    #[test]
    fn attempts_run_out() {
        let b = backoff();
        let mut rng = StdRng::seed_from_u64(1);
        assert!(b.delay(3, &mut rng).is_some());
        assert!(b.delay(4, &mut rng).is_none());
    }
}
