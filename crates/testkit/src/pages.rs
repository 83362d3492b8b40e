//! What the upstream serves: the shape of its streams and the page bodies.

/// How a page names the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStyle {
    /// `http://127.0.0.1:PORT/s/1/p/2`
    Absolute,
    /// `/s/1/p/2`
    RootRelative,
    /// `2` (relative to `/s/1/p/1`)
    PathRelative,
}

/// The upstream's content.
#[derive(Debug, Clone)]
pub struct UpstreamSpec {
    pub origins: usize,
    /// Streams per origin.
    pub streams: usize,
    /// Pages per stream.
    pub pages: usize,
    /// Records per page.
    pub records: usize,
    /// Extra bytes of padding in each record (to vary page size).
    pub record_pad: usize,
    pub link: LinkStyle,
    /// Last page: `"next":null` (true) or no `next` key at all (false).
    pub null_at_end: bool,
    /// The styled routes (`/link`, `/cursor`) end each stream with a next
    /// link or cursor pointing to the last page itself.
    pub self_link_at_end: bool,
    /// The `/offset` route's first page (offset 0) reports `total` off by
    /// this many records, as if records were added (negative) or removed
    /// (positive) while the stream is paged; later pages report the truth.
    pub first_total_drift: i64,
}

impl Default for UpstreamSpec {
    fn default() -> Self {
        Self {
            origins: 2,
            streams: 3,
            pages: 4,
            records: 5,
            record_pad: 0,
            link: LinkStyle::Absolute,
            null_at_end: true,
            self_link_at_end: false,
            first_total_drift: 0,
        }
    }
}

impl UpstreamSpec {
    pub fn total_pages(&self) -> u64 {
        (self.origins * self.streams * self.pages) as u64
    }

    pub fn total_records(&self) -> u64 {
        self.total_pages() * self.records as u64
    }

    /// Records per stream.
    pub fn stream_records(&self) -> usize {
        self.pages * self.records
    }

    /// Record `index` (0-based within the stream) of `stream` on `origin`,
    /// the same bytes whichever route serves it.
    pub(crate) fn record(&self, origin: usize, stream: usize, index: usize) -> String {
        let page = index / self.records.max(1);
        let id = self.first_id(origin, stream, 0) + index as u64;
        let pad = "x".repeat(self.record_pad);
        format!(
            "{{\"id\":{id},\"origin\":{origin},\"stream\":{stream},\"page\":{page},\"name\":\"rec-{id}\",\"pad\":\"{pad}\"}}"
        )
    }

    /// First record id of a page.
    pub(crate) fn first_id(&self, origin: usize, stream: usize, page: usize) -> u64 {
        (((origin * self.streams + stream) * self.pages + page) * self.records) as u64
    }

    /// The body of page `page` (0-based) of `stream` on `origin`, or `None`
    /// when there is no such page.
    pub fn page_body(
        &self,
        origin: usize,
        port: u16,
        stream: usize,
        page: usize,
    ) -> Option<String> {
        if stream >= self.streams || page >= self.pages {
            return None;
        }
        let first = self.first_id(origin, stream, page);
        let pad = "x".repeat(self.record_pad);
        let mut body = String::with_capacity(self.records * (80 + self.record_pad) + 64);
        body.push_str("{\"data\":[");
        for r in 0..self.records as u64 {
            if r > 0 {
                body.push(',');
            }
            body.push_str(&format!(
                "{{\"id\":{},\"origin\":{origin},\"stream\":{stream},\"page\":{page},\"name\":\"rec-{}\",\"pad\":\"{pad}\"}}",
                first + r,
                first + r
            ));
        }
        body.push(']');
        if page + 1 < self.pages {
            let next = page + 1;
            let link = match self.link {
                LinkStyle::Absolute => format!("http://127.0.0.1:{port}/s/{stream}/p/{next}"),
                LinkStyle::RootRelative => format!("/s/{stream}/p/{next}"),
                LinkStyle::PathRelative => format!("{next}"),
            };
            body.push_str(&format!(",\"next\":\"{link}\""));
        } else if self.null_at_end {
            body.push_str(",\"next\":null");
        }
        body.push('}');
        Some(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_contiguous_across_pages() {
        let spec = UpstreamSpec {
            origins: 2,
            streams: 2,
            pages: 2,
            records: 3,
            ..Default::default()
        };
        let mut ids = Vec::new();
        for o in 0..2 {
            for s in 0..2 {
                for p in 0..2 {
                    let body: serde_json::Value =
                        serde_json::from_str(&spec.page_body(o, 1, s, p).unwrap()).unwrap();
                    ids.extend(
                        body["data"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| r["id"].as_u64().unwrap()),
                    );
                }
            }
        }
        assert_eq!(ids, (0..spec.total_records()).collect::<Vec<_>>());
    }

    #[test]
    fn last_page_ends_the_stream() {
        let spec = UpstreamSpec {
            pages: 2,
            ..Default::default()
        };
        let last: serde_json::Value =
            serde_json::from_str(&spec.page_body(0, 1, 0, 1).unwrap()).unwrap();
        assert!(last["next"].is_null());
        assert!(spec.page_body(0, 1, 0, 2).is_none());
    }
}
