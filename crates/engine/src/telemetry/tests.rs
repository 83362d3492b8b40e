//! Each event moves the metrics it names, with bounded labels; the zero
//! series come from the same events. Read through `metrics-util`'s
//! debugging recorder, installed for the current thread only.

use super::*;
use harvest_paginate::{Cut, CutReason, Position};
use harvest_policy::BreakerState;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::time::{Duration, Instant};
use url::Url;

/// One recorded series: its name, its labels (`key=value`, sorted) and its
/// value.
#[derive(Debug)]
struct Series {
    name: String,
    labels: Vec<String>,
    value: DebugValue,
}

/// Everything `emit` recorded.
fn recorded(emit: impl FnOnce()) -> Vec<Series> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, emit);
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let mut labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            Series {
                name: key.name().to_string(),
                labels,
                value,
            }
        })
        .collect()
}

/// The value of the series `name` with exactly `labels` (any order).
fn value<'a>(series: &'a [Series], name: &str, labels: &[&str]) -> Option<&'a DebugValue> {
    let mut want: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    want.sort();
    series
        .iter()
        .find(|s| s.name == name && s.labels == want)
        .map(|s| &s.value)
}

fn counter(series: &[Series], name: &str, labels: &[&str]) -> Option<u64> {
    match value(series, name, labels)? {
        DebugValue::Counter(n) => Some(*n),
        other => panic!("{name} is not a counter: {other:?}"),
    }
}

fn gauge(series: &[Series], name: &str, labels: &[&str]) -> Option<f64> {
    match value(series, name, labels)? {
        DebugValue::Gauge(v) => Some(v.0),
        other => panic!("{name} is not a gauge: {other:?}"),
    }
}

fn histogram(series: &[Series], name: &str, labels: &[&str]) -> Vec<f64> {
    match value(series, name, labels) {
        Some(DebugValue::Histogram(values)) => values.iter().map(|v| v.0).collect(),
        other => panic!("{name} is not a histogram: {other:?}"),
    }
}

fn url() -> Url {
    Url::parse("http://api.test/v1/items?page=2").unwrap()
}

#[test]
fn a_retry_counts_its_reason() {
    let url = url();
    let series = recorded(|| {
        for _ in 0..2 {
            PageRetried {
                url: &url,
                attempt: 1,
                delay: Duration::from_millis(250),
                reason: "http_503",
                detail: "HTTP 503",
            }
            .emit();
        }
    });
    assert_eq!(counter(&series, RETRIES, &["reason=http_503"]), Some(2));
    assert_eq!(series.len(), 1, "{series:?}");
}

#[test]
fn a_dead_letter_counts_its_resource_and_reason() {
    let url = url();
    let series = recorded(|| {
        PageDeadLettered {
            resource: "items",
            url: &url,
            reason: "not_json",
            detail: "expected value at line 1",
        }
        .emit()
    });
    assert_eq!(
        counter(
            &series,
            DEAD_LETTERS,
            &["resource=items", "reason=not_json"]
        ),
        Some(1)
    );
}

#[test]
fn a_status_not_listed_is_counted_under_its_class() {
    let url = url();
    let series = recorded(|| {
        for reason in ["http_418", "http_451", "http_404"] {
            PageDeadLettered {
                resource: "items",
                url: &url,
                reason,
                detail: "",
            }
            .emit()
        }
    });
    let dead = |label: &str| counter(&series, DEAD_LETTERS, &["resource=items", label]);
    assert_eq!(dead("reason=http_4xx"), Some(2));
    assert_eq!(dead("reason=http_404"), Some(1));
    assert_eq!(dead("reason=http_418"), None);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "not in reasons::retry_reasons()")]
fn a_retry_reason_missing_from_the_list_fails_where_it_is_emitted() {
    let url = url();
    PageRetried {
        url: &url,
        attempt: 1,
        delay: Duration::ZERO,
        reason: "http_999",
        detail: "",
    }
    .emit();
}

