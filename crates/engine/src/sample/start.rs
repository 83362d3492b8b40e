//! Where a sampled resource's first page comes from: its first seed, or,
//! for a child resource without seeds, the first child page its parent's
//! first page names (the parent sampled first, recursively, when it was
//! not sampled already). Reasons a resource cannot be sampled are worded
//! for the user; only a bad seed source is an error.

use super::{Fetched, PageOutcome, Sampler};
use crate::EngineError;
use harvest_config::Resource;
use harvest_paginate::PageRequest;

/// The first request of a sampled stream.
pub(super) struct Start {
    pub(super) req: PageRequest,
    /// The parent fields spliced into every record of a child stream.
    pub(super) parent: Vec<(String, String)>,
    /// Where a child stream's first page came from, in words.
    pub(super) via: Option<String>,
}

/// The child pages a resource's first page names, or why there are none.
pub(super) type FirstChildren = Result<Vec<harvest_paginate::ChildJob>, String>;

impl Sampler<'_> {
    /// Where resource `i`'s stream starts, or (inner `Err`) why it cannot
    /// be sampled.
    pub(super) fn start_of(&mut self, i: usize) -> Result<Result<Start, String>, EngineError> {
        let resource = &self.config.resources[i];
        if let Some(seed) = first_seed(resource)? {
            return Ok(Ok(Start {
                req: self.rules[i].seed(seed),
                parent: Vec::new(),
                via: None,
            }));
        }
        let Some(link) = &resource.parent else {
            return Ok(Err("no seeds".into()));
        };
        let name = resource.name.clone();
        let parent_name = link.resource.clone();
        let template = link.url.to_string();
        let Some(p) = self
            .config
            .resources
            .iter()
            .position(|r| r.name == parent_name)
        else {
            return Ok(Err(format!("no parent resource `{parent_name}`")));
        };
        let children = match self.first_children_of(p)? {
            Ok(children) => children,
            Err(why) => return Ok(Err(format!("its parent `{parent_name}` {why}"))),
        };
        let Some(job) = children.into_iter().find(|c| c.resource == i) else {
            return Ok(Err(format!(
                "the first page of `{parent_name}` names no `{name}` page \
                 (no record there has the fields of `{template}`)"
            )));
        };
        Ok(Ok(Start {
            req: self.rules[i].seed(job.url),
            parent: job.parent,
            via: Some(format!(
                "the first `{parent_name}` record of its first page, through `{template}`"
            )),
        }))
    }

    /// The child pages resource `p`'s first page names, fetching that page
    /// when it was not sampled yet.
    fn first_children_of(&mut self, p: usize) -> Result<FirstChildren, EngineError> {
        if let Some(found) = &self.first_children[p] {
            return Ok(found.clone());
        }
        let found = match self.start_of(p)? {
            Err(why) => Err(format!("could not be sampled: {why}")),
            Ok(start) => children_named(self.fetch(p, &start.req, &start.parent)),
        };
        self.first_children[p] = Some(found.clone());
        Ok(found)
    }
}

/// The child pages a stream's first page names, or why it names none.
pub(super) fn children_named(page: Fetched) -> FirstChildren {
    match &page.sampled.outcome {
        PageOutcome::Parsed { .. } => Ok(page.children),
        PageOutcome::Retry { reason, .. } | PageOutcome::Dead { reason, .. } => {
            Err(format!("first page was not parsed ({reason})"))
        }
        PageOutcome::NotSampled { why } => Err(format!("could not be sampled: {why}")),
    }
}

/// A resource's first seed, if it has one.
fn first_seed(resource: &Resource) -> Result<Option<url::Url>, EngineError> {
    let mut first = None;
    resource
        .seeds
        .for_each(|url| {
            first.get_or_insert(url);
        })
        .map_err(|reason| EngineError::Seeds {
            resource: resource.name.clone(),
            reason,
        })?;
    Ok(first)
}
