//! Streams cut short: the warning that names where the stream would have
//! gone and what would allow it, the counts (run stats,
//! `harvest_streams_cut_total`), and the record in the state, staged in the
//! commit batch of the page that cut the stream (that page is done in the
//! same batch, so the record and the page are durable together).

use super::actor::Supervisor;
use crate::job::new_job;
use crate::messages::Leased;
use crate::redact::Redacted;
use crate::telemetry;
use harvest_paginate::{Cut, CutReason};
use harvest_store::CutStream;
use metrics::counter;
use std::collections::HashMap;

impl Supervisor {
    /// The page `leased`, staged as done, cut its stream: `cut` says why
    /// and which page was not followed.
    pub(super) fn cut_stream(&mut self, leased: &Leased, cut: Cut) {
        let resource = leased.job.resource.clone();
        let reason = cut.reason.as_str();
        let next = match url::Url::parse(&cut.target) {
            Ok(url) => Redacted(&url).to_string(),
            Err(_) => cut.target.clone(),
        };
        let page = Redacted(&leased.url);
        match cut.reason {
            CutReason::ForeignOrigin => {
                let target = cut.target_origin().unwrap_or_default();
                tracing::warn!(%resource, url = %page, %target, %next, reason, "Next link leads to another origin; the stream is cut here. Add it to allowed_origins to follow it.");
            }
            _ => {
                tracing::warn!(%resource, url = %page, %next, reason, "{}", message(cut.reason));
            }
        }
        self.stats.streams_cut += 1;
        counter!(telemetry::STREAMS_CUT, "resource" => resource.clone(), "reason" => reason)
            .increment(1);
        let record = CutStream {
            next: new_job(resource, cut.target, cut.pos, leased.job.parent.clone()),
            reason: reason.to_string(),
            page_url: leased.job.url.clone(),
        };
        self.committer.batch().cut_stream(leased.seq, &record);
    }

    /// Exports `harvest_streams_cut_total` for every configured resource ×
    /// reason before the first cut (at the state's count, 0 for most), so
    /// the series exist from the start and continue across resumes.
    pub(super) fn observe_cuts_start(&self) {
        let mut counts: HashMap<(String, String), u64> = HashMap::new();
        for r in &self.config.resources {
            for reason in CutReason::ALL {
                counts.insert((r.name.clone(), reason.as_str().to_string()), 0);
            }
        }
        for (_, cut) in self.store.cut_streams().unwrap_or_default() {
            *counts.entry((cut.next.resource, cut.reason)).or_default() += 1;
        }
        for ((resource, reason), n) in counts {
            counter!(telemetry::STREAMS_CUT, "resource" => resource, "reason" => reason)
                .absolute(n);
        }
    }
}

/// The warning for a cut of `reason` (foreign origins name their target
/// apart).
fn message(reason: CutReason) -> &'static str {
    match reason {
        CutReason::ForeignOrigin => "Next link leads to another origin; the stream is cut here.",
        CutReason::BadScheme => "Next link is not http(s); the stream is cut here.",
        CutReason::BadLink => "Next link is not a URL; the stream is cut here.",
        CutReason::SelfLink => "Next link points to the page itself; the stream is cut here.",
        CutReason::RepeatedCursor => "Next cursor is the page's own; the stream is cut here.",
        CutReason::MaxPages => {
            "The stream goes on past max_pages; it is cut here. Raise max_pages to follow it."
        }
        CutReason::Loop => {
            "Next page was already queued (a loop, or a stream running into another); the stream is cut here."
        }
    }
}
