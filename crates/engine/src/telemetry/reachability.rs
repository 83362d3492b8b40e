//! Events of an origin that answers nothing but transport errors (see
//! `crate::reach`): it became unreachable, its cause changed, it answered
//! again, the crawl gave up on it. Logs only: the requests and dead letters
//! they cause are counted by their own events.

use super::InternalEvent;
use std::time::Duration;

/// The origin's first transport error since it last answered.
pub(crate) struct OriginUnreachable<'a> {
    pub origin: &'a str,
    /// `reach::Cause::as_str`.
    pub cause: &'static str,
    /// The transport error.
    pub detail: &'a str,
    pub give_up_after: Duration,
}

impl InternalEvent for OriginUnreachable<'_> {
    fn emit(self) {
        let Self {
            origin,
            cause,
            detail,
            give_up_after,
        } = self;
        let give_up_after = humantime::format_duration(give_up_after);
        tracing::warn!(
            %origin,
            cause,
            error = %detail,
            %give_up_after,
            "Origin unreachable; its pages wait and are retried (given up after give_up_after)."
        );
    }
}

/// The origin still fails, for another reason than before.
pub(crate) struct OriginStillUnreachable<'a> {
    pub origin: &'a str,
    pub cause: &'static str,
    /// The cause before.
    pub was: &'static str,
    pub detail: &'a str,
}

impl InternalEvent for OriginStillUnreachable<'_> {
    fn emit(self) {
        let Self {
            origin,
            cause,
            was,
            detail,
        } = self;
        tracing::warn!(
            %origin,
            cause,
            was,
            error = %detail,
            "Origin still unreachable, for another reason."
        );
    }
}

/// The origin answered again after `down_for`.
pub(crate) struct OriginReachable<'a> {
    pub origin: &'a str,
    pub down_for: Duration,
}

impl InternalEvent for OriginReachable<'_> {
    fn emit(self) {
        let Self { origin, down_for } = self;
        tracing::info!(%origin, ?down_for, "Origin reachable again.");
    }
}

/// The origin was unreachable for `give_up_after`: the crawl gives up on it
/// and dead-letters its `pages` (each one a `PageDeadLettered` event).
pub(crate) struct OriginGivenUp<'a> {
    pub origin: &'a str,
    pub cause: &'static str,
    pub give_up_after: Duration,
    /// The origin's pages dead-lettered now (more follow as they come).
    pub pages: usize,
}

impl InternalEvent for OriginGivenUp<'_> {
    fn emit(self) {
        let Self {
            origin,
            cause,
            give_up_after,
            pages,
        } = self;
        tracing::warn!(
            %origin,
            cause,
            give_up_after = %humantime::format_duration(give_up_after),
            pages,
            "Origin unreachable for give_up_after: giving up on it; its pages are dead-lettered (origin_unreachable)."
        );
    }
}
