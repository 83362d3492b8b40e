//! Which paginator fits the page, in dlt's order: a `Link` header with
//! `rel="next"` (`header_link`); a body field holding a next URL
//! (`json_link`); a cursor-ish field, with a `has_more` flag when there is
//! one (`cursor`); offset/limit in the query or the body (`offset`); a page
//! number in the query, or page totals in the body (`page_number`). The
//! first that fits wins; the others that fit too are kept as alternatives.
//! Nothing fits: `single_page`, saying what was looked for. Pure: reads the
//! page, fetches nothing. The names it matches are lists below; matching is
//! on the key lower-cased without `_` and `-` (`nextCursor` = `next_cursor`).

use super::fields::{self, Field};
use super::records::RecordsGuess;
use super::Page;
use harvest_config::{PageStyle, PageTotal, Paginator, Selector};
use serde_json::Value;

/// The paginator guessed, what it rests on, and what else would fit.
#[derive(Debug, Clone, PartialEq)]
pub struct PaginatorGuess {
    pub paginator: Paginator,
    /// One comment line each.
    pub seen: Vec<String>,
    /// Paginators that fit too, each with why (in the order tried).
    pub alternatives: Vec<(Paginator, String)>,
}

/// A paginator that fits, with why.
struct Fit {
    paginator: Paginator,
    seen: Vec<String>,
}

/// Keys of a cursor (besides any key holding `cursor`).
const CURSOR_KEYS: &[&str] = &[
    "nextpagetoken",
    "pagetoken",
    "nexttoken",
    "continuationtoken",
    "continuation",
    "endcursor",
    "after",
    "nextkey",
    "scrollid",
    "nextpage",
    "next",
];
/// Query parameters that carry a cursor back.
const CURSOR_PARAMS: &[&str] = &[
    "cursor",
    "after",
    "pagetoken",
    "nexttoken",
    "continuation",
    "continuationtoken",
    "startingafter",
    "scrollid",
];
const HAS_MORE_KEYS: &[&str] = &[
    "hasmore",
    "hasnext",
    "hasnextpage",
    "hasmoreitems",
    "hasmoreresults",
    "moreresults",
    "more",
];
const OFFSET_KEYS: &[&str] = &["offset", "skip", "start"];
const LIMIT_KEYS: &[&str] = &[
    "limit",
    "take",
    "perpage",
    "pagesize",
    "size",
    "count",
    "maxresults",
    "rows",
];
const PAGE_KEYS: &[&str] = &[
    "page",
    "pagenumber",
    "pageno",
    "pagenum",
    "currentpage",
    "p",
];
/// Record totals, most specific first (`count` is last: some APIs mean the page's).
const TOTAL_KEYS: &[&str] = &[
    "total",
    "totalcount",
    "totalresults",
    "totalrecords",
    "totalitems",
    "totalsize",
    "count",
];
const TOTAL_PAGES_KEYS: &[&str] = &["totalpages", "pagecount", "numpages", "lastpage", "pages"];
/// Keys of a next URL that is null on the last page.
const NEXT_URL_KEYS: &[&str] = &["next", "nexturl", "nextlink", "nextpageurl", "nexthref"];

/// The paginator of `page`, whose records are `records`.
pub(super) fn guess(page: &Page, records: &RecordsGuess) -> PaginatorGuess {
    let fields = fields::scalars(&page.body);
    let query: Vec<(String, String)> = page
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let ctx = Ctx {
        page,
        fields: &fields,
        query: &query,
        records: records.count,
    };
    let tries: [fn(&Ctx) -> Option<Fit>; 9] = [
        header_link,
        json_link,
        |c| cursor(c, false),
        offset_in_query,
        offset_in_body,
        page_in_query,
        page_in_body,
        json_link_at_end,
        |c| cursor(c, true),
    ];
    let mut fits: Vec<Fit> = Vec::new();
    for fit in tries.iter().filter_map(|t| t(&ctx)) {
        // Two ways to the same paginator: the first says why.
        if !fits.iter().any(|f| f.paginator == fit.paginator) {
            fits.push(fit);
        }
    }
    let mut fits = fits.into_iter();
    match fits.next() {
        Some(first) => PaginatorGuess {
            paginator: first.paginator,
            seen: first.seen,
            alternatives: fits.map(|f| (f.paginator, f.seen.join("; "))).collect(),
        },
        None => PaginatorGuess {
            paginator: Paginator::new(PageStyle::SinglePage),
            seen: nothing_fits(&ctx),
            alternatives: Vec::new(),
        },
    }
}

