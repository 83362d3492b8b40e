//! [`PageParser`]: one page of a resource parsed as its body streams in.
//!
//! Each chunk goes through the page's [`PageSplitter`]; the record lines it
//! completes are appended to the caller's buffer and, when the resource has
//! child resources, searched for child pages right away, so the caller may
//! move the lines elsewhere (a spill file) between chunks. At the end of the
//! body the pagination fields and headers give the next page(s). No I/O.

use crate::{children, ChildJob, Judged, PageError, PageRequest, PageRules, PageSplitter, Parsed};

/// A page being parsed; see [`PageRules::page_parser`].
#[derive(Debug)]
pub struct PageParser<'r> {
    rules: &'r PageRules,
    page: PageRequest,
    splitter: PageSplitter<'r>,
    /// Child pages found in the lines written so far.
    children: Children,
    /// An incremental resource's page: the records judged so far, and how
    /// many of them are kept.
    judged: Option<(Judged, u64)>,
}

/// Child pages found so far, and (record, child) pairs skipped.
#[derive(Debug, Default)]
struct Children {
    jobs: Vec<ChildJob>,
    skipped: u64,
}

impl Children {
    /// Searches new record `lines` of a page of `rules`.
    fn search(&mut self, rules: &PageRules, lines: &[u8]) {
        if rules.has_children() && !lines.is_empty() {
            let (jobs, skipped) = children::extract(&rules.children, lines);
            self.jobs.extend(jobs);
            self.skipped += skipped;
        }
    }
}

impl<'r> PageParser<'r> {
    pub(crate) fn new(rules: &'r PageRules, page: &PageRequest, members: &[u8]) -> Self {
        Self {
            rules,
            page: page.clone(),
            splitter: PageSplitter::new(&rules.scan, members),
            children: Children::default(),
            judged: rules.pass.as_ref().map(|_| (Judged::default(), 0)),
        }
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        match &self.judged {
            Some((_, kept)) => *kept,
            None => self.splitter.records(),
        }
    }

    /// Feeds the next chunk of the body (split anywhere), appending each
    /// record it completes to `out` as one line. On error the page is dead:
    /// `out` may hold some of its lines, which the caller discards.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<(), PageError> {
        let mark = out.len();
        self.splitter.feed(chunk, out)?;
        wrote(self.rules, &mut self.judged, &mut self.children, out, mark)
    }

    /// The end of the body: checks it was a complete page and derives what
    /// to fetch next; `headers(name)` gives every value of a response header.
    pub fn finish(
        self,
        headers: &dyn Fn(&str) -> Vec<String>,
        out: &mut Vec<u8>,
    ) -> Result<Parsed, PageError> {
        let Self {
            rules,
            page,
            splitter,
            mut children,
            mut judged,
        } = self;
        let mark = out.len();
        let scan = splitter.finish(out)?;
        wrote(rules, &mut judged, &mut children, out, mark)?;
        // The stream goes on by every record the page held (an offset
        // advances past the ones left out), the page counts those written.
        let (records, judged) = match judged {
            Some((judged, kept)) => (kept, Some(judged)),
            None => (scan.records, None),
        };
        Ok(Parsed {
            records,
            next: rules.next_of(&page, headers, &scan),
            children: children.jobs,
            children_skipped: children.skipped,
            judged,
        })
    }
}

/// The lines in `out[mark..]` the splitter just wrote: judged (an
/// incremental resource's, leaving only those to write), then searched for
/// child pages.
fn wrote(
    rules: &PageRules,
    judged: &mut Option<(Judged, u64)>,
    children: &mut Children,
    out: &mut Vec<u8>,
    mark: usize,
) -> Result<(), PageError> {
    if let (Some(pass), Some((judged, kept))) = (&rules.pass, judged) {
        *kept += pass.judge(out, mark, judged)?;
    }
    children.search(rules, &out[mark..]);
    Ok(())
}
