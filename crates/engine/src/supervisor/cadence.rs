//! The supervisor's periodic tick: commits due, idle hosts reaped, queues
//! sampled, progress logged or handed to the bar.

use super::actor::{Supervisor, TICK};
use crate::stats::Progress;
use actix::prelude::*;
use std::time::{Duration, Instant};

/// How often a progress line is logged.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// How often a progress callback (the terminal's bar) is called.
const PROGRESS_BAR_EVERY: Duration = Duration::from_millis(250);

impl Supervisor {
    pub(super) fn tick(&mut self, ctx: &mut Context<Self>) {
        let now = self.clock.now();
        self.guard(ctx, |s, _| {
            if s.committer.due(now) {
                s.commit()?;
            }
            Ok(())
        });
        // Idle hosts are looked for four times per `idle_after` (at most
        // once a second), so one stops within a quarter of it past its time.
        let reap_every = (self.config.client.idle_after / 4).clamp(TICK, Duration::from_secs(1));
        if now.duration_since(self.last_reap) >= reap_every {
            self.last_reap = now;
            self.reap_idle_hosts(now);
            self.give_up_unreachable(now);
            self.observe_queues();
        }
        let every = if self.progress.is_some() {
            PROGRESS_BAR_EVERY
        } else {
            PROGRESS_EVERY
        };
        if now.duration_since(self.last_progress) >= every {
            self.last_progress = now;
            self.log_progress(now);
        }
        self.advance(ctx);
    }

    fn log_progress(&self, now: Instant) {
        let secs = now.duration_since(self.started).as_secs_f64().max(1e-9);
        if let Some(report) = &self.progress {
            return report(&Progress {
                pages: self.stats.pages,
                records: self.stats.records,
                bytes_out: self.stats.bytes_out,
                pages_per_sec: self.stats.pages as f64 / secs,
                known_pages: self.stats.pages + self.pending,
                in_flight: self.in_flight() as u64,
                retry_waiting: self.frontier.waiting() as u64,
                retries: self.stats.retries,
                dead_letters: self.stats.dead_letters,
                open_breakers: self.hosts.open_breakers() as u64,
                elapsed: now.duration_since(self.started),
            });
        }
        tracing::info!(
            pages = self.stats.pages,
            records = self.stats.records,
            pages_per_sec = (self.stats.pages as f64 / secs).round() as u64,
            in_flight = self.in_flight(),
            retry_waiting = self.frontier.waiting(),
            retries = self.stats.retries,
            dead = self.stats.dead_letters,
            open_breakers = self.hosts.open_breakers(),
            origins = self.hosts.len(),
            "Progress."
        );
    }
}
