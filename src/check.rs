//! `harvest check`: validate a config and print what it would harvest.

use crate::cli::ConfigArg;
use crate::exit::{Failure, Outcome};

pub fn check(args: ConfigArg) -> Result<Outcome, Failure> {
    let config = harvest_config::load(&args.config).map_err(Failure::Config)?;
    println!("{}: valid", args.config.display());
    println!(
        "  state {}  output {}",
        config.crawl.state_dir.display(),
        config.crawl.output_dir.display()
    );
    for r in &config.resources {
        let mut seeds = 0usize;
        r.seeds
            .for_each(|_| seeds += 1)
            .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
        println!(
            "  resource {}: {seeds} seeds, data_selector `{}`, {:?}",
            r.name, r.data_selector, r.paginator
        );
        if let Some(p) = &r.parent {
            println!("    + one stream per `{}` record at {}", p.resource, p.url);
        }
        // Names and origins only: a secret has no Display.
        if let Some(auth) = &r.auth {
            println!(
                "    {} {} credential to {}",
                r.request.method.as_str(),
                auth.kind.kind(),
                auth.origins.join(", ")
            );
        }
    }
    Ok(Outcome::Done)
}
