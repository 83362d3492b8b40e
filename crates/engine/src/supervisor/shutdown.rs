//! The end of the crawl: a stop asked for, the grace period for the pages
//! in flight, a failure, and the summary sent back.

use super::actor::Supervisor;
use crate::event_sink::RunEvent;
use crate::messages::Stop;
use crate::stats::{Ending, Summary};
use crate::{EngineError, StopReason};
use actix::prelude::*;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long a graceful stop waits for pages in flight.
const STOP_GRACE: Duration = Duration::from_secs(10);

impl Supervisor {
    /// Runs `step`; an error ends the crawl.
    pub(super) fn guard(
        &mut self,
        ctx: &mut Context<Self>,
        step: impl FnOnce(&mut Self, &mut Context<Self>) -> Result<(), EngineError>,
    ) {
        if self.done.is_none() {
            return;
        }
        if let Err(e) = step(self, ctx) {
            tracing::error!(error = %e, "Crawl failed; its state is consistent and it can be resumed.");
            self.stopping.store(true, Ordering::Relaxed);
            let summary = self.summary(Ending::Failed(e.to_string()));
            self.events.emit(|| RunEvent::Ended);
            if let Some(done) = self.done.take() {
                let _ = done.send(Ok(summary));
            }
            self.hosts.clear();
            ctx.stop();
        }
    }

    fn begin_stop(&mut self, reason: StopReason, ctx: &mut Context<Self>) {
        if self.stop.is_some() {
            return;
        }
        tracing::warn!(
            ?reason,
            in_flight = self.in_flight(),
            "Stopping: finishing the pages in flight (signal again to quit at once)."
        );
        self.stop = Some((reason, self.clock.now() + STOP_GRACE));
        self.stopping.store(true, Ordering::Relaxed);
        self.check_end(ctx);
    }

    pub(super) fn check_end(&mut self, ctx: &mut Context<Self>) {
        if self.done.is_none() {
            return;
        }
        let ending = match self.stop {
            Some((reason, deadline)) if self.in_flight() == 0 || self.clock.now() >= deadline => {
                if self.in_flight() > 0 {
                    tracing::warn!(
                        in_flight = self.in_flight(),
                        "Stop deadline passed; those pages will be fetched again on resume."
                    );
                }
                Ending::Stopped(reason)
            }
            None if self.in_flight() == 0 && self.frontier.is_drained() => Ending::Finished,
            _ => return,
        };
        // Everything staged goes to the writer; the end waits for its answer.
        self.guard(ctx, |s, _| s.commit());
        if self.done.is_none() || !self.committer.is_idle() {
            return;
        }
        self.observe_queues();
        self.guard(ctx, |s, _| {
            let summary = s.summary(ending);
            s.events.emit(|| RunEvent::Ended);
            if let Some(done) = s.done.take() {
                let _ = done.send(Ok(summary));
            }
            Ok(())
        });
        self.hosts.clear();
        ctx.stop();
    }

    fn summary(&self, ending: Ending) -> Summary {
        Summary {
            ending,
            run: self.stats.clone(),
            dead_letters_total: self.store.dead_letter_count() as u64,
            streams_cut_total: self.store.cut_stream_count() as u64,
            pending: self.pending,
            wall: self.clock.now().duration_since(self.started),
            output_dir: self.config.crawl.output_dir.clone(),
            state_dir: self.config.crawl.state_dir.clone(),
        }
    }
}

impl Handler<Stop> for Supervisor {
    type Result = ();

    fn handle(&mut self, Stop(reason): Stop, ctx: &mut Context<Self>) {
        self.begin_stop(reason, ctx);
    }
}
