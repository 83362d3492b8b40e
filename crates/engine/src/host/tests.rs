//! Host actor tests under paused tokio time: admission at the bucket's pace,
//! and jobs deferred by an open breaker until its open period ends.
//!
//! These run one host actor on an actix system (a current-thread runtime,
//! so `tokio::time::pause` applies to it and to the actor's timers), with
//! a collector in place of the supervisor. A crawl through `run()` cannot
//! be paused: `run` builds its own system, and its fetches run on a
//! multi-thread io runtime. Here too the fetches run on a real io runtime
//! against a testkit upstream; what is asserted is when the host admits
//! jobs, read from the paused clock as each test event arrives.

use super::{HostActor, HostShared, Http};
use crate::clock::Clock;
use crate::event_sink::{EventSink, Events, RunEvent};
use crate::messages::{FetchResult, Leased, Returned};
use actix::prelude::*;
use harvest_config::{origin_of, Config};
use harvest_fetch::Fetcher;
use harvest_paginate::PageRules;
use harvest_store::Job;
use harvest_testkit::{Upstream, UpstreamSpec};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

/// Stands in for the supervisor: every outcome goes to a channel.
struct Collect(mpsc::UnboundedSender<Returned>);

impl Actor for Collect {
    type Context = Context<Self>;
}

impl Handler<Returned> for Collect {
    type Result = ();

    fn handle(&mut self, outcome: Returned, _: &mut Context<Self>) {
        let _ = self.0.send(outcome);
    }
}

/// A fresh job of resource 0 for the page at `url`.
fn job(seq: u64, url: &str) -> Leased {
    Leased {
        seq,
        job: Job::new("r", url),
        url: url.parse().unwrap(),
        resource: 0,
    }
}

/// A host for the upstream's first origin, its job channel, and what it
/// reports.
struct Rig {
    jobs: async_channel::Sender<Leased>,
    host: Addr<HostActor>,
    events: mpsc::UnboundedReceiver<RunEvent>,
    outcomes: mpsc::UnboundedReceiver<Returned>,
    seeds: Vec<String>,
    clock: Clock,
    // Kept alive for the test's length.
    _upstream: Upstream,
    _dir: tempfile::TempDir,
}

fn config(dir: &std::path::Path, seed: &str, extra: &str) -> Config {
    let text = format!(
        "[crawl]\nstate_dir = \"s\"\noutput_dir = \"o\"\n{extra}\n\
         [[resources]]\nname = \"r\"\nseeds = [{seed:?}]\ndata_selector = \"data\"\n\
         paginator = {{ type = \"json_link\", next_url_path = \"next\" }}\n"
    );
    harvest_config::parse(&text, &dir.join("c.toml")).unwrap()
}

/// Starts the rig; call inside the actix system, with time paused. `io`
/// runs the fetches.
fn rig(io: tokio::runtime::Handle, extra: &str) -> Rig {
    let upstream = Upstream::start(UpstreamSpec {
        origins: 1,
        streams: 8,
        pages: 1,
        ..UpstreamSpec::default()
    })
    .unwrap();
    let seeds = upstream.seeds();
    let dir = tempfile::tempdir().unwrap();
    let config = Arc::new(config(dir.path(), &seeds[0], extra));
    let fetcher = Fetcher::new(&config.client, 16).unwrap();
    let (sink, events) = EventSink::channel();
    let (tx, outcomes) = mpsc::unbounded_channel();
    let collect = Collect(tx).start();
    let clock = Clock::following(1_000_000);
    let shared = HostShared {
        http: Http::new(fetcher, &config).unwrap(),
        io,
        rules: PageRules::for_config(&config).into(),
        global: Arc::new(Semaphore::new(64)),
        stopping: Arc::new(AtomicBool::new(false)),
        open_breakers: Arc::new(AtomicUsize::new(0)),
        supervisor: collect.recipient(),
        config: config.clone(),
        clock,
        events: Events::new(Some(sink)),
    };
    let origin = origin_of(&seeds[0].parse().unwrap());
    let (jobs, rx) = async_channel::bounded(16);
    let settings = config.origin_settings(&origin);
    let host = HostActor::new(origin, "test", settings, rx, shared).start();
    Rig {
        jobs,
        host,
        events,
        outcomes,
        seeds,
        clock,
        _upstream: upstream,
        _dir: dir,
    }
}

impl Rig {
    fn send(&self, seq: u64) {
        let url = &self.seeds[seq as usize];
        self.jobs.try_send(job(seq, url)).unwrap();
    }

