//! The seen set: every page ever queued, as 128-bit [`PageKey`]s, to queue
//! none twice.
//!
//! It is *not* one sled key per page. sled keeps far more memory per live
//! key than the key is worth (measured: ~300 B per 17-byte key, 300 MB at a
//! million pages, more with a smaller cache), and a lookup of a random key
//! costs a tree walk. Instead, as Scrapy's `requests.seen` does, the set
//! lives in memory and its durable copy is append-only: *blocks* of up to
//! [`BLOCK_KEYS`] keys (`S` + block number → the keys packed 16 bytes each).
//! A commit that marks pages seen appends them to the open block and
//! rewrites it in the same atomic batch, so the copy on disk is exactly the
//! committed pages, and a million pages are ~250 sled keys however small the
//! commits. Opening the set reads the blocks back once.
//!
//! In memory, [`SeenSet`] is a sorted `Vec<u128>` (16 bytes per page, no
//! hash-table slack) plus a small hash set of recent keys, merged into the
//! sorted part once it reaches a sixteenth of it: amortised O(1) inserts,
//! O(log n) lookups.

use crate::PageKey;
use std::collections::HashSet;

/// Recent keys merged at the latest when there are this many.
const MIN_MERGE: usize = 4096;

/// Keys per durable block (64 KiB): a commit rewrites at most this much.
pub(crate) const BLOCK_KEYS: usize = 4096;

/// The last durable block, still filling: its number and packed keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenBlock {
    pub number: u64,
    pub packed: Vec<u8>,
}

impl OpenBlock {
    /// Appends `keys`, returning every block touched (number, new
    /// contents) for the batch; a full block is closed and the next opened.
    pub fn append(&mut self, mut keys: &[PageKey]) -> Vec<(u64, Vec<u8>)> {
        let mut touched = Vec::new();
        while !keys.is_empty() {
            let room = BLOCK_KEYS - self.packed.len() / 16;
            let (now, later) = keys.split_at(room.min(keys.len()));
            self.packed.extend(now.iter().flat_map(|k| k.0));
            touched.push((self.number, self.packed.clone()));
            if self.packed.len() / 16 >= BLOCK_KEYS {
                self.number += 1;
                self.packed.clear();
            }
            keys = later;
        }
        touched
    }
}

/// An in-memory set of page keys (see the module doc).
#[derive(Debug, Default)]
pub(crate) struct SeenSet {
    /// Sorted, no duplicates.
    sorted: Vec<u128>,
    /// Not in `sorted`.
    recent: HashSet<u128>,
}

impl SeenSet {
    /// A set holding `keys` (in any order, duplicates allowed).
    pub fn from_keys(mut keys: Vec<u128>) -> Self {
        keys.sort_unstable();
        keys.dedup();
        keys.shrink_to_fit();
        Self {
            sorted: keys,
            recent: HashSet::new(),
        }
    }

    pub fn contains(&self, key: &PageKey) -> bool {
        let k = u128::from_be_bytes(key.0);
        self.recent.contains(&k) || self.sorted.binary_search(&k).is_ok()
    }

    /// Adds `key`; false if it was there.
    pub fn insert(&mut self, key: &PageKey) -> bool {
        if self.contains(key) {
            return false;
        }
        self.recent.insert(u128::from_be_bytes(key.0));
        if self.recent.len() >= MIN_MERGE.max(self.sorted.len() / 16) {
            self.merge();
        }
        true
    }

    pub fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }

    /// Moves the recent keys into the sorted part, in place from the back
    /// (no second copy of the sorted part), growing it by a quarter at a
    /// time rather than doubling.
    fn merge(&mut self) {
        let mut recent: Vec<u128> = self.recent.drain().collect();
        recent.sort_unstable();
        let old = self.sorted.len();
        let wanted = old + recent.len();
        if wanted > self.sorted.capacity() {
            self.sorted.reserve_exact((wanted - old).max(old / 4));
        }
        self.sorted.resize(wanted, 0);
        // Fill from the back: the larger of the two tails goes last.
        let (mut i, mut j, mut out) = (old, recent.len(), wanted);
        while j > 0 {
            out -= 1;
            if i > 0 && self.sorted[i - 1] > recent[j - 1] {
                i -= 1;
                self.sorted[out] = self.sorted[i];
            } else {
                j -= 1;
                self.sorted[out] = recent[j];
            }
        }
    }
}

/// Unpacks a durable block; `None` if its length is not a whole number of keys.
pub(crate) fn unpack(block: &[u8]) -> Option<impl Iterator<Item = u128> + '_> {
    let chunks = block.chunks_exact(16);
    chunks
        .remainder()
        .is_empty()
        .then(|| chunks.map(|c| u128::from_be_bytes(c.try_into().expect("16-byte chunk"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(n: u64) -> PageKey {
        PageKey::new("r", &n.to_string())
    }

    #[test]
    fn inserts_are_found_across_merges() {
        let mut set = SeenSet::from_keys(vec![]);
        for n in 0..50_000 {
            assert!(set.insert(&key(n)), "{n} is new");
        }
        for n in 0..50_000 {
            assert!(!set.insert(&key(n)), "{n} was inserted");
            assert!(set.contains(&key(n)));
        }
        assert!(!set.contains(&key(50_000)));
        assert_eq!(set.len(), 50_000);
        assert!(set.sorted.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn loaded_keys_are_deduplicated() {
        let k = |n| u128::from_be_bytes(key(n).0);
        let set = SeenSet::from_keys(vec![k(3), k(1), k(3), k(2)]);
        assert_eq!(set.len(), 3);
        assert!(set.contains(&key(1)) && set.contains(&key(2)) && set.contains(&key(3)));
    }

    #[test]
    fn blocks_round_trip_and_torn_blocks_are_refused() {
        let keys = [key(1), key(2)];
        let mut open = OpenBlock::default();
        let touched = open.append(&keys);
        assert_eq!(touched.len(), 1);
        let (number, block) = &touched[0];
        assert_eq!(*number, 0);
        let back: Vec<u128> = unpack(block).unwrap().collect();
        assert_eq!(back, keys.map(|k| u128::from_be_bytes(k.0)).to_vec());
        assert!(unpack(&block[..17]).is_none());
    }

    #[test]
    fn an_open_block_fills_then_the_next_one_opens() {
        let mut open = OpenBlock::default();
        let first: Vec<PageKey> = (0..BLOCK_KEYS as u64 - 1).map(key).collect();
        assert_eq!(open.append(&first).len(), 1);
        // One more fills block 0; the rest go to block 1.
        let touched = open.append(&[key(1_000_000), key(1_000_001), key(1_000_002)]);
        let sizes: Vec<(u64, usize)> = touched.iter().map(|(n, b)| (*n, b.len() / 16)).collect();
        assert_eq!(sizes, [(0, BLOCK_KEYS), (1, 2)]);
        assert_eq!((open.number, open.packed.len()), (1, 32));
        assert!(open.append(&[]).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Against a plain hash set, whatever the order and repeats.
        #[test]
        fn agrees_with_a_hash_set(ops in proptest::collection::vec(0u64..20_000, 0..30_000)) {
            let mut set = SeenSet::default();
            let mut oracle = HashSet::new();
            for n in ops {
                prop_assert_eq!(set.insert(&key(n)), oracle.insert(n));
            }
            prop_assert_eq!(set.len(), oracle.len());
            for n in 0..20_000 {
                prop_assert_eq!(set.contains(&key(n)), oracle.contains(&n));
            }
        }
    }
}
