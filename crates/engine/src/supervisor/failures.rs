//! When each retried page first failed, so its dead letter can say when its
//! trouble began ([`DeadLetter::first_ms`](harvest_store::DeadLetter)).
//! Owns that bookkeeping only; `outcome.rs` decides when a page failed,
//! is retried, done or dead.
//!
//! What is kept: the wall time (ms) at which the supervisor received the
//! page's first failed attempt. It is staged in the commit batch with that
//! first retry (store key `F`), so it survives a restart, and kept in memory
//! for the run (the staged batch is not readable before it commits). A
//! page that never failed costs nothing: no entry, no write.

use harvest_store::{CommitBatch, Job, Store};
use std::collections::HashMap;

/// First-failure times of the retried jobs, by sequence number.
#[derive(Debug, Default)]
pub(crate) struct FirstFailures {
    /// Set by this run (the state holds them too, once committed).
    this_run: HashMap<u64, u64>,
}

impl FirstFailures {
    /// Job `seq` (`job` as it was leased) failed at `now_ms` and will be
    /// retried: remembers the time if this was its first failure.
    pub fn failed(&mut self, seq: u64, job: &Job, now_ms: u64, batch: &mut CommitBatch) {
        if job.attempt == 0 {
            self.this_run.insert(seq, now_ms);
            batch.set_first_failure(seq, now_ms);
        }
    }

    /// Job `seq` leaves the frontier (done or dead): when it first failed,
    /// forgotten here and in the state. A job that never failed before
    /// (attempt 0) first failed `now_ms` if it is dead now; `None` only for
    /// a job retried by a build that did not keep the time.
    pub fn take(
        &mut self,
        seq: u64,
        job: &Job,
        now_ms: u64,
        store: &Store,
        batch: &mut CommitBatch,
    ) -> Option<u64> {
        if job.attempt == 0 {
            return Some(now_ms);
        }
        batch.remove_first_failure(seq);
        self.this_run.remove(&seq).or_else(|| {
            // Retried in an earlier run: committed then.
            store.first_failure(seq).unwrap_or_else(|e| {
                tracing::warn!(seq, error = %e, "Cannot read a page's first failure time.");
                None
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(attempt: u32) -> Job {
        Job {
            attempt,
            ..Job::new("items", "http://a/p/1")
        }
    }

    #[test]
    fn the_first_failure_is_kept_through_retries_and_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut f = FirstFailures::default();
        let mut batch = CommitBatch::new();
        f.failed(7, &job(0), 1_000, &mut batch);
        f.failed(7, &job(1), 2_000, &mut batch);
        // In memory before the batch commits.
        assert_eq!(
            f.take(7, &job(2), 3_000, &store, &mut CommitBatch::new()),
            Some(1_000)
        );
        // From the state in a later run.
        store.commit(batch).unwrap();
        let mut later = FirstFailures::default();
        let mut batch = CommitBatch::new();
        assert_eq!(
            later.take(7, &job(2), 9_000, &store, &mut batch),
            Some(1_000)
        );
        store.commit(batch).unwrap();
        assert_eq!(
            store.first_failure(7).unwrap(),
            None,
            "forgotten when taken"
        );
        // A page dead at its first attempt failed now; one retried by an
        // older build has no time.
        assert_eq!(
            later.take(8, &job(0), 5, &store, &mut CommitBatch::new()),
            Some(5)
        );
        assert_eq!(
            later.take(9, &job(3), 5, &store, &mut CommitBatch::new()),
            None
        );
    }
}
