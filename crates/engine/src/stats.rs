//! Run statistics and the closing summary.

use crate::StopReason;
use std::path::PathBuf;
use std::time::Duration;

/// How the crawl ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every job is done or dead.
    Finished,
    /// Stopped on request; resumable.
    Stopped(StopReason),
    /// A runtime failure (e.g. the disk is full); the state stays consistent
    /// as of the last durable commit and the crawl is resumable.
    Failed(String),
}

/// A snapshot for progress displays (see `RunOptions::progress`).
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Pages committed by this run.
    pub pages: u64,
    pub records: u64,
    pub bytes_out: u64,
    pub pages_per_sec: f64,
    /// Pages this run knows of: committed plus pending in the frontier.
    pub known_pages: u64,
    /// Whether `known_pages` is the crawl's total (see [`total_known`]); if
    /// not, it grows as pages are fetched and no ETA can be told.
    pub total_known: bool,
    pub in_flight: u64,
    pub retry_waiting: u64,
    pub retries: u64,
    pub dead_letters: u64,
    /// Origins whose circuit breaker is open or half-open.
    pub open_breakers: u64,
    pub elapsed: Duration,
}

/// Whether a crawl of `config` knows every page it will fetch before it
/// fetches them: no resource finds its next page in a page (`json_link`,
/// `header_link`, `cursor`, or `offset`/`page_number` without a total stated
/// in the config) and none is a child (its pages come from its parent's
/// records). Honest rather than optimistic: a total read from a body
/// (`total_path`) counts as unknown, since it is read only as streams go.
pub fn total_known(config: &harvest_config::Config) -> bool {
    config
        .resources
        .iter()
        .all(|r| r.parent.is_none() && style_knows_total(&r.paginator.style))
}

/// Whether a stream of `style` knows its pages before fetching them.
fn style_knows_total(style: &harvest_config::PageStyle) -> bool {
    use harvest_config::PageStyle;
    match style {
        PageStyle::SinglePage => true,
        PageStyle::Offset { total, .. } => total.is_some(),
        PageStyle::PageNumber { total_pages, .. } => total_pages.is_some(),
        PageStyle::JsonLink { .. } | PageStyle::HeaderLink | PageStyle::Cursor { .. } => false,
    }
}

/// Receives progress snapshots, a few times a second.
pub type ProgressFn = std::sync::Arc<dyn Fn(&Progress) + Send + Sync>;

/// Counts of this run (not of earlier runs), updated per page, never per record.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    /// Pages committed.
    pub pages: u64,
    pub records: u64,
    /// Bytes written to the outputs.
    pub bytes_out: u64,
    /// Response body bytes received (as sent: compressed, if they were).
    pub bytes_in: u64,
    /// Response body bytes after decompression.
    pub bytes_decoded: u64,
    /// Responses by status class: 2xx, 3xx, 4xx, 5xx; and transport errors.
    pub by_class: [u64; 4],
    pub transport_errors: u64,
    pub retries: u64,
    pub dead_letters: u64,
    /// Streams cut short (see `harvest_paginate::Cut`).
    pub streams_cut: u64,
    /// Incremental resources: records an earlier pass wrote, met again at
    /// the pass's boundary (or in its lag) and not written again.
    pub incremental_seen: u64,
    /// Incremental resources: records left out for being below the pass's
    /// start, at or past its end, or without a cursor (`exclude`).
    pub incremental_left_out: u64,
}

impl RunStats {
    /// Counts what judging an incremental page's records found.
    pub(crate) fn judged(&mut self, judged: &harvest_paginate::Judged) {
        self.incremental_seen += judged.seen;
        self.incremental_left_out += judged.below_start + judged.past_end;
    }

    pub(crate) fn count_status(&mut self, status: u16) {
        if let Some(slot) = (status / 100)
            .checked_sub(2)
            .and_then(|i| self.by_class.get_mut(i as usize))
        {
            *slot += 1;
        }
    }
}

