//! A chaos schedule: everything an upstream will do wrong, drawn from a seed.
//! It is plain data — printed with the seed, followed by the server
//! (`serve.rs`), and read by the oracle (`oracle.rs`) — so a failing seed
//! replays and can be read.

use super::FaultKinds;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Records in a full page: the `limit` / page size a crawl asks for.
pub const RECORDS_PER_PAGE: usize = 5;
/// The `cursor` style's first cursor (page `p` has cursor `CURSOR_BASE + p`).
pub const CURSOR_BASE: usize = 1000;
/// A trickling body sends one byte this often.
pub const TRICKLE_EVERY: Duration = Duration::from_millis(20);

/// A whole upstream's misbehaviour, from one seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub seed: u64,
    /// The kinds it was drawn from.
    pub kinds: FaultKinds,
    /// Streams per origin (every origin has as many).
    pub streams: usize,
    /// Pages per stream (full pages of [`RECORDS_PER_PAGE`]).
    pub pages: usize,
    pub origins: Vec<OriginPlan>,
    /// The crawl is killed (`kill -9`) this long after it started, then run
    /// again to its end.
    pub kill_at: Option<Duration>,
}

/// One origin: its time windows of trouble and its streams.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginPlan {
    /// Never listens (connections refused for the whole run).
    pub down: bool,
    /// Disjoint, in time order, from the upstream's start.
    pub windows: Vec<Window>,
    pub streams: Vec<StreamPlan>,
}

/// A time window in which every request of an origin fails one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Duration,
    pub to: Duration,
    pub kind: WindowKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// No listener on the port; open connections are reset.
    Refused,
    /// The listener accepts, but every connection is reset when used.
    Reset,
    /// Every request answers 503.
    Status503,
    /// Every request answers 429, with `Retry-After: N` seconds when given.
    RateLimited(Option<u64>),
}

/// How a stream is paged (one crawl resource per style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// `/s/{s}/p/{p}`, an absolute `"next"` link in the body.
    JsonLink,
    /// `/cursor/s/{s}?cursor=C`, `meta.next_cursor`.
    Cursor,
    /// `/offset/s/{s}?offset=N&limit=M`, `"total"` records.
    Offset,
    /// `/pages/s/{s}?page=N` (from 1), `"total_pages"`.
    PageNumber,
    /// `/open/s/{s}?page=N` (from 1), no total: past the last page an empty
    /// page, or a 404 with the `past_end_404` kind.
    OpenPages,
}

impl Style {
    pub const ALL: [Style; 5] = [
        Self::JsonLink,
        Self::Cursor,
        Self::Offset,
        Self::PageNumber,
        Self::OpenPages,
    ];

    /// The crawl resource of this style (and its output file's name).
    pub fn resource(self) -> &'static str {
        match self {
            Self::JsonLink => "links",
            Self::Cursor => "cursor",
            Self::Offset => "offset",
            Self::PageNumber => "pages",
            Self::OpenPages => "open",
        }
    }

    /// The `paginator` table that pages this style.
    pub fn paginator(self) -> String {
        match self {
            Self::JsonLink => r#"{ type = "json_link", next_url_path = "next" }"#.into(),
            Self::Cursor => {
                r#"{ type = "cursor", cursor_path = "meta.next_cursor", cursor_param = "cursor" }"#
                    .into()
            }
            Self::Offset => format!(
                r#"{{ type = "offset", limit = {RECORDS_PER_PAGE}, offset_param = "offset", limit_param = "limit", total_path = "total" }}"#
            ),
            Self::PageNumber => {
                r#"{ type = "page_number", page_param = "page", base = 1, total_pages_path = "total_pages" }"#
                    .into()
            }
            Self::OpenPages => r#"{ type = "page_number", page_param = "page", base = 1 }"#.into(),
        }
    }

    /// The first page's path of stream `s`.
    pub fn seed_path(self, s: usize) -> String {
        match self {
            Self::JsonLink => format!("/s/{s}/p/0"),
            Self::Cursor => format!("/cursor/s/{s}"),
            Self::Offset => format!("/offset/s/{s}?offset=0&limit={RECORDS_PER_PAGE}"),
            Self::PageNumber => format!("/pages/s/{s}?page=1"),
            Self::OpenPages => format!("/open/s/{s}?page=1"),
        }
    }

    /// The path of page `p` (0-based) of stream `s`, as the crawl asks for it
    /// (offset pages `step` records apart).
    pub fn page_path(self, s: usize, p: usize, step: usize) -> String {
        match self {
            Self::JsonLink => format!("/s/{s}/p/{p}"),
            Self::Cursor if p == 0 => self.seed_path(s),
            Self::Cursor => format!("/cursor/s/{s}?cursor={}", CURSOR_BASE + p),
            Self::Offset => format!("/offset/s/{s}?offset={}&limit={RECORDS_PER_PAGE}", p * step),
            Self::PageNumber => format!("/pages/s/{s}?page={}", p + 1),
            Self::OpenPages => format!("/open/s/{s}?page={}", p + 1),
        }
    }
}

