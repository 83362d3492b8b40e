//! Page parsing and next-page derivation.
//!
//! A page body goes in; out come its records, as JSON Lines holding the exact
//! bytes the API sent for each record (never parsed and re-serialised), and
//! what to fetch next. One module per pagination style (`json_link`,
//! `header_link`, `cursor`, `offset`, `page_number`; `single_page` needs
//! none): the two link styles follow links by the rules of `follow`, the two
//! computed ones fan out by `fan_out`, and `header_link` owns the RFC 8288
//! `Link` header parser. The body walk that finds records and pagination
//! fields in one pass is in `scan`. A body can be parsed whole
//! ([`PageRules::parse`]) or as it streams in ([`PageRules::page_parser`]),
//! by the same push splitter. No I/O here: the fetcher hands over bytes
//! and headers, the engine decides what to do.
//!
//! # The shape
//!
//! A page to fetch is a [`PageRequest`]: its URL plus a [`Position`], small
//! plain data the engine persists with the job (page index in the stream,
//! offset, whether the stream has fanned out). [`PageRules::parse`] turns a
//! fetched page into [`Parsed`]: the record count and a [`Next`]:
//!
//! - `Page(req)`: one more page in the same stream;
//! - `Pages(reqs)`: fan-out. For `offset` and `page_number`, the first page
//!   that reveals the total returns *every* remaining page at once (marked
//!   `fanned_out`, so they end their stream instead of fanning out again);
//!   more than [`MAX_FAN_OUT`] remaining pages are walked one by one until the
//!   rest fits;
//! - `End`: the stream is complete;
//! - `Refused(cut)`: the page points somewhere harvest will not go (another
//!   origin, a non-http(s) scheme, itself, a repeated cursor, past
//!   `max_pages`): the stream is cut there. A [`Cut`] carries a fixed
//!   [`CutReason`] and the page not followed; the engine records it.
//!
//! Parent → child: [`PageRules::for_config`] gives each resource the child
//! resources whose `parent` it is; parsing a parent page then also returns
//! [`Parsed::children`], one first page per (record, child resource), found
//! in the record lines just written (`children`). A child stream's pages are
//! parsed with [`PageRules::parse_child`], which splices the copied parent
//! fields into each object record (`splice`), never re-serialising it.
//!
//! The position in the URL wins over the persisted one: the current offset,
//! page number and cursor are read from the page URL's query when present, so
//! a seed may start mid-way (`?page=3`). `max_pages` caps each stream: the
//! seed is page 0, so no request gets a page index of `max_pages` or more; a
//! page whose next page would pass the cap cuts the stream (`max_pages`). A
//! fan-out trimmed by the cap lets its last kept page walk on, so that page
//! (not the fan-out) finds whether the stream goes further and cuts it.

mod arrays;
mod children;
mod cursor;
mod cut;
mod error;
mod fan_out;
mod follow;
mod header_link;
mod json_link;
mod object_key;
mod offset;
mod page_number;
mod parser;
mod pass;
mod query;
mod scan;
mod splice;

pub use arrays::{likely_records, list_arrays, JsonArray};
pub use children::{pick, ChildJob};
pub use cut::{Cut, CutReason};
pub use error::{PageError, TopKeys};
pub use header_link::{find_rel, parse_links, Link};
pub use parser::PageParser;
pub use pass::{Judged, PassRules};
pub use scan::{scan_page, scan_page_with, PageSplitter, Scalar, Scan, ScanSpec, Want, MAX_DEPTH};
pub use splice::{members, push_record};

use harvest_config::{Config, PageStyle, PageTotal, Resource};
use serde::{Deserialize, Serialize};
use url::Url;

/// The most pages one fan-out returns; a longer remainder is walked page by
/// page until it fits (bounds the memory and the commit batch of one page).
pub const MAX_FAN_OUT: u64 = 10_000;

/// Where a page sits in its stream. Persisted with the job (postcard).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Index of the page in its stream, the seed being 0 (for `max_pages`).
    pub page: u32,
    /// `offset`: the offset this page was requested at. `page_number`: the
    /// records before this page, when a fan-out or walk knows them (else 0).
    pub offset: u64,
    /// The stream has fanned out: this page was queued with all the others,
    /// so it derives no further page.
    pub fanned_out: bool,
}

/// A page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub url: Url,
    pub pos: Position,
}

impl PageRequest {
    /// The first page of a stream.
    pub fn seed(url: Url) -> Self {
        Self {
            url,
            pos: Position::default(),
        }
    }

    /// The page after this one in the stream, at `url`.
    fn then(&self, url: Url) -> Self {
        Self {
            url,
            pos: Position {
                page: self.pos.page.saturating_add(1),
                offset: self.pos.offset,
                fanned_out: false,
            },
        }
    }

    /// Page `k` after this one, queued by a fan-out.
    fn fanned(&self, k: u64, url: Url, offset: u64) -> Self {
        Self {
            url,
            pos: Position {
                page: u32::try_from(u64::from(self.pos.page) + k).unwrap_or(u32::MAX),
                offset,
                fanned_out: true,
            },
        }
    }
}

