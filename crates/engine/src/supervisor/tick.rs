//! The supervisor's periodic tick: commits due, then the chores
//! [`Cadence`](super::cadence::Cadence) says are due (idle hosts reaped,
//! origins given up, queues sampled, progress reported, the status
//! snapshot asked for).

use super::actor::Supervisor;
use crate::stats::Progress;
use actix::prelude::*;
use std::time::Instant;

impl Supervisor {
    pub(super) fn tick(&mut self, ctx: &mut Context<Self>) {
        let now = self.clock.now();
        self.guard(ctx, |s, _| {
            if s.committer.due(now) {
                s.commit()?;
            }
            Ok(())
        });
        if self.cadence.reap_due(now) {
            self.reap_idle_hosts(now);
            self.give_up_unreachable(now);
            self.observe_queues();
        }
        if self.cadence.progress_due(now) {
            self.report_progress(now);
        }
        self.snapshot.poke(now);
        self.advance(ctx);
    }

    fn report_progress(&self, now: Instant) {
        let elapsed = self.cadence.elapsed(now);
        let secs = elapsed.as_secs_f64().max(1e-9);
        let progress = Progress {
            pages: self.stats.pages,
            records: self.stats.records,
            bytes_out: self.stats.bytes_out,
            pages_per_sec: self.stats.pages as f64 / secs,
            known_pages: self.stats.pages + self.pending,
            total_known: crate::stats::total_known(&self.config),
            in_flight: self.in_flight() as u64,
            retry_waiting: self.frontier.waiting() as u64,
            retries: self.stats.retries,
            dead_letters: self.stats.dead_letters,
            open_breakers: self.hosts.open_breakers() as u64,
            elapsed,
        };
        self.cadence.report(&progress, self.hosts.len());
    }
}