#[test]
fn the_zero_series_cover_every_reason() {
    let series = recorded(|| {
        PageRetried::register_zero();
        PageDeadLettered::register_zero("items");
        ChildPagesSkipped::register_zero("parents");
    });
    let retry = crate::reasons::retry_reasons();
    for reason in &retry {
        let label = format!("reason={reason}");
        assert_eq!(counter(&series, RETRIES, &[&label]), Some(0), "{reason}");
    }
    let dead = crate::reasons::dead_letter_reasons();
    for reason in &dead {
        let label = format!("reason={reason}");
        assert_eq!(
            counter(&series, DEAD_LETTERS, &["resource=items", &label]),
            Some(0),
            "{reason}"
        );
    }
    assert!(retry.contains(&"http_429") && dead.contains(&"origin_unreachable"));
    assert_eq!(
        counter(&series, CHILD_SKIPS, &["resource=parents"]),
        Some(0)
    );
    assert_eq!(series.len(), retry.len() + dead.len() + 1);
}

#[test]
fn a_stream_cut_counts_its_reason_and_restores_the_state_s_count() {
    let page = url();
    let cut = Cut::new(
        CutReason::ForeignOrigin,
        "http://elsewhere.test/p/3",
        Position::default(),
    );
    let series = recorded(|| {
        StreamCut::restore("items", "foreign_origin", 4);
        StreamCut {
            resource: "items",
            page: &page,
            cut: &cut,
        }
        .emit();
    });
    assert_eq!(
        counter(
            &series,
            STREAMS_CUT,
            &["resource=items", "reason=foreign_origin"]
        ),
        Some(5)
    );
}

#[test]
fn skipped_child_pages_are_counted_for_the_parent_and_none_is_no_event() {
    let url = url();
    let series = recorded(|| {
        for skipped in [3, 0] {
            ChildPagesSkipped {
                resource: "parents",
                url: &url,
                skipped,
            }
            .emit();
        }
    });
    assert_eq!(
        counter(&series, CHILD_SKIPS, &["resource=parents"]),
        Some(3)
    );
}

#[test]
fn a_finished_request_counts_status_duration_and_bytes() {
    let series = recorded(|| {
        for status in [Some(503), Some(200), None] {
            RequestFinished {
                origin: "http://a.test",
                status,
                elapsed: Duration::from_millis(40),
                bytes_wire: 100,
                bytes_decoded: 300,
            }
            .emit();
        }
    });
    let origin = "origin=http://a.test";
    for labels in [
        ["status_class=5xx", "status=503"],
        ["status_class=2xx", "status=2xx"],
        ["status_class=error", "status=error"],
    ] {
        let labels = [origin, labels[0], labels[1]];
        assert_eq!(counter(&series, REQUESTS, &labels), Some(1), "{labels:?}");
    }
    assert_eq!(
        histogram(&series, REQUEST_DURATION, &[origin]),
        vec![0.04; 3]
    );
    assert_eq!(
        counter(&series, RESPONSE_BYTES, &[origin, "stage=wire"]),
        Some(300)
    );
    assert_eq!(
        counter(&series, RESPONSE_BYTES, &[origin, "stage=decoded"]),
        Some(900)
    );
}

#[test]
fn bucket_waits_add_up_in_a_counter_of_microseconds() {
    let series = recorded(|| {
        for wait in [Duration::from_micros(1500), Duration::from_nanos(200_400)] {
            BucketWaited {
                label: "http://a.test",
                wait,
            }
            .emit();
        }
    });
    assert_eq!(BUCKET_WAIT, "harvest_bucket_wait_microseconds_total");
    assert_eq!(
        counter(&series, BUCKET_WAIT, &["origin=http://a.test"]),
        Some(1700)
    );
}

#[test]
fn an_origin_label_starts_its_counters_at_zero() {
    let series = recorded(|| {
        let mut labels = OriginLabels::new(1);
        labels.label("http://a.test");
        labels.label("http://b.test");
    });
    for origin in ["origin=http://a.test", "origin=other"] {
        for name in [RATE_LIMITED, BREAKER_OPENS, BUCKET_WAIT] {
            assert_eq!(
                counter(&series, name, &[origin]),
                Some(0),
                "{name} {origin}"
            );
        }
    }
    assert_eq!(series.len(), 6);
}

