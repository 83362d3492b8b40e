//! The terminal progress bar: pages done of pages known, records, pages/s,
//! ETA, retry-waiting and dead pages. When the crawl's total is not known
//! (next links, cursors: see `harvest_engine::total_known`), a spinner line
//! shows pages done and known so far without a bar or an ETA. Only on a terminal, and not with
//! `--quiet` or `--log-format json`; otherwise the engine logs a progress line
//! every few seconds instead.

use harvest_engine::{Progress, ProgressFn};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

static ALLOWED: AtomicBool = AtomicBool::new(false);

/// Says whether the command line allows a bar (human logs, not quiet).
pub fn allow(allowed: bool) {
    ALLOWED.store(allowed, Ordering::Relaxed);
}

pub struct Bar(ProgressBar);

/// A bar on stderr, if allowed and stderr is a terminal.
pub fn bar() -> Option<Bar> {
    if !ALLOWED.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(style(false));
    Some(Bar(bar))
}

/// A bar with an ETA when the total is known, else a spinner line.
fn style(total_known: bool) -> ProgressStyle {
    if total_known {
        ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} pages  {msg}  ETA {eta}")
            .expect("valid template")
            .progress_chars("=> ")
    } else {
        ProgressStyle::with_template("{spinner} {pos} pages done, {len} known so far  {msg}")
            .expect("valid template")
    }
}

impl Bar {
    /// The engine's progress callback, drawing on this bar.
    pub fn callback(&self) -> ProgressFn {
        let bar = self.0.clone();
        let known = AtomicBool::new(false);
        Arc::new(move |p: &Progress| {
            if known.swap(p.total_known, Ordering::Relaxed) != p.total_known {
                bar.set_style(style(p.total_known));
            }
            bar.set_length(p.known_pages.max(p.pages));
            bar.set_position(p.pages);
            bar.set_message(format!(
                                "{} records  {:.0} pages/s  {} in flight  {} retry-waiting  {} dead  {} open breakers",
                p.records, p.pages_per_sec, p.in_flight, p.retry_waiting, p.dead_letters, p.open_breakers
            ));
        })
    }

    pub fn finish(self) {
        self.0.finish_and_clear();
    }
}
