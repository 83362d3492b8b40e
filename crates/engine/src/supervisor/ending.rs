//! The end of the crawl: a stop asked for, the grace period for the pages
//! in flight (as [`Shutdown`](super::shutdown::Shutdown) says), a failure,
//! and the summary sent back.

use super::actor::Supervisor;
use crate::event_sink::RunEvent;
use crate::messages::Stop;
use crate::stats::{CrawlTotals, Ending, Summary};
use crate::{EngineError, StopReason};
use actix::prelude::*;

impl Supervisor {
    /// Runs `step`; an error ends the crawl.
    pub(super) fn guard(
        &mut self,
        ctx: &mut Context<Self>,
        step: impl FnOnce(&mut Self, &mut Context<Self>) -> Result<(), EngineError>,
    ) {
        if self.shutdown.is_over() {
            return;
        }
        if let Err(e) = step(self, ctx) {
            tracing::error!(error = %e, "Crawl failed; its state is consistent and it can be resumed.");
            self.shutdown.fail();
            self.end(Ending::Failed(e.to_string()), ctx);
        }
    }

    fn begin_stop(&mut self, reason: StopReason, ctx: &mut Context<Self>) {
        if self.shutdown.is_stopping() {
            return;
        }
        tracing::warn!(
            ?reason,
            in_flight = self.in_flight(),
            "Stopping: finishing the pages in flight (signal again to quit at once)."
        );
        self.shutdown.begin(reason, self.clock.now());
        self.check_end(ctx);
    }

    pub(super) fn check_end(&mut self, ctx: &mut Context<Self>) {
        if self.shutdown.is_over() {
            return;
        }
        let now = self.clock.now();
        let drained = self.frontier.is_drained();
        let Some(ending) = self.shutdown.ending(now, self.in_flight(), drained) else {
            return;
        };
        // Everything staged goes to the writer; the end waits for its answer.
        self.guard(ctx, |s, _| s.commit());
        if self.shutdown.is_over() || !self.committer.is_idle() {
            return;
        }
        self.observe_queues();
        self.end(ending, ctx);
    }

    /// Sends the summary and stops the hosts and the supervisor.
    fn end(&mut self, ending: Ending, ctx: &mut Context<Self>) {
        let summary = self.summary(ending);
        self.events.emit(|| RunEvent::Ended);
        self.shutdown.end(summary);
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
            crawl: (0..self.config.resources.len())
                .map(|i| self.committer.counters(i))
                .fold(CrawlTotals::default(), |t, c| CrawlTotals {
                    pages: t.pages + c.pages,
                    records: t.records + c.records,
                }),
            wall: self.cadence.elapsed(self.clock.now()),
            output_dir: self.config.crawl.output_dir.clone(),
            state_dir: self.config.crawl.state_dir.clone(),
            passes: self
                .config
                .resources
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let state = self.committer.pass_state(i)?;
                    Some(crate::stats::PassSummary {
                        resource: r.name.clone(),
                        pass: state.pass,
                        start: state.start.as_ref().map(|s| s.value.raw().to_owned()),
                        records: state.records,
                        output: format!("{}.jsonl", self.passes.output(i, &r.name)),
                    })
                })
                .collect(),
        }
    }
}

impl Handler<Stop> for Supervisor {
    type Result = ();

    fn handle(&mut self, Stop(reason): Stop, ctx: &mut Context<Self>) {
        self.begin_stop(reason, ctx);
    }
}
