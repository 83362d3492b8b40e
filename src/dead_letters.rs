//! `harvest dead-letters` and `harvest retry-dead`: the pages given up on,
//! as a table for people or one JSON document for scripts, and putting the
//! ones a filter matches back in the frontier. Owns only the printing and
//! the flags; what matches and what is put back is the engine's
//! (`harvest_engine::dead_letters`, one `DeadLetterFilter` for both).
//!
//! Times print as UTC RFC 3339 to the second (`2026-12-07T09:38:40Z`), `-`
//! when the letter does not have them (a state an older build wrote); the
//! JSON also gives them in ms since the Unix epoch. The response snippet
//! (the first bytes of the last response body) is decoded lossily as UTF-8
//! and, in the table, its control characters are escaped (`\n`).

use crate::cli::{DeadLetterArgs, FilterArgs, RetryDeadArgs};
use crate::exit::{Failure, Outcome};
use harvest_engine::admin;
use harvest_engine::dead_letters::{self, DeadLetter, DeadLetterFilter};
use harvest_engine::redact::Redacted;
use serde_json::{json, Value};
use std::time::{Duration, UNIX_EPOCH};
use url::Url;

fn config(path: &std::path::Path) -> Result<harvest_config::Config, Failure> {
    // Nothing is fetched: the secrets the config names need not be set.
    harvest_config::load_without_secrets(path).map_err(Failure::Config)
}

fn filter(args: FilterArgs) -> DeadLetterFilter {
    DeadLetterFilter {
        resource: args.resource,
        reason: args.reason,
        status: args.status,
    }
}

pub fn list(args: DeadLetterArgs) -> Result<Outcome, Failure> {
    let config = config(&args.config.config)?;
    let filter = filter(args.filter);
    let letters = dead_letters::list(&config, &filter).map_err(Failure::Engine)?;
    // Cut streams have no status nor dead-letter reason: only `--resource`
    // applies to them, and `--reason`/`--status` leave them out.
    let cuts = if filter.reason.is_some() || filter.status.is_some() {
        Vec::new()
    } else {
        let mut cuts = admin::cut_streams(&config).map_err(Failure::Engine)?;
        cuts.retain(|c| {
            filter
                .resource
                .as_ref()
                .is_none_or(|r| *r == c.next.resource)
        });
        cuts
    };
    if args.json {
        let doc = json!({
            "dead_letters": letters.iter().map(letter_json).collect::<Vec<_>>(),
            "cut_streams": cuts.iter().map(|c| json!({
                "resource": c.next.resource,
                "reason": c.reason,
                "page_url": redacted(&c.page_url),
                "next_url": redacted(&c.next.url),
                "remedy": admin::remedy(c),
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot write the dead letters: {e}")))?;
        println!("{text}");
        return Ok(Outcome::Done);
    }
    if !letters.is_empty() {
        print!("{}", table(&letters));
    }
    if !cuts.is_empty() {
        // resource, reason, the page that cut the stream, the page not followed, what to do.
        if !letters.is_empty() {
            println!();
        }
        println!("Cut streams");
        let rows: Vec<[String; 5]> = cuts
            .iter()
            .map(|c| {
                [
                    c.next.resource.clone(),
                    c.reason.to_string(),
                    redacted(&c.page_url),
                    redacted(&c.next.url),
                    admin::remedy(c),
                ]
            })
            .collect();
        print!(
            "{}",
            aligned(["resource", "reason", "page", "next", "remedy"], &rows)
        );
    }
    eprintln!("{} dead letters, {} cut streams", letters.len(), cuts.len());
    Ok(Outcome::Done)
}

pub fn retry(args: RetryDeadArgs) -> Result<Outcome, Failure> {
    let config = config(&args.config.config)?;
    let filter = filter(args.filter);
    let done = dead_letters::retry(&config, &filter).map_err(Failure::Engine)?;
    let stay = match done.stayed {
        0 => String::new(),
        n => format!(" ({n} not matched stay dead)"),
    };
    println!(
        "{} dead pages matched and put back in the frontier{stay}; `harvest run` fetches them",
        done.matched
    );
    let cut = admin::cut_streams(&config).map_err(Failure::Engine)?.len();
    if cut > 0 {
        println!(
            "{cut} cut streams stay recorded: a run resumes those its config now allows \
             (allowed_origins, max_pages); see `harvest dead-letters`"
        );
    }
    Ok(Outcome::Done)
}

/// The dead letters' table; the response snippet last.
fn table(letters: &[DeadLetter]) -> String {
    let header = [
        "resource", "status", "reason", "attempts", "first", "last", "url", "detail", "response",
    ];
    let rows: Vec<[String; 9]> = letters
        .iter()
        .map(|l| {
            [
                l.job.resource.clone(),
                l.status.map_or("-".into(), |s| s.to_string()),
                l.reason.clone(),
                l.attempts().to_string(),
                time(l.first_ms),
                time(l.last_ms),
                redacted(&l.job.url),
                l.detail.clone(),
                l.snippet.as_deref().map_or("-".into(), escaped),
            ]
        })
        .collect();
    aligned(header, &rows)
}

/// `header`, then one line per row, each column padded to its widest cell
/// and two spaces; the last column unpadded.
fn aligned<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let last = cells.len() - 1;
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count();
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push('\n');
    };
    line(&header);
    for row in rows {
        line(&row.each_ref().map(String::as_str));
    }
    out
}

fn letter_json(l: &DeadLetter) -> Value {
    json!({
        "resource": l.job.resource,
        "url": redacted(&l.job.url),
        "status": l.status,
        "reason": l.reason,
        "detail": l.detail,
        "attempts": l.attempts(),
        "first_ms": l.first_ms,
        "last_ms": l.last_ms,
        "first": l.first_ms.map(rfc3339),
        "last": l.last_ms.map(rfc3339),
        "snippet": l.snippet.as_deref().map(|s| String::from_utf8_lossy(s).into_owned()),
    })
}

/// `ms` as UTC RFC 3339 to the second, or `-`.
fn time(ms: Option<u64>) -> String {
    ms.map_or("-".into(), rfc3339)
}

fn rfc3339(ms: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// A response snippet for a terminal: lossy UTF-8, control characters
/// escaped, so a snippet stays on its line and cannot move the cursor.
fn escaped(snippet: &[u8]) -> String {
    let text = String::from_utf8_lossy(snippet);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `url` as it may be printed (its secrets replaced), or as is when it is
/// not a URL.
fn redacted(url: &str) -> String {
    Url::parse(url)
        .map(|u| Redacted(&u).to_string())
        .unwrap_or_else(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_stays_on_its_line() {
        assert_eq!(
            escaped(b"<html>\n\t\x1b[2J\xff"),
            "<html>\\n\\t\\u{1b}[2J\u{fffd}"
        );
        assert_eq!(rfc3339(1_700_000_000_999), "2023-11-14T22:13:20Z");
    }
}
