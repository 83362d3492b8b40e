//! When an OAuth 2.0 access token must be refreshed: pure arithmetic on
//! instants, so it is tested with explicit times, never with sleeps.

use std::time::{Duration, Instant};

/// The lifetime of one access token, from the moment it was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime {
    /// When the token request was sent (the server's clock started no later).
    pub issued_at: Instant,
    /// `expires_in` of the token response; `None`: the server did not say,
    /// and the token is used until a 401 refuses it.
    pub expires_in: Option<Duration>,
    /// Refresh this long before expiry (capped at half the lifetime, so a
    /// short-lived token is still used for a while).
    pub margin: Duration,
}

impl TokenLifetime {
    /// From when on a new token is fetched before the next request.
    pub fn refresh_at(&self) -> Option<Instant> {
        let life = self.expires_in?;
        Some(self.issued_at + life - self.margin.min(life / 2))
    }

    /// The token may still be sent at `now`.
    pub fn is_fresh(&self, now: Instant) -> bool {
        match self.refresh_at() {
            Some(at) => now < at,
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn life(expires_in: Option<u64>, margin: u64) -> (Instant, TokenLifetime) {
        let t0 = Instant::now();
        let lifetime = TokenLifetime {
            issued_at: t0,
            expires_in: expires_in.map(Duration::from_secs),
            margin: Duration::from_secs(margin),
        };
        (t0, lifetime)
    }

    #[test]
    fn refreshed_a_margin_before_expiry() {
        let (t0, l) = life(Some(3600), 60);
        assert_eq!(l.refresh_at(), Some(t0 + Duration::from_secs(3540)));
        assert!(l.is_fresh(t0));
        assert!(l.is_fresh(t0 + Duration::from_secs(3539)));
        assert!(!l.is_fresh(t0 + Duration::from_secs(3540)));
        assert!(!l.is_fresh(t0 + Duration::from_secs(7200)));
    }

    #[test]
    fn the_margin_never_exceeds_half_the_lifetime() {
        let (t0, l) = life(Some(10), 60);
        assert_eq!(l.refresh_at(), Some(t0 + Duration::from_secs(5)));
        assert!(l.is_fresh(t0 + Duration::from_millis(4999)));
        assert!(!l.is_fresh(t0 + Duration::from_secs(5)));
    }

    #[test]
    fn without_expires_in_a_token_lasts_until_refused() {
        let (t0, l) = life(None, 60);
        assert_eq!(l.refresh_at(), None);
        assert!(l.is_fresh(t0 + Duration::from_secs(1 << 30)));
    }

    #[test]
    fn a_token_that_expires_at_once_is_never_fresh() {
        let (t0, l) = life(Some(0), 60);
        assert!(!l.is_fresh(t0));
    }
}
