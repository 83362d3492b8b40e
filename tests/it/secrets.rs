//! A debug-level run with secrets set: no secret appears in stderr (JSON
//! logs), stdout, the summary, the metrics scrape, the output or any file of
//! the state directory, although pages were retried and dead-lettered.

use crate::util::*;
use harvest_testkit::{Credential, Fault, FaultAction};
use std::path::Path;
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-LEAKCHECK-7c1f0e9d";
const KEY: &str = "key-LEAKCHECK-3b8a2d6e";

/// Every file under `dir`, as bytes.
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn secrets_never_reach_logs_metrics_state_or_output() {
    let up = upstream(shape(2, 3, 4, 2));
    up.require_credential(0, Credential::Bearer(TOKEN.into()));
    up.require_credential(
        1,
        Credential::ApiKeyQuery {
            name: "api_key".into(),
            value: KEY.into(),
        },
    );
    // Retries, a dead letter and a redirect put URLs and details in the log and the state.
    up.add_fault(
        Fault::new(FaultAction::Status(503))
            .path("/s/0/p/1")
            .times(1),
    );
    up.add_fault(Fault::new(FaultAction::Status(404)).path("/s/1/p/2"));
    up.add_fault(Fault::new(FaultAction::Redirect("/s/2/p/0".into())).path("/moved"));
    let port = free_port();
    let seeds = |o: usize| -> Vec<String> {
        let mut s: Vec<String> = (0..3)
            .map(|s| format!("{}/s/{s}/p/0", up.origin_url(o)))
            .collect();
        s.push(format!("{}/moved", up.origin_url(o)));
        s
    };
    let crawl = Crawl::with(vec![
        Res::json_link("a", seeds(0)),
        Res::json_link("b", seeds(1)),
    ])
    .settings(&format!(
        "[metrics]\nlisten = \"127.0.0.1:{port}\"\nlinger = \"5s\"\n\
         [retry]\nbase_delay = \"10ms\"\nmax_delay = \"20ms\"\n"
    ))
    .write();
    // Resource `a` gets the bearer token; resource `b` (last) the query key.
    let toml = std::fs::read_to_string(crawl.path("crawl.toml")).unwrap();
    let toml = toml.replacen(
        "[[resources]]\nname = \"b\"",
        "auth = { type = \"bearer\", token_env = \"IT_TOKEN\" }\n\n[[resources]]\nname = \"b\"",
        1,
    );
    crawl.write_raw(&toml);
    crawl.append("auth = { type = \"api_key\", key_env = \"IT_KEY\", query_param = \"api_key\" }");

    // Logs go to files (a debug log would fill a pipe and stall the run).
    let stderr_file = std::fs::File::create(crawl.path("stderr.log")).unwrap();
    let stdout_file = std::fs::File::create(crawl.path("stdout.log")).unwrap();
    let mut child = crawl
        .command_with_log("debug")
        .args(["--log-format", "json"])
        .env("IT_TOKEN", TOKEN)
        .env("IT_KEY", KEY)
        .stdout(stdout_file)
        .stderr(stderr_file)
        .spawn()
        .unwrap();
    // The summary is written when the crawl is over; /metrics lingers 5 s
    // after it, with the final counts.
    wait_until("the crawl finished", || crawl.path("summary.json").exists());
    let metrics = scrape(port).expect("metrics linger after the crawl");
    let status = exit_by(&mut child, Instant::now() + Duration::from_secs(60))
        .expect("harvest exits once /metrics has lingered");
    assert_eq!(
        status.code(),
        Some(3),
        "{}",
        std::fs::read_to_string(crawl.path("stderr.log")).unwrap_or_default()
    );
    assert!(metrics.contains("harvest_dead_letters_total"), "{metrics}");
    assert_eq!(up.refused_requests(), 0, "both credentials were sent");
    let log = up.log().snapshot();
    assert!(
        log.iter().any(|r| r.path.contains(KEY)),
        "the key went in the query"
    );

    // stderr.log, stdout.log, the summary, the output and the state are all in the crawl dir.
    let mut everything = vec![("metrics".to_string(), metrics.into_bytes())];
    files(crawl.dir.path(), &mut everything);
    let stderr = std::fs::read_to_string(crawl.path("stderr.log")).unwrap();
    assert!(stderr.contains("\"level\":\"DEBUG\""), "a debug-level run");
    assert!(
        stderr.contains("request id"),
        "failures name the request id"
    );
    for (what, bytes) in &everything {
        if what.ends_with("crawl.toml") {
            continue;
        }
        for secret in [TOKEN, KEY] {
            assert!(!contains(bytes, secret), "{secret} leaked into {what}");
        }
    }
}
