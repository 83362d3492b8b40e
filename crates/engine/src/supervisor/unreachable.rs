//! Origins that answer nothing but transport errors: the first error and
//! each change of its cause logged at WARN with the cause, and the give-up
//! budget (`[breaker] give_up_after`) enforced — see `crate::reach`.

use super::actor::Supervisor;
use crate::messages::FetchResult;
use crate::reach::{Cause, Change};
use crate::telemetry::{
    InternalEvent, OriginGivenUp, OriginReachable, OriginStillUnreachable, OriginUnreachable,
};
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
                match self.reach.failed(origin, cause, detail, now) {
                    Change::Started => OriginUnreachable {
                        origin,
                        cause: cause.as_str(),
                        detail,
                        give_up_after: self.config.give_up_after,
                    }
                    .emit(),
                    Change::CauseChanged { was } => OriginStillUnreachable {
                        origin,
                        cause: cause.as_str(),
                        was: was.as_str(),
                        detail,
                    }
                    .emit(),
                    Change::Same => {}
                }
            }
            FetchResult::Page { .. }
            | FetchResult::RetryStatus { .. }
            | FetchResult::Dead {
                status: Some(_), ..
            } => {
                if let Some(down_for) = self.reach.answered(origin, now) {
                    OriginReachable { origin, down_for }.emit();
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
            OriginGivenUp {
                origin: &given.origin,
                cause: given.cause.as_str(),
                give_up_after: self.config.give_up_after,
                pages: jobs.len(),
            }
            .emit();
            for leased in jobs {
                self.dead(
                    &given.origin,
                    leased,
                    None,
                    ORIGIN_UNREACHABLE,
                    given.detail.clone(),
                    None,
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
