//! Origins that answer nothing but transport errors: the first error and
//! each change of its cause logged at WARN with the cause, and the give-up
//! budget (`[breaker] give_up_after`) enforced — see `crate::reach`.

use super::actor::Supervisor;
use crate::messages::FetchResult;
use crate::reach::{Cause, Change};
use std::time::Instant;

/// The dead-letter reason of the pages of a given-up origin.
pub(crate) const ORIGIN_UNREACHABLE: &str = "origin_unreachable";

impl Supervisor {
    /// Notes what an outcome of `origin` says of its reachability.
    pub(super) fn note_reach(&mut self, origin: &str, result: &FetchResult) {
        let now = self.clock.now();
        match result {
            FetchResult::RetryTransport { reason, detail, .. } => {
                let cause = Cause::of(reason, detail);
                let give_up_after = humantime::format_duration(self.config.give_up_after);
                match self.reach.failed(origin, cause, detail, now) {
                    Change::Started => tracing::warn!(
                        %origin,
                        cause = cause.as_str(),
                        error = %detail,
                        %give_up_after,
                        "Origin unreachable; its pages wait and are retried (given up after give_up_after)."
                    ),
                    Change::CauseChanged { was } => tracing::warn!(
                        %origin,
                        cause = cause.as_str(),
                        was = was.as_str(),
                        error = %detail,
                        "Origin still unreachable, for another reason."
                    ),
                    Change::Same => {}
                }
            }
            FetchResult::Page { .. }
            | FetchResult::RetryStatus { .. }
            | FetchResult::Dead {
                status: Some(_), ..
            } => {
                if let Some(down_for) = self.reach.answered(origin, now) {
                    tracing::info!(%origin, ?down_for, "Origin reachable again.");
                }
            }
            FetchResult::Dead { status: None, .. }
            | FetchResult::Abandoned
            | FetchResult::Deferred { .. } => {}
        }
    }

    /// Gives up the origins unreachable for `give_up_after`: the jobs they
    /// hold in memory are dead-lettered now, the others as they come.
    pub(super) fn give_up_unreachable(&mut self, now: Instant) {
        for given in self.reach.due(now) {
            let jobs = self.frontier.take_origin(&given.origin);
            tracing::warn!(
                origin = %given.origin,
                cause = given.cause.as_str(),
                give_up_after = %humantime::format_duration(self.config.give_up_after),
                pages = jobs.len(),
                "Origin unreachable for give_up_after: giving up on it; its pages are dead-lettered (origin_unreachable)."
            );
            for leased in jobs {
                self.dead(
                    &given.origin,
                    leased,
                    None,
                    ORIGIN_UNREACHABLE,
                    given.detail.clone(),
                );
            }
        }
    }

    /// The dead letters' detail when `origin` was given up.
    pub(super) fn given_up(&self, origin: &str) -> Option<String> {
        if !self.reach.any_given_up() {
            return None;
        }
        self.reach.given_up(origin).map(str::to_string)
    }
}
