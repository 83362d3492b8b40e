//! [`Shutdown`]: a stop asked for, the grace period for the pages in
//! flight, the flag the hosts read, and where the summary goes; pure,
//! taking `now`. The supervisor ends the crawl when it says so (`ending.rs`).

use crate::messages::Stop;
use crate::stats::{Ending, Summary};
use crate::{EngineError, StopReason};
use actix::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// How long a graceful stop waits for pages in flight.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Where the summary of the crawl goes.
pub(super) type Done = oneshot::Sender<Result<Summary, EngineError>>;

/// The stop and ending state of a crawl.
pub(super) struct Shutdown {
    /// Shared with the hosts: set once a stop begins (or the crawl fails).
    stopping: Arc<AtomicBool>,
    /// The stop asked for, and until when the pages in flight may finish.
    stop: Option<(StopReason, Instant)>,
    /// The stop trigger, until [`Shutdown::forward_stops`] takes it.
    stop_rx: Option<watch::Receiver<Option<StopReason>>>,
    /// Where the summary goes; `None` once the crawl is over.
    done: Option<Done>,
}

impl Shutdown {
    pub fn new(stop_rx: watch::Receiver<Option<StopReason>>, done: Done) -> Self {
        Self {
            stopping: Arc::new(AtomicBool::new(false)),
            stop: None,
            stop_rx: Some(stop_rx),
            done: Some(done),
        }
    }

    /// The flag handed to the hosts: set once a stop begins.
    pub fn stopping_flag(&self) -> Arc<AtomicBool> {
        self.stopping.clone()
    }

    /// Sends the stop trigger's reason to `to` as a [`Stop`] once it fires
    /// (from a task on the current actix system; called once, at start).
    pub fn forward_stops(&mut self, to: Recipient<Stop>) {
        let Some(mut rx) = self.stop_rx.take() else {
            return;
        };
        actix::spawn(async move {
            loop {
                let reason = *rx.borrow_and_update();
                if let Some(reason) = reason {
                    to.do_send(Stop(reason));
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    /// The summary has been sent: nothing more happens.
    pub fn is_over(&self) -> bool {
        self.done.is_none()
    }

    /// A stop has begun: nothing more is handed out.
    pub fn is_stopping(&self) -> bool {
        self.stop.is_some()
    }

    /// Begins a stop for `reason` at `now`, with a grace period for the
    /// pages in flight; false if one had begun (the first reason wins).
    pub fn begin(&mut self, reason: StopReason, now: Instant) -> bool {
        if self.stop.is_some() {
            return false;
        }
        self.stop = Some((reason, now + STOP_GRACE));
        self.stopping.store(true, Ordering::Relaxed);
        true
    }

    /// How the crawl ends at `now`, if it does: a stop once nothing is in
    /// flight or its grace has passed; otherwise once nothing is in flight
    /// and the frontier is `drained`.
    pub fn ending(&self, now: Instant, in_flight: usize, drained: bool) -> Option<Ending> {
        match self.stop {
            Some((reason, deadline)) if in_flight == 0 || now >= deadline => {
                if in_flight > 0 {
                    tracing::warn!(
                        in_flight,
                        "Stop deadline passed; those pages will be fetched again on resume."
                    );
                }
                Some(Ending::Stopped(reason))
            }
            None if in_flight == 0 && drained => Some(Ending::Finished),
            _ => None,
        }
    }

    /// The crawl failed: the hosts stop taking work.
    pub fn fail(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Sends the summary (once); the crawl is over.
    pub fn end(&mut self, summary: Summary) {
        if let Some(done) = self.done.take() {
            let _ = done.send(Ok(summary));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::RunStats;

    fn shutdown() -> (Shutdown, oneshot::Receiver<Result<Summary, EngineError>>) {
        let (_stop_tx, stop_rx) = watch::channel(None);
        let (done, done_rx) = oneshot::channel();
        (Shutdown::new(stop_rx, done), done_rx)
    }

    #[test]
    fn without_a_stop_the_crawl_finishes_once_drained_and_nothing_in_flight() {
        let (shutdown, _) = shutdown();
        let now = Instant::now();
        assert_eq!(shutdown.ending(now, 0, true), Some(Ending::Finished));
        assert_eq!(shutdown.ending(now, 1, true), None);
        assert_eq!(shutdown.ending(now, 0, false), None);
        assert!(!shutdown.is_stopping());
        assert!(!shutdown.stopping_flag().load(Ordering::Relaxed));
    }

    #[test]
    fn a_stop_waits_for_the_pages_in_flight_until_its_grace_has_passed() {
        let (mut shutdown, _) = shutdown();
        let t0 = Instant::now();
        assert!(shutdown.begin(StopReason::Interrupt, t0));
        assert!(shutdown.is_stopping());
        assert!(shutdown.stopping_flag().load(Ordering::Relaxed));
        let stopped = Some(Ending::Stopped(StopReason::Interrupt));
        // A stop ends even with jobs left in the frontier.
        assert_eq!(shutdown.ending(t0, 0, false), stopped);
        assert_eq!(shutdown.ending(t0, 2, false), None);
        let last = t0 + STOP_GRACE - Duration::from_millis(1);
        assert_eq!(shutdown.ending(last, 2, false), None);
        assert_eq!(shutdown.ending(t0 + STOP_GRACE, 2, false), stopped);
    }

    #[test]
    fn the_first_stop_wins_and_keeps_its_deadline() {
        let (mut shutdown, _) = shutdown();
        let t0 = Instant::now();
        assert!(shutdown.begin(StopReason::Terminate, t0));
        assert!(!shutdown.begin(StopReason::Interrupt, t0 + Duration::from_secs(5)));
        assert_eq!(
            shutdown.ending(t0 + STOP_GRACE, 1, true),
            Some(Ending::Stopped(StopReason::Terminate))
        );
    }

    #[test]
    fn a_failure_raises_the_hosts_flag_without_a_stop() {
        let (shutdown, _) = shutdown();
        shutdown.fail();
        assert!(shutdown.stopping_flag().load(Ordering::Relaxed));
        assert!(!shutdown.is_stopping());
    }

    #[test]
    fn the_summary_is_sent_once_and_the_crawl_is_over() {
        let (mut shutdown, mut done_rx) = shutdown();
        assert!(!shutdown.is_over());
        let summary = |ending| Summary {
            ending,
            run: RunStats::default(),
            dead_letters_total: 0,
            streams_cut_total: 0,
            pending: 0,
            crawl: Default::default(),
            wall: Duration::ZERO,
            output_dir: "out".into(),
            state_dir: "state".into(),
            passes: Vec::new(),
        };
        shutdown.end(summary(Ending::Finished));
        assert!(shutdown.is_over());
        shutdown.end(summary(Ending::Failed("late".into())));
        let sent = done_rx.try_recv().expect("sent").expect("ok");
        assert_eq!(sent.ending, Ending::Finished);
    }
}
