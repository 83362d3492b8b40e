//! What a page outcome changes. Everything is staged in the committer's batch
//! and becomes durable with the next group commit.

use super::actor::Supervisor;
use super::unreachable::ORIGIN_UNREACHABLE;
use crate::job::new_job;
use crate::messages::{FetchResult, Leased, Returned};
use crate::redact::Redacted;
use crate::telemetry::{ChildPagesSkipped, InternalEvent, PageDeadLettered, PageRetried};
use crate::EngineError;
use actix::prelude::*;
use harvest_config::origin_of;
use harvest_paginate::{ChildJob, Cut, CutReason, Next, PageRequest};
use harvest_store::{DeadLetter, Job};
use std::time::Duration;

impl Handler<Returned> for Supervisor {
    type Result = ();

    fn handle(&mut self, outcome: Returned, ctx: &mut Context<Self>) {
        let origin = origin_of(&outcome.leased.url);
        self.host_returned(&origin);
        self.observe_outcome(&origin, &outcome);
        self.guard(ctx, |s, _| s.absorb(&origin, outcome));
        self.advance(ctx);
    }
}

impl Supervisor {
    /// `origin` is the origin of the outcome's job (computed once per outcome).
    fn absorb(&mut self, origin: &str, outcome: Returned) -> Result<(), EngineError> {
        let Returned {
            mut leased,
            result,
            bytes_in,
            bytes_decoded,
            elapsed,
            snippet,
        } = outcome;
        self.stats.bytes_in += bytes_in;
        self.stats.bytes_decoded += bytes_decoded;
        self.note_reach(origin, &result);
        // A page of a given-up origin that would wait or retry is dead.
        if let FetchResult::RetryStatus { .. }
        | FetchResult::RetryTransport { .. }
        | FetchResult::Deferred { .. } = result
        {
            if let Some(detail) = self.given_up(origin) {
                self.dead(origin, leased, None, ORIGIN_UNREACHABLE, detail, None);
                return Ok(());
            }
        }
        match result {
            FetchResult::Page {
                status,
                lines,
                records,
                next,
                children,
                children_skipped,
                judged,
            } => {
                self.stats.count_status(status);
                if let Some(judged) = judged {
                    // A page whose cursors are of another kind than the
                    // pass's so far: dead, as a mix within one page is.
                    if let Err(why) = self.committer.pass_accepts(leased.resource, &judged) {
                        let path = self.config.resources[leased.resource]
                            .incremental
                            .as_ref()
                            .map(|inc| inc.cursor_path.to_string())
                            .unwrap_or_default();
                        let detail = format!("the cursor `{path}` of a record: {why} (on earlier pages of this pass)");
                        self.dead(origin, leased, Some(status), "bad_cursor", detail, None);
                        return Ok(());
                    }
                    self.stats.judged(&judged);
                    self.committer
                        .stage_judged(leased.resource, *judged, records);
                }
                tracing::trace!(url = %Redacted(&leased.url), records, ?elapsed, "Page fetched.");
                self.committer.stage_page(leased.resource, lines, records);
                if leased.job.attempt > 0 {
                    let now_ms = self.clock.now_ms();
                    let batch = self.committer.batch();
                    (self.first_failures).take(leased.seq, &leased.job, now_ms, &self.store, batch);
                }
                self.finish_job(origin, leased.seq);
                match next {
                    // The one next page was queued before: a loop (see `enqueue_next`).
                    Next::Page(req) => {
                        if let Some(seen) = self.enqueue_next(&leased, req)? {
                            let pos = crate::job::position(&seen);
                            let cut = Cut::new(CutReason::Loop, seen.url, pos);
                            self.cut_stream(&leased, cut);
                        }
                    }
                    // Fanned-out pages queued before are skipped, no cut.
                    Next::Pages(reqs) => {
                        for req in reqs {
                            self.enqueue_next(&leased, req)?;
                        }
                    }
                    Next::End => {}
                    Next::Refused(cut) => self.cut_stream(&leased, cut),
                }
                for child in children {
                    self.enqueue_child(child)?;
                }
                ChildPagesSkipped {
                    resource: &leased.job.resource,
                    url: &leased.url,
                    skipped: children_skipped,
                }
                .emit();
            }
            FetchResult::RetryStatus {
                status,
                retry_after,
                request_id,
                reason,
            } => {
                self.stats.count_status(status);
                let reason = reason.unwrap_or_else(|| crate::reasons::status_reason(status));
                self.retry(
                    origin,
                    leased,
                    Some(status),
                    reason,
                    format!("HTTP {status} (request id {request_id})"),
                    retry_after,
                    snippet,
                );
            }
            FetchResult::RetryTransport { reason, detail, .. } => {
                self.stats.transport_errors += 1;
                self.retry(origin, leased, None, reason, detail, None, snippet);
            }
            FetchResult::Dead {
                status,
                reason,
                detail,
            } => {
                match status {
                    Some(status) => self.stats.count_status(status),
                    None => self.stats.transport_errors += 1,
                }
                self.dead(origin, leased, status, reason, detail, snippet);
            }
            // The job stays pending in sled for the next run.
            FetchResult::Abandoned => self.frontier.finished(origin, leased.seq),
            // Back to the frontier until the origin's breaker half-opens
            // (in memory only: no attempt spent, nothing to persist).
            FetchResult::Deferred { until } => {
                let now_ms = self.clock.now_ms();
                let wait = until.saturating_duration_since(self.clock.now());
                leased.job.not_before_ms = now_ms + wait.as_millis() as u64 + 1;
                self.frontier.requeue(origin.to_string(), leased, now_ms);
            }
        }
        Ok(())
    }