/// What a parsed page yields besides its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Fetch this page next, in the same stream.
    Page(PageRequest),
    /// Fetch all of these: the rest of the stream, found at once.
    Pages(Vec<PageRequest>),
    /// The stream is complete.
    End,
    /// The page pointed somewhere harvest will not go: the stream is cut
    /// here (recorded and counted by the engine).
    Refused(Cut),
}

/// The outcome of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// Records appended to the output buffer.
    pub records: u64,
    pub next: Next,
    /// First pages of child resources, one per (record, child resource).
    pub children: Vec<ChildJob>,
    /// (record, child resource) pairs without a usable URL placeholder value.
    pub children_skipped: u64,
    /// An incremental resource's page: what judging its records found.
    pub judged: Option<Judged>,
}

/// A resource's page shape: where the records are, how to find the next page.
#[derive(Debug, Clone)]
pub struct PageRules {
    scan: ScanSpec,
    style: PageStyle,
    max_pages: Option<u32>,
    /// Index of each pagination field in the scan, when the style has it.
    slots: Slots,
    /// Resources whose `parent` is this one.
    children: Vec<children::ChildLink>,
    /// Origins next links may lead to besides the page's own.
    allowed_origins: Vec<String>,
    /// An incremental resource's current pass.
    pass: Option<PassRules>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slots {
    link: Option<usize>,
    cursor: Option<usize>,
    total: Option<usize>,
    has_more: Option<usize>,
}

/// The pagination facts of one page, whatever the style.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub records: u64,
    pub cursor: Option<String>,
    pub total: Option<u64>,
    pub has_more: Option<bool>,
}

impl PageRules {
    pub fn new(resource: &Resource) -> Self {
        let mut fields = Vec::new();
        let mut slot = |path: &harvest_config::Selector, want| {
            fields.push((path.clone(), want));
            Some(fields.len() - 1)
        };
        let mut slots = Slots::default();
        match &resource.paginator.style {
            PageStyle::JsonLink { next_url_path } => slots.link = slot(next_url_path, Want::Link),
            PageStyle::Cursor {
                cursor_path,
                has_more_path,
                ..
            } => {
                slots.cursor = slot(cursor_path, Want::Token);
                slots.has_more = has_more_path.as_ref().and_then(|p| slot(p, Want::Flag));
            }
            PageStyle::Offset { total_path, .. } => {
                slots.total = total_path.as_ref().and_then(|p| slot(p, Want::Count));
            }
            PageStyle::PageNumber {
                total,
                has_more_path,
                ..
            } => {
                slots.total = match total {
                    Some(PageTotal::Pages(p) | PageTotal::Records(p)) => slot(p, Want::Count),
                    None => None,
                };
                slots.has_more = has_more_path.as_ref().and_then(|p| slot(p, Want::Flag));
            }
            PageStyle::HeaderLink | PageStyle::SinglePage => {}
        }
        Self {
            scan: ScanSpec::with_fields(resource.data_selector.clone(), fields)
                .with_max_depth(resource.max_depth),
            style: resource.paginator.style.clone(),
            max_pages: resource.paginator.max_pages,
            slots,
            children: Vec::new(),
            allowed_origins: resource.allowed_origins.clone(),
            pass: None,
        }
    }

    /// These rules for the pages of `pass` (an incremental resource's).
    pub fn with_pass(self, pass: PassRules) -> Self {
        Self {
            pass: Some(pass),
            ..self
        }
    }

    /// The pass these rules judge records by, if any.
    pub fn pass(&self) -> Option<&PassRules> {
        self.pass.as_ref()
    }

    /// The rules of every resource of `config`, by index, each knowing its
    /// child resources.
    pub fn for_config(config: &Config) -> Vec<Self> {
        config
            .resources
            .iter()
            .map(|r| Self {
                children: children::links_of(config, &r.name),
                ..Self::new(r)
            })
            .collect()
    }

    /// The first request of a stream seeded at `url`: parameters sent on
    /// every request (`limit`, a page size) are added to it.
    pub fn seed(&self, url: Url) -> PageRequest {
        let url = match &self.style {
            PageStyle::Offset {
                limit_param, limit, ..
            } => query::with_param(&url, limit_param, &limit.to_string()),
            PageStyle::PageNumber {
                page_size_param: Some(param),
                page_size: Some(size),
                ..
            } => query::with_param(&url, param, &size.to_string()),
            _ => url,
        };
        let url = match &self.pass {
            Some(pass) => pass.on_seed(url),
            None => url,
        };
        PageRequest::seed(url)
    }

