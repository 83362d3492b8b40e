//! Dead letters: the pages given up on, with why, when, and the start of
//! what the server answered. Owns the record's versioned encoding, and
//! reading the records of the first format; knows nothing of the reason
//! vocabulary (the engine's `reasons`).
//!
//! Encoding: a record of the current format is the marker byte `0`, the
//! format byte (`2`), then the record in postcard. A first-format record is
//! the bare postcard of `{job, status, reason, detail}`: it starts with the
//! length of the job's resource name, which is never empty, so its first
//! byte is never `0`. First-format records read with the fields they lack
//! as `None`.

use crate::{job::decode, Job, StoreError};
use serde::{Deserialize, Serialize};

/// The most response bytes a dead letter keeps ([`DeadLetter::snippet`]).
pub const SNIPPET_BYTES: usize = 200;

/// First byte of a versioned record (a first-format one never starts so).
const VERSIONED: u8 = 0;
/// The record format written now.
const FORMAT: u8 = 2;

/// A page given up on, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The job as it was given up (its `attempt` counts the attempts made
    /// before the last one), so `retry-dead` can requeue it as it was.
    pub job: Job,
    /// HTTP status of the last attempt, if a response came.
    pub status: Option<u16>,
    /// Fixed label (`http_404`, `not_json`, `connect`, ...).
    pub reason: String,
    /// Human detail.
    pub detail: String,
    /// When the page's first failed attempt came back (ms since the Unix
    /// epoch): the attempt that started the series of retries, or the one
    /// attempt of a page dead at once. A page put back by `retry-dead`
    /// starts a new series. `None`: a first-format record.
    pub first_ms: Option<u64>,
    /// When the page was given up on (ms since the Unix epoch). `None`: a
    /// first-format record.
    pub last_ms: Option<u64>,
    /// The first [`SNIPPET_BYTES`] bytes of the last attempt's response
    /// body (decoded), when a response came; empty when its body was.
    /// `None`: no response (a transport error), or a first-format record.
    pub snippet: Option<Vec<u8>>,
}

/// The first format: what a state written before first/last times and
/// snippets holds.
#[derive(Deserialize)]
struct FirstFormat {
    job: Job,
    status: Option<u16>,
    reason: String,
    detail: String,
}

impl DeadLetter {
    /// Attempts made in all.
    pub fn attempts(&self) -> u32 {
        self.job.attempt + 1
    }

    pub fn encode(&self) -> Vec<u8> {
        postcard::to_extend(self, vec![VERSIONED, FORMAT]).expect("a dead letter always serialises")
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        match bytes {
            [VERSIONED, FORMAT, record @ ..] => decode(record, "dead letter"),
            [VERSIONED, format, ..] => Err(StoreError::Corrupt {
                what: "dead letter",
                reason: format!("format {format} is newer than this build knows"),
            }),
            _ => {
                let old: FirstFormat = decode(bytes, "dead letter")?;
                Ok(Self {
                    job: old.job,
                    status: old.status,
                    reason: old.reason,
                    detail: old.detail,
                    first_ms: None,
                    last_ms: None,
                    snippet: None,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first format's encoding, as the build before format 2 wrote it.
    #[derive(Serialize)]
    struct WrittenBefore<'a> {
        job: &'a Job,
        status: Option<u16>,
        reason: &'a str,
        detail: &'a str,
    }

    fn letter() -> DeadLetter {
        DeadLetter {
            job: Job {
                attempt: 4,
                ..Job::new("orders", "http://a/s/0/p/1")
            },
            status: Some(500),
            reason: "http_500".into(),
            detail: "gave up after 5 attempts".into(),
            first_ms: Some(1_700_000_000_000),
            last_ms: Some(1_700_000_004_000),
            snippet: Some(b"<html>oops".to_vec()),
        }
    }

    #[test]
    fn a_letter_survives_its_encoding() {
        let l = letter();
        let bytes = l.encode();
        assert_eq!(bytes[..2], [0, 2]);
        assert_eq!(DeadLetter::decode(&bytes).unwrap(), l);
    }

    #[test]
    fn a_first_format_letter_still_reads() {
        let l = letter();
        let old = postcard::to_stdvec(&WrittenBefore {
            job: &l.job,
            status: Some(404),
            reason: "http_status",
            detail: "HTTP 404",
        })
        .unwrap();
        // The frozen bytes of such a record: resource "orders" (length 6) first.
        assert_eq!(old[..7], *b"\x06orders");
        let read = DeadLetter::decode(&old).unwrap();
        assert_eq!(read.job, l.job);
        assert_eq!(read.status, Some(404));
        assert_eq!(
            (read.reason.as_str(), read.detail.as_str()),
            ("http_status", "HTTP 404")
        );
        assert_eq!(
            (read.first_ms, read.last_ms, read.snippet.is_none()),
            (None, None, true)
        );
        assert_eq!(read.attempts(), 5);
    }

    #[test]
    fn a_newer_format_is_refused_by_name() {
        let mut bytes = letter().encode();
        bytes[1] = 9;
        let e = DeadLetter::decode(&bytes).unwrap_err().to_string();
        assert!(e.contains("format 9"), "{e}");
    }
}