    /// Queues a page after `parent` in the same stream, unless it was ever
    /// queued before: then its job comes back. A single next page
    /// (`Next::Page`) queued before cuts the stream (`loop`: a loop, or the
    /// stream running into another, which the seen set cannot tell apart);
    /// fanned-out pages (`Next::Pages`) queued before are no cut (a total
    /// that grew re-fans pages already queued), nor are child pages
    /// (`enqueue_child`).
    fn enqueue_next(
        &mut self,
        parent: &Leased,
        req: PageRequest,
    ) -> Result<Option<Job>, EngineError> {
        let PageRequest { url, pos } = req;
        let resource = parent.job.resource.clone();
        // The copied parent fields go with every page of a child stream.
        let job = new_job(resource, url.to_string(), pos, parent.job.parent.clone());
        self.enqueue(job, url, parent.resource)
    }

    /// Queues the first page of a child stream found in a parent record,
    /// unless that page was queued before (two parent records naming it).
    fn enqueue_child(&mut self, child: ChildJob) -> Result<(), EngineError> {
        let ChildJob {
            resource,
            url,
            parent,
        } = child;
        // Parameters sent on every request (a limit) go on, as for a seed.
        let PageRequest { url, pos } = self.seed(resource, url);
        let name = self.config.resources[resource].name.clone();
        let job = new_job(name, url.to_string(), pos, parent);
        if self.enqueue(job, url.clone(), resource)?.is_some() {
            tracing::debug!(resource = %self.config.resources[resource].name, url = %Redacted(&url), "Child page was already queued; not fetching it twice.");
        }
        Ok(())
    }

    /// Stages `job` into the commit batch and offers it to the frontier
    /// window; hands it back when its page was queued before (seen set).
    fn enqueue(
        &mut self,
        job: Job,
        url: url::Url,
        resource: usize,
    ) -> Result<Option<Job>, EngineError> {
        let key = self.passes.page_key(&job);
        if self.committer.is_seen(&self.store, &key)? {
            return Ok(Some(job));
        }
        let seq = self.frontier.allocate();
        self.pending += 1;
        self.committer.mark_seen(key);
        let batch = self.committer.batch();
        batch.put_job(seq, &job);
        batch.set_next_seq(self.frontier.next_seq());
        batch.set_pending_count(self.pending);
        let origin = origin_of(&url);
        self.frontier.offer_new(
            origin,
            Leased {
                seq,
                job,
                url,
                resource,
            },
            self.clock.now_ms(),
        );
        Ok(None)
    }

    /// Schedules another attempt with jittered backoff, or gives up.
    /// `snippet`: the start of the failed attempt's response body.
    #[allow(clippy::too_many_arguments)]
    fn retry(
        &mut self,
        origin: &str,
        mut leased: Leased,
        status: Option<u16>,
        reason: &'static str,
        detail: String,
        retry_after: Option<Duration>,
        snippet: Option<Vec<u8>>,
    ) {
        let attempt = leased.job.attempt + 1;
        // The server's Retry-After replaces the computed backoff.
        let backoff = self.backoff_delay(attempt);
        let Some(delay) = backoff.map(|computed| retry_after.unwrap_or(computed)) else {
            let detail = format!("gave up after {attempt} attempts; last: {detail}");
            return self.dead(origin, leased, status, reason, detail, snippet);
        };
        self.stats.retries += 1;
        PageRetried {
            url: &leased.url,
            attempt,
            delay,
            reason,
            detail: &detail,
        }
        .emit();
        let now_ms = self.clock.now_ms();
        let batch = self.committer.batch();
        self.first_failures
            .failed(leased.seq, &leased.job, now_ms, batch);
        leased.job.attempt = attempt;
        leased.job.not_before_ms = now_ms + delay.as_millis() as u64;
        self.committer.batch().put_job(leased.seq, &leased.job);
        self.frontier.requeue(origin.to_string(), leased, now_ms);
    }

    /// Moves the page to the dead letters; the crawl goes on. `snippet`:
    /// the start of the last attempt's response body, if a response came.
    pub(super) fn dead(
        &mut self,
        origin: &str,
        leased: Leased,
        status: Option<u16>,
        reason: &'static str,
        detail: String,
        snippet: Option<Vec<u8>>,
    ) {
        PageDeadLettered {
            resource: &leased.job.resource,
            url: &leased.url,
            reason,
            detail: &detail,
        }
        .emit();
        self.stats.dead_letters += 1;
        let now_ms = self.clock.now_ms();
        let batch = self.committer.batch();
        let first_ms =
            (self.first_failures).take(leased.seq, &leased.job, now_ms, &self.store, batch);
        let letter = DeadLetter {
            job: leased.job.clone(),
            status,
            reason: reason.to_string(),
            detail,
            first_ms,
            last_ms: Some(now_ms),
            snippet,
        };
        self.committer.count_dead(leased.resource);
        self.committer.batch().dead_letter(leased.seq, &letter);
        self.finish_job(origin, leased.seq);
    }

    /// Job `seq` of `origin` leaves the frontier for good (done or dead).
    fn finish_job(&mut self, origin: &str, seq: u64) {
        self.frontier.finished(origin, seq);
        self.pending -= 1;
        let batch = self.committer.batch();
        batch.remove_job(seq);
        batch.set_pending_count(self.pending);
    }
}
