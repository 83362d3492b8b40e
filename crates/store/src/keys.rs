//! Key layout of the state tree. One byte of prefix per kind of record:
//!
//! | key                         | value            |
//! |-----------------------------|------------------|
//! | `m` `format`                | u64 BE           |
//! | `m` `next_seq`              | u64 BE           |
//! | `m` `pending`               | u64 BE (count)   |
//! | `r` resource name           | [`ResourceMeta`] |
//! | `p` seq (u64 BE)            | [`Job`]          |
//! | `S` block (u64 BE)          | [`PageKey`]s, 16 bytes each (the seen set) |
//! | `o` resource name           | u64 BE offset    |
//! | `c` resource name           | [`Counters`]     |
//! | `d` seq (u64 BE)            | [`DeadLetter`]   |
//! | `F` seq (u64 BE)            | u64 BE ms: when pending job seq first failed (retried jobs only) |
//! | `f` resource name           | u128 BE          |
//! | `x` seq (u64 BE)            | [`CutStream`] (seq of the page that cut it) |
//! | `i` resource name           | an incremental resource's pass state (bytes the engine encodes) |
//!
//! [`Job`]: crate::Job
//! [`PageKey`]: crate::PageKey
//! [`Counters`]: crate::Counters
//! [`DeadLetter`]: crate::DeadLetter
//! [`ResourceMeta`]: crate::ResourceMeta
//! [`CutStream`]: crate::CutStream

use crate::StoreError;

pub(crate) const FORMAT: &[u8] = b"mformat";
pub(crate) const NEXT_SEQ: &[u8] = b"mnext_seq";
pub(crate) const PENDING_COUNT: &[u8] = b"mpending";
pub(crate) const PENDING: &[u8] = b"p";
pub(crate) const DEAD: &[u8] = b"d";
pub(crate) const RESOURCE: &[u8] = b"r";
pub(crate) const CUT: &[u8] = b"x";

pub(crate) fn pending(seq: u64) -> [u8; 9] {
    prefixed(PENDING, seq)
}

pub(crate) fn dead(seq: u64) -> [u8; 9] {
    prefixed(DEAD, seq)
}

pub(crate) fn first_failure(seq: u64) -> [u8; 9] {
    prefixed(b"F", seq)
}

pub(crate) fn cut(seq: u64) -> [u8; 9] {
    prefixed(CUT, seq)
}

/// Format 1 kept one key per seen page under this prefix (read only to
/// migrate a format-1 state).
pub(crate) const SEEN_V1: &[u8] = b"s";
pub(crate) const SEEN: &[u8] = b"S";

pub(crate) fn seen_block(block: u64) -> [u8; 9] {
    prefixed(SEEN, block)
}

pub(crate) const OFFSET: &[u8] = b"o";

pub(crate) fn offset(resource: &str) -> Vec<u8> {
    [OFFSET, resource.as_bytes()].concat()
}

pub(crate) fn resource(name: &str) -> Vec<u8> {
    [RESOURCE, name.as_bytes()].concat()
}

pub(crate) fn seeds_source(resource: &str) -> Vec<u8> {
    [b"f", resource.as_bytes()].concat()
}

pub(crate) fn pass_state(resource: &str) -> Vec<u8> {
    [b"i", resource.as_bytes()].concat()
}

pub(crate) fn counters(resource: &str) -> Vec<u8> {
    [b"c", resource.as_bytes()].concat()
}

/// The first key after every key under the one-byte `prefix`.
pub(crate) fn end(prefix: &[u8]) -> [u8; 1] {
    [prefix[0] + 1]
}

fn prefixed(prefix: &[u8], seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = prefix[0];
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub(crate) fn seq_of(key: &[u8]) -> Result<u64, StoreError> {
    key.get(1..9)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| corrupt_key("job key"))
}

pub(crate) fn decode_u64(v: &[u8]) -> Result<u64, StoreError> {
    v.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| corrupt_key("counter"))
}

fn corrupt_key(what: &'static str) -> StoreError {
    StoreError::Corrupt {
        what,
        reason: "wrong length".into(),
    }
}