    /// Parses `body` of `page`, appending one line per record to `out`;
    /// `headers(name)` gives every value of a response header (only
    /// `header_link` asks, for `link`). On error `out` is left as it was.
    pub fn parse(
        &self,
        page: &PageRequest,
        headers: &dyn Fn(&str) -> Vec<String>,
        body: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Parsed, PageError> {
        self.parse_child(page, headers, body, &[], out)
    }

    /// [`Self::parse`] for a page of a child stream: the `parent` fields
    /// (`(output key, raw JSON)`) are spliced into each object record.
    pub fn parse_child(
        &self,
        page: &PageRequest,
        headers: &dyn Fn(&str) -> Vec<String>,
        body: &[u8],
        parent: &[(String, String)],
        out: &mut Vec<u8>,
    ) -> Result<Parsed, PageError> {
        let mark = out.len();
        let mut parser = self.page_parser(page, parent);
        parser
            .feed(body, out)
            .and_then(|()| parser.finish(headers, out))
            .inspect_err(|_| out.truncate(mark))
    }

    /// A streaming parser of one page of this resource: fed the body chunk
    /// by chunk, it writes record lines as they complete (see
    /// [`PageParser`]). `parent` as in [`Self::parse_child`] (empty for a
    /// page that is not a child's).
    pub fn page_parser(&self, page: &PageRequest, parent: &[(String, String)]) -> PageParser<'_> {
        PageParser::new(self, page, &members(parent))
    }

    /// Whether records of this resource name child pages.
    fn has_children(&self) -> bool {
        !self.children.is_empty()
    }

    /// The next page(s) after `page`, from its `scan` and headers.
    fn next_of(
        &self,
        page: &PageRequest,
        headers: &dyn Fn(&str) -> Vec<String>,
        scan: &Scan,
    ) -> Next {
        let field = |slot: Option<usize>| slot.and_then(|i| scan.field(i));
        let found = Found {
            records: scan.records,
            cursor: field(self.slots.cursor).and_then(Scalar::as_token),
            total: field(self.slots.total).and_then(Scalar::as_count),
            has_more: match field(self.slots.has_more) {
                Some(Scalar::Bool(b)) => Some(*b),
                _ => None,
            },
        };
        let next = match &self.style {
            PageStyle::SinglePage => Next::End,
            PageStyle::JsonLink { .. } => json_link::next(
                page,
                self.slots.link.and_then(|i| scan.string(i)),
                &self.allowed_origins,
            ),
            PageStyle::HeaderLink => {
                header_link::next(page, &headers("link"), &self.allowed_origins)
            }
            PageStyle::Cursor {
                cursor_param,
                has_more_path: _,
                ..
            } => cursor::next(page, cursor_param, &found),
            PageStyle::Offset {
                offset_param,
                limit_param,
                limit,
                total,
                end_on_short_page,
                ..
            } => {
                let o = offset::Offset {
                    offset_param,
                    limit_param,
                    limit: *limit,
                    end_on_short_page: *end_on_short_page,
                };
                offset::next(page, o, found.total.or(*total), &found)
            }
            PageStyle::PageNumber {
                page_param,
                base,
                total,
                total_pages: stated,
                page_size,
                end_on_short_page,
                ..
            } => {
                let total = match (total, found.total) {
                    (Some(PageTotal::Pages(_)), Some(n)) => Some(page_number::Total::Pages(n)),
                    (Some(PageTotal::Records(_)), Some(n)) => Some(page_number::Total::Records(n)),
                    _ => stated.map(page_number::Total::Pages),
                };
                let p = page_number::Numbered {
                    page_param,
                    base: *base,
                    page_size: *page_size,
                    end_on_short_page: *end_on_short_page,
                };
                page_number::next(page, p, total, &found)
            }
        };
        self.cap(self.carry(next))
    }

    /// The pass's parameters on every next page that lacks them.
    fn carry(&self, next: Next) -> Next {
        let Some(pass) = &self.pass else {
            return next;
        };
        let on = |mut req: PageRequest| {
            req.url = pass.on_next(req.url);
            req
        };
        match next {
            Next::Page(req) => Next::Page(on(req)),
            Next::Pages(reqs) => Next::Pages(reqs.into_iter().map(on).collect()),
            next => next,
        }
    }

    /// Applies `max_pages`: a next page past it cuts the stream; a fan-out
    /// past it keeps the pages within, the last of which walks on (and cuts
    /// the stream there if it goes further).
    fn cap(&self, next: Next) -> Next {
        let Some(max) = self.max_pages else {
            return next;
        };
        let cut = |req: PageRequest| {
            Next::Refused(Cut::new(CutReason::MaxPages, req.url.as_str(), req.pos))
        };
        match next {
            Next::Page(req) if req.pos.page >= max => cut(req),
            Next::Pages(mut reqs) => {
                let Some(past) = reqs.iter().find(|r| r.pos.page >= max).cloned() else {
                    return Next::Pages(reqs);
                };
                reqs.retain(|r| r.pos.page < max);
                match reqs.iter_mut().max_by_key(|r| r.pos.page) {
                    Some(last) => {
                        last.pos.fanned_out = false;
                        Next::Pages(reqs)
                    }
                    None => cut(past),
                }
            }
            next => next,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod pass_tests;