/// What the tries read.
struct Ctx<'a> {
    page: &'a Page,
    fields: &'a [Field<'a>],
    query: &'a [(String, String)],
    records: usize,
}

impl Ctx<'_> {
    /// The first field whose key is one of `keys` (in the order of `keys`)
    /// and whose value `fits`.
    fn field(&self, keys: &[&str], fits: impl Fn(&Value) -> bool) -> Option<&Field<'_>> {
        keys.iter()
            .find_map(|k| self.fields.iter().find(|f| f.norm == *k && fits(f.value)))
    }

    /// The first query parameter named one of `keys` with a number value.
    fn number_param(&self, keys: &[&str]) -> Option<(&str, u64)> {
        keys.iter().find_map(|k| {
            self.query.iter().find_map(|(name, value)| {
                (fields::norm(name) == *k)
                    .then(|| value.parse().ok())
                    .flatten()
                    .map(|n| (name.as_str(), n))
            })
        })
    }

    fn total(&self) -> Option<&Field<'_>> {
        self.field(TOTAL_KEYS, |v| v.as_u64().is_some())
    }

    fn has_more(&self) -> Option<&Field<'_>> {
        self.field(HAS_MORE_KEYS, Value::is_boolean)
    }
}

fn fit(style: PageStyle, seen: Vec<String>) -> Option<Fit> {
    Some(Fit {
        paginator: Paginator::new(style),
        seen,
    })
}

fn selector(path: &str) -> Selector {
    Selector::parse(path).expect("field paths are dotted paths of plain keys")
}

fn header_link(c: &Ctx) -> Option<Fit> {
    let links = c.page.header_values("link");
    let next = harvest_paginate::find_rel(&links, "next")?;
    fit(
        PageStyle::HeaderLink,
        vec![format!(
            "the `Link` header's rel=\"next\" pointed to `{next}`"
        )],
    )
}

fn json_link(c: &Ctx) -> Option<Fit> {
    let f = c.fields.iter().find(|f| {
        f.value.as_str().is_some_and(fields::is_url_like)
            && (f.norm.contains("next")
                || (matches!(f.norm.as_str(), "href" | "url" | "link")
                    && fields::norm(f.parent).contains("next")))
    })?;
    fit(
        PageStyle::JsonLink {
            next_url_path: selector(&f.path),
        },
        vec![format!("the body's `{}` held the URL {}", f.path, f.value)],
    )
}

/// A cursor field; `at_end`: one that is null on this page (the last?).
fn cursor(c: &Ctx, at_end: bool) -> Option<Fit> {
    let is_cursor = |f: &&Field| {
        (f.norm.contains("cursor") || CURSOR_KEYS.contains(&f.norm.as_str()))
            && match f.value {
                Value::Null => at_end,
                Value::String(s) => !at_end && !s.is_empty() && !fields::is_url_like(s),
                Value::Number(n) => !at_end && n.is_u64(),
                _ => false,
            }
    };
    let f = c.fields.iter().find(is_cursor)?;
    let param = c
        .query
        .iter()
        .find(|(name, _)| CURSOR_PARAMS.contains(&fields::norm(name).as_str()))
        .map_or_else(|| cursor_param(&f.key), |(name, _)| name.clone());
    let mut seen = vec![if at_end {
        format!("the body's `{}` was null on this page (the last one?): check a page with more after it", f.path)
    } else {
        format!("the body's `{}` held {}", f.path, f.value)
    }];
    seen.push(format!(
        "it is sent back as the query parameter `{param}`: a guess from its name, check the API's docs"
    ));
    let has_more = c.has_more();
    if let Some(h) = has_more {
        seen.push(format!("the body's `{}` held {}", h.path, h.value));
    }
    fit(
        PageStyle::Cursor {
            cursor_path: selector(&f.path),
            cursor_param: param,
            has_more_path: has_more.map(|h| selector(&h.path)),
        },
        seen,
    )
}

