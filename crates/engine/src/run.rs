//! The entry point: prepare the state, seed it, start the supervisor on an
//! actix system in this thread, and wait for the summary.

use crate::clock::Clock;
use crate::commit::Committer;
use crate::event_sink::Events;
use crate::supervisor::{Supervisor, SupervisorParts};
use crate::{prepare, EngineError, EventSink, ProgressFn, StopHandle, Summary};
use actix::AsyncContext;
use harvest_config::Config;
use harvest_fetch::Fetcher;
use harvest_store::Store;
use std::sync::Arc;

/// How to run a crawl, besides its config.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Fires a graceful stop (signals, tests).
    pub stop: StopHandle,
    /// Resume even though the config changed incompatibly (see `prepare`).
    pub force: bool,
    /// Progress snapshots go here (a few times a second) instead of to the
    /// log as periodic lines.
    pub progress: Option<ProgressFn>,
    /// Test events go here (hosts started and reaped, fetches admitted,
    /// commits, the end): tests wait for an event instead of sleeping.
    /// `None` (the default) costs nothing. See [`RunEvent`](crate::RunEvent).
    pub events: Option<EventSink>,
}

/// Runs the crawl described by `config` until every page is done (or dead),
/// or until `options.stop` fires. Blocks the calling thread, which must not
/// already run an async runtime.
pub fn run(config: Config, options: &RunOptions) -> Result<Summary, EngineError> {
    let store = Store::open(&config.crawl.state_dir)?;
    let passes = crate::passes::begin(&config, &store, crate::clock::now_ms())?;
    let seeded = prepare::prepare(&config, &store, &passes, options.force)?;
    if seeded > 0 {
        tracing::info!(seeds = seeded, "Frontier seeded.");
    }
    crate::reopen::reopen(&config, &store, &passes)?;
    // Durable before the first group commit writes any output: a kill -9
    // between that write and the commit's own flush would otherwise lose
    // the seeding too, and the next run would find output the state never
    // wrote (and refuse it).
    store.flush()?;
    // Here, not on the supervisor's thread at its first lookup.
    let seen = store.load_seen()?;
    tracing::debug!(pages = seen, "Seen set loaded.");
    let pool_per_origin = config.client.defaults.max_in_flight.max(
        config
            .origins
            .values()
            .map(|o| o.max_in_flight)
            .max()
            .unwrap_or(0),
    );
    let fetcher = Fetcher::new(&config.client, pool_per_origin).map_err(EngineError::Client)?;
    let http = crate::host::Http::new(fetcher, &config).map_err(EngineError::Client)?;
    // Fetching and parsing run on their own threads; the actix thread keeps
    // the supervisor and the host actors (bookkeeping only).
    let io = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.crawl.io_threads)
        .thread_name("harvest-io")
        .enable_all()
        .build()
        .map_err(|e| EngineError::Runtime(e.to_string()))?;
    let io_handle = io.handle().clone();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let stop = options.stop.subscribe();
    let system = actix::System::new();
    let result = system.block_on(async move {
        // The writer thread answers to the supervisor: it needs the address first.
        let ctx = actix::Context::<Supervisor>::new();
        let committer = Committer::open(&config, &store, &passes, ctx.address().recipient())?;
        let parts = SupervisorParts {
            config: Arc::new(config),
            passes: Arc::new(passes),
            store,
            committer,
            http,
            io: io_handle,
            stop,
            progress: options.progress.clone(),
            done: done_tx,
            clock: Clock::system(),
            events: Events::new(options.events.clone()),
        };
        ctx.run(Supervisor::new(parts)?);
        done_rx.await.map_err(|_| EngineError::Lost)?
    });
    actix::System::current().stop();
    // Fetch tasks of a stopped crawl are abandoned, not awaited.
    io.shutdown_background();
    result
}
