//! Streams cut short: the warning that names where the stream would have
//! gone and what would allow it, the counts (run stats,
//! `harvest_streams_cut_total`), and the record in the state, staged in the
//! commit batch of the page that cut the stream (that page is done in the
//! same batch, so the record and the page are durable together).

use super::actor::Supervisor;
use crate::job::new_job;
use crate::messages::Leased;
use crate::telemetry::{InternalEvent, StreamCut};
use harvest_paginate::{Cut, CutReason};
use harvest_store::CutStream;
use std::collections::HashMap;

impl Supervisor {
    /// The page `leased`, staged as done, cut its stream: `cut` says why
    /// and which page was not followed.
    pub(super) fn cut_stream(&mut self, leased: &Leased, cut: Cut) {
        let resource = leased.job.resource.clone();
        let reason = cut.reason.as_str();
        StreamCut {
            resource: &resource,
            page: &leased.url,
            cut: &cut,
        }
        .emit();
        self.stats.streams_cut += 1;
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
            StreamCut::restore(&resource, &reason, n);
        }
    }
}
