//! Validation of one resource's `paginator` table into a [`Paginator`].
//!
//! The raw paginator is an internally tagged enum, which cannot hold
//! `toml::Spanned` fields, so every problem points at the line of the whole
//! `paginator` value and names the key (`resources[0] (r).paginator.limit`).

use crate::checker::Checker;
use crate::model::{PageStyle, PageTotal, Paginator, Selector};
use crate::raw::RawPaginator;
use toml::Spanned;

/// Checks `spanned` (the resource's `paginator`); `key` is the resource's key.
/// Returns `None` after reporting at least one problem.
pub(crate) fn check(
    c: &mut Checker<'_>,
    key: &str,
    spanned: &Spanned<RawPaginator>,
) -> Option<Paginator> {
    let mut p = At {
        c,
        key: format!("{key}.paginator"),
        spanned,
        failed: false,
    };
    let (style, max_pages) = match spanned.get_ref() {
        RawPaginator::JsonLink {
            next_url_path,
            max_pages,
        } => (
            PageStyle::JsonLink {
                next_url_path: p.path("next_url_path", next_url_path),
            },
            *max_pages,
        ),
        RawPaginator::HeaderLink { max_pages } => (PageStyle::HeaderLink, *max_pages),
        RawPaginator::Cursor {
            cursor_path,
            cursor_param,
            has_more_path,
            max_pages,
        } => (
            PageStyle::Cursor {
                cursor_path: p.path("cursor_path", cursor_path),
                cursor_param: p.param("cursor_param", cursor_param),
                has_more_path: p.opt_path("has_more_path", has_more_path),
            },
            *max_pages,
        ),
        RawPaginator::Offset {
            limit,
            offset_param,
            limit_param,
            total_path,
            total,
            end_on_short_page,
            max_pages,
        } => {
            let offset_param = p.param("offset_param", offset_param);
            let limit_param = p.param("limit_param", limit_param);
            if offset_param == limit_param {
                p.problem("limit_param", "must differ from offset_param");
            }
            (
                PageStyle::Offset {
                    offset_param,
                    limit_param,
                    limit: p.positive("limit", *limit),
                    total_path: p.opt_path("total_path", total_path),
                    total: total.map(|n| p.positive("total", n)),
                    end_on_short_page: *end_on_short_page,
                },
                *max_pages,
            )
        }
        RawPaginator::PageNumber {
            page_param,
            base,
            total_pages_path,
            total_path,
            total_pages,
            page_size,
            page_size_param,
            has_more_path,
            end_on_short_page,
            max_pages,
        } => {
            let stated_pages = total_pages.map(|n| p.positive("total_pages", n));
            if !matches!(base, 0 | 1) {
                p.problem("base", format!("is {base}; page numbers start at 0 or 1"));
            }
            let page_size = page_size.map(|n| p.positive("page_size", n));
            let total = match (total_pages_path, total_path) {
                (Some(_), Some(_)) => {
                    p.problem(
                        "total_path",
                        "give total_pages_path or total_path, not both",
                    );
                    None
                }
                (Some(path), None) => Some(PageTotal::Pages(p.path("total_pages_path", path))),
                (None, Some(path)) => {
                    if page_size.is_none() {
                        p.problem(
                            "page_size",
                            "is needed with total_path (pages = total / page_size)",
                        );
                    }
                    Some(PageTotal::Records(p.path("total_path", path)))
                }
                (None, None) => None,
            };
            let page_param = p.param("page_param", page_param);
            let page_size_param = page_size_param
                .as_ref()
                .map(|n| p.param("page_size_param", n));
            if page_size_param.is_some() && page_size.is_none() {
                p.problem("page_size", "is needed with page_size_param");
            }
            if *end_on_short_page && page_size.is_none() {
                p.problem(
                    "page_size",
                    "is needed with end_on_short_page (a short page has fewer records)",
                );
            }
            if page_size_param.as_ref() == Some(&page_param) {
                p.problem("page_size_param", "must differ from page_param");
            }
            (
                PageStyle::PageNumber {
                    page_param,
                    base: (*base).clamp(0, 1) as u64,
                    total,
                    total_pages: stated_pages,
                    page_size,
                    page_size_param,
                    has_more_path: p.opt_path("has_more_path", has_more_path),
                    end_on_short_page: *end_on_short_page,
                },
                *max_pages,
            )
        }
        RawPaginator::SinglePage => (PageStyle::SinglePage, None),
    };
    let max_pages = max_pages.map(|n| {
        u32::try_from(p.positive("max_pages", n)).unwrap_or_else(|_| {
            p.problem("max_pages", "is too large (at most 4294967295)");
            1
        })
    });
    (!p.failed).then_some(Paginator { style, max_pages })
}

/// Reports problems at the paginator value, keyed by its sub-keys.
struct At<'c, 'a, 's> {
    c: &'c mut Checker<'a>,
    key: String,
    spanned: &'s Spanned<RawPaginator>,
    failed: bool,
}

impl At<'_, '_, '_> {
    fn problem(&mut self, name: &str, message: impl Into<String>) {
        self.failed = true;
        self.c
            .at(self.spanned, format!("{}.{name}", self.key), message);
    }

    /// A dotted path naming a field (not the whole body).
    fn path(&mut self, name: &str, path: &str) -> Selector {
        match Selector::parse(path) {
            Ok(s) if s.segments().is_empty() => {
                self.problem(name, "must name a field, not the whole body");
                s
            }
            Ok(s) => s,
            Err(e) => {
                self.problem(name, e);
                Selector::parse("").expect("the root parses")
            }
        }
    }

    fn opt_path(&mut self, name: &str, path: &Option<String>) -> Option<Selector> {
        path.as_ref().map(|p| self.path(name, p))
    }

    /// A query parameter name: not empty, no `&`, `=` or `#`.
    fn param(&mut self, name: &str, value: &str) -> String {
        if value.is_empty() {
            self.problem(name, "must not be empty");
        } else if value
            .chars()
            .any(|ch| matches!(ch, '&' | '=' | '#') || ch.is_control())
        {
            self.problem(
                name,
                format!("`{value}` is not a query parameter name (no `&`, `=`, `#`)"),
            );
        }
        value.to_string()
    }

    fn positive(&mut self, name: &str, n: i64) -> u64 {
        if n < 1 {
            self.problem(name, format!("is {n}; must be at least 1"));
            return 1;
        }
        n as u64
    }
}
