//! The Prometheus endpoint, scraped while a crawl runs.

use crate::util::*;
use harvest_testkit::{Fault, FaultAction, UpstreamSpec};

#[test]
fn metrics_are_served_during_the_crawl_and_continue_after_resume() {
    let up = upstream(shape(3, 10, 10, 2));
    let spec = up.spec();
    let port = free_port();
    let crawl = Crawl::of(&up)
        .settings(&format!(
            "[metrics]\nlisten = \"127.0.0.1:{port}\"\nmax_origin_labels = 2\n\
             [client]\nrate_per_sec = 60.0\nburst = 2\n"
        ))
        .write();

    let child = crawl.spawn();
    let text = scrape_until(port, |t| {
        sample(t, "harvest_pages_total{resource=\"items\"}").is_some_and(|v| v >= 20.0)
    });
    for help in [
        "harvest_pages_total",
        "harvest_requests_total",
        "harvest_request_duration_seconds",
        "harvest_in_flight",
        "harvest_commit_duration_seconds",
    ] {
        assert!(
            text.contains(&format!("# HELP {help} ")),
            "no HELP for {help}:\n{text}"
        );
    }
    assert_eq!(sample(&text, "harvest_up"), Some(1.0));
    assert!(text.contains("harvest_build_info{version=\""), "{text}");
    assert!(
        text.contains("harvest_request_duration_seconds_bucket{origin=\"http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("status_class=\"2xx\""), "{text}");
    // Three origins, two labels: the third shares `other`.
    assert!(
        text.contains("harvest_requests_total{origin=\"other\""),
        "{text}"
    );
    let origins: std::collections::HashSet<&str> = text
        .lines()
        .filter(|l| l.starts_with("harvest_requests_total{"))
        .filter_map(|l| l.split('"').nth(1))
        .collect();
    assert_eq!(origins.len(), 3, "{origins:?}");

    interrupt(&child);
    assert_exit(&child.wait_with_output().unwrap(), 130);
    let before = crawl.summary()["pages"].as_u64().unwrap();
    assert!(before >= 20);

    let child = crawl.spawn();
    let text = scrape_until(port, |t| {
        t.contains("harvest_pages_total{resource=\"items\"}")
    });
    let resumed = sample(&text, "harvest_pages_total{resource=\"items\"}").unwrap();
    assert!(
        resumed >= before as f64,
        "counter restarted from {resumed}, {before} pages were done"
    );
    assert_exit(&child.wait_with_output().unwrap(), 0);
    crawl.assert_every_record_once(spec);
}

#[test]
fn a_metrics_port_in_use_is_a_startup_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let up = upstream(UpstreamSpec::default());
    let crawl = Crawl::of(&up)
        .settings(&format!("[metrics]\nlisten = \"127.0.0.1:{port}\"\n"))
        .write();
    let out = crawl.run_expect(2);
    assert!(
        stderr(&out).contains(&format!("cannot serve metrics on 127.0.0.1:{port}")),
        "{}",
        stderr(&out)
    );
    assert!(up.log().is_empty(), "nothing fetched");
}