/// What a crawl did, for the closing summary and the exit code.
#[derive(Debug, Clone)]
pub struct Summary {
    pub ending: Ending,
    /// This run's counts.
    pub run: RunStats,
    /// Pages in the dead letters of the state, this run's and earlier ones'.
    pub dead_letters_total: u64,
    /// Streams cut short recorded in the state, this run's and earlier ones'.
    pub streams_cut_total: u64,
    /// Jobs still pending (after a stop).
    pub pending: u64,
    /// The crawl's committed totals over every run on its state, this one
    /// included.
    pub crawl: CrawlTotals,
    pub wall: Duration,
    pub output_dir: PathBuf,
    pub state_dir: PathBuf,
    /// The incremental resources' passes, as this run leaves them.
    pub passes: Vec<PassSummary>,
}

/// An incremental resource's pass at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassSummary {
    pub resource: String,
    pub pass: u32,
    /// The start value it sends (`None`: none).
    pub start: Option<String>,
    /// Records the pass wrote, over every run of it.
    pub records: u64,
    /// Its output file, relative to `output_dir`.
    pub output: String,
}

/// A crawl's committed totals, over every run on its state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrawlTotals {
    pub pages: u64,
    pub records: u64,
}

impl Summary {
    /// Whether this run found the crawl finished before it: it ended with
    /// nothing fetched, nothing pending, and pages done by earlier runs.
    pub fn already_complete(&self) -> bool {
        matches!(self.ending, Ending::Finished)
            && self.run.pages == 0
            && self.run.by_class == [0; 4]
            && self.run.transport_errors == 0
            && self.crawl.pages > 0
    }

