//! The Prometheus endpoint, scraped while a crawl runs.

use crate::util::*;
use harvest_testkit::{Upstream, UpstreamSpec};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET /metrics`, or `None` while nothing listens.
fn scrape(port: u16) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.contains("200 OK").then_some(text)
}

/// The value of the first sample line starting with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()
}

/// Scrapes until `ready` holds for the text (or the deadline passes).
fn scrape_until(port: u16, ready: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(text) = scrape(port).filter(|t| ready(t)) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no matching scrape; last: {:?}",
            scrape(port)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn metrics_are_served_during_the_crawl_and_continue_after_resume() {
    let spec = UpstreamSpec {
        origins: 3,
        streams: 10,
        pages: 10,
        records: 2,
        ..Default::default()
    };
    let up = Upstream::start(spec.clone()).unwrap();
    let port = free_port();
    let crawl = Crawl::new();
    let settings = format!(
        "[metrics]\nlisten = \"127.0.0.1:{port}\"\nmax_origin_labels = 2\n\
         [client]\nrate_per_sec = 60.0\nburst = 2\n"
    );
    crawl.write(&[Res::json_link("items", up.seeds())], &settings);

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

    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
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
    assert_exactly_once(&crawl.ids("items"), spec.total_records());
}

#[test]
fn a_metrics_port_in_use_is_a_startup_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let up = Upstream::start(UpstreamSpec::default()).unwrap();
    let crawl = Crawl::new();
    crawl.write(
        &[Res::json_link("items", up.seeds())],
        &format!("[metrics]\nlisten = \"127.0.0.1:{port}\"\n"),
    );
    let out = crawl.run();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!("cannot serve metrics on 127.0.0.1:{port}")),
        "{}",
        stderr(&out)
    );
    assert!(up.log().is_empty(), "nothing fetched");
}
