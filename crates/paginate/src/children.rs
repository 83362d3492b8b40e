//! Parent → child: the first pages of child resources, found in the records
//! of a parent page.
//!
//! After a parent page is scanned, each record line (the raw bytes written to
//! the output buffer) is walked once more for the few fields its children
//! need: the URL template's placeholders and the `copy` paths. The walk
//! descends only along those paths and takes each value as raw JSON text
//! (`&RawValue`), building nothing else. A placeholder value must be a
//! string or an integer; a record without one is skipped (and counted), the
//! page is not failed.

use crate::object_key::Key;
use harvest_config::{Config, ParentLink, Selector, UrlTemplate};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use url::Url;

/// The first page of a child stream, found in a parent record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildJob {
    /// Index of the child resource in the config.
    pub resource: usize,
    pub url: Url,
    /// `(output key, raw JSON value)` copied from the parent record, to be
    /// spliced into every record of the child stream.
    pub parent: Vec<(String, String)>,
}

/// One child resource of a parent.
#[derive(Debug, Clone)]
pub(crate) struct ChildLink {
    resource: usize,
    url: UrlTemplate,
    /// The placeholders' paths, then the copy paths.
    paths: Vec<Selector>,
    /// Output keys of the copy paths (`paths[holes..]`).
    copy_keys: Vec<String>,
    holes: usize,
}

/// The child links of resource `name`, from the config.
pub(crate) fn links_of(config: &Config, name: &str) -> Vec<ChildLink> {
    config
        .resources
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let p: &ParentLink = r.parent.as_ref().filter(|p| p.resource == name)?;
            let mut paths = p.fields.clone();
            paths.extend(p.copy.iter().map(|(_, path)| path.clone()));
            Some(ChildLink {
                resource: i,
                url: p.url.clone(),
                holes: p.fields.len(),
                copy_keys: p.copy.iter().map(|(k, _)| k.clone()).collect(),
                paths,
            })
        })
        .collect()
}

/// The child jobs of the record lines in `lines` (one record per line), and
/// how many (record, child) pairs were skipped for a missing or unusable
/// placeholder value.
pub(crate) fn extract(links: &[ChildLink], lines: &[u8]) -> (Vec<ChildJob>, u64) {
    let mut jobs = Vec::new();
    let mut skipped = 0;
    for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        for link in links {
            match child(link, line) {
                Some(job) => jobs.push(job),
                None => skipped += 1,
            }
        }
    }
    (jobs, skipped)
}

fn child(link: &ChildLink, record: &[u8]) -> Option<ChildJob> {
    let record = std::str::from_utf8(record).ok()?;
    let values = pick(record, &link.paths);
    let mut holes = Vec::with_capacity(link.holes);
    for value in &values[..link.holes] {
        holes.push(url_value((*value)?)?);
    }
    let holes: Vec<&str> = holes.iter().map(|s| s.as_ref()).collect();
    let url = harvest_config::parse_http_url(&link.url.fill(&holes)).ok()?;
    let parent = link
        .copy_keys
        .iter()
        .zip(&values[link.holes..])
        .map(|(key, value)| (key.clone(), value.map_or("null", RawValue::get).to_string()))
        .collect();
    Some(ChildJob {
        resource: link.resource,
        url,
        parent,
    })
}

/// A placeholder value: a string (unescaped) or an integer (as written).
fn url_value(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    if text.starts_with('"') {
        return serde_json::from_str::<String>(text).ok().map(Cow::Owned);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(Cow::Borrowed(text))
}

/// The raw JSON value at each of `paths` in `record` (`None`: not there, or
/// `record` is not an object or not JSON).
pub fn pick<'r>(record: &'r str, paths: &[Selector]) -> Vec<Option<&'r RawValue>> {
    let mut found = vec![None; paths.len()];
    let all = (0..paths.len()).collect::<Vec<_>>();
    pick_into(record, paths, 0, &all, &mut found);
    found
}

