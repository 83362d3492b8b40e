//! `--every`: when the next pass starts. Passes start on a fixed grid
//! anchored at the first pass's start (`anchor + k × interval`), as cron
//! does: a pass that runs past one or more ticks is followed at the next
//! tick still ahead, so passes never overlap and the grid never drifts.
//! Times are milliseconds since the Unix epoch, given by the caller.

use std::time::Duration;

/// The start of the first pass after one that ended at `now_ms`, on the
/// grid of `interval` anchored at `anchor_ms`.
pub fn next_pass_at(anchor_ms: u64, interval: Duration, now_ms: u64) -> u64 {
    let step = (interval.as_millis() as u64).max(1);
    if now_ms < anchor_ms {
        return anchor_ms;
    }
    let ticks = (now_ms - anchor_ms) / step + 1;
    anchor_ms.saturating_add(ticks.saturating_mul(step))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    #[test]
    fn a_short_pass_waits_for_the_next_tick() {
        let every = Duration::from_secs(15 * 60);
        assert_eq!(next_pass_at(0, every, 2 * MIN), 15 * MIN);
    }

    #[test]
    fn a_pass_ending_on_a_tick_starts_the_next_one_a_full_interval_later() {
        let every = Duration::from_secs(15 * 60);
        assert_eq!(next_pass_at(0, every, 15 * MIN), 30 * MIN);
    }

    #[test]
    fn a_long_pass_skips_the_ticks_it_overran_and_never_overlaps() {
        let every = Duration::from_secs(15 * 60);
        // Started at 0, ended at 47 min: the ticks at 15, 30 and 45 passed.
        let next = next_pass_at(0, every, 47 * MIN);
        assert_eq!(next, 60 * MIN);
        assert!(next > 47 * MIN);
    }

    #[test]
    fn the_grid_does_not_drift() {
        let every = Duration::from_millis(1000);
        let mut now = 0;
        for k in 1..=100u64 {
            // Each pass takes a varying, shorter-than-interval time.
            let ended = now + (k * 37) % 900;
            now = next_pass_at(0, every, ended);
            assert_eq!(now, k * 1000);
        }
    }
}