#[test]
fn final_counts_match_the_output_and_the_server_log() {
    let up = upstream(shape(2, 4, 5, 3));
    let spec = up.spec();
    up.add_fault(Fault::new(FaultAction::Status(503)).every(7).times(3));
    up.add_fault(
        Fault::new(FaultAction::RateLimited { retry_after: None })
            .origin(1)
            .times(1),
    );
    let port = free_port();
    let crawl = Crawl::of(&up)
        .settings(&format!(
            "[metrics]\nlisten = \"127.0.0.1:{port}\"\nlinger = \"30s\"\n\
         [client]\nrate_per_sec = 500.0\n[retry]\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n"
        ))
        .write();
    let mut child = crawl.spawn();
    // The summary is written when the crawl is over; /metrics lingers after it.
    wait_until("the crawl finished", || crawl.path("summary.json").exists());
    let text = scrape(port).expect("metrics linger after the crawl");
    child.kill().unwrap();
    child.wait().unwrap();

    for (name, kind) in [
        ("harvest_pages_total", "counter"),
        ("harvest_records_total", "counter"),
        ("harvest_bytes_total", "counter"),
        ("harvest_requests_total", "counter"),
        ("harvest_request_duration_seconds", "histogram"),
        ("harvest_retries_total", "counter"),
        ("harvest_rate_limited_total", "counter"),
        ("harvest_bucket_wait_microseconds_total", "counter"),
        ("harvest_breaker_state", "gauge"),
        ("harvest_frontier_pending", "gauge"),
        ("harvest_frontier_waiting", "gauge"),
        ("harvest_in_flight", "gauge"),
        ("harvest_commit_duration_seconds", "histogram"),
        ("harvest_up", "gauge"),
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} {kind}")),
            "{name} is not a {kind}:\n{text}"
        );
    }
    let log = up.log().snapshot();
    let ids = crawl.ids("items");
    assert_exactly_once(&ids, spec.total_records());
    assert_eq!(
        sample(&text, "harvest_pages_total{resource=\"items\"}"),
        Some(spec.total_pages() as f64)
    );
    assert_eq!(
        sample(&text, "harvest_records_total{resource=\"items\"}"),
        Some(ids.len() as f64)
    );
    let bytes = std::fs::metadata(crawl.path("out/items.jsonl"))
        .unwrap()
        .len();
    assert_eq!(
        sample(&text, "harvest_bytes_total{resource=\"items\"}"),
        Some(bytes as f64)
    );
    assert_eq!(
        sum(&text, "harvest_requests_total", ""),
        log.len() as f64,
        "every request counted once"
    );
    let served = |code: u16| log.iter().filter(|r| r.status == code).count() as f64;
    assert_eq!(
        sum(&text, "harvest_requests_total", "status=\"503\""),
        served(503)
    );
    assert_eq!(
        sum(&text, "harvest_requests_total", "status=\"429\""),
        served(429)
    );
    assert_eq!(
        sum(&text, "harvest_rate_limited_total", ""),
        1.0,
        "one 429 burst"
    );
    assert_eq!(
        sum(&text, "harvest_retries_total", ""),
        served(503) + served(429)
    );
    assert_eq!(sample(&text, "harvest_frontier_pending"), Some(0.0));
}

