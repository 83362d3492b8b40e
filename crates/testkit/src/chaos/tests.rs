//! The chaos servers against real sockets: refused and reset windows,
//! bursts, page faults in order, capped pages, 404 past the end, foreign
//! links.

use super::*;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn stream(style: Style) -> StreamPlan {
    StreamPlan {
        style,
        cap: None,
        faults: BTreeMap::new(),
        end: End::Complete,
    }
}

fn upstream(windows: Vec<Window>, streams: Vec<StreamPlan>, kinds: FaultKinds) -> ChaosUpstream {
    let schedule = Schedule {
        seed: 0,
        kinds,
        streams: streams.len(),
        pages: 3,
        origins: vec![
            OriginPlan {
                down: false,
                windows,
                streams: streams.clone(),
            },
            OriginPlan {
                down: false,
                windows: Vec::new(),
                streams,
            },
        ],
        kill_at: None,
    };
    ChaosUpstream::start(schedule).unwrap()
}

/// `GET path` on a fresh connection: the status line and body, or the error.
fn get(up: &ChaosUpstream, origin: usize, path: &str) -> std::io::Result<(u16, String)> {
    let addr = up
        .origin_url(origin)
        .trim_start_matches("http://")
        .to_string();
    let mut tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    tcp.read_to_string(&mut text)?;
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line: {text:?}")))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
    Ok((status, body.unwrap_or_default()))
}

fn ids(body: &str) -> Vec<u64> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect()
}

fn window(kind: WindowKind, secs: u64) -> Window {
    Window {
        from: Duration::ZERO,
        to: Duration::from_secs(secs),
        kind,
    }
}

#[test]
fn a_refused_window_closes_the_port_and_the_same_port_serves_again() {
    let up = upstream(
        vec![window(WindowKind::Refused, 2)],
        vec![stream(Style::JsonLink)],
        FaultKinds::ALL,
    );
    let err = get(&up, 0, "/s/0/p/0").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    assert_eq!(
        get(&up, 1, "/s/0/p/0").unwrap().0,
        200,
        "other origins serve"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let served = loop {
        match get(&up, 0, "/s/0/p/0") {
            Ok(reply) => break reply,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("the port never came back: {e}"),
        }
    };
    assert_eq!(served.0, 200);
    assert!(up.log().snapshot().iter().all(|r| r.status == 200));
}

#[test]
fn a_reset_window_resets_connections_without_serving() {
    let up = upstream(
        vec![window(WindowKind::Reset, 30)],
        vec![stream(Style::JsonLink)],
        FaultKinds::ALL,
    );
    assert!(get(&up, 0, "/s/0/p/0").is_err());
    assert_eq!(up.resets()[0], 1);
    assert!(up.log().is_empty(), "no request was read");
}

#[test]
fn bursts_answer_every_request() {
    let up = upstream(
        vec![window(WindowKind::RateLimited(Some(1)), 30)],
        vec![stream(Style::JsonLink)],
        FaultKinds::ALL,
    );
    assert_eq!(get(&up, 0, "/s/0/p/0").unwrap().0, 429);
    assert_eq!(get(&up, 0, "/s/0/p/1").unwrap().0, 429);
    assert_eq!(get(&up, 1, "/s/0/p/0").unwrap().0, 200);
}

#[test]
fn page_faults_come_first_in_order_then_the_page() {
    let mut st = stream(Style::Cursor);
    st.faults
        .insert(1, vec![Transient::Status503, Transient::RateLimited(None)]);
    let up = upstream(Vec::new(), vec![st], FaultKinds::ALL);
    let path = format!("/cursor/s/0?cursor={}", CURSOR_BASE + 1);
    assert_eq!(get(&up, 0, &path).unwrap().0, 503);
    assert_eq!(get(&up, 0, &path).unwrap().0, 429);
    let (status, body) = get(&up, 0, &path).unwrap();
    assert_eq!(status, 200);
    assert_eq!(ids(&body), [5, 6, 7, 8, 9]);
    assert!(body.contains("\"next_cursor\":1002"), "{body}");
    // Origin 1 has the same plan and counts its own requests.
    assert_eq!(get(&up, 1, &path).unwrap().0, 503, "per origin");
}

#[test]
fn capped_offset_pages_serve_fewer_records_with_the_true_total() {
    let mut st = stream(Style::Offset);
    st.cap = Some(3);
    let up = upstream(Vec::new(), vec![st], FaultKinds::ALL);
    let (_, body) = get(&up, 0, "/offset/s/0?offset=3&limit=5").unwrap();
    assert_eq!(ids(&body), [3, 4, 5]);
    assert!(body.contains("\"total\":15"), "{body}");
}

#[test]
fn open_pages_end_with_404_or_an_empty_page() {
    let up = upstream(Vec::new(), vec![stream(Style::OpenPages)], FaultKinds::ALL);
    assert_eq!(get(&up, 0, "/open/s/0?page=3").unwrap().0, 200);
    assert_eq!(get(&up, 0, "/open/s/0?page=4").unwrap().0, 404);
    let up = upstream(
        Vec::new(),
        vec![stream(Style::OpenPages)],
        FaultKinds::ALL.edit("-past_end_404").unwrap(),
    );
    let (status, body) = get(&up, 0, "/open/s/0?page=4").unwrap();
    assert_eq!((status, ids(&body).len()), (200, 0));
}

#[test]
fn dead_pages_and_foreign_links_follow_the_schedule() {
    let mut html = stream(Style::JsonLink);
    html.end = End::Html(1);
    let mut foreign = stream(Style::JsonLink);
    foreign.end = End::Foreign { page: 0, to: 1 };
    let up = upstream(Vec::new(), vec![html, foreign], FaultKinds::ALL);
    for _ in 0..2 {
        let (status, body) = get(&up, 0, "/s/0/p/1").unwrap();
        assert_eq!(status, 200);
        assert!(body.starts_with("<html>"), "{body}");
    }
    let (_, body) = get(&up, 0, "/s/1/p/0").unwrap();
    let want = format!("\"next\":\"{}/elsewhere/0/1/1\"", up.origin_url(1));
    assert!(body.contains(&want), "{body}");
    assert_eq!(get(&up, 1, "/elsewhere/0/1/1").unwrap().0, 404);
}
