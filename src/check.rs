//! `harvest check`: validate a config and print what it would harvest, in
//! the config's own words (`paginator = { type = "json_link", next_url_path = "next" }`,
//! the inline table one would write)
//! and with every path resolved to an absolute one, as `run` will use it.

use crate::cli::ConfigArg;
use crate::exit::{Failure, Outcome};
use harvest_config::{Resource, SeedValues};
use std::path::{Path, PathBuf};

pub fn check(args: ConfigArg) -> Result<Outcome, Failure> {
    let config = harvest_config::load(&args.config).map_err(Failure::Config)?;
    println!("{}: valid", absolute(&args.config).display());
    println!(
        "  state_dir  = {}",
        absolute(&config.crawl.state_dir).display()
    );
    println!(
        "  output_dir = {}",
        absolute(&config.crawl.output_dir).display()
    );
    for r in &config.resources {
        let mut seeds = 0usize;
        r.seeds
            .for_each(|_| seeds += 1)
            .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
        println!("  resource {}: {seeds} seeds", r.name);
        print_seed_sources(r);
        let whole = if r.data_selector == harvest_config::DataSelector::Body {
            "   # each page's body is one record"
        } else {
            ""
        };
        println!(
            "    data_selector = {}{whole}",
            harvest_config::quoted_selector(&r.data_selector)
        );
        println!("    paginator = {}", r.paginator);
        if let Some(p) = &r.parent {
            println!("    + one stream per `{}` record at {}", p.resource, p.url);
        }
        if let Some(inc) = &r.incremental {
            let from = inc
                .initial_value
                .as_ref()
                .map_or("no start on pass 1".to_owned(), |v| {
                    format!("pass 1 from `{v}`")
                });
            let key = if inc.primary_key.is_empty() {
                "the record's bytes".to_owned()
            } else {
                let keys: Vec<String> = inc.primary_key.iter().map(|k| format!("`{k}`")).collect();
                keys.join(", ")
            };
            println!(
                "    incremental: passes by `{}`, the start sent as `{}`, {from}; boundary records told apart by {key}; \
                 output {}/{}/pass-NNNNNN.jsonl",
                inc.cursor_path,
                inc.param,
                absolute(&config.crawl.output_dir).display(),
                r.name
            );
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

/// Where the seeds come from, files as absolute paths.
fn print_seed_sources(r: &Resource) {
    if !r.seeds.urls.is_empty() {
        println!("    seeds: {} inline", r.seeds.urls.len());
    }
    if let Some(file) = &r.seeds.file {
        println!("    seeds_file = {}", absolute(file).display());
    }
    if let Some(t) = &r.seeds.template {
        match &t.values {
            SeedValues::Range { from, to, step } => println!(
                "    seed_template: url = {:?}, range = {from}..={to} step {step}",
                t.url.as_str()
            ),
            SeedValues::File(file) => println!(
                "    seed_template: url = {:?}, values_file = {}",
                t.url.as_str(),
                absolute(file).display()
            ),
        }
    }
}

/// `path` against the working directory, as `run` will open it (not
/// resolving symlinks; the path need not exist yet).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