/// The query parameter a cursor found at `key` is likely sent back as:
/// `next_cursor` → `cursor`, `nextPageToken` → `pageToken`, `endCursor` → `after`.
fn cursor_param(key: &str) -> String {
    if fields::norm(key) == "endcursor" {
        return "after".into();
    }
    let rest = key
        .strip_prefix("next_")
        .or_else(|| key.strip_prefix("next-"))
        .or_else(|| {
            key.strip_prefix("next")
                .filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))
        });
    match rest {
        Some(r) => {
            let mut chars = r.chars();
            let first = chars.next().map(|c| c.to_ascii_lowercase());
            first.into_iter().chain(chars).collect()
        }
        None if fields::norm(key) == "next" => "cursor".into(),
        None => key.to_owned(),
    }
}

fn offset_in_query(c: &Ctx) -> Option<Fit> {
    let (offset_param, at) = c.number_param(OFFSET_KEYS)?;
    let limit = c.number_param(LIMIT_KEYS).filter(|(_, n)| *n > 0);
    let mut seen = vec![format!("the URL's query has `{offset_param}={at}`")];
    let (limit_param, limit) = match limit {
        Some((name, n)) => {
            seen.push(format!("and `{name}={n}`: the page size asked for"));
            (name.to_owned(), n)
        }
        None => {
            seen.push(format!(
                "but no page size: sent as `limit` = {} (the records of this page); check the API's name for it",
                page_size_or_default(c.records)
            ));
            ("limit".to_owned(), page_size_or_default(c.records) as u64)
        }
    };
    Some(offset_fit(
        c,
        offset_param.to_owned(),
        limit_param,
        limit,
        seen,
    ))
}

fn offset_in_body(c: &Ctx) -> Option<Fit> {
    let offset = c.field(OFFSET_KEYS, |v| v.as_u64().is_some())?;
    let limit = c.field(LIMIT_KEYS, |v| v.as_u64().is_some_and(|n| n > 0));
    limit.or(c.total())?;
    let mut seen = vec![format!(
        "the body's `{}` held {} (the URL's query names no offset)",
        offset.path, offset.value
    )];
    /// The usual name of a page-size parameter, when the body names none.
    const DEFAULT_LIMIT_PARAM: &str = "limit";
    let (limit_param, n) = match limit {
        Some(l) => {
            seen.push(format!("and `{}` held {}", l.path, l.value));
            (l.key.clone(), l.value.as_u64().unwrap_or(1))
        }
        None => (
            String::from(DEFAULT_LIMIT_PARAM),
            page_size_or_default(c.records) as u64,
        ),
    };
    seen.push("the query parameter names are the body's: check the API's docs".to_owned());
    Some(offset_fit(c, offset.key.clone(), limit_param, n, seen))
}

fn offset_fit(
    c: &Ctx,
    offset_param: String,
    limit_param: String,
    limit: u64,
    mut seen: Vec<String>,
) -> Fit {
    let limit_param = if limit_param == offset_param {
        "limit".to_owned()
    } else {
        limit_param
    };
    let total = c.total();
    match total {
        Some(t) => seen.push(format!(
            "the body's `{}` held {}: the total, so the remaining pages are queued at once",
            t.path, t.value
        )),
        None => seen.push("no total in the body: the stream ends on an empty page".to_owned()),
    }
    Fit {
        paginator: Paginator::new(PageStyle::Offset {
            offset_param,
            limit_param,
            limit,
            total_path: total.map(|t| selector(&t.path)),
            total: None,
            end_on_short_page: false,
        }),
        seen,
    }
}

fn page_in_query(c: &Ctx) -> Option<Fit> {
    let (page_param, at) = c.number_param(PAGE_KEYS)?;
    let base = u64::from(at != 0);
    let seen = vec![format!(
        "the URL's query has `{page_param}={at}`: page numbers from {base}"
    )];
    Some(page_fit(c, page_param.to_owned(), base, seen))
}

