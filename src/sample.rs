//! `harvest sample`: fetch the first page(s) of each resource and show what
//! `run` would make of them (the engine's `sample`), for a human or, with
//! `--json`, one JSON object per page for scripts. Writes no state and no
//! output. Exit 0 when every page parsed, 3 when one would not be kept
//! (dead-lettered or retried), 2 for a bad config or resource name.

use crate::cli::SampleArgs;
use crate::exit::{Failure, Outcome};
use harvest_engine::sample::{likely_records, JsonArray, PageOutcome, SampleOptions, SampledPage};
use serde_json::{json, Value};

pub fn sample(args: SampleArgs) -> Result<Outcome, Failure> {
    let config = harvest_config::load(&args.config).map_err(Failure::Config)?;
    if let Some(name) = &args.resource {
        if !config.resources.iter().any(|r| &r.name == name) {
            let names: Vec<&str> = config.resources.iter().map(|r| r.name.as_str()).collect();
            return Err(Failure::Usage(anyhow::anyhow!(
                "no resource `{name}` in {} (resources: {})",
                args.config.display(),
                names.join(", ")
            )));
        }
    }
    let options = SampleOptions {
        resource: args.resource.clone(),
        pages: args.pages,
    };
    let mut all_parsed = true;
    let mut each = |page: &SampledPage| {
        all_parsed &=
            page.outcome.parsed() || matches!(page.outcome, PageOutcome::NotSampled { .. });
        if args.json {
            println!("{}", as_json(page));
        } else {
            print!("{}", as_text(page));
        }
    };
    harvest_engine::sample::sample(&config, &options, &mut each).map_err(Failure::Engine)?;
    Ok(if all_parsed {
        Outcome::Done
    } else {
        Outcome::Incomplete
    })
}

/// A record as the API sent it, pretty-printed (as sent when it is not JSON).
fn pretty(raw: &str) -> String {
    serde_json::from_str::<Value>(raw)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| raw.to_owned())
}

/// A dotted path as a user writes it in `data_selector`.
fn shown(path: &str) -> &str {
    if path.is_empty() {
        "\"\" (the whole body)"
    } else {
        path
    }
}

fn as_text(page: &SampledPage) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{} page {}  {}", page.resource, page.page, page.url);
    if let Some(via) = &page.via {
        let _ = writeln!(s, "  from {via}");
    }
    if let Some(status) = page.status {
        let _ = writeln!(s, "  status {status} in {} ms", page.elapsed.as_millis());
    }
    for (name, value) in &page.rate_headers {
        let _ = writeln!(s, "  rate limit  {name}: {value}");
    }
    match &page.outcome {
        PageOutcome::Parsed {
            records,
            first_record,
            children,
            next,
        } => {
            let _ = writeln!(s, "  records {records}");
            if let Some(first) = first_record {
                let _ = writeln!(s, "  first record:");
                for line in pretty(first).lines() {
                    let _ = writeln!(s, "    {line}");
                }
            }
            if *children > 0 {
                let _ = writeln!(s, "  child pages {children}");
            }
            match &next.url {
                Some(url) => {
                    let _ = writeln!(s, "  next ({}) {url}: {}", next.kind, next.why);
                }
                None => {
                    let _ = writeln!(s, "  next: none, {}", next.why);
                }
            }
        }
        PageOutcome::Retry { reason, detail } => {
            let _ = writeln!(s, "  would be retried ({reason}): {detail}");
        }
        PageOutcome::Dead {
            reason,
            detail,
            arrays,
        } => {
            let _ = writeln!(s, "  would be dead-lettered ({reason}): {detail}");
            if let Some(arrays) = arrays {
                s.push_str(&arrays_text(arrays));
            }
        }
        PageOutcome::NotSampled { why } => {
            let _ = writeln!(s, "  not sampled: {why}");
        }
    }
    s
}

fn arrays_text(arrays: &[JsonArray]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if arrays.is_empty() {
        let _ = writeln!(s, "  the page holds no array");
        return s;
    }
    let _ = writeln!(s, "  arrays in the page:");
    for a in arrays {
        let _ = writeln!(s, "    {} ({})", shown(&a.path), a.len);
    }
    if let Some(best) = likely_records(arrays) {
        let _ = writeln!(
            s,
            "  the records look like `{}` (the largest array of objects): data_selector = {:?}",
            shown(&best.path),
            best.path
        );
    }
    s
}

fn as_json(page: &SampledPage) -> Value {
    let mut v = json!({
        "resource": page.resource,
        "page": page.page,
        "url": page.url,
        "status": page.status,
        "elapsed_ms": page.elapsed.as_millis() as u64,
        "via": page.via,
        "rate_headers": page.rate_headers.iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect::<Vec<_>>(),
    });
    let more = match &page.outcome {
        PageOutcome::Parsed {
            records,
            first_record,
            children,
            next,
        } => json!({
            "outcome": "parsed",
            "records": records,
            "first_record": first_record.as_deref().map(|r| {
                serde_json::from_str::<Value>(r).unwrap_or_else(|_| Value::String(r.to_owned()))
            }),
            "child_pages": children,
            "next": { "kind": next.kind, "url": next.url, "pages": next.pages, "why": next.why },
        }),
        PageOutcome::Retry { reason, detail } => {
            json!({ "outcome": "retry", "reason": reason, "detail": detail })
        }
        PageOutcome::Dead {
            reason,
            detail,
            arrays,
        } => json!({
            "outcome": "dead",
            "reason": reason,
            "detail": detail,
            "arrays": arrays.as_ref().map(|list| list.iter()
                .map(|a| json!({ "path": a.path, "len": a.len, "objects": a.objects }))
                .collect::<Vec<_>>()),
            "likely_records": arrays.as_deref().and_then(likely_records).map(|a| &a.path),
        }),
        PageOutcome::NotSampled { why } => json!({ "outcome": "not_sampled", "why": why }),
    };
    if let (Value::Object(v), Value::Object(more)) = (&mut v, more) {
        v.extend(more);
    }
    v
}
