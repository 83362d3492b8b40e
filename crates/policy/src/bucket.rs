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
        // Non-zero only while a hold (see `hold_until`) is in the future.
        let held = self.updated.saturating_duration_since(now);
        let debt = if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            // A tiny rate could overflow a Duration: saturate instead of panicking.
            Duration::try_from_secs_f64(-self.tokens / self.rate_per_sec).unwrap_or(Duration::MAX)
        };
        held.saturating_add(debt)
    }

    /// Changes the refill rate from `now` on; tokens earned before `now` were
    /// earned at the old rate. Queued reservations drain at the new rate.
    pub fn set_rate(&mut self, rate_per_sec: f64, now: Instant) {
        assert!(rate_per_sec > 0.0, "rate_per_sec must be positive");
        self.refill(now);
        self.rate_per_sec = rate_per_sec;
    }

    /// Lowers the saved tokens to at most `max` (say, the quota the server
    /// says is left). Never adds tokens.
    pub fn cap_tokens(&mut self, max: f64, now: Instant) {
        self.refill(now);
        self.tokens = self.tokens.min(max);
    }

    /// Empties the bucket and forgets queued reservations: the next token
    /// appears at `at`, one token only (no burst right after a pause), and
    /// refill resumes from there. Waits handed out before are not revoked.
    pub fn hold_until(&mut self, at: Instant) {
        self.tokens = 1.0;
        self.updated = at;
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

    /// A bucket refilling at 10 tokens/s, full (`burst`) at the returned start.
    fn ten_per_sec(burst: u32) -> (Instant, TokenBucket) {
        let t0 = Instant::now();
        (t0, TokenBucket::new(10.0, burst, t0))
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn burst_is_free_then_rate_applies() {
        let (t0, mut b) = ten_per_sec(3);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), ms(100));
        assert_eq!(b.reserve(t0), ms(200));
    }

    #[test]
    fn refills_at_rate_and_caps_at_burst() {
        let (t0, mut b) = ten_per_sec(2);
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
    fn set_rate_keeps_tokens_earned_at_the_old_rate() {
        let (t0, mut b) = ten_per_sec(1);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        // 50 ms at 10/s earns half a token, then the rate halves.
        b.set_rate(5.0, t0 + ms(50));
        assert_eq!(b.rate_per_sec(), 5.0);
        assert_eq!(b.reserve(t0 + ms(50)), ms(100));
    }

    #[test]
    fn cap_tokens_only_lowers() {
        let (t0, mut b) = ten_per_sec(5);
        b.cap_tokens(2.0, t0);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), Duration::ZERO);
        assert_eq!(b.reserve(t0), ms(100));
        b.cap_tokens(50.0, t0);
        assert_eq!(b.reserve(t0), ms(200));
    }

    #[test]
    fn hold_gives_one_token_at_the_end_then_the_rate() {
        let (t0, mut b) = ten_per_sec(5);
        b.reserve(t0);
        b.hold_until(t0 + Duration::from_secs(3));
        assert_eq!(b.reserve(t0), Duration::from_secs(3));
        assert_eq!(b.reserve(t0 + Duration::from_secs(1)), ms(2100));
        // After the hold the bucket refills normally.
        let t5 = t0 + Duration::from_secs(5);
        for _ in 0..5 {
            assert_eq!(b.reserve(t5), Duration::ZERO);
        }
        assert_eq!(b.reserve(t5), ms(100));
    }

    #[test]
    fn a_vanishing_rate_saturates_instead_of_panicking() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(1e-30, 1, t0);
        b.reserve(t0);
        assert_eq!(b.reserve(t0), Duration::MAX);
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
