//! `harvest init URL [--out FILE] [--force]`: fetch the URL once and write
//! a commented crawl config drafted from it (the engine's `init`) to FILE,
//! or to stdout without `--out`; what was guessed goes to stderr. An
//! existing FILE is refused unless `--force` (checked before fetching).
//! Exit 0 written; 2 for a bad URL, an existing FILE, a non-2xx answer or a
//! body that is not JSON; 1 when the URL cannot be fetched at all. On any
//! error nothing is written.

use crate::cli::InitArgs;
use crate::exit::{Failure, Outcome};
use anyhow::{anyhow, Context};
use harvest_engine::init::Draft;

pub fn init(args: InitArgs) -> Result<Outcome, Failure> {
    let url = harvest_config::parse_http_url(&args.url)
        .map_err(|e| Failure::Usage(anyhow!("{e} (init takes the URL of a page of the API)")))?;
    if let Some(out) = args.out.as_ref().filter(|p| p.exists() && !args.force) {
        return Err(Failure::Usage(anyhow!(
            "{} exists: pass --force to overwrite it, or choose another --out",
            out.display()
        )));
    }
    let draft = harvest_engine::init::draft(&url, std::time::SystemTime::now()).map_err(|e| {
        if e.is_usage() {
            Failure::Usage(e.into())
        } else {
            Failure::Runtime(e.into())
        }
    })?;
    let text = draft.render();
    match &args.out {
        Some(out) => {
            std::fs::write(out, &text)
                .with_context(|| format!("cannot write {}", out.display()))
                .map_err(Failure::Runtime)?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{text}"),
    }
    eprint!("{}", told(&draft, args.out.as_deref()));
    Ok(Outcome::Done)
}

/// What was guessed, and what to do next, for stderr.
fn told(d: &Draft, out: Option<&std::path::Path>) -> String {
    let file = out.map_or_else(|| "FILE".to_owned(), |p| p.display().to_string());
    let selector = harvest_config::DataSelector::parse(&d.records.selector)
        .map(|s| harvest_config::quoted_selector(&s))
        .unwrap_or_default();
    let mut s = format!(
        "  resource {}: data_selector = {selector} ({} records on the page)\n  paginator = {}\n",
        d.name, d.records.count, d.paginator.paginator
    );
    if d.rate.from_headers {
        s.push_str(&format!(
            "  rate_per_sec = {:?}, burst = {} (from the rate-limit headers)\n",
            d.rate.rate_per_sec, d.rate.burst
        ));
    }
    if d.records.single_object {
        s.push_str(
            "  note: the body is one object, taken whole as the one record (see the comments)\n",
        );
    }
    s.push_str(&format!(
        "next: read the comments, then `harvest check {file}`, `harvest sample {file}`, `harvest run {file}`\n"
    ));
    s
}
