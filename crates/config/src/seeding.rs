//! Validation of the generated seeds: `seed_template` (a range or a file of
//! values filling one placeholder) and `parent` (child pages from the records
//! of another resource), including the parent graph (exists, no cycles).

use crate::checker::Checker;
use crate::model::*;
use crate::raw::{RawParent, RawResource, RawSeedTemplate};
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

/// `seed_template`: exactly one placeholder (`{n}` with `range`, `{value}`
/// with `values_file`), a valid URL with a sample value, a sane range or an
/// existing file whose values all make valid URLs.
pub(crate) fn check_seed_template(
    c: &mut Checker<'_>,
    key: &str,
    spanned: &Spanned<RawSeedTemplate>,
    base_dir: &Path,
) -> Option<SeedTemplate> {
    let t = spanned.get_ref();
    let key = format!("{key}.seed_template");
    let (values, hole, sample) = match (&t.range, &t.values_file) {
        (Some(range), None) => {
            let step = range.step.unwrap_or(1);
            if step < 1 {
                c.at(spanned, format!("{key}.range.step"), "must be at least 1");
                return None;
            }
            if range.from > range.to {
                c.at(
                    spanned,
                    format!("{key}.range"),
                    format!("`from` ({}) is after `to` ({})", range.from, range.to),
                );
                return None;
            }
            let values = SeedValues::Range {
                from: range.from,
                to: range.to,
                step: step as u64,
            };
            (values, "n", range.from.to_string())
        }
        (None, Some(file)) => {
            let path = crate::paths::expand(c, spanned, &format!("{key}.values_file"), file)?;
            let path = base_dir.join(path);
            if !path.is_file() {
                c.at(
                    spanned,
                    format!("{key}.values_file"),
                    format!("no such file: {}", path.display()),
                );
                return None;
            }
            (SeedValues::File(path), "value", "1".to_string())
        }
        _ => {
            c.at(
                spanned,
                &key,
                "give exactly one of `range = { from, to }` and `values_file`",
            );
            return None;
        }
    };
    let url = match UrlTemplate::parse(&t.url) {
        Ok(url) => url,
        Err(e) => {
            c.at(spanned, format!("{key}.url"), e);
            return None;
        }
    };
    let holes: Vec<&str> = url.placeholders().collect();
    if holes != [hole] {
        c.at(
            spanned,
            format!("{key}.url"),
            format!(
                "`{}` must hold exactly one placeholder, `{{{hole}}}`",
                t.url
            ),
        );
        return None;
    }
    let template = SeedTemplate { url, values };
    if let Err(e) = template.url_for(&sample) {
        c.at(spanned, format!("{key}.url"), e);
        return None;
    }
    if let SeedValues::File(path) = &template.values {
        // Read line by line, like seeds_file: every value must make a URL.
        let mut count = 0usize;
        match template.for_each(|_| count += 1) {
            Err(e) => c.at(spanned, format!("{key}.values_file"), e),
            Ok(()) if count == 0 => c.at(
                spanned,
                format!("{key}.values_file"),
                format!("{} holds no value", path.display()),
            ),
            Ok(()) => {}
        }
    }
    Some(template)
}