fn page_in_body(c: &Ctx) -> Option<Fit> {
    let pages = c.field(TOTAL_PAGES_KEYS, |v| v.as_u64().is_some());
    let at = c.field(PAGE_KEYS, |v| v.as_u64().is_some());
    if pages.is_none() && !(at.is_some() && c.has_more().is_some()) {
        return None;
    }
    let mut seen = Vec::new();
    let base = match at {
        Some(f) => {
            seen.push(format!("the body's `{}` held {}", f.path, f.value));
            u64::from(f.value.as_u64() != Some(0))
        }
        None => 1,
    };
    seen.push(format!(
        "the URL's query names no page: sent as `page`, from {base}; check the API's docs"
    ));
    Some(page_fit(c, "page".to_owned(), base, seen))
}

fn page_fit(c: &Ctx, page_param: String, base: u64, mut seen: Vec<String>) -> Fit {
    let size = c
        .number_param(LIMIT_KEYS)
        .filter(|(name, n)| *n > 0 && *name != page_param);
    let (page_size, page_size_param) = match size {
        Some((name, n)) => {
            seen.push(format!(
                "the query's `{name}={n}`: the page size, sent on every request"
            ));
            (Some(n), Some(name.to_owned()))
        }
        None => (None, None),
    };
    let (mut total, mut has_more_path) = (None, None);
    let mut page_size = page_size;
    if let Some(p) = c.field(TOTAL_PAGES_KEYS, |v| v.as_u64().is_some()) {
        seen.push(format!(
            "the body's `{}` held {}: the number of pages",
            p.path, p.value
        ));
        total = Some(PageTotal::Pages(selector(&p.path)));
    } else if let (Some(t), Some(size)) = (
        c.total(),
        page_size.or((c.records > 0).then_some(c.records as u64)),
    ) {
        seen.push(format!(
            "the body's `{}` held {}: the number of records, {size} a page",
            t.path, t.value
        ));
        total = Some(PageTotal::Records(selector(&t.path)));
        page_size = Some(size);
    } else if let Some(h) = c.has_more() {
        seen.push(format!("the body's `{}` held {}", h.path, h.value));
        has_more_path = Some(selector(&h.path));
    } else {
        seen.push("no total in the body: the stream ends on an empty page".to_owned());
    }
    Fit {
        paginator: Paginator::new(PageStyle::PageNumber {
            page_param,
            base,
            total,
            total_pages: None,
            page_size,
            page_size_param,
            has_more_path,
            end_on_short_page: false,
        }),
        seen,
    }
}

fn json_link_at_end(c: &Ctx) -> Option<Fit> {
    let f = c.field(NEXT_URL_KEYS, Value::is_null)?;
    fit(
        PageStyle::JsonLink {
            next_url_path: selector(&f.path),
        },
        vec![format!(
            "the body's `{}` was null on this page (the last one?): check a page with more after it",
            f.path
        )],
    )
}

/// Why no paginator fits, and what would tell.
fn nothing_fits(c: &Ctx) -> Vec<String> {
    let mut seen = vec![
        "no Link rel=\"next\" header; no next URL, cursor, offset or page number in the body or the query"
            .to_owned(),
    ];
    if let Some(t) = c
        .total()
        .filter(|t| t.value.as_u64() > Some(c.records as u64))
    {
        seen.push(format!(
            "but the body's `{}` is {}, more than this page's {} records: the API pages somehow;",
            t.path, t.value, c.records
        ));
        seen.push(format!(
            "try the URL with `?offset=0&limit={n}` or `?page=1` and run init again, or see the API's docs",
            n = page_size_or_default(c.records)
        ));
    } else {
        seen.push(
            "one page per seed: list more seeds, or see the API's docs for how it pages".to_owned(),
        );
    }
    seen
}

/// The records of this page as a page size, or 100 when it has none.
fn page_size_or_default(records: usize) -> usize {
    if records > 0 {
        records
    } else {
        100
    }
}
