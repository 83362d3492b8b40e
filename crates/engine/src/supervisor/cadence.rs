//! [`Cadence`]: when, on the supervisor's tick, idle hosts are reaped (with
//! the give-up check and the queue gauges) and progress is reported, and
//! where progress goes (the bar or a log line). Pure timing, taking `now`;
//! the tick itself (`tick.rs`) does the work.

use crate::stats::{Progress, ProgressFn};
use std::time::{Duration, Instant};

/// How often the supervisor wakes up on its own (retries due, commits, progress).
pub(super) const TICK: Duration = Duration::from_millis(20);
/// How often a progress line is logged.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// How often a progress callback (the terminal's bar) is called.
const PROGRESS_BAR_EVERY: Duration = Duration::from_millis(250);
/// The most time between two looks for idle hosts.
const REAP_AT_MOST_EVERY: Duration = Duration::from_secs(1);

/// When the tick's periodic chores are due, from the crawl's start.
pub(super) struct Cadence {
    /// When the crawl started (elapsed time, pages per second).
    started: Instant,
    /// A quarter of `idle_after`, between [`TICK`] and a second.
    reap_every: Duration,
    last_reap: Instant,
    /// [`PROGRESS_BAR_EVERY`] with a bar, [`PROGRESS_EVERY`] for log lines.
    progress_every: Duration,
    last_progress: Instant,
    /// Called with progress snapshots instead of logging progress lines.
    bar: Option<ProgressFn>,
}

impl Cadence {
    /// A crawl starting at `now` whose hosts stop after `idle_after`.
    pub fn new(now: Instant, idle_after: Duration, bar: Option<ProgressFn>) -> Self {
        // Idle hosts are looked for four times per `idle_after` (at most
        // once a second), so one stops within a quarter of it past its time.
        let reap_every = (idle_after / 4).clamp(TICK, REAP_AT_MOST_EVERY);
        let progress_every = if bar.is_some() {
            PROGRESS_BAR_EVERY
        } else {
            PROGRESS_EVERY
        };
        Self {
            started: now,
            reap_every,
            last_reap: now,
            progress_every,
            last_progress: now,
            bar,
        }
    }

    /// Time since the crawl started.
    pub fn elapsed(&self, now: Instant) -> Duration {
        now.duration_since(self.started)
    }

    /// Whether idle hosts are to be looked for at `now` (then the next look
    /// is due `reap_every` later).
    pub fn reap_due(&mut self, now: Instant) -> bool {
        due(&mut self.last_reap, self.reap_every, now)
    }

    /// Whether progress is to be reported at `now` (then the next report is
    /// due a progress interval later).
    pub fn progress_due(&mut self, now: Instant) -> bool {
        due(&mut self.last_progress, self.progress_every, now)
    }

    /// Hands `progress` to the bar, or logs it with the number of `origins`
    /// running when there is no bar.
    pub fn report(&self, progress: &Progress, origins: usize) {
        if let Some(bar) = &self.bar {
            return bar(progress);
        }
        tracing::info!(
            pages = progress.pages,
            records = progress.records,
            pages_per_sec = progress.pages_per_sec.round() as u64,
            in_flight = progress.in_flight,
            retry_waiting = progress.retry_waiting,
            retries = progress.retries,
            dead = progress.dead_letters,
            open_breakers = progress.open_breakers,
            origins,
            "Progress."
        );
    }
}

/// Whether `every` has passed since `last` at `now`; if so, `last` is now.
fn due(last: &mut Instant, every: Duration, now: Instant) -> bool {
    if now.duration_since(*last) < every {
        return false;
    }
    *last = now;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    const MS: Duration = Duration::from_millis(1);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn idle_hosts_are_looked_for_four_times_per_idle_after() {
        let t0 = Instant::now();
        let mut cadence = Cadence::new(t0, Duration::from_secs(2), None);
        assert!(!cadence.reap_due(t0));
        assert!(!cadence.reap_due(t0 + ms(500) - MS));
        assert!(cadence.reap_due(t0 + ms(500)));
        // The next look counts from the last one, not from the start.
        assert!(!cadence.reap_due(t0 + ms(999)));
        assert!(cadence.reap_due(t0 + ms(1_000)));
    }

    #[test]
    fn the_reap_cadence_is_at_least_a_tick_and_at_most_a_second() {
        let t0 = Instant::now();
        let mut short = Cadence::new(t0, ms(40), None);
        assert!(!short.reap_due(t0 + TICK - MS));
        assert!(short.reap_due(t0 + TICK));
        let mut long = Cadence::new(t0, Duration::from_secs(300), None);
        assert!(!long.reap_due(t0 + REAP_AT_MOST_EVERY - MS));
        assert!(long.reap_due(t0 + REAP_AT_MOST_EVERY));
    }

    #[test]
    fn progress_lines_are_logged_every_two_seconds() {
        let t0 = Instant::now();
        let mut cadence = Cadence::new(t0, Duration::from_secs(60), None);
        assert!(!cadence.progress_due(t0 + ms(1_999)));
        assert!(cadence.progress_due(t0 + ms(2_000)));
        assert!(!cadence.progress_due(t0 + ms(3_999)));
        assert!(cadence.progress_due(t0 + ms(4_100)));
    }

    #[test]
    fn a_bar_is_called_four_times_a_second_with_the_snapshot() {
        let seen: Arc<Mutex<Vec<u64>>> = Arc::default();
        let sink = seen.clone();
        let bar: ProgressFn = Arc::new(move |p: &Progress| sink.lock().unwrap().push(p.pages));
        let t0 = Instant::now();
        let mut cadence = Cadence::new(t0, Duration::from_secs(60), Some(bar));
        assert!(!cadence.progress_due(t0 + ms(249)));
        assert!(cadence.progress_due(t0 + ms(250)));
        let progress = Progress {
            pages: 7,
            ..Progress::default()
        };
        cadence.report(&progress, 3);
        assert_eq!(*seen.lock().unwrap(), vec![7]);
    }

    #[test]
    fn elapsed_counts_from_the_start() {
        let t0 = Instant::now();
        let mut cadence = Cadence::new(t0, Duration::from_secs(60), None);
        assert!(cadence.progress_due(t0 + ms(2_500)));
        assert_eq!(cadence.elapsed(t0 + ms(3_000)), ms(3_000));
    }
}
