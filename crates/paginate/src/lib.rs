//! Page parsing and next-page derivation.
//!
//! A page body goes in; out come its records, as JSON Lines holding the exact
//! bytes the API sent for each record (never parsed and re-serialised), and the
//! address of the next page, if any. One module per pagination style; the body
//! walk that finds records and pagination fields in one pass is in `scan`.
//! No I/O here: the fetcher hands over bytes, the engine decides what to do.

mod error;
mod json_link;
mod scan;

pub use error::PageError;
pub use scan::{scan_page, Scan, ScanSpec};

use harvest_config::{Paginator, Resource};
use url::Url;

/// What a parsed page yields besides its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Fetch this URL next, in the same stream.
    Page(Url),
    /// The stream is complete.
    End,
    /// The page pointed somewhere harvest will not go; the stream ends here
    /// and the reason is worth a warning.
    Refused(String),
}

/// A resource's page shape: where the records are, how to find the next page.
#[derive(Debug, Clone)]
pub struct PageRules {
    scan: ScanSpec,
    paginator: Paginator,
}

/// The outcome of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Records appended to the output buffer.
    pub records: u64,
    pub next: Next,
}

impl PageRules {
    pub fn new(resource: &Resource) -> Self {
        let next_path = match &resource.paginator {
            Paginator::JsonLink { next_url_path } => Some(next_url_path.clone()),
            Paginator::SinglePage => None,
        };
        Self {
            scan: ScanSpec::new(resource.data_selector.clone(), next_path),
            paginator: resource.paginator.clone(),
        }
    }

    /// Parses `body` (fetched from `url`), appending one line per record to
    /// `out`. On error `out` is left as it was.
    pub fn parse(&self, url: &Url, body: &[u8], out: &mut Vec<u8>) -> Result<Parsed, PageError> {
        let scan = scan_page(body, &self.scan, out)?;
        let next = match &self.paginator {
            Paginator::SinglePage => Next::End,
            Paginator::JsonLink { .. } => json_link::next(url, scan.next.as_deref()),
        };
        Ok(Parsed {
            records: scan.records,
            next,
        })
    }
}