/// One stream: its style, page faults and how it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamPlan {
    pub style: Style,
    /// Offset only: the server serves at most this many records per page
    /// (fewer than the `limit` asked), with a correct total.
    pub cap: Option<usize>,
    /// Page index → what its first requests get, in order; later requests
    /// are served normally. (An offset page's index counts in steps of
    /// [`StreamPlan::step`] records.)
    pub faults: BTreeMap<usize, Vec<Transient>>,
    pub end: End,
}

/// How a stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// After its last page.
    Complete,
    /// This page always answers HTML with a 200: dead, and nothing after it
    /// is reachable.
    Html(usize),
    /// This page's next link leads to origin `to` (another origin): the
    /// stream is cut after this page.
    Foreign { page: usize, to: usize },
}

/// A fault of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    Status503,
    /// 429, with `Retry-After: N` seconds when given.
    RateLimited(Option<u64>),
    Stall,
    Trickle,
    /// The whole response only after this delay.
    SlowFirstByte(Duration),
}

impl StreamPlan {
    /// Records between two of the stream's pages as the server serves them.
    pub fn step(&self) -> usize {
        self.cap.unwrap_or(RECORDS_PER_PAGE)
    }

    /// Pages the crawl requests (past-the-end probes included).
    pub fn requests(&self, pages: usize) -> usize {
        let served = match self.end {
            End::Complete => pages,
            End::Html(p) | End::Foreign { page: p, .. } => p + 1,
        };
        match self.style {
            Style::Offset => (pages * RECORDS_PER_PAGE).div_ceil(self.step()),
            Style::OpenPages => served + 1,
            _ => served,
        }
    }
}

impl Schedule {
    /// The schedule of `seed`, drawing only `kinds`.
    pub fn generate(seed: u64, kinds: FaultKinds) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.gen_range(2..=3);
        let streams = rng.gen_range(3..=4);
        let pages = rng.gen_range(3..=6);
        let mut origins: Vec<OriginPlan> = (0..n)
            .map(|o| OriginPlan {
                down: false,
                windows: windows(&mut rng, &kinds),
                streams: (0..streams)
                    .map(|s| stream(&mut rng, &kinds, pages, s, o, n))
                    .collect(),
            })
            .collect();
        if kinds.down_origin && rng.gen_bool(0.35) {
            origins.push(OriginPlan {
                down: true,
                windows: Vec::new(),
                streams: (0..streams)
                    .map(|_| StreamPlan {
                        style: Style::JsonLink,
                        cap: None,
                        faults: BTreeMap::new(),
                        end: End::Complete,
                    })
                    .collect(),
            });
        }
        let kill_at = (kinds.kill && rng.gen_bool(0.35))
            .then(|| Duration::from_millis(rng.gen_range(200..2000)));
        Self {
            seed,
            kinds,
            streams,
            pages,
            origins,
            kill_at,
        }
    }
}

/// 0–2 windows, at least 1.5 s apart (an origin's breaker can close between
/// them), the first within the first 1.5 s.
fn windows(rng: &mut StdRng, kinds: &FaultKinds) -> Vec<Window> {
    let mut choices = Vec::new();
    if kinds.refused {
        choices.push(WindowKind::Refused);
    }
    if kinds.reset {
        choices.push(WindowKind::Reset);
    }
    if kinds.burst_503 {
        choices.push(WindowKind::Status503);
    }
    if kinds.burst_429 {
        choices.push(WindowKind::RateLimited(None));
        choices.push(WindowKind::RateLimited(Some(1)));
    }
    if choices.is_empty() {
        return Vec::new();
    }
    let count = rng.gen_range(0..=2);
    let mut at = Duration::from_millis(rng.gen_range(0..1500));
    let mut out = Vec::new();
    for _ in 0..count {
        let kind = choices[rng.gen_range(0..choices.len())];
        let len = match kind {
            WindowKind::Refused => rng.gen_range(300..2000),
            WindowKind::Reset => rng.gen_range(300..1500),
            _ => rng.gen_range(200..1000),
        };
        let to = at + Duration::from_millis(len);
        out.push(Window { from: at, to, kind });
        at = to + Duration::from_millis(rng.gen_range(1500..3000));
    }
    out
}

