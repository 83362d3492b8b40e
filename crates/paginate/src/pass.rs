//! One pass of an incremental resource, as its pages are parsed: each
//! record line the splitter writes is judged against the pass's bounds
//! (`harvest_incremental::Bounds`) and the lines not to write are taken out
//! of the buffer in place, before child pages are searched (so a child
//! stream is derived only from the records this pass writes). The records
//! written or already written (at the boundary) are folded into the page's
//! [`PassMax`], which the engine merges in commit order.
//!
//! The pass's parameters (`param=<start>`, `end_param=<end>`) are put on
//! every page of its streams: the seed, and any next page whose URL lacks
//! them (a next link the API wrote without the filter).
//!
//! Per record this costs one walk of the line for the cursor and key
//! fields (`children::pick`), no tree; resources without `incremental` pay
//! nothing.

use crate::children::pick;
use crate::{query, PageError};
use harvest_config::{Incremental, OnMissing, Selector};
use harvest_incremental::{Bounds, CursorValue, Lag, PassMax, PassStart, RecordKey, Verdict};
use url::Url;

/// The pass a resource's pages belong to.
#[derive(Debug, Clone)]
pub struct PassRules {
    /// The cursor path first, then the primary key's.
    paths: Vec<Selector>,
    on_missing: OnMissing,
    lag: Option<Lag>,
    bounds: Bounds,
    /// Query parameters on every page of the pass.
    carry: Vec<(String, String)>,
}

/// What judging a page's records found (the records kept are the page's
/// `records`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Judged {
    /// The page's contribution to the pass's maximum.
    pub max: PassMax,
    /// Left out: written by an earlier pass (at the boundary, or in the lag).
    pub seen: u64,
    /// Left out: below the pass's start (an API that ignores the parameter).
    pub below_start: u64,
    /// Left out: at or past the window's end.
    pub past_end: u64,
    /// Records without a cursor value, included or excluded by `on_missing`.
    pub missing: u64,
}

impl PassRules {
    /// The pass of `inc` starting at `start` (`None`: the first pass, from
    /// `initial_value` if any).
    pub fn new(inc: &Incremental, start: Option<PassStart>) -> Self {
        let start = start.or_else(|| {
            inc.initial_value.clone().map(|value| PassStart {
                value,
                seen: Vec::new(),
            })
        });
        let mut carry = Vec::new();
        if let Some(s) = &start {
            carry.push((inc.param.clone(), s.value.raw().to_owned()));
        }
        if let Some((param, end)) = &inc.end {
            carry.push((param.clone(), end.raw().to_owned()));
        }
        let mut paths = vec![inc.cursor_path.clone()];
        paths.extend(inc.primary_key.iter().cloned());
        Self {
            paths,
            on_missing: inc.on_missing,
            lag: inc.lag,
            bounds: Bounds::new(start, inc.end.as_ref().map(|(_, v)| v.clone())),
            carry,
        }
    }

    /// The value sent as the start parameter, if any.
    pub fn start(&self) -> Option<&CursorValue> {
        self.bounds.start()
    }

    /// `url` with the pass's parameters (replacing any already there).
    pub(crate) fn on_seed(&self, url: Url) -> Url {
        self.carry.iter().fold(url, |url, (name, value)| {
            query::with_param(&url, name, value)
        })
    }

    /// `url` with the pass's parameters it lacks.
    pub(crate) fn on_next(&self, url: Url) -> Url {
        self.carry.iter().fold(url, |url, (name, value)| {
            if query::param(&url, name).is_some() {
                url
            } else {
                query::with_param(&url, name, value)
            }
        })
    }

    /// Judges the record lines in `out[from..]` (one per line), keeping in
    /// place only those to write; returns how many were kept.
    pub(crate) fn judge(
        &self,
        out: &mut Vec<u8>,
        from: usize,
        judged: &mut Judged,
    ) -> Result<u64, PageError> {
        let mut write = from;
        let mut read = from;
        let mut kept = 0;
        while read < out.len() {
            let end = out[read..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(out.len(), |i| read + i + 1);
            if self.keeps(&out[read..end], judged)? {
                out.copy_within(read..end, write);
                write += end - read;
                kept += 1;
            }
            read = end;
        }
        out.truncate(write);
        Ok(kept)
    }

    /// Whether the record `line` (with its newline) is written.
    fn keeps(&self, line: &[u8], judged: &mut Judged) -> Result<bool, PageError> {
        let record = line.strip_suffix(b"\n").unwrap_or(line);
        let text = std::str::from_utf8(record)
            .map_err(|_| PageError::NotJson("invalid UTF-8 in a record".into()))?;
        let values = pick(text, &self.paths);
        let cursor = match values[0].map(|raw| CursorValue::from_json(raw.get())) {
            Some(Ok(Some(value))) => value,
            Some(Err(e)) => return Err(self.bad(e.to_string())),
            None | Some(Ok(None)) => {
                judged.missing += 1;
                return match self.on_missing {
                    OnMissing::DeadLetter => Err(PageError::CursorMissing {
                        path: self.paths[0].to_string(),
                    }),
                    OnMissing::Include => Ok(true),
                    OnMissing::Exclude => Ok(false),
                };
            }
        };
        let key = if self.paths.len() == 1 {
            RecordKey::of_record(record)
        } else {
            let fields: Vec<&str> = values[1..]
                .iter()
                .map(|v| v.map_or("null", |raw| raw.get()))
                .collect();
            RecordKey::of_fields(&fields, &cursor)
        };
        let verdict = self
            .bounds
            .judge(&cursor, key)
            .map_err(|e| self.bad(e.to_string()))?;
        match verdict {
            Verdict::BelowStart => judged.below_start += 1,
            Verdict::PastEnd => judged.past_end += 1,
            Verdict::Seen | Verdict::Keep => {
                if verdict == Verdict::Seen {
                    judged.seen += 1;
                }
                judged
                    .max
                    .add(cursor, key, self.lag)
                    .map_err(|e| self.bad(e.to_string()))?;
            }
        }
        Ok(verdict == Verdict::Keep)
    }

    fn bad(&self, why: String) -> PageError {
        PageError::BadCursor {
            path: self.paths[0].to_string(),
            why,
        }
    }
}