#[test]
fn a_thousand_origins_stay_under_the_series_cap() {
    let up = upstream(shape(1000, 1, 1, 1));
    let spec = up.spec();
    let port = free_port();
    let crawl = Crawl::of(&up)
        .settings(&format!(
            "[metrics]\nlisten = \"127.0.0.1:{port}\"\nmax_origin_labels = 20\nlinger = \"30s\"\n"
        ))
        .write();
    let mut child = crawl.spawn();
    wait_until("the crawl finished", || crawl.path("summary.json").exists());
    let text = scrape(port).expect("metrics linger after the crawl");
    child.kill().unwrap();
    child.wait().unwrap();
    crawl.assert_every_record_once(spec);
    let origins: std::collections::HashSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains("origin=\""))
        .filter_map(|l| l.split("origin=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(origins.len(), 21, "20 named origins and `other`");
    assert_eq!(
        sum(&text, "harvest_requests_total", "origin=\"other\""),
        980.0
    );
}

#[test]
fn a_stopped_host_s_gauges_leave_the_exposition() {
    let up = upstream(shape(2, 1, 80, 1));
    let seeds = up.seeds();
    let port = free_port();
    // Origin 0 is done within a second and then idle; origin 1 crawls for ~8 s.
    let crawl = Crawl::with(vec![
        Res::json_link("fast", vec![seeds[0].clone()]),
        Res::json_link("slow", vec![seeds[1].clone()]),
    ])
    .settings(&format!(
        "[metrics]\nlisten = \"127.0.0.1:{port}\"\n\
         [client]\nidle_after = \"200ms\"\nrate_per_sec = 10.0\nburst = 1\n\
         [[client.origins]]\norigin = {:?}\nrate_per_sec = 1000.0\n",
        up.origin_url(0)
    ))
    .write();
    let gauge = |origin: usize| {
        format!(
            "harvest_breaker_state{{origin=\"{}\"}}",
            up.origin_url(origin)
        )
    };
    let child = crawl.spawn();
    scrape_until(port, |t| t.contains(&gauge(0)) && t.contains(&gauge(1)));
    // Origin 0's host stops once idle; its gauges expire; origin 1's stay.
    let text = scrape_until(port, |t| !t.contains(&gauge(0)));
    assert!(
        text.contains(&gauge(1)),
        "the live host keeps its series:\n{text}"
    );
    assert!(text.contains("harvest_up 1"), "global gauges stay:\n{text}");
    interrupt(&child);
    assert_exit(&child.wait_with_output().unwrap(), 130);
}

#[test]
fn known_counters_are_exported_at_zero_and_up_is_0_once_the_crawl_has_ended() {
    let up = upstream(shape(2, 2, 4, 2));
    let spec = up.spec();
    let seeds = up.seeds();
    let port = free_port();
    let crawl = Crawl::with(vec![
        Res::json_link("items", seeds[..2].to_vec()),
        Res::json_link("others", seeds[2..].to_vec()),
    ])
    .settings(&format!(
        "[metrics]\nlisten = \"127.0.0.1:{port}\"\nlinger = \"60s\"\n\
         [client]\nidle_after = \"200ms\"\nrate_per_sec = 10.0\nburst = 1\n"
    ))
    .write();
    let zero_series = |text: &str| {
        for reason in harvest_engine::reasons::retry_reasons() {
            let label = format!("reason=\"{reason}\"");
            assert_eq!(
                labelled(text, "harvest_retries_total", &[&label]),
                Some(0.0),
                "{reason}:\n{text}"
            );
        }
        for reason in harvest_engine::reasons::dead_letter_reasons() {
            let label = format!("reason=\"{reason}\"");
            for resource in ["resource=\"items\"", "resource=\"others\""] {
                assert_eq!(
                    labelled(text, "harvest_dead_letters_total", &[resource, &label]),
                    Some(0.0),
                    "{resource} {reason}:\n{text}"
                );
            }
        }
        for reason in ["too_slow", "http_503", "connect"] {
            assert!(text.contains(&format!("harvest_retries_total{{reason=\"{reason}\"}} 0")));
        }
        for reason in [
            "not_json",
            "origin_unreachable",
            "body_too_large",
            "http_404",
            "http_4xx",
        ] {
            let label = format!("reason=\"{reason}\"");
            assert!(labelled(text, "harvest_dead_letters_total", &[&label]).is_some());
        }
    };
    let mut child = crawl.spawn();
    // Early in the crawl (a page every 100 ms per origin): nothing has been
    // retried, dead-lettered or slowed down, yet every series is there.
    let early = scrape_until(port, |t| t.contains("harvest_up 1"));
    zero_series(&early);
    let origin_0 = format!("origin=\"{}\"", up.origin_url(0));
    wait_until("both origins have labels", || {
        scrape(port).is_some_and(|t| {
            (0..2).all(|o| {
                let origin = format!("origin=\"{}\"", up.origin_url(o));
                labelled(&t, "harvest_rate_limited_total", &[&origin]) == Some(0.0)
            })
        })
    });

    wait_until("the crawl finished", || crawl.path("summary.json").exists());
    let text = scrape(port).expect("metrics linger after the crawl");
    assert_eq!(sample(&text, "harvest_up"), Some(0.0), "{text}");
    zero_series(&text);
    assert_eq!(
        labelled(&text, "harvest_breaker_opens_total", &[&origin_0]),
        Some(0.0)
    );
    // Two seeds of an origin start together behind a burst of 1: the
    // second waited for its token.
    let waited = labelled(
        &text,
        "harvest_bucket_wait_microseconds_total",
        &[&origin_0],
    );
    assert!(waited.is_some_and(|us| us > 0.0), "{text}");
    // Past the exporter's idle timeout the crawl's gauges are gone, while
    // harvest_up stays, at 0.
    let text = scrape_until(port, |t| !t.contains("\nharvest_in_flight "));
    assert_eq!(sample(&text, "harvest_up"), Some(0.0), "{text}");
    child.kill().unwrap();
    child.wait().unwrap();
    let ids = [crawl.ids("items"), crawl.ids("others")].concat();
    assert_exactly_once(&ids, spec.total_records());
}
