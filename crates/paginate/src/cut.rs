//! Why a stream ends before its server said so: a [`Cut`], returned as
//! [`Next::Refused`](crate::Next::Refused) by the page that cut it, with a
//! fixed reason label (metrics, the state) and the page not followed. The
//! engine records it; this module only names it.

use crate::Position;

/// Why a stream was cut short. Labels are fixed (`as_str`): they go into
/// metrics and the state, never an error's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CutReason {
    /// The next link leads to an origin the resource does not allow.
    ForeignOrigin,
    /// The next link's scheme is not http or https.
    BadScheme,
    /// The next link is not a URL.
    BadLink,
    /// The next link points to the page itself.
    SelfLink,
    /// The next cursor is the page's own.
    RepeatedCursor,
    /// The next page would pass the paginator's `max_pages`.
    MaxPages,
    /// The single next page was queued before (the engine's loop guard; the
    /// parser never returns it).
    Loop,
}

impl CutReason {
    /// Every reason, for metrics registered before their first event.
    pub const ALL: [Self; 7] = [
        Self::ForeignOrigin,
        Self::BadScheme,
        Self::BadLink,
        Self::SelfLink,
        Self::RepeatedCursor,
        Self::MaxPages,
        Self::Loop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ForeignOrigin => "foreign_origin",
            Self::BadScheme => "bad_scheme",
            Self::BadLink => "bad_link",
            Self::SelfLink => "self_link",
            Self::RepeatedCursor => "repeated_cursor",
            Self::MaxPages => "max_pages",
            Self::Loop => "loop",
        }
    }

    /// The reason labelled `label`, if it is one.
    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == label)
    }
}

impl std::fmt::Display for CutReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stream cut short at the page that returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub reason: CutReason,
    /// The page not fetched: its resolved URL, or the link's text when it is
    /// not a URL (`BadLink`).
    pub target: String,
    /// Where that page would have sat in the stream (to resume the stream
    /// there once the config allows it).
    pub pos: Position,
}

impl Cut {
    pub fn new(reason: CutReason, target: impl Into<String>, pos: Position) -> Self {
        Self {
            reason,
            target: target.into(),
            pos,
        }
    }

    /// The origin of the target (`scheme://host[:port]`), when it is a URL.
    pub fn target_origin(&self) -> Option<String> {
        url::Url::parse(&self.target)
            .ok()
            .map(|u| harvest_config::origin_of(&u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_distinct_and_read_back() {
        for r in CutReason::ALL {
            assert_eq!(CutReason::parse(r.as_str()), Some(r));
        }
        let mut labels: Vec<_> = CutReason::ALL.iter().map(|r| r.as_str()).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), CutReason::ALL.len());
        assert_eq!(CutReason::parse("nope"), None);
    }

    #[test]
    fn the_target_origin_keeps_the_port() {
        let cut = Cut::new(
            CutReason::ForeignOrigin,
            "http://127.0.0.1:1234/s/0/p/2?x=1",
            Position::default(),
        );
        assert_eq!(
            cut.target_origin().as_deref(),
            Some("http://127.0.0.1:1234")
        );
        let bad = Cut::new(CutReason::BadLink, "http://[::1", Position::default());
        assert_eq!(bad.target_origin(), None);
    }
}
