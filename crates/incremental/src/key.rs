//! A record's identity within an incremental resource: its primary key and
//! its cursor value (an updated record is a new key, so it is written
//! again), or, without a primary key, the record's own bytes. A 64-bit
//! xxh3: a collision could drop one record at a pass boundary, with odds of
//! about n²/2⁶⁵ for n boundary records (1 in 10¹⁰ at 10⁵ keys).

use crate::cursor::CursorValue;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The key of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordKey(pub u64);

impl RecordKey {
    /// From the raw JSON texts of the primary key's fields (in the config's
    /// order) and the cursor value.
    pub fn of_fields(fields: &[&str], cursor: &CursorValue) -> Self {
        let mut bytes = Vec::with_capacity(64);
        for field in fields {
            bytes.extend_from_slice(field.trim().as_bytes());
            // A byte no JSON text holds: `["a","b"]` and `["ab"]` differ.
            bytes.push(0xff);
        }
        cursor.canonical(&mut bytes);
        Self(xxh3_64(&bytes))
    }

    /// From the record line itself (no primary key configured).
    pub fn of_record(line: &[u8]) -> Self {
        Self(xxh3_64(line))
    }
}