#[test]
fn the_breaker_s_moves_set_its_gauge_and_count_its_openings() {
    let (origin, label) = ("http://a.test", "http://a.test");
    let this = ["origin=http://a.test"];
    let level = |emit: &dyn Fn()| gauge(&recorded(emit), BREAKER_STATE, &this);
    assert_eq!(level(&|| HostStarted { origin, label }.emit()), Some(0.0));
    let open = BreakerState::Open {
        until: Instant::now(),
    };
    let half_open = BreakerState::HalfOpen {
        probes_in_flight: 0,
    };
    for (state, want) in [(open, 2.0), (half_open, 1.0), (BreakerState::Closed, 0.0)] {
        assert_eq!(
            level(&|| BreakerSampled { label, state }.emit()),
            Some(want)
        );
    }
    let series = recorded(|| {
        BreakerOpened {
            origin,
            label,
            open_for: Duration::from_secs(30),
        }
        .emit();
        BreakerHalfOpened { origin }.emit();
        BreakerClosed { origin }.emit();
        HostStopped { origin }.emit();
    });
    assert_eq!(counter(&series, BREAKER_OPENS, &this), Some(1));
    assert_eq!(series.len(), 1, "only the opening is counted: {series:?}");
}

#[test]
fn an_origin_slowing_down_is_counted_once_per_event() {
    let series = recorded(|| {
        OriginSlowedDown {
            origin: "http://a.test",
            label: "http://a.test",
            status: Some(429),
            retry_after: Some(Duration::from_secs(2)),
            rate_per_sec: 5.0,
        }
        .emit()
    });
    assert_eq!(
        counter(&series, RATE_LIMITED, &["origin=http://a.test"]),
        Some(1)
    );
}

#[test]
fn commits_count_per_resource_and_restore_the_state_s_counts() {
    let series = recorded(|| {
        PagesCommitted {
            resource: "items",
            pages: 10,
            records: 200,
            bytes: 4096,
        }
        .restore();
        PagesCommitted {
            resource: "items",
            pages: 2,
            records: 40,
            bytes: 800,
        }
        .emit();
        GroupCommitted {
            elapsed: Duration::from_millis(5),
        }
        .emit();
    });
    let items = ["resource=items"];
    assert_eq!(counter(&series, PAGES, &items), Some(12));
    assert_eq!(counter(&series, RECORDS, &items), Some(240));
    assert_eq!(counter(&series, BYTES, &items), Some(4896));
    assert_eq!(histogram(&series, COMMIT_DURATION, &[]), vec![0.005]);
}

#[test]
fn the_crawl_is_up_while_it_runs_and_down_once_it_has_ended() {
    let running = recorded(|| {
        QueuesSampled {
            in_flight: 3,
            waiting: 1,
            pending: 7,
            hosts: 2,
        }
        .emit()
    });
    assert_eq!(gauge(&running, UP, &[]), Some(1.0));
    let version = format!("version={}", env!("CARGO_PKG_VERSION"));
    assert_eq!(gauge(&running, BUILD_INFO, &[&version]), Some(1.0));
    assert_eq!(gauge(&running, IN_FLIGHT, &[]), Some(3.0));
    assert_eq!(gauge(&running, FRONTIER_WAITING, &[]), Some(1.0));
    assert_eq!(gauge(&running, FRONTIER_PENDING, &[]), Some(7.0));
    assert_eq!(gauge(&running, HOSTS, &[]), Some(2.0));
    let ended = recorded(|| {
        CrawlStarted.emit();
        mark_ended();
    });
    assert_eq!(gauge(&ended, UP, &[]), Some(0.0));
}

#[test]
fn every_metric_an_event_records_is_in_the_list() {
    let url = url();
    let cut = Cut::new(CutReason::Loop, "http://api.test/p/1", Position::default());
    let series = recorded(|| {
        PageRetried {
            url: &url,
            attempt: 1,
            delay: Duration::ZERO,
            reason: "timeout",
            detail: "",
        }
        .emit();
        StreamCut {
            resource: "items",
            page: &url,
            cut: &cut,
        }
        .emit();
        BucketWaited {
            label: "x",
            wait: Duration::from_millis(1),
        }
        .emit();
        let mut labels = OriginLabels::new(4);
        labels.label("http://a.test");
        HostStarted {
            origin: "x",
            label: "x",
        }
        .emit();
        GroupCommitted {
            elapsed: Duration::ZERO,
        }
        .emit();
        QueuesSampled {
            in_flight: 0,
            waiting: 0,
            pending: 0,
            hosts: 0,
        }
        .emit();
    });
    assert!(series.len() >= 10);
    for s in &series {
        assert!(ALL.contains(&s.name.as_str()), "{} is not in ALL", s.name);
    }
}
