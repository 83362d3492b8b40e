//! The oracle: what a correct crawl of a chaos schedule must produce — the
//! records the server could serve, the pages that must end dead, the streams
//! that must be cut — and how long it may take at most.

use super::schedule::{End, Schedule, Transient, WindowKind, RECORDS_PER_PAGE};
use crate::UpstreamSpec;
use std::collections::BTreeSet;
use std::time::Duration;

/// The crawl settings the time bound depends on (as written in the config).
#[derive(Debug, Clone)]
pub struct Timing {
    /// `[client] rate_per_sec`.
    pub rate_per_sec: f64,
    /// `[client] min_rate_per_sec`: the floor a 429 may slow an origin to.
    pub min_rate_per_sec: f64,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// How long a trickling body holds a request: `request_timeout`, or
    /// `min_speed_window` with the low-speed guard.
    pub trickle_cut: Duration,
    /// `[retry] max_delay`.
    pub max_delay: Duration,
    /// `[breaker] max_open_for`.
    pub max_open_for: Duration,
    /// `[breaker] give_up_after`.
    pub give_up_after: Duration,
    /// A process's start and end (debug build, loaded machine).
    pub startup: Duration,
}

/// A page that must end dead, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadPage {
    pub url: String,
    pub reason: &'static str,
}

/// A stream that must be cut: its page whose next link leads to `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutStream {
    pub page_url: String,
    pub target: String,
    pub reason: &'static str,
}

/// What a correct crawl yields.
#[derive(Debug, Clone, Default)]
pub struct Oracle {
    /// Every record id the server could serve (each expected exactly once).
    pub ids: BTreeSet<u64>,
    pub dead: Vec<DeadPage>,
    pub cuts: Vec<CutStream>,
    /// The whole crawl (all runs) ends within this.
    pub bound: Duration,
}

impl Oracle {
    /// Why a page answering HTML with a 200 is dead.
    pub const HTML_REASON: &'static str = "not_json";
    /// Why the pages of an origin that never answers are dead.
    pub const DOWN_REASON: &'static str = "origin_unreachable";
    /// Why a stream whose next link leads to another origin is cut.
    pub const FOREIGN_REASON: &'static str = "foreign_origin";

    /// The oracle of `schedule` served at `origin_urls` (`http://host:port`).
    pub fn new(schedule: &Schedule, origin_urls: &[String], timing: &Timing) -> Self {
        let spec = schedule.spec();
        let mut oracle = Self {
            bound: bound(schedule, timing),
            ..Self::default()
        };
        for (o, plan) in schedule.origins.iter().enumerate() {
            for (s, st) in plan.streams.iter().enumerate() {
                let url =
                    |p: usize| format!("{}{}", origin_urls[o], st.style.page_path(s, p, st.step()));
                if plan.down {
                    oracle.dead.push(DeadPage {
                        url: url(0),
                        reason: Self::DOWN_REASON,
                    });
                    continue;
                }
                let served_pages = match st.end {
                    End::Complete => schedule.pages,
                    End::Html(p) => {
                        oracle.dead.push(DeadPage {
                            url: url(p),
                            reason: Self::HTML_REASON,
                        });
                        p
                    }
                    End::Foreign { page, to } => {
                        oracle.cuts.push(CutStream {
                            page_url: url(page),
                            target: foreign_link(&origin_urls[to], o, s, page + 1),
                            reason: Self::FOREIGN_REASON,
                        });
                        page + 1
                    }
                };
                let first = spec.first_id(o, s, 0);
                oracle
                    .ids
                    .extend(first..first + (served_pages * RECORDS_PER_PAGE) as u64);
            }
        }
        oracle
    }
}

/// Where a foreign next link leads: a path no stream uses, on another origin.
pub(crate) fn foreign_link(target_origin_url: &str, o: usize, s: usize, p: usize) -> String {
    format!("{target_origin_url}/elsewhere/{o}/{s}/{p}")
}

impl Schedule {
    /// The shape the record ids follow (`UpstreamSpec::record`).
    pub(crate) fn spec(&self) -> UpstreamSpec {
        UpstreamSpec {
            origins: self.origins.len(),
            streams: self.streams,
            pages: self.pages,
            records: RECORDS_PER_PAGE,
            ..UpstreamSpec::default()
        }
    }
}