/// `parent`: a URL template whose placeholders are non-empty dotted paths,
/// valid with sample values; `copy` keys and paths non-empty.
pub(crate) fn check_parent(
    c: &mut Checker<'_>,
    key: &str,
    spanned: &Spanned<RawParent>,
) -> Option<ParentLink> {
    let p = spanned.get_ref();
    let key = format!("{key}.parent");
    let before = c.problems_len();
    let url = UrlTemplate::parse(&p.url)
        .map_err(|e| c.at(spanned, format!("{key}.url"), e))
        .ok();
    let mut fields = Vec::new();
    if let Some(url) = &url {
        for hole in url.placeholders() {
            match Selector::parse(hole) {
                Ok(path) => fields.push(path),
                Err(e) => c.at(spanned, format!("{key}.url"), e),
            }
        }
        let samples = vec!["1"; fields.len()];
        if let Err(e) = parse_http_url(&url.fill(&samples)) {
            c.at(spanned, format!("{key}.url"), e);
        }
    }
    let mut copy = Vec::new();
    for (out_key, path) in &p.copy {
        if out_key.is_empty() {
            c.at(spanned, format!("{key}.copy"), "empty output key");
        }
        match Selector::parse(path) {
            Ok(sel) if !sel.segments().is_empty() => copy.push((out_key.clone(), sel)),
            Ok(_) => c.at(
                spanned,
                format!("{key}.copy.{out_key}"),
                "give a path into the parent record, not `\"\"`",
            ),
            Err(e) => c.at(spanned, format!("{key}.copy.{out_key}"), e),
        }
    }
    if p.resource.is_empty() {
        c.at(spanned, format!("{key}.resource"), "empty resource name");
    }
    if c.problems_len() > before {
        return None;
    }
    Some(ParentLink {
        resource: p.resource.clone(),
        url: url?,
        fields,
        copy,
    })
}

/// Every `parent` names another configured resource, and following parents
/// never comes back to where it started.
pub(crate) fn check_parent_graph(c: &mut Checker<'_>, resources: &[Spanned<RawResource>]) {
    let parent_of: HashMap<&str, &str> = resources
        .iter()
        .filter_map(|r| {
            let r = r.get_ref();
            Some((
                r.name.get_ref().as_str(),
                r.parent.as_ref()?.get_ref().resource.as_str(),
            ))
        })
        .collect();
    for (i, r) in resources.iter().enumerate() {
        let r = r.get_ref();
        let Some(parent) = &r.parent else { continue };
        let name = r.name.get_ref().as_str();
        let key = format!("resources[{i}] ({name}).parent.resource");
        let wanted = parent.get_ref().resource.as_str();
        if wanted == name {
            c.at(parent, key, "a resource cannot be its own parent");
        } else if !resources
            .iter()
            .any(|o| o.get_ref().name.get_ref() == wanted)
        {
            c.at(parent, key, format!("no resource named `{wanted}`"));
        } else {
            // Walk up at most as many steps as there are resources.
            let mut at = wanted;
            for _ in 0..resources.len() {
                match parent_of.get(at) {
                    Some(&up) if up == name => {
                        c.at(
                            parent,
                            key,
                            format!("`{name}` → `{wanted}` → ... → `{name}` is a cycle"),
                        );
                        break;
                    }
                    Some(&up) => at = up,
                    None => break,
                }
            }
        }
    }
}

/// The origins a resource's seeds can have: of its `seeds`, every line of its
/// `seeds_file`, its `seed_template` and its `parent.url` (the default
/// `auth.origins`). A template whose placeholder lies in the host has no
/// fixed origin: an error asking for `auth.origins`.
pub(crate) fn seed_origins(
    seeds: &Seeds,
    parent: Option<&ParentLink>,
) -> Result<Vec<String>, String> {
    let mut origins = std::collections::BTreeSet::new();
    let only_listed = Seeds {
        template: None,
        ..seeds.clone()
    };
    only_listed.for_each(|url| {
        origins.insert(origin_of(&url));
    })?;
    let mut fixed_origin = |url: &UrlTemplate, holes: usize| -> Result<(), String> {
        let fill = |v: &str| parse_http_url(&url.fill(&vec![v; holes])).map(|u| origin_of(&u));
        let (a, b) = (fill("1")?, fill("2")?);
        if a != b {
            return Err(format!(
                "`{}` puts a value in the host, so the credential's origins are unknown: list them in `auth.origins`",
                url.as_str()
            ));
        }
        origins.insert(a);
        Ok(())
    };
    if let Some(t) = &seeds.template {
        fixed_origin(&t.url, 1)?;
    }
    if let Some(p) = parent {
        fixed_origin(&p.url, p.fields.len())?;
    }
    Ok(origins.into_iter().collect())
}
