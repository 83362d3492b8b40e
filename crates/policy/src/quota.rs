//! [`Quota`]: what a server says is left of its rate-limit window, and how
//! two readings compare. Read from headers by `rate_headers` (and
//! `rate_numeric`); acted on by `AdaptiveBucket::apply_quota`.

use std::time::Duration;

/// What the server says is left of its current rate-limit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests the server will still accept before the window resets.
    pub remaining: u64,
    /// Time until the window resets and `remaining` refills.
    pub reset_in: Duration,
}

impl Quota {
    /// The steady rate that spends `remaining` evenly until the reset, in
    /// requests per second; infinite when the window resets now.
    pub fn spread_rate_per_sec(&self) -> f64 {
        if self.reset_in.is_zero() {
            f64::INFINITY
        } else {
            self.remaining as f64 / self.reset_in.as_secs_f64()
        }
    }

    /// Whether `self` allows less traffic than `other`: a lower spread rate,
    /// or the same rate (say, both exhausted) with a later reset.
    pub fn is_tighter_than(&self, other: &Quota) -> bool {
        let (mine, theirs) = (self.spread_rate_per_sec(), other.spread_rate_per_sec());
        mine < theirs || (mine == theirs && self.reset_in > other.reset_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tightness_order() {
        let a = Quota {
            remaining: 10,
            reset_in: Duration::from_secs(10),
        };
        let b = Quota {
            remaining: 10,
            reset_in: Duration::from_secs(20),
        };
        let done_now = Quota {
            remaining: 0,
            reset_in: Duration::ZERO,
        };
        assert!(b.is_tighter_than(&a));
        assert!(!a.is_tighter_than(&b));
        assert!(!a.is_tighter_than(&a));
        assert!(a.is_tighter_than(&done_now));
        assert_eq!(done_now.spread_rate_per_sec(), f64::INFINITY);
        assert_eq!(b.spread_rate_per_sec(), 0.5);
    }
}
