//! When staged changes are due for a group commit: once the oldest of them
//! has waited [`COMMIT_EVERY`], or once [`COMMIT_PAGES`] pages are staged,
//! whichever comes first. Pure: every call takes `now`. The supervisor asks
//! [`Committer::due`](super::Committer::due) after each change, on its tick
//! and when the writer answers; a group cut while the writer is busy waits
//! for its answer (so groups grow when the disk is slow).

use std::time::{Duration, Instant};

/// Longest a staged change waits for its commit.
const COMMIT_EVERY: Duration = Duration::from_millis(100);
/// Staged pages that make a commit due without waiting for [`COMMIT_EVERY`].
const COMMIT_PAGES: u64 = 1024;

/// What is staged, as far as timing goes.
#[derive(Debug, Default)]
pub(super) struct Cadence {
    /// When the oldest staged change was made; `None` when nothing is staged.
    oldest: Option<Instant>,
    /// Pages staged since the last group was cut.
    pages: u64,
}

impl Cadence {
    /// A change was staged at `now` (a job, a seen mark, a dead letter...).
    pub fn changed(&mut self, now: Instant) {
        self.oldest.get_or_insert(now);
    }

    /// A fetched page was staged at `now`.
    pub fn page(&mut self, now: Instant) {
        self.changed(now);
        self.pages += 1;
    }

    /// Whether what is staged should go to the writer at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.oldest.is_some_and(|oldest| {
            self.pages >= COMMIT_PAGES || now.saturating_duration_since(oldest) >= COMMIT_EVERY
        })
    }

    /// Nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.oldest.is_none()
    }

    /// The staged changes went to the writer as one group.
    pub fn cut(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// A cadence that has staged `pages` pages at `at`.
    fn paged(pages: u64, at: Instant) -> Cadence {
        let mut c = Cadence::default();
        for _ in 0..pages {
            c.page(at);
        }
        c
    }

    #[test]
    fn nothing_staged_is_never_due() {
        let t0 = Instant::now();
        let c = Cadence::default();
        assert!(c.is_empty());
        assert!(!c.due(t0));
        assert!(!c.due(t0 + 3600 * 1000 * MS));
    }

    #[test]
    fn a_change_is_due_once_it_has_waited_commit_every() {
        let t0 = Instant::now();
        let mut c = Cadence::default();
        c.changed(t0);
        assert!(!c.is_empty());
        assert!(!c.due(t0));
        assert!(!c.due(t0 + COMMIT_EVERY - MS));
        assert!(c.due(t0 + COMMIT_EVERY));
    }

    #[test]
    fn the_oldest_change_sets_the_deadline() {
        let t0 = Instant::now();
        let mut c = Cadence::default();
        c.changed(t0);
        c.page(t0 + 60 * MS);
        c.changed(t0 + 90 * MS);
        assert!(c.due(t0 + COMMIT_EVERY));
    }

    #[test]
    fn commit_pages_pages_are_due_at_once() {
        let t0 = Instant::now();
        let mut c = paged(COMMIT_PAGES - 1, t0);
        assert!(!c.due(t0), "one page short");
        c.page(t0);
        assert!(c.due(t0));
        // Other changes do not count as pages.
        let mut c = Cadence::default();
        for _ in 0..2 * COMMIT_PAGES {
            c.changed(t0);
        }
        assert!(!c.due(t0));
    }

    #[test]
    fn a_cut_starts_over() {
        let t0 = Instant::now();
        let mut c = paged(COMMIT_PAGES, t0);
        c.cut();
        assert!(c.is_empty());
        assert!(!c.due(t0 + COMMIT_EVERY));
        c.page(t0 + COMMIT_EVERY);
        assert!(
            !c.due(t0 + COMMIT_EVERY),
            "the deadline runs from the new change"
        );
        assert!(c.due(t0 + 2 * COMMIT_EVERY));
    }

    #[test]
    fn a_now_before_the_oldest_change_is_not_due() {
        let t0 = Instant::now();
        let mut c = Cadence::default();
        c.changed(t0 + COMMIT_EVERY);
        assert!(!c.due(t0));
    }
}
