//! HTTPS upstreams: HTTP/2 when the server offers it over TLS, a private CA
//! trusted through `[client] ca_file`, and an untrusted certificate failing
//! the page rather than the crawl.

use crate::util::*;
use harvest_testkit::{LinkStyle, Upstream, UpstreamSpec};

fn spec() -> UpstreamSpec {
    UpstreamSpec {
        link: LinkStyle::RootRelative,
        ..shape(2, 3, 4, 5)
    }
}

#[test]
fn https_origins_are_crawled_over_http2_with_a_trusted_private_ca() {
    let spec = spec();
    let up = Upstream::start_tls(spec.clone()).unwrap();
    assert!(up.seeds()[0].starts_with("https://127.0.0.1:"));
    let crawl = Crawl::of(&up)
        .settings("[client]\nca_file = \"ca.pem\"\n")
        .write();
    std::fs::write(crawl.path("ca.pem"), up.ca_pem().unwrap()).unwrap();
    crawl.run_expect(0);
    crawl.assert_every_record_once(&spec);
    let log = up.log().snapshot();
    assert_eq!(log.len() as u64, spec.total_pages());
    assert!(
        log.iter().all(|r| r.version == "HTTP/2.0"),
        "versions: {:?}",
        log.iter().map(|r| &r.version).collect::<Vec<_>>()
    );
}

#[test]
fn an_untrusted_certificate_dead_letters_its_pages() {
    let spec = spec();
    let up = Upstream::start_tls(spec.clone()).unwrap();
    let crawl = Crawl::of(&up)
        .settings("[retry]\nmax_attempts = 1\n")
        .write();
    crawl.run_expect(3);
    assert!(up.log().snapshot().is_empty(), "no request got through");
    let summary = crawl.summary();
    assert_eq!(
        summary["dead_letters"],
        spec.origins * spec.streams,
        "{summary}"
    );
    assert!(crawl.ids("items").is_empty());
}

#[test]
fn a_ca_file_without_a_certificate_is_refused_by_name() {
    let crawl = Crawl::with(vec![Res::json_link(
        "items",
        vec!["https://127.0.0.1:9/".into()],
    )])
    .settings("[client]\nca_file = \"ca.pem\"\n")
    .write();
    std::fs::write(crawl.path("ca.pem"), "not a certificate\n").unwrap();
    let err = stderr(&crawl.run_expect(2));
    assert_contains(&err, &["client.ca_file", "holds no PEM certificate"]);
}