    /// The next test event, and when (paused time) it arrived.
    async fn next_event(&mut self) -> (RunEvent, Instant) {
        let event = self.events.recv().await.expect("the host lives");
        (event, self.clock.now())
    }

    /// The next event other than `HostStarted`.
    async fn next_job_event(&mut self) -> (RunEvent, Instant) {
        loop {
            let (event, at) = self.next_event().await;
            if !matches!(event, RunEvent::HostStarted { .. }) {
                return (event, at);
            }
        }
    }
}

/// Runs `test` on an actix system with paused time; fetches run on a
/// real (never paused) io runtime, as in a crawl.
fn paused<F: std::future::Future<Output = ()>>(test: impl FnOnce(tokio::runtime::Handle) -> F) {
    let io = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = io.handle().clone();
    actix::System::new().block_on(async move {
        tokio::time::pause();
        test(handle).await;
    });
    io.shutdown_background();
}

#[test]
fn a_host_admits_held_jobs_at_its_buckets_pace() {
    paused(|io| async {
        let mut rig = rig(
            io,
            "[client]\nrate_per_sec = 10.0\nburst = 1\nmax_in_flight_per_origin = 16",
        );
        for seq in 0..5 {
            rig.send(seq);
        }
        let mut admitted = Vec::new();
        while admitted.len() < 5 {
            if let (RunEvent::FetchStarted { seq, .. }, at) = rig.next_job_event().await {
                admitted.push((seq, at));
            }
        }
        let t0 = admitted[0].1;
        for (i, (seq, at)) in admitted.iter().enumerate() {
            assert_eq!(*seq, i as u64, "in channel order");
            // 10 per second, no burst: one every 100 ms (tokio's timer
            // rounds a wait up to the next millisecond).
            let due = Duration::from_millis(100 * i as u64);
            let elapsed = at.duration_since(t0);
            assert!(
                elapsed >= due && elapsed < due + Duration::from_millis(3),
                "job {i} admitted at {elapsed:?}, due at {due:?}"
            );
        }
        for _ in 0..5 {
            let outcome = rig.outcomes.recv().await.unwrap();
            assert!(matches!(outcome.result, FetchResult::Page { .. }));
        }
    });
}

#[test]
fn an_open_breaker_defers_jobs_and_admits_a_probe_after_open_for() {
    paused(|io| async {
        let mut rig = rig(
            io,
            "[client]\nrate_per_sec = 1000.0\nburst = 100\n\
             [breaker]\nconsecutive_failures = 2\nmin_calls = 100\nwindow = 100\nopen_for = \"10s\"",
        );
        // Two transport failures in a row open the breaker.
        for _ in 0..2 {
            let failed = super::shared::Feedback::of_response(None, rig.clock.now());
            rig.host.send(failed).await.unwrap();
        }
        let (event, opened) = rig.next_job_event().await;
        assert!(matches!(event, RunEvent::BreakerOpened { .. }), "{event:?}");
        rig.send(0);
        let (event, at) = rig.next_job_event().await;
        assert_eq!(
            event,
            RunEvent::JobDeferred {
                origin: origin(&rig),
                seq: 0
            }
        );
        assert_eq!(at, opened, "deferred at once, no wait");
        let outcome = rig.outcomes.recv().await.unwrap();
        let FetchResult::Deferred { until } = outcome.result else {
            panic!("deferred: {:?}", outcome.result);
        };
        // `open_for`, shortened by up to 20% of jitter.
        let open_for = until.duration_since(opened);
        assert!(open_for >= Duration::from_secs(8) && open_for <= Duration::from_secs(10));
        // Just before the open period ends: still deferred.
        tokio::time::sleep_until((until - Duration::from_millis(5)).into()).await;
        rig.send(1);
        let (event, _) = rig.next_job_event().await;
        assert_eq!(
            event,
            RunEvent::JobDeferred {
                origin: origin(&rig),
                seq: 1
            }
        );
        rig.outcomes.recv().await.unwrap();
        // Once it ends, the next job goes out as the probe.
        tokio::time::sleep_until(until.into()).await;
        rig.send(2);
        let (event, at) = rig.next_job_event().await;
        assert_eq!(
            event,
            RunEvent::FetchStarted {
                origin: origin(&rig),
                seq: 2
            }
        );
        assert!(at >= until);
        let probe = rig.outcomes.recv().await.unwrap();
        assert!(matches!(probe.result, FetchResult::Page { .. }));
    });
}

fn origin(rig: &Rig) -> String {
    origin_of(&rig.seeds[0].parse().unwrap())
}
