//! The closing summary: as text (or, with `--log-format json`, one JSON
//! line) on stdout, and optionally as a JSON document in a file or, with
//! `--summary-json -`, on stdout; stdout then holds that document alone and
//! the text goes to stderr.

use harvest_engine::{Ending, Summary};
use std::io::Write;
use std::path::Path;

/// The `--summary-json` value that means stdout.
const STDOUT: &str = "-";

/// Whether `--summary-json PATH` asks for stdout.
pub fn is_stdout(path: Option<&Path>) -> bool {
    path.is_some_and(|p| p == Path::new(STDOUT))
}

/// Prints the summary for people (or log readers); on stderr when stdout
/// is taken by the JSON document.
pub fn print(summary: &Summary, stdout_taken: bool) {
    let text = if crate::logging::json() {
        crate::logging::json_line(
            "INFO",
            "Crawl summary.",
            serde_json::json!({ "summary": to_json(summary) }),
        )
    } else {
        summary.to_string()
    };
    if stdout_taken {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}

/// Writes the JSON document to `path`, or to stdout for `-`.
pub fn write_json(s: &Summary, path: &Path) -> anyhow::Result<()> {
    let mut doc = serde_json::to_vec_pretty(&to_json(s))?;
    doc.push(b'\n');
    if is_stdout(Some(path)) {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&doc)
            .and_then(|()| out.flush())
            .map_err(|e| anyhow::anyhow!("cannot write the summary to stdout: {e}"));
    }
    std::fs::write(path, doc).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

fn to_json(s: &Summary) -> serde_json::Value {
    let ending = match s.ending {
        Ending::Finished => "finished",
        Ending::Stopped(_) => "stopped",
        Ending::Failed(_) => "failed",
    };
    let run = &s.run;
    let [c2, c3, c4, c5] = run.by_class;
    serde_json::json!({
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
        "passes": s.passes.iter().map(|p| serde_json::json!({
            "resource": p.resource,
            "pass": p.pass,
            "start": p.start,
            "records": p.records,
            "output": p.output,
        })).collect::<Vec<_>>(),
        "incremental_seen": run.incremental_seen,
        "incremental_left_out": run.incremental_left_out,
        "elapsed_s": s.wall.as_secs_f64(),
        "pages_per_s": s.pages_per_sec(),
    })
}
