//! The low-speed guard, like curl's `--speed-limit` / `--speed-time`: a body
//! that arrives slower than `min_bytes_per_sec` over a whole
//! `min_speed_window` is abandoned (a retryable `too_slow`), instead of
//! holding its request for `request_timeout`.
//!
//! Pure: fed `(now, bytes)` per piece of body received, it says whether the
//! body is too slow; no clock or I/O inside. The clock starts at the body's
//! first piece, so a server that thinks before it sends stays the business of
//! `read_timeout` / `request_timeout`. Silence is judged when the next piece
//! arrives (total silence is `read_timeout`'s).

use std::time::{Duration, Instant};

/// A speed floor over a window: the settings of the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedFloor {
    /// Below this average rate over a whole window, the body is too slow.
    pub min_bytes_per_sec: u64,
    /// How long the rate is averaged over before it is judged.
    pub window: Duration,
}

impl SpeedFloor {
    /// The floor `[client]` asks for; `None` when the guard is off
    /// (`min_bytes_per_sec = 0`).
    pub fn new(min_bytes_per_sec: u64, window: Duration) -> Option<Self> {
        (min_bytes_per_sec > 0 && !window.is_zero()).then_some(Self {
            min_bytes_per_sec,
            window,
        })
    }
}

/// What the guard measured when it gave up on a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooSlow {
    /// Bytes received in the window judged.
    pub bytes: u64,
    /// The window's actual length (at least the configured window).
    pub elapsed: Duration,
}

/// The guard of one body: the current window's start and its bytes.
#[derive(Debug, Clone)]
pub struct SpeedGuard {
    floor: SpeedFloor,
    /// When the current window began; `None` before the first piece.
    start: Option<Instant>,
    /// Bytes received since `start` (the piece that opened it excluded).
    bytes: u64,
}

impl SpeedGuard {
    pub fn new(floor: SpeedFloor) -> Self {
        Self {
            floor,
            start: None,
            bytes: 0,
        }
    }

    /// Counts `bytes` received at `now`. Once a whole window has passed, its
    /// average rate is judged: `Err` below the floor, else a new window
    /// starts at `now`. Per piece: one addition and one comparison, plus a
    /// multiplication once per window.
    pub fn feed(&mut self, now: Instant, bytes: u64) -> Result<(), TooSlow> {
        let Some(start) = self.start else {
            self.start = Some(now);
            return Ok(());
        };
        self.bytes += bytes;
        let elapsed = now.saturating_duration_since(start);
        if elapsed < self.floor.window {
            return Ok(());
        }
        // bytes / elapsed < min, in integers: bytes · 1000 < min · ms.
        let wanted = u128::from(self.floor.min_bytes_per_sec) * elapsed.as_millis();
        if u128::from(self.bytes) * 1000 < wanted {
            return Err(TooSlow {
                bytes: self.bytes,
                elapsed,
            });
        }
        self.start = Some(now);
        self.bytes = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor(min: u64, window_ms: u64) -> SpeedFloor {
        SpeedFloor::new(min, Duration::from_millis(window_ms)).unwrap()
    }

    /// Feeds `(ms after t0, bytes)` and returns the first verdict that failed.
    fn run(floor: SpeedFloor, pieces: &[(u64, u64)]) -> Result<(), (u64, TooSlow)> {
        let t0 = Instant::now();
        let mut guard = SpeedGuard::new(floor);
        for &(ms, bytes) in pieces {
            guard
                .feed(t0 + Duration::from_millis(ms), bytes)
                .map_err(|e| (ms, e))?;
        }
        Ok(())
    }

    #[test]
    fn zero_turns_the_guard_off() {
        assert_eq!(SpeedFloor::new(0, Duration::from_secs(10)), None);
        assert_eq!(SpeedFloor::new(1024, Duration::ZERO), None);
        assert!(SpeedFloor::new(1024, Duration::from_secs(10)).is_some());
    }

    #[test]
    fn a_trickle_is_too_slow_once_a_whole_window_has_passed() {
        // 1 byte per 100 ms against 100 B/s over 1 s: judged at the first
        // piece a full second after the first one, with 10 bytes in it.
        let pieces: Vec<(u64, u64)> = (0..30).map(|i| (i * 100, 1)).collect();
        let (at, slow) = run(floor(100, 1000), &pieces).unwrap_err();
        assert_eq!(at, 1000);
        assert_eq!(
            slow,
            TooSlow {
                bytes: 10,
                elapsed: Duration::from_secs(1)
            }
        );
    }

    #[test]
    fn a_fast_body_passes_window_after_window() {
        // 200 bytes every 100 ms = 2,000 B/s, for 10 windows.
        let pieces: Vec<(u64, u64)> = (0..100).map(|i| (i * 100, 200)).collect();
        assert_eq!(run(floor(1024, 1000), &pieces), Ok(()));
    }

    #[test]
    fn exactly_the_floor_passes_and_one_byte_less_fails() {
        assert_eq!(run(floor(100, 1000), &[(0, 5), (1000, 100)]), Ok(()));
        assert!(run(floor(100, 1000), &[(0, 5), (1000, 99)]).is_err());
    }

    #[test]
    fn a_body_shorter_than_a_window_is_never_judged() {
        assert_eq!(run(floor(1024, 10_000), &[(0, 1), (9_999, 1)]), Ok(()));
    }

    #[test]
    fn silence_before_the_first_piece_does_not_count() {
        // The clock starts at the first piece, however late it comes.
        let pieces = [(30_000, 10), (30_500, 2_000), (31_000, 2_000)];
        assert_eq!(run(floor(1024, 1000), &pieces), Ok(()));
    }

    #[test]
    fn a_long_silence_inside_the_body_is_judged_over_its_real_length() {
        // A first window at 4,000 B/s, then 25 s of nothing and a big piece:
        // 64 KiB over 25 s is 2.6 KiB/s, enough; a small piece after the
        // same wait is not.
        let fast = [(0, 1), (5_000, 20_000), (10_000, 20_000)];
        let big = [&fast[..], &[(35_000, 64 << 10)]].concat();
        assert_eq!(run(floor(1024, 10_000), &big), Ok(()));
        let small = [&fast[..], &[(35_000, 100)]].concat();
        let (at, slow) = run(floor(1024, 10_000), &small).unwrap_err();
        assert_eq!((at, slow.bytes), (35_000, 100));
        assert_eq!(slow.elapsed, Duration::from_secs(25));
    }

    #[test]
    fn each_window_is_judged_on_its_own() {
        // A fast first window does not pay for a slow second one.
        let pieces = [(0, 0), (1000, 50_000), (1500, 10), (2000, 10)];
        let (at, slow) = run(floor(100, 1000), &pieces).unwrap_err();
        assert_eq!((at, slow.bytes), (2000, 20));
    }
}
