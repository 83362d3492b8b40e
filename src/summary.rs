//! The closing summary: printed on stdout, optionally written as JSON.

use harvest_engine::{Ending, Summary};
use std::path::Path;

pub fn print(summary: &Summary) {
    println!("{summary}");
}

pub fn write_json(s: &Summary, path: &Path) -> anyhow::Result<()> {
    let ending = match s.ending {
        Ending::Finished => "finished",
        Ending::Stopped(_) => "stopped",
        Ending::Failed(_) => "failed",
    };
    let run = &s.run;
    let [c2, c3, c4, c5] = run.by_class;
    let json = serde_json::json!({
        "ending": ending,
        "pages": run.pages,
        "records": run.records,
        "bytes_out": run.bytes_out,
        "bytes_in": run.bytes_in,
        "bytes_decoded": run.bytes_decoded,
        "responses": { "2xx": c2, "3xx": c3, "4xx": c4, "5xx": c5 },
        "transport_errors": run.transport_errors,
        "retries": run.retries,
        "dead_letters": run.dead_letters,
        "dead_letters_total": s.dead_letters_total,
        "streams_cut": run.streams_cut,
        "streams_cut_total": s.streams_cut_total,
        // Why a finished crawl exits 3 (null when it is complete).
        "incomplete": matches!(s.ending, Ending::Finished).then(|| s.incomplete()).flatten(),
        "pending": s.pending,
        "already_complete": s.already_complete(),
        "crawl": { "pages": s.crawl.pages, "records": s.crawl.records },
        "elapsed_s": s.wall.as_secs_f64(),
        "pages_per_s": s.pages_per_sec(),
    });
    std::fs::write(path, serde_json::to_vec_pretty(&json)?)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}
