//! The invariants of a chaos run, checked against the oracle: what the crawl
//! did (exit code, time, output ids, `harvest dead-letters --json` listing)
//! in, every broken invariant out, each named.

use super::oracle::Oracle;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// What the crawl did, as the suite saw it.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The exit code of the last run; `None` when it was still running at
    /// the bound (and was killed then).
    pub exit: Option<i32>,
    /// From the first start to the last exit (or the kill at the bound).
    pub elapsed: Duration,
    /// Every record id in the output files, duplicates included.
    pub ids: Vec<u64>,
    /// What `harvest dead-letters --json` listed.
    pub listing: Listing,
}

/// The dead pages and cut streams `harvest dead-letters --json` listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Dead pages: (URL, reason).
    pub dead: Vec<(String, String)>,
    /// Cut streams: (reason, the next URL not followed).
    pub cuts: Vec<(String, String)>,
}

impl Listing {
    /// Reads `harvest dead-letters --json`'s document.
    pub fn parse(json: &str) -> Result<Self, String> {
        let doc: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| format!("`harvest dead-letters --json` is not JSON ({e}): {json}"))?;
        let pairs = |list: &str, a: &str, b: &str| -> Result<Vec<(String, String)>, String> {
            let items = doc[list]
                .as_array()
                .ok_or_else(|| format!("no `{list}` array in {doc}"))?;
            items
                .iter()
                .map(|item| match (item[a].as_str(), item[b].as_str()) {
                    (Some(x), Some(y)) => Ok((x.to_owned(), y.to_owned())),
                    _ => Err(format!("`{list}` entry without `{a}`/`{b}`: {item}")),
                })
                .collect()
        };
        Ok(Self {
            dead: pairs("dead_letters", "url", "reason")?,
            cuts: pairs("cut_streams", "reason", "next_url")?,
        })
    }
}

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Invariant 1: the run did not end within the bound.
    Hang { bound: Duration, elapsed: Duration },
    /// Invariant 2: records not exactly once (a few ids of each kind).
    Records {
        duplicated: Vec<u64>,
        missing: Vec<u64>,
        unexpected: Vec<u64>,
        /// How many of each, in all.
        counts: [usize; 3],
    },
    /// Invariant 3: the exit code does not tell the truth.
    Exit { want: i32, got: i32, why: String },
    /// Invariant 3: a dead page or cut stream the oracle expects is not
    /// listed with its reason.
    NotListed(String),
    /// Invariant 3: a dead page listed that should have been harvested.
    UnexpectedDead(String),
}

impl Violation {
    /// The invariant's short name.
    pub fn invariant(&self) -> &'static str {
        match self {
            Self::Hang { .. } => "ends within the bound",
            Self::Records { .. } => "every record exactly once",
            Self::Exit { .. } => "exit 0 iff nothing dead and no stream cut",
            Self::NotListed(_) | Self::UnexpectedDead(_) => "dead pages and cut streams listed",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.invariant())?;
        match self {
            Self::Hang { bound, elapsed } => write!(
                f,
                "still running after {elapsed:.1?} (bound {bound:.1?}): killed"
            ),
            Self::Records {
                duplicated,
                missing,
                unexpected,
                counts: [d, m, u],
            } => write!(
                f,
                "{d} duplicated {duplicated:?}, {m} missing {missing:?}, {u} unexpected {unexpected:?}"
            ),
            Self::Exit { want, got, why } => write!(f, "exit {got}, want {want} ({why})"),
            Self::NotListed(what) => write!(f, "not listed by `harvest dead-letters`: {what}"),
            Self::UnexpectedDead(line) => write!(f, "listed as dead but servable: {line}"),
        }
    }
}