fn pick_into<'r>(
    value: &'r str,
    paths: &[Selector],
    depth: usize,
    wanted: &[usize],
    found: &mut [Option<&'r RawValue>],
) {
    if !value.trim_start().starts_with('{') {
        return;
    }
    let mut hits: Vec<(Cow<'r, str>, &'r RawValue)> = Vec::new();
    let keep = |key: &str| {
        wanted
            .iter()
            .any(|&i| paths[i].segments().get(depth).is_some_and(|s| s == key))
    };
    let mut de = serde_json::Deserializer::from_str(value);
    if de
        .deserialize_map(Entries {
            keep,
            hits: &mut hits,
        })
        .is_err()
    {
        return;
    }
    for (key, raw) in hits {
        let mut deeper = Vec::new();
        for &i in wanted {
            let segments = paths[i].segments();
            if segments.get(depth).is_some_and(|s| *s == key) {
                if segments.len() == depth + 1 {
                    found[i] = Some(raw);
                } else {
                    deeper.push(i);
                }
            }
        }
        if !deeper.is_empty() {
            pick_into(raw.get(), paths, depth + 1, &deeper, found);
        }
    }
}

/// The members of one object whose key `keep` accepts, as raw values.
struct Entries<'h, 'r, K> {
    keep: K,
    hits: &'h mut Vec<(Cow<'r, str>, &'r RawValue)>,
}

impl<'r, K: Fn(&str) -> bool> Visitor<'r> for Entries<'_, 'r, K> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'r>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            if (self.keep)(&key) {
                let raw: &'r RawValue = map.next_value()?;
                self.hits.push((key, raw));
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(p: &str) -> Selector {
        Selector::parse(p).unwrap()
    }

    #[test]
    fn picks_raw_values_at_nested_paths() {
        let record = r#"{"id":7,"org":{"name":"a b","n":[1, 2]},"x":{"y":1}}"#;
        let got = pick(
            record,
            &[
                sel("id"),
                sel("org.name"),
                sel("org.n"),
                sel("org"),
                sel("x.z"),
                sel("id.q"),
            ],
        );
        let got: Vec<Option<&str>> = got.iter().map(|v| v.map(RawValue::get)).collect();
        assert_eq!(
            got,
            [
                Some("7"),
                Some("\"a b\""),
                Some("[1, 2]"),
                Some(r#"{"name":"a b","n":[1, 2]}"#),
                None,
                None
            ]
        );
        assert!(pick("[1]", &[sel("id")])[0].is_none());
        assert!(pick("{\"id\":", &[sel("id")])[0].is_none());
    }

    fn link() -> ChildLink {
        ChildLink {
            resource: 1,
            url: UrlTemplate::parse("http://h/u/{id}/o?name={name}").unwrap(),
            paths: vec![sel("id"), sel("name"), sel("id"), sel("missing")],
            copy_keys: vec!["user_id".into(), "gone".into()],
            holes: 2,
        }
    }

    #[test]
    fn records_become_child_jobs_or_are_skipped() {
        let lines = concat!(
            "{\"id\":7,\"name\":\"a/b\"}\n",
            "{\"id\":\"x\",\"name\":\"n\"}\n",
            "{\"name\":\"no id\"}\n",
            "{\"id\":1.5,\"name\":\"n\"}\n",
            "[1]\n"
        );
        let (jobs, skipped) = extract(&[link()], lines.as_bytes());
        assert_eq!(skipped, 3);
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].url.as_str(), "http://h/u/7/o?name=a%2Fb");
        assert_eq!(
            jobs[0].parent,
            [
                ("user_id".to_string(), "7".to_string()),
                ("gone".to_string(), "null".to_string())
            ]
        );
        assert_eq!(jobs[1].url.as_str(), "http://h/u/x/o?name=n");
        assert_eq!(jobs[1].parent[0].1, "\"x\"");
    }
}
