//! The same records as `/s/{s}/p/{p}`, served through every pagination style
//! (the stream `s` holds `pages × records` records either way):
//!
//! - `/link/s/{s}?page=N` (0-based): `{"data":[...]}` and two `Link` headers,
//!   `<...?page=0>; rel="first", <...?page=N+1>; rel="next"` and
//!   `<...?page=LAST>; rel="last"` (no `next` on the last page);
//! - `/cursor/s/{s}[?cursor=C]`: `{"data":[...],"meta":{"next_cursor":C'}}`
//!   with integer cursors (`1000 + page`), `null` on the last page;
//! - `/offset/s/{s}?offset=N&limit=M`: records `N..N+M`, `"total"`;
//! - `/pages/s/{s}?page=N[&per_page=M]` (1-based, M records a page, default
//!   `records`): `{"data":[...],"total_pages":P,"total":R}`.
//!
//! With `max_page_size`, `/offset` and `/pages` serve at most that many
//! records a page, whatever `limit` or `per_page` asked for; with
//! `not_found_past_end`, `/pages` answers 404 past its last page.
//!
//! A stream index past `streams` is an empty stream (200, no records). With
//! `self_link_at_end`, the last page of `/link` and `/cursor` points to itself.

use crate::UpstreamSpec;

/// Which style a seed URL asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/s/{s}/p/0`, `"next"` in the body.
    JsonLink,
    Link,
    Cursor,
    Offset,
    Pages,
}

impl Route {
    /// The first page's path of `stream`.
    pub fn seed_path(self, stream: usize) -> String {
        match self {
            Self::JsonLink => format!("/s/{stream}/p/0"),
            Self::Link => format!("/link/s/{stream}"),
            Self::Cursor => format!("/cursor/s/{stream}"),
            Self::Offset => format!("/offset/s/{stream}"),
            Self::Pages => format!("/pages/s/{stream}"),
        }
    }
}

/// A styled page: body and extra headers. `None` when `path` is no styled route.
pub(crate) fn respond(
    spec: &UpstreamSpec,
    origin: usize,
    path: &str,
) -> Option<(String, Vec<(&'static str, String)>)> {
    let (route, rest) = path.strip_prefix('/')?.split_once("/s/")?;
    let (stream, query) = rest.split_once('?').unwrap_or((rest, ""));
    let stream: usize = stream.parse().ok()?;
    let param = |name: &str| -> Option<u64> {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse().ok())
    };
    let n = if stream < spec.streams {
        spec.stream_records()
    } else {
        0
    };
    let per = spec.records.max(1);
    let pages = n.div_ceil(per);
    let data = |from: usize, to: usize| -> String {
        let to = to.min(n);
        let records: Vec<String> = (from.min(to)..to)
            .map(|i| spec.record(origin, stream, i))
            .collect();
        format!("[{}]", records.join(","))
    };
    let base = format!("/{route}/s/{stream}");
    match route {
        "link" => {
            let page = param("page").unwrap_or(0) as usize;
            let body = format!("{{\"data\":{}}}", data(page * per, (page + 1) * per));
            let last = pages.saturating_sub(1);
            let next = if page < last {
                Some(page + 1)
            } else if spec.self_link_at_end {
                Some(page)
            } else {
                None
            };
            let mut first = format!("<{base}?page=0>; rel=\"first\"");
            if let Some(next) = next {
                first.push_str(&format!(
                    ", <{base}?page={next}>; title=\"next, page\"; rel=\"next\""
                ));
            }
            let headers = vec![
                ("link", first),
                ("link", format!("<{base}?page={last}>; rel=\"last\"")),
            ];
            Some((body, headers))
        }
        "cursor" => {
            let page = param("cursor").map_or(0, |c| c.saturating_sub(1000) as usize);
            let next = if page + 1 < pages {
                (1000 + page + 1).to_string()
            } else if spec.self_link_at_end && page > 0 {
                (1000 + page).to_string()
            } else {
                "null".to_string()
            };
            let body = format!(
                "{{\"data\":{},\"meta\":{{\"next_cursor\":{next}}}}}",
                data(page * per, (page + 1) * per)
            );
            Some((body, Vec::new()))
        }
        "offset" => {
            let offset = param("offset").unwrap_or(0) as usize;
            let asked = param("limit").map(|l| l.min(1000) as usize);
            let limit = spec.served_page_size(asked);
            let drift = if offset == 0 {
                spec.first_total_drift
            } else {
                0
            };
            let total = (n as i64 + drift).max(0);
            let body = format!(
                "{{\"data\":{},\"total\":{total}}}",
                data(offset, offset.saturating_add(limit))
            );
            Some((body, Vec::new()))
        }
        "pages" => {
            let size = spec.served_page_size(param("per_page").map(|n| n as usize));
            let pages = n.div_ceil(size);
            let page = param("page").unwrap_or(1).max(1) as usize - 1;
            if spec.not_found_past_end && page >= pages.max(1) {
                return None;
            }
            let body = format!(
                "{{\"data\":{},\"total_pages\":{pages},\"total\":{n}}}",
                data(page * size, (page + 1) * size)
            );
            Some((body, Vec::new()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: &str) -> Vec<u64> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn every_style_serves_the_same_records() {
        let spec = UpstreamSpec {
            origins: 1,
            streams: 2,
            pages: 3,
            records: 2,
            ..Default::default()
        };
        let get = |p: &str| respond(&spec, 0, p).unwrap();
        assert_eq!(ids(&get("/link/s/1?page=2").0), [10, 11]);
        assert_eq!(ids(&get("/cursor/s/1?cursor=1002").0), [10, 11]);
        assert_eq!(ids(&get("/offset/s/1?offset=3&limit=3").0), [9, 10, 11]);
        assert_eq!(ids(&get("/pages/s/1?page=3").0), [10, 11]);
        assert!(get("/cursor/s/1?cursor=1002")
            .0
            .contains("\"next_cursor\":null"));
        assert!(get("/cursor/s/1").0.contains("\"next_cursor\":1001"));
        assert!(get("/offset/s/0").0.contains("\"total\":6"));
        let (_, headers) = get("/link/s/0?page=1");
        assert_eq!(headers.len(), 2);
        assert!(headers[0].1.contains("</link/s/0?page=2>"));
        assert!(!get("/link/s/0?page=2").1[0].1.contains("next"));
        assert!(ids(&get("/pages/s/9").0).is_empty(), "an empty stream");
        assert_eq!(respond(&spec, 0, "/s/0/p/0"), None);
    }

    #[test]
    fn a_capped_page_size_and_404_past_the_end() {
        let spec = UpstreamSpec {
            origins: 1,
            streams: 1,
            pages: 5,
            records: 4,
            max_page_size: Some(3),
            not_found_past_end: true,
            ..Default::default()
        };
        let get = |p: &str| respond(&spec, 0, p);
        assert_eq!(
            ids(&get("/offset/s/0?offset=2&limit=500").unwrap().0),
            [2, 3, 4]
        );
        let (body, _) = get("/pages/s/0?page=2&per_page=500").unwrap();
        assert_eq!(ids(&body), [3, 4, 5]);
        assert!(body.contains("\"total_pages\":7,\"total\":20"), "{body}");
        assert_eq!(
            ids(&get("/pages/s/0?page=7&per_page=2").unwrap().0),
            [12, 13]
        );
        assert_eq!(get("/pages/s/0?page=8"), None, "404 past the last page");
    }
}
