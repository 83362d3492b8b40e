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

    /// The stop asked for so far, if any.
    pub fn requested(&self) -> Option<StopReason> {
        *self.tx.borrow()
    }

    /// Waits up to `timeout` for a stop to be asked for; returns it, or
    /// `None` when the time ran out first (between `--every` passes).
    pub fn wait(&self, timeout: std::time::Duration) -> Option<StopReason> {
        if let Some(reason) = self.requested() {
            return Some(reason);
        }
        let mut rx = self.tx.subscribe();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .ok()?;
        runtime.block_on(async {
            let asked = rx.wait_for(Option::is_some);
            match tokio::time::timeout(timeout, asked).await {
                Ok(Ok(reason)) => *reason,
                _ => None,
            }
        })
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