/// Every invariant `seen` breaks (empty: the run was correct).
pub fn check(oracle: &Oracle, seen: &Observed) -> Vec<Violation> {
    let mut out = Vec::new();
    match seen.exit {
        None => out.push(Violation::Hang {
            bound: oracle.bound,
            elapsed: seen.elapsed,
        }),
        Some(_) if seen.elapsed > oracle.bound => out.push(Violation::Hang {
            bound: oracle.bound,
            elapsed: seen.elapsed,
        }),
        Some(_) => {}
    }
    if let Some(v) = records(oracle, &seen.ids) {
        out.push(v);
    }
    if let Some(got) = seen.exit {
        let (want, why) = if oracle.dead.is_empty() && oracle.cuts.is_empty() {
            (0, "nothing dead, no stream cut".to_string())
        } else {
            (
                3,
                format!(
                    "{} dead pages, {} cut streams",
                    oracle.dead.len(),
                    oracle.cuts.len()
                ),
            )
        };
        if got != want {
            out.push(Violation::Exit { want, got, why });
        }
    }
    out.extend(listing(oracle, &seen.listing));
    out
}

fn records(oracle: &Oracle, ids: &[u64]) -> Option<Violation> {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for id in ids {
        *counts.entry(*id).or_default() += 1;
    }
    let duplicated: Vec<u64> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    let missing: Vec<u64> = oracle
        .ids
        .iter()
        .filter(|id| !counts.contains_key(id))
        .copied()
        .collect();
    let unexpected: Vec<u64> = counts
        .keys()
        .filter(|id| !oracle.ids.contains(id))
        .copied()
        .collect();
    let sizes = [duplicated.len(), missing.len(), unexpected.len()];
    if sizes == [0, 0, 0] {
        return None;
    }
    let few = |v: Vec<u64>| v.into_iter().take(10).collect();
    Some(Violation::Records {
        duplicated: few(duplicated),
        missing: few(missing),
        unexpected: few(unexpected),
        counts: sizes,
    })
}

