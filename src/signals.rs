//! SIGINT / SIGTERM: the first asks the engine for a graceful stop; a second
//! exits at once (the crawl stays resumable: progress is committed in sled).

use crate::exit::stop_code;
use harvest_engine::{StopHandle, StopReason};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Starts the signal thread; returns the handle it fires.
pub fn install() -> anyhow::Result<StopHandle> {
    let stop = StopHandle::new();
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    let handle = stop.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut first = None;
            for signal in signals.forever() {
                let reason = if signal == SIGTERM {
                    StopReason::Terminate
                } else {
                    StopReason::Interrupt
                };
                match first {
                    None => {
                        first = Some(reason);
                        handle.stop(reason);
                    }
                    Some(first) => {
                        eprintln!("harvest: second signal, exiting now; run again to resume.");
                        std::process::exit(i32::from(stop_code(first)));
                    }
                }
            }
        })?;
    Ok(stop)
}