fn stream(
    rng: &mut StdRng,
    kinds: &FaultKinds,
    pages: usize,
    s: usize,
    origin: usize,
    origins: usize,
) -> StreamPlan {
    // Every style at least once per origin when there are enough streams.
    let style = if s < Style::ALL.len() && rng.gen_bool(0.5) {
        Style::ALL[(s + origin) % Style::ALL.len()]
    } else {
        Style::ALL[rng.gen_range(0..Style::ALL.len())]
    };
    let cap = (style == Style::Offset && kinds.capped_pages && rng.gen_bool(0.6))
        .then(|| rng.gen_range(2..RECORDS_PER_PAGE));
    let end = match style {
        Style::JsonLink | Style::Cursor if kinds.html && rng.gen_bool(0.15) => {
            End::Html(rng.gen_range(0..pages))
        }
        Style::JsonLink if kinds.foreign_next && origins > 1 && rng.gen_bool(0.3) => End::Foreign {
            page: rng.gen_range(0..pages - 1),
            to: (origin + rng.gen_range(1..origins)) % origins,
        },
        _ => End::Complete,
    };
    let mut plan = StreamPlan {
        style,
        cap,
        faults: BTreeMap::new(),
        end,
    };
    let choices = transients(kinds);
    if !choices.is_empty() {
        // Faults on served pages only (not on a past-the-end probe).
        let served = match style {
            Style::OpenPages => plan.requests(pages) - 1,
            _ => plan.requests(pages),
        };
        for p in 0..served {
            if rng.gen_bool(0.15) {
                let faults = (0..rng.gen_range(1..=2))
                    .map(|_| match choices[rng.gen_range(0..choices.len())] {
                        Transient::SlowFirstByte(_) => {
                            Transient::SlowFirstByte(Duration::from_millis(rng.gen_range(100..900)))
                        }
                        t => t,
                    })
                    .collect();
                plan.faults.insert(p, faults);
            }
        }
    }
    plan
}

fn transients(kinds: &FaultKinds) -> Vec<Transient> {
    let mut out = Vec::new();
    if kinds.status_503 {
        out.push(Transient::Status503);
    }
    if kinds.status_429 {
        out.push(Transient::RateLimited(None));
        out.push(Transient::RateLimited(Some(1)));
    }
    if kinds.stall {
        out.push(Transient::Stall);
    }
    if kinds.trickle {
        out.push(Transient::Trickle);
    }
    if kinds.slow_first_byte {
        out.push(Transient::SlowFirstByte(Duration::ZERO));
    }
    out
}

impl OriginPlan {
    /// The window in force `t` after the start.
    pub fn window_at(&self, t: Duration) -> Option<&Window> {
        self.windows.iter().find(|w| w.from <= t && t < w.to)
    }

    /// No connection works at `t` (refused or reset).
    pub fn unreachable_at(&self, t: Duration) -> bool {
        self.down
            || self
                .window_at(t)
                .is_some_and(|w| matches!(w.kind, WindowKind::Refused | WindowKind::Reset))
    }

    /// The start of the next refused window after `t`.
    pub fn next_refusal(&self, t: Duration) -> Option<Duration> {
        self.windows
            .iter()
            .find(|w| w.kind == WindowKind::Refused && w.from > t)
            .map(|w| w.from)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "chaos schedule of seed {}: kinds [{}]; {} origins × {} streams × {} pages × {RECORDS_PER_PAGE} records",
            self.seed,
            self.kinds.on(),
            self.origins.len(),
            self.streams,
            self.pages
        )?;
        if let Some(at) = self.kill_at {
            writeln!(f, "  kill -9 at {at:?}, then run again")?;
        }
        for (o, plan) in self.origins.iter().enumerate() {
            let down = if plan.down {
                " DOWN (never listens)"
            } else {
                ""
            };
            writeln!(f, "  origin {o}{down}: windows {:?}", plan.windows)?;
            for (s, st) in plan.streams.iter().enumerate() {
                let cap = st.cap.map(|c| format!(" cap {c}")).unwrap_or_default();
                writeln!(
                    f,
                    "    stream {s} {:?}{cap} end {:?} faults {:?}",
                    st.style, st.end, st.faults
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_draws_the_same_schedule_and_kinds_that_are_off_never_appear() {
        let a = Schedule::generate(7, FaultKinds::ALL);
        assert_eq!(a, Schedule::generate(7, FaultKinds::ALL));
        let some = FaultKinds::ALL
            .edit("-refused,-reset,-html,-kill,-capped_pages")
            .unwrap();
        for seed in 0..200 {
            let s = Schedule::generate(seed, some);
            assert!(s.kill_at.is_none());
            for o in &s.origins {
                assert!(o
                    .windows
                    .iter()
                    .all(|w| !matches!(w.kind, WindowKind::Refused | WindowKind::Reset)));
                assert!(o
                    .streams
                    .iter()
                    .all(|st| st.cap.is_none() && !matches!(st.end, End::Html(_))));
            }
        }
        let none = Schedule::generate(3, FaultKinds::NONE);
        assert!(none.origins.iter().all(|o| !o.down
            && o.windows.is_empty()
            && o.streams.iter().all(|s| s.faults.is_empty())));
    }

    #[test]
    fn windows_are_disjoint_and_apart() {
        for seed in 0..200 {
            for o in Schedule::generate(seed, FaultKinds::ALL).origins {
                for pair in o.windows.windows(2) {
                    assert!(pair[1].from >= pair[0].to + Duration::from_millis(1500));
                }
            }
        }
    }

    #[test]
    fn pages_of_a_capped_offset_stream() {
        let plan = StreamPlan {
            style: Style::Offset,
            cap: Some(3),
            faults: BTreeMap::new(),
            end: End::Complete,
        };
        // 4 pages of 5 = 20 records, 3 at a time: 7 requests.
        assert_eq!(plan.requests(4), 7);
        assert_eq!(
            Style::Offset.page_path(1, 2, 3),
            "/offset/s/1?offset=6&limit=5"
        );
    }
}
