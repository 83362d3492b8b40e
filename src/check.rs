//! `harvest check`: validate a config and print what it would harvest, in
//! the config's own words (`paginator: json_link, next_url_path = "next"`)
//! and with every path resolved to an absolute one, as `run` will use it.

use crate::cli::ConfigArg;
use crate::exit::{Failure, Outcome};
use harvest_config::{PageStyle, PageTotal, Paginator, Resource, SeedValues, Selector};
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
        println!("    data_selector = {}", quoted(&r.data_selector));
        println!("    paginator: {}", paginator_words(&r.paginator));
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

/// `type, key = value, ...` as a paginator table is written, every
/// resolved value (defaults included) spelled out.
fn paginator_words(p: &Paginator) -> String {
    let mut keys: Vec<(&str, String)> = Vec::new();
    let kind = match &p.style {
        PageStyle::JsonLink { next_url_path } => {
            keys.push(("next_url_path", quoted(next_url_path)));
            "json_link"
        }
        PageStyle::HeaderLink => "header_link",
        PageStyle::Cursor {
            cursor_path,
            cursor_param,
            has_more_path,
        } => {
            keys.push(("cursor_path", quoted(cursor_path)));
            keys.push(("cursor_param", format!("{cursor_param:?}")));
            if let Some(path) = has_more_path {
                keys.push(("has_more_path", quoted(path)));
            }
            "cursor"
        }
        PageStyle::Offset {
            offset_param,
            limit_param,
            limit,
            total_path,
            total,
            end_on_short_page,
        } => {
            keys.push(("offset_param", format!("{offset_param:?}")));
            keys.push(("limit_param", format!("{limit_param:?}")));
            keys.push(("limit", limit.to_string()));
            if let Some(path) = total_path {
                keys.push(("total_path", quoted(path)));
            }
            if let Some(n) = total {
                keys.push(("total", n.to_string()));
            }
            keys.push(("end_on_short_page", end_on_short_page.to_string()));
            "offset"
        }
        PageStyle::PageNumber {
            page_param,
            base,
            total,
            total_pages,
            page_size,
            page_size_param,
            has_more_path,
            end_on_short_page,
        } => {
            keys.push(("page_param", format!("{page_param:?}")));
            keys.push(("base", base.to_string()));
            match total {
                Some(PageTotal::Pages(path)) => keys.push(("total_pages_path", quoted(path))),
                Some(PageTotal::Records(path)) => keys.push(("total_path", quoted(path))),
                None => {}
            }
            if let Some(n) = total_pages {
                keys.push(("total_pages", n.to_string()));
            }
            if let Some(n) = page_size {
                keys.push(("page_size", n.to_string()));
            }
            if let Some(name) = page_size_param {
                keys.push(("page_size_param", format!("{name:?}")));
            }
            if let Some(path) = has_more_path {
                keys.push(("has_more_path", quoted(path)));
            }
            keys.push(("end_on_short_page", end_on_short_page.to_string()));
            "page_number"
        }
        PageStyle::SinglePage => "single_page",
    };
    if let Some(n) = p.max_pages {
        keys.push(("max_pages", n.to_string()));
    }
    let mut words = kind.to_owned();
    for (key, value) in keys {
        words.push_str(&format!(", {key} = {value}"));
    }
    words
}

/// A selector as a TOML string (`""`: the whole body).
fn quoted(selector: &Selector) -> String {
    format!("{:?}", selector.to_string())
}

/// `path` against the working directory, as `run` will open it (not
/// resolving symlinks; the path need not exist yet).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
