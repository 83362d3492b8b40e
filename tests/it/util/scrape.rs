//! Scraping the Prometheus endpoint of a running crawl.

use super::wait_until;
use std::io::{Read, Write};

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET /metrics`, or `None` while nothing listens.
pub(crate) fn scrape(port: u16) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.contains("200 OK").then_some(text)
}

/// The value of the first sample line starting with `prefix`.
pub(crate) fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()
}

/// Scrapes until `ready` holds for the text.
pub(crate) fn scrape_until(port: u16, ready: impl Fn(&str) -> bool) -> String {
    let mut text = None;
    wait_until("a matching scrape", || {
        text = scrape(port).filter(|t| ready(t));
        text.is_some()
    });
    text.unwrap()
}

/// Sum of every sample of `name` whose labels contain `with`.
pub(crate) fn sum(text: &str, name: &str, with: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains(with))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The sample of `name` whose labels contain every one of `labels`.
pub(crate) fn labelled(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()
}
