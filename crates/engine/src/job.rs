//! A job's identity, made in one place: the persisted [`Job`]
//! (`harvest_store`, plain data) of a page request (`harvest_paginate`'s
//! URL and [`Position`]), and the position back from a job. The store knows
//! nothing of pagination, so the bridge lives here, in the engine that uses
//! both.

use harvest_paginate::Position;
use harvest_store::Job;

/// A fresh job (no attempt made, due now) for the page at `url` of
/// `resource`, at `pos` in its stream, carrying the `parent` fields copied
/// from a parent record (empty for a stream that is no child).
pub(crate) fn new_job(
    resource: String,
    url: String,
    pos: Position,
    parent: Vec<(String, String)>,
) -> Job {
    Job {
        page: pos.page,
        offset: pos.offset,
        fanned_out: pos.fanned_out,
        parent,
        ..Job::new(resource, url)
    }
}

/// Where `job`'s page sits in its stream.
pub(crate) fn position(job: &Job) -> Position {
    Position {
        page: job.page,
        offset: job.offset,
        fanned_out: job.fanned_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_goes_into_a_job_and_comes_back_whole() {
        let pos = Position {
            page: 3,
            offset: 200,
            fanned_out: true,
        };
        let parent = vec![("id".to_string(), "7".to_string())];
        let job = new_job("r".into(), "http://h/p/3".into(), pos, parent.clone());
        assert_eq!(position(&job), pos);
        assert_eq!((job.attempt, job.not_before_ms), (0, 0));
        assert_eq!(
            (job.resource.as_str(), job.url.as_str()),
            ("r", "http://h/p/3")
        );
        assert_eq!(job.parent, parent);
    }
}