/// Every cost of the schedule added up as if nothing overlapped (faults of
/// different pages and origins do overlap, so this is generous, but finite:
/// an engine that hangs, or waits far longer than its settings say, misses
/// it):
/// - each run: `startup`, and the time before the kill;
/// - each origin: its requests at `rate_per_sec` (at `min_rate_per_sec` once
///   it drew a 429);
/// - each window: its length, a breaker's longest open period and a backoff
///   after it, and its `Retry-After`;
/// - each page fault: what it holds a request for (`read_timeout` for a
///   stall, `trickle_cut` for a trickle, the delay of a slow first byte, a
///   `Retry-After`) and a backoff;
/// - an origin that is down: `give_up_after`, a connect timeout and a
///   breaker's open period.
pub fn bound(schedule: &Schedule, t: &Timing) -> Duration {
    let runs = 1 + u32::from(schedule.kill_at.is_some());
    let mut total = t.startup * runs + schedule.kill_at.unwrap_or_default();
    for plan in &schedule.origins {
        if plan.down {
            total += t.give_up_after + t.connect_timeout + t.max_open_for + t.max_delay;
            continue;
        }
        let throttled = plan
            .windows
            .iter()
            .any(|w| matches!(w.kind, WindowKind::RateLimited(_)))
            || plan.streams.iter().any(|st| {
                st.faults
                    .values()
                    .flatten()
                    .any(|f| matches!(f, Transient::RateLimited(_)))
            });
        let rate = if throttled {
            t.min_rate_per_sec
        } else {
            t.rate_per_sec
        };
        let requests: usize = plan
            .streams
            .iter()
            .map(|st| st.requests(schedule.pages))
            .sum();
        total += Duration::from_secs_f64(requests as f64 / rate.max(0.1));
        for w in &plan.windows {
            total += (w.to - w.from) + t.max_open_for + t.max_delay + t.connect_timeout;
            if let WindowKind::RateLimited(Some(secs)) = w.kind {
                total += Duration::from_secs(secs);
            }
        }
        for f in plan
            .streams
            .iter()
            .flat_map(|st| st.faults.values().flatten())
        {
            total += t.max_delay
                + match *f {
                    Transient::Status503 | Transient::RateLimited(None) => Duration::ZERO,
                    Transient::RateLimited(Some(secs)) => Duration::from_secs(secs),
                    Transient::Stall => t.read_timeout,
                    Transient::Trickle => t.trickle_cut,
                    Transient::SlowFirstByte(d) => d,
                };
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaos::schedule::{OriginPlan, StreamPlan, Style, Window};
    use crate::chaos::FaultKinds;
    use std::collections::BTreeMap;

    fn timing() -> Timing {
        Timing {
            rate_per_sec: 10.0,
            min_rate_per_sec: 1.0,
            connect_timeout: Duration::from_millis(100),
            read_timeout: Duration::from_millis(500),
            trickle_cut: Duration::from_secs(2),
            max_delay: Duration::from_millis(200),
            max_open_for: Duration::from_secs(1),
            give_up_after: Duration::from_secs(5),
            startup: Duration::from_secs(3),
        }
    }

    fn stream(style: Style, end: End) -> StreamPlan {
        StreamPlan {
            style,
            cap: None,
            faults: BTreeMap::new(),
            end,
        }
    }

    fn schedule(origins: Vec<OriginPlan>) -> Schedule {
        Schedule {
            seed: 1,
            kinds: FaultKinds::ALL,
            streams: 2,
            pages: 3,
            origins,
            kill_at: None,
        }
    }

    #[test]
    fn dead_pages_and_cuts_take_the_records_behind_them() {
        let s = schedule(vec![
            OriginPlan {
                down: false,
                windows: Vec::new(),
                streams: vec![
                    stream(Style::JsonLink, End::Html(1)),
                    stream(Style::JsonLink, End::Foreign { page: 0, to: 1 }),
                ],
            },
            OriginPlan {
                down: true,
                windows: Vec::new(),
                streams: vec![
                    stream(Style::JsonLink, End::Complete),
                    stream(Style::JsonLink, End::Complete),
                ],
            },
        ]);
        let urls = ["http://a".to_string(), "http://b".to_string()];
        let o = Oracle::new(&s, &urls, &timing());
        // Stream 0: page 0 (ids 0..5); stream 1: page 0 (ids 15..20).
        let want: BTreeSet<u64> = (0..5).chain(15..20).collect();
        assert_eq!(o.ids, want);
        assert_eq!(
            o.dead,
            [
                DeadPage {
                    url: "http://a/s/0/p/1".into(),
                    reason: "not_json"
                },
                DeadPage {
                    url: "http://b/s/0/p/0".into(),
                    reason: "origin_unreachable"
                },
                DeadPage {
                    url: "http://b/s/1/p/0".into(),
                    reason: "origin_unreachable"
                },
            ]
        );
        assert_eq!(o.cuts.len(), 1);
        assert_eq!(o.cuts[0].page_url, "http://a/s/1/p/0");
        assert_eq!(o.cuts[0].target, "http://b/elsewhere/0/1/1");
    }

    #[test]
    fn the_bound_adds_up_the_schedule() {
        let mut s = schedule(vec![OriginPlan {
            down: false,
            windows: Vec::new(),
            streams: vec![stream(Style::Cursor, End::Complete)],
        }]);
        let t = timing();
        // 3 requests at 10/s + one startup.
        assert_eq!(bound(&s, &t), Duration::from_millis(3300));
        s.origins[0].windows.push(Window {
            from: Duration::from_secs(1),
            to: Duration::from_secs(2),
            kind: WindowKind::Refused,
        });
        // + 1 s window + 1 s open + 200 ms backoff + 100 ms connect.
        assert_eq!(bound(&s, &t), Duration::from_millis(5600));
        s.origins[0].streams[0]
            .faults
            .insert(0, vec![Transient::RateLimited(Some(1))]);
        // Throttled: 3 requests at 1/s; + 1 s Retry-After + 200 ms backoff.
        assert_eq!(
            bound(&s, &t),
            Duration::from_millis(5600 - 300 + 3000 + 1200)
        );
    }
}
