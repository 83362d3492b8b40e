//! Per-origin token bucket: `rate_per_sec` tokens per second, at most `burst`
//! saved up. Owned by one host actor; pure, every call takes `now`.

use std::time::{Duration, Instant};

/// A token bucket that hands out *reservations*: asking for a token always
/// succeeds and says how long the caller must wait before using it. Callers
/// that wait in turn therefore never exceed `rate × t + burst` requests in any
/// window of length `t`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    /// Refill rate, tokens per second (> 0).
    rate_per_sec: f64,
    /// Capacity: how many requests may go back to back after a quiet spell.
    burst: f64,
    /// Tokens available at `updated`; negative when reservations are queued.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(rate_per_sec: f64, burst: u32, now: Instant) -> Self {
        assert!(rate_per_sec > 0.0, "rate_per_sec must be positive");
        let burst = f64::from(burst.max(1));
        Self {
            rate_per_sec,
            burst,
            tokens: burst,
            updated: now,
        }
    }

    /// The configured rate in tokens per second.
    pub fn rate_per_sec(&self) -> f64 {
        self.rate_per_sec
    }

    /// Reserves one token and returns how long to wait before using it
    /// (zero when a token is available now).
    pub fn reserve(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate_per_sec)
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate_per_sec).min(self.burst);
        self.updated = self.updated.max(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn burst_is_free_then_rate_applies() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10.0, 3, t0);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), ms(100));
        assert_eq!(b.reserve(t0), ms(200));
    }

    #[test]
    fn refills_at_rate_and_caps_at_burst() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10.0, 2, t0);
        b.reserve(t0);
        b.reserve(t0);
        // 1 s later the bucket is full again (2), not 10.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(b.reserve(t1), Duration::ZERO);
        assert_eq!(b.reserve(t1), Duration::ZERO);
        assert_eq!(b.reserve(t1), ms(100));
    }

    #[test]
    fn waiting_callers_never_exceed_rate_times_window_plus_burst() {
        // Callers that honour every returned wait: count sends in any 1 s window.
        let t0 = Instant::now();
        let (rate, burst) = (20.0, 5);
        let mut b = TokenBucket::new(rate, burst, t0);
        let mut now = t0;
        let mut sends = Vec::new();
        for _ in 0..500 {
            let wait = b.reserve(now);
            now += wait;
            sends.push(now);
        }
        for (i, start) in sends.iter().enumerate() {
            let in_window = sends[i..]
                .iter()
                .take_while(|t| **t < *start + Duration::from_secs(1))
                .count();
            assert!(
                in_window as f64 <= rate + burst as f64,
                "{in_window} sends in 1 s"
            );
        }
        // And the long-run rate is the configured one: 500 sends need ≈ (500-5)/20 s.
        let span = (*sends.last().unwrap() - t0).as_secs_f64();
        assert!((span - 495.0 / 20.0).abs() < 0.01, "span {span}");
    }

    #[test]
    fn a_clock_going_backwards_does_not_mint_tokens() {
        let t0 = Instant::now() + Duration::from_secs(10);
        let mut b = TokenBucket::new(1.0, 1, t0);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        let earlier = t0 - Duration::from_secs(5);
        assert!(b.reserve(earlier) > Duration::ZERO);
    }
}