    pub fn pages_per_sec(&self) -> f64 {
        self.run.pages as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Why a finished crawl is not complete (dead pages, streams cut short,
    /// as the state holds them), or `None` when it is: every page done and
    /// no stream cut. Decides exit 0 or 3.
    pub fn incomplete(&self) -> Option<String> {
        let mut why = Vec::new();
        match self.dead_letters_total {
            0 => {}
            1 => why.push("1 dead page".to_string()),
            n => why.push(format!("{n} dead pages")),
        }
        match self.streams_cut_total {
            0 => {}
            1 => why.push("1 stream cut short".to_string()),
            n => why.push(format!("{n} streams cut short")),
        }
        (!why.is_empty()).then(|| why.join(" and "))
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let run = &self.run;
        let crawl = self.crawl;
        let ending = match &self.ending {
            Ending::Finished if self.already_complete() => {
                let head = format!(
                    "already complete: {} pages, {} records",
                    crawl.pages, crawl.records
                );
                match self.incomplete() {
                    None => head,
                    Some(why) => format!("{head}; incomplete: {why}"),
                }
            }
            Ending::Finished => match self.incomplete() {
                None => "finished".to_string(),
                Some(why) => {
                    format!("finished, incomplete: {why} (`harvest dead-letters` lists them)")
                }
            },
            Ending::Stopped(r) => {
                format!("stopped ({r:?}), resumable: {} jobs pending", self.pending)
            }
            Ending::Failed(e) => format!("failed: {e}\n  resumable: {} jobs pending", self.pending),
        };
        writeln!(f, "harvest {ending}")?;
        writeln!(
            f,
            "  this run: pages {}  records {}  written {}  received {}",
            run.pages,
            run.records,
            human_bytes(run.bytes_out),
            human_bytes(run.bytes_in)
        )?;
        writeln!(
            f,
            "  the crawl: pages {}  records {} (every run on this state)",
            crawl.pages, crawl.records
        )?;
        for p in &self.passes {
            let from = p
                .start
                .as_deref()
                .map_or("the start".to_owned(), |s| format!("`{s}`"));
            writeln!(
                f,
                "  pass {} of {}: {} records from {from}, in {}",
                p.pass, p.resource, p.records, p.output
            )?;
        }
        if self.run.incremental_seen > 0 {
            writeln!(
                f,
                "  {} records at the pass boundary were written by an earlier pass: not again",
                self.run.incremental_seen
            )?;
        }
        let [c2, c3, c4, c5] = run.by_class;
        writeln!(
            f,
            "  responses 2xx {c2}  3xx {c3}  4xx {c4}  5xx {c5}  transport errors {}  retries {}",
            run.transport_errors, run.retries
        )?;
        writeln!(
            f,
            "  dead letters {} this run, {} in the state",
            run.dead_letters, self.dead_letters_total
        )?;
        writeln!(
            f,
            "  streams cut {} this run, {} in the state",
            run.streams_cut, self.streams_cut_total
        )?;
        writeln!(
            f,
            "  wall {:.2}s  {:.0} pages/s",
            self.wall.as_secs_f64(),
            self.pages_per_sec()
        )?;
        write!(
            f,
            "  output {}  state {}",
            self.output_dir.display(),
            self.state_dir.display()
        )
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_are_counted() {
        let mut s = RunStats::default();
        for code in [200, 204, 301, 404, 429, 503, 0, 999] {
            s.count_status(code);
        }
        assert_eq!(s.by_class, [2, 1, 2, 1]);
    }

    fn summary(dead: u64, cut: u64) -> Summary {
        Summary {
            ending: Ending::Finished,
            run: RunStats::default(),
            dead_letters_total: dead,
            streams_cut_total: cut,
            pending: 0,
            crawl: CrawlTotals::default(),
            wall: Duration::from_secs(1),
            output_dir: "out".into(),
            state_dir: "state".into(),
            passes: Vec::new(),
        }
    }

    #[test]
    fn a_finished_crawl_names_why_it_is_incomplete() {
        assert_eq!(summary(0, 0).incomplete(), None);
        assert!(summary(0, 0).to_string().starts_with("harvest finished\n"));
        assert_eq!(
            summary(0, 1).incomplete().as_deref(),
            Some("1 stream cut short")
        );
        assert_eq!(
            summary(2, 3).incomplete().as_deref(),
            Some("2 dead pages and 3 streams cut short")
        );
        let text = summary(1, 0).to_string();
        assert!(
            text.starts_with("harvest finished, incomplete: 1 dead page (`harvest dead-letters`"),
            "{text}"
        );
    }

    #[test]
    fn only_streams_that_state_their_length_know_the_total() {
        use harvest_config::{PageStyle, Selector};
        let sel = |p: &str| Selector::parse(p).unwrap();
        let offset = |total| PageStyle::Offset {
            offset_param: "offset".into(),
            limit_param: "limit".into(),
            limit: 10,
            total_path: Some(sel("total")),
            total,
            end_on_short_page: false,
        };
        assert!(style_knows_total(&PageStyle::SinglePage));
        assert!(style_knows_total(&offset(Some(100))));
        assert!(!style_knows_total(&offset(None)));
        assert!(!style_knows_total(&PageStyle::HeaderLink));
        assert!(!style_knows_total(&PageStyle::JsonLink {
            next_url_path: sel("next")
        }));
        assert!(!style_knows_total(&PageStyle::Cursor {
            cursor_path: sel("cursor"),
            cursor_param: "cursor".into(),
            has_more_path: None,
        }));
    }

    #[test]
    fn a_run_that_found_the_crawl_finished_says_so_with_its_totals() {
        let mut s = summary(0, 0);
        s.crawl = CrawlTotals {
            pages: 12,
            records: 34,
        };
        let text = s.to_string();
        assert!(
            text.starts_with("harvest already complete: 12 pages, 34 records\n"),
            "{text}"
        );
        assert!(text.contains("the crawl: pages 12  records 34"), "{text}");
        s.run.pages = 2;
        s.run.by_class = [2, 0, 0, 0];
        let text = s.to_string();
        assert!(text.starts_with("harvest finished\n"), "{text}");
        assert!(text.contains("this run: pages 2  records 0"), "{text}");
    }

    #[test]
    fn bytes_read_well() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 << 30), "5.0 GiB");
    }
}
