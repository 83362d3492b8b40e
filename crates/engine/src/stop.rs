//! The stop trigger: a value the binary's signal handler (or a test) fires to
//! begin a graceful stop.

use tokio::sync::watch;

/// Why a crawl is asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// SIGINT / Ctrl-C.
    Interrupt,
    /// SIGTERM.
    Terminate,
}

/// Cloneable, thread-safe handle that asks the running crawl to stop.
#[derive(Debug, Clone)]
pub struct StopHandle {
    tx: watch::Sender<Option<StopReason>>,
}

impl StopHandle {
    pub fn new() -> Self {
        Self {
            tx: watch::Sender::new(None),
        }
    }

    /// Asks for a graceful stop; the first reason given wins.
    pub fn stop(&self, reason: StopReason) {
        self.tx.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Option<StopReason>> {
        self.tx.subscribe()
    }
}

impl Default for StopHandle {
    fn default() -> Self {
        Self::new()
    }
}