fn listing(oracle: &Oracle, listed: &Listing) -> Vec<Violation> {
    let mut out = Vec::new();
    for d in &oracle.dead {
        if !listed
            .dead
            .iter()
            .any(|(url, reason)| *url == d.url && reason == d.reason)
        {
            out.push(Violation::NotListed(format!(
                "dead page {} ({})",
                d.url, d.reason
            )));
        }
    }
    for (url, reason) in &listed.dead {
        if !oracle.dead.iter().any(|d| d.url == *url) {
            out.push(Violation::UnexpectedDead(format!("{url} ({reason})")));
        }
    }
    for c in &oracle.cuts {
        if !listed
            .cuts
            .iter()
            .any(|(reason, next)| reason == c.reason && next.contains(&c.target))
        {
            out.push(Violation::NotListed(format!(
                "cut stream at {} → {} ({})",
                c.page_url, c.target, c.reason
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaos::oracle::{CutStream, DeadPage};

    fn oracle() -> Oracle {
        Oracle {
            ids: (0..6).collect(),
            dead: Vec::new(),
            cuts: Vec::new(),
            bound: Duration::from_secs(10),
        }
    }

    fn clean() -> Observed {
        Observed {
            exit: Some(0),
            elapsed: Duration::from_secs(2),
            ids: vec![3, 1, 0, 2, 5, 4],
            listing: Listing::default(),
        }
    }

    fn with_dead() -> (Oracle, Observed) {
        let mut o = oracle();
        o.dead.push(DeadPage {
            url: "http://127.0.0.1:9/s/0/p/2".into(),
            reason: "not_json",
        });
        let mut seen = clean();
        seen.exit = Some(3);
        seen.listing = Listing::parse(
            r#"{"dead_letters": [{"resource": "links", "status": 200, "reason": "not_json",
                "url": "http://127.0.0.1:9/s/0/p/2", "attempts": 1}], "cut_streams": []}"#,
        )
        .unwrap();
        (o, seen)
    }

    #[test]
    fn a_correct_run_passes() {
        assert_eq!(check(&oracle(), &clean()), []);
        let (o, seen) = with_dead();
        assert_eq!(check(&o, &seen), []);
    }

    #[test]
    fn a_duplicated_record_is_caught() {
        let mut seen = clean();
        seen.ids.push(4);
        let v = check(&oracle(), &seen);
        assert!(
            matches!(&v[..], [Violation::Records { duplicated, counts: [1, 0, 0], .. }] if duplicated == &[4]),
            "{v:?}"
        );
    }

    #[test]
    fn a_missing_record_is_caught() {
        let mut seen = clean();
        seen.ids.retain(|id| *id != 5);
        let v = check(&oracle(), &seen);
        assert!(
            matches!(&v[..], [Violation::Records { missing, counts: [0, 1, 0], .. }] if missing == &[5]),
            "{v:?}"
        );
    }

    #[test]
    fn an_unexpected_record_is_caught() {
        let mut seen = clean();
        seen.ids.push(99);
        let v = check(&oracle(), &seen);
        assert!(
            matches!(&v[..], [Violation::Records { unexpected, .. }] if unexpected == &[99]),
            "{v:?}"
        );
    }

    #[test]
    fn exit_0_with_a_dead_page_is_caught() {
        let (o, mut seen) = with_dead();
        seen.exit = Some(0);
        let v = check(&o, &seen);
        assert!(
            matches!(
                &v[..],
                [Violation::Exit {
                    want: 3,
                    got: 0,
                    ..
                }]
            ),
            "{v:?}"
        );
        assert!(v[0].to_string().starts_with("exit 0 iff"), "{}", v[0]);
    }

    #[test]
    fn exit_3_with_nothing_dead_is_caught() {
        let mut seen = clean();
        seen.exit = Some(3);
        assert!(matches!(
            &check(&oracle(), &seen)[..],
            [Violation::Exit {
                want: 0,
                got: 3,
                ..
            }]
        ));
    }

    #[test]
    fn a_dead_page_not_listed_or_with_another_reason_is_caught() {
        let (o, mut seen) = with_dead();
        seen.listing.dead[0].1 = "http_404".into();
        let v = check(&o, &seen);
        assert!(
            matches!(&v[0], Violation::NotListed(what) if what.contains("/s/0/p/2")),
            "{v:?}"
        );
        seen.listing = Listing::default();
        assert!(matches!(&check(&o, &seen)[..], [Violation::NotListed(_)]));
    }

    #[test]
    fn a_servable_page_listed_as_dead_is_caught() {
        let mut seen = clean();
        seen.exit = Some(3);
        seen.listing.dead = vec![("http://127.0.0.1:9/s/0/p/1".into(), "http_503".into())];
        let v = check(&oracle(), &seen);
        assert!(
            v.contains(&Violation::UnexpectedDead(
                "http://127.0.0.1:9/s/0/p/1 (http_503)".into()
            )),
            "{v:?}"
        );
    }

    #[test]
    fn a_cut_stream_must_be_listed() {
        let mut o = oracle();
        o.cuts.push(CutStream {
            page_url: "http://127.0.0.1:9/s/1/p/0".into(),
            target: "http://127.0.0.1:8/elsewhere/0/1/1".into(),
            reason: "foreign_origin",
        });
        let mut seen = clean();
        seen.exit = Some(3);
        assert!(matches!(&check(&o, &seen)[..], [Violation::NotListed(_)]));
        seen.listing.cuts = vec![(
            "foreign_origin".into(),
            "http://127.0.0.1:8/elsewhere/0/1/1".into(),
        )];
        assert_eq!(check(&o, &seen), []);
    }

    #[test]
    fn a_hang_is_caught() {
        let mut seen = clean();
        seen.exit = None;
        seen.elapsed = Duration::from_secs(10);
        let v = check(&oracle(), &seen);
        assert!(matches!(&v[..], [Violation::Hang { .. }]), "{v:?}");
        seen.exit = Some(0);
        seen.elapsed = Duration::from_secs(11);
        assert!(matches!(
            &check(&oracle(), &seen)[..],
            [Violation::Hang { .. }]
        ));
    }
}
