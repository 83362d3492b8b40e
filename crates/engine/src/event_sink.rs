//! Test events: what happens in a crawl, as a stream of small values, so a
//! test waits for an event instead of sleeping (nearcore's test events).
//! Off unless [`RunOptions::events`](crate::RunOptions) is set: then an
//! emit costs one branch and builds nothing. Not telemetry: metrics and
//! logs do not go through here, and no event carries a secret (origins
//! only, never URLs).

use tokio::sync::mpsc;

/// Something that happened in the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunEvent {
    /// A host actor started for `origin`.
    HostStarted { origin: String },
    /// `origin`'s host was stopped for idleness (`idle_after`, or too many
    /// idle hosts).
    HostReaped { origin: String },
    /// The job `seq` passed its host's admission (bucket, breaker, slots):
    /// its fetch starts now.
    FetchStarted { origin: String, seq: u64 },
    /// The job `seq` was handed back to wait: `origin`'s breaker is open.
    JobDeferred { origin: String, seq: u64 },
    /// `origin`'s breaker opened.
    BreakerOpened { origin: String },
    /// A commit group is durable.
    PagesCommitted { pages: u64, records: u64 },
    /// The crawl ended (its summary is on its way).
    Ended,
}

/// The sending end of a test event stream; cloning is cheap.
#[derive(Debug, Clone)]
pub struct EventSink {
    tx: mpsc::UnboundedSender<RunEvent>,
}

impl EventSink {
    /// A sink and the stream of what it receives (unbounded: the engine
    /// never waits for a test to read).
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<RunEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx }, rx)
    }
}

/// Where the engine's parts emit test events: nowhere unless a sink is set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Events(Option<EventSink>);

impl Events {
    pub fn new(sink: Option<EventSink>) -> Self {
        Self(sink)
    }

    /// Sends `event()` when a sink is set (the closure runs only then). A
    /// stream nobody reads any more is ignored.
    pub fn emit(&self, event: impl FnOnce() -> RunEvent) {
        if let Some(sink) = &self.0 {
            let _ = sink.tx.send(event());
        }
    }
}

#[cfg(test)]
mod tests;
