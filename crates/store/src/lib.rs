//! The crawl's durable state in sled: the frontier (pending jobs), the set of
//! pages already queued or done, dead letters, streams cut short, each
//! sink's committed byte offset and per-resource counters.
//!
//! Everything lives in one sled tree under short key prefixes, so that one
//! [`CommitBatch`] — a page done, its next jobs, the sink offset, the counters —
//! is applied atomically by [`Store::commit`] (one sled `apply_batch`). While
//! a crawl runs, only the engine's committer (its writer thread) commits;
//! seeding, reopening cut streams and the admin commands commit before or
//! between runs.

mod batch;
mod cut;
mod dead_letter;
mod error;
mod job;
mod keys;
mod seen;

pub use batch::CommitBatch;
pub use cut::CutStream;
pub use dead_letter::{DeadLetter, SNIPPET_BYTES};
pub use error::StoreError;
pub use job::{Counters, Job, PageKey, ResourceMeta};

use seen::{OpenBlock, SeenSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The layout of the state this build reads and writes, stored in the state
/// itself; bumped on any change an older or newer build would misread.
/// Format 2 keeps the seen set in blocks (format 1: one key per page; a
/// format-1 state is migrated when opened).
pub const FORMAT: u64 = 2;

/// Stamped while a format-1 state is being migrated: no build but this one
/// reads a state half moved (this one finishes the move).
const MIGRATING_TO_2: u64 = 0x8000_0000_0000_0002;

/// sled's page cache. Its default (1 GiB) lets the cache grow with the
/// state: with a million jobs that is most of a process's memory. The hot
/// set is small (the frontier's scan cursor, recent seen-set pages, the
/// tail being written), so a small cache keeps memory flat at any size.
pub const CACHE_BYTES: u64 = 32 << 20;

/// An open state directory. Clones share the database (one writer thread and
/// the supervisor use it together).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    /// The seen set in memory, read from its blocks on first use (commands
    /// that never look a page up never load it).
    seen: Arc<Mutex<Option<SeenSet>>>,
    /// The seen set's last durable block, which commits append to. Held
    /// through a commit's apply, so concurrent commits rewrite it in order.
    open_block: Arc<Mutex<OpenBlock>>,
}

impl Store {
    /// Opens the state in `dir` only if it exists; never creates anything
    /// (for commands that only read or mend a crawl's state).
    pub fn open_existing(dir: &Path) -> Result<Self, StoreError> {
        // sled keeps its data in `<dir>/db`: a directory without it holds no state.
        if !dir.join("db").is_file() {
            return Err(StoreError::Missing {
                dir: dir.to_path_buf(),
            });
        }
        Self::open(dir)
    }

    /// Opens (or creates) the state in `dir`. Fails if another process holds it.
    ///
    /// A lock held by this very process (a store just dropped, whose sled
    /// threads are still winding down) is waited for up to a second; a lock
    /// still held after that belongs to another run.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let mut attempts = 0;
        loop {
            let opened = sled::Config::new()
                .path(dir)
                .mode(sled::Mode::HighThroughput)
                .cache_capacity(CACHE_BYTES)
                .open();
            match opened {
                Ok(db) => {
                    check_format(dir, &db)?;
                    let open_block = last_seen_block(&db)?;
                    return Ok(Self {
                        db,
                        seen: Arc::default(),
                        open_block: Arc::new(Mutex::new(open_block)),
                    });
                }
                Err(e) if StoreError::is_lock(&e) && attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => return Err(StoreError::open(dir, e)),
            }
        }
    }
}

/// Stamps a new state with [`FORMAT`]; migrates a format-1 state; refuses a
/// state in another format (one without a stamp predates the stamp: format 0).
fn check_format(dir: &Path, db: &sled::Db) -> Result<(), StoreError> {
    let mut found = match db.get(keys::FORMAT)? {
        Some(v) => keys::decode_u64(&v)?,
        None if db.is_empty() => {
            db.insert(keys::FORMAT, &FORMAT.to_be_bytes())?;
            db.flush()?;
            FORMAT
        }
        None => 0,
    };
    if found == 1 || found == MIGRATING_TO_2 {
        migrate_seen_v1(db)?;
        found = FORMAT;
    }
    if found != FORMAT {
        return Err(StoreError::Format {
            dir: dir.to_path_buf(),
            found,
            want: FORMAT,
        });
    }
    Ok(())
}

/// Frees what sled's writes left for later.
///
/// sled frees the node versions a write replaces through crossbeam-epoch,
/// whose collector frees at most 8 bags of 64 items per 128 pins of a
/// thread. `apply_batch` pins once for all its writes, and each write leaves
/// a node copy behind, so at tens of thousands of writes a second garbage
/// piled up faster than it was freed: 970 MB resident at a million pages, the
/// heap all sled node copies (heaptrack). Each commit therefore drives the
/// collector in proportion to its writes (a few µs when nothing is left).
fn collect_garbage(writes: usize) {
    for _ in 0..(writes / 16).max(8) {
        crossbeam_epoch::pin().flush();
    }
}

/// Format 1 → 2: moves the one-key-per-page seen set into blocks, a chunk
/// per atomic batch (a crash midway leaves a format-1 state whose remaining
/// keys the next open moves), then stamps format 2.
fn migrate_seen_v1(db: &sled::Db) -> Result<(), StoreError> {
    const CHUNK: usize = seen::BLOCK_KEYS;
    db.insert(keys::FORMAT, &MIGRATING_TO_2.to_be_bytes())?;
    db.flush()?;
    let open = last_seen_block(db)?;
    let mut block = open.number + u64::from(!open.packed.is_empty());
    loop {
        let old: Vec<sled::IVec> = db
            .scan_prefix(keys::SEEN_V1)
            .keys()
            .take(CHUNK)
            .collect::<Result<_, _>>()?;
        if old.is_empty() {
            break;
        }
        let mut batch = sled::Batch::default();
        let mut packed = Vec::with_capacity(old.len() * 16);
        for key in &old {
            let page =
                key.get(1..)
                    .filter(|p| p.len() == 16)
                    .ok_or_else(|| StoreError::Corrupt {
                        what: "format-1 seen key",
                        reason: "wrong length".into(),
                    })?;
            packed.extend_from_slice(page);
            batch.remove(key);
        }
        batch.insert(&keys::seen_block(block), packed);
        block += 1;
        db.apply_batch(batch)?;
        collect_garbage(2 * old.len());
    }
    db.insert(keys::FORMAT, &FORMAT.to_be_bytes())?;
    db.flush()?;
    Ok(())
}

/// The seen-set block to append to: the last one written while it has
/// room, else a new one after it.
fn last_seen_block(db: &sled::Db) -> Result<OpenBlock, StoreError> {
    match db.get_lt(keys::end(keys::SEEN))? {
        Some((k, v)) if k.starts_with(keys::SEEN) => {
            let number = keys::seq_of(&k)?;
            Ok(if v.len() / 16 < seen::BLOCK_KEYS && v.len() % 16 == 0 {
                OpenBlock {
                    number,
                    packed: v.to_vec(),
                }
            } else {
                OpenBlock {
                    number: number + 1,
                    packed: Vec::new(),
                }
            })
        }
        _ => Ok(OpenBlock::default()),
    }
}

impl Store {
    /// What the state remembers of resource `name`, if anything.
    pub fn resource_meta(&self, name: &str) -> Result<Option<ResourceMeta>, StoreError> {
        self.read(keys::resource(name), ResourceMeta::decode)
    }

    /// The hash of the seeds' *source* (inline URLs, file bytes, template
    /// text and range) that `name` was last checked against: when the source
    /// is unchanged, the seeds are too, and a resume skips generating them.
    pub fn seeds_source(&self, name: &str) -> Result<Option<u128>, StoreError> {
        self.read(keys::seeds_source(name), |v| {
            <[u8; 16]>::try_from(v)
                .map(u128::from_be_bytes)
                .map_err(|_| StoreError::Corrupt {
                    what: "seeds source hash",
                    reason: "wrong length".into(),
                })
        })
    }

    /// An incremental resource's pass state, as the engine encoded it
    /// (`harvest_incremental::PassState`); the store keeps only the bytes.
    pub fn pass_state(&self, resource: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(keys::pass_state(resource), |v| Ok(v.to_vec()))
    }

    /// Every resource the state knows, by name.
    pub fn resources(&self) -> Result<Vec<(String, ResourceMeta)>, StoreError> {
        self.db
            .scan_prefix(keys::RESOURCE)
            .map(|item| {
                let (k, v) = item?;
                Ok((
                    String::from_utf8_lossy(&k[1..]).into_owned(),
                    ResourceMeta::decode(&v)?,
                ))
            })
            .collect()
    }

    /// The name of every output the state keeps an offset of (`orders`,
    /// or `orders/pass-000002` for an incremental resource's pass): the
    /// files it wrote are `<output_dir>/<name>.jsonl`.
    pub fn outputs(&self) -> Result<Vec<String>, StoreError> {
        self.db
            .scan_prefix(keys::OFFSET)
            .map(|item| Ok(String::from_utf8_lossy(&item?.0[1..]).into_owned()))
            .collect()
    }

    /// The next free job sequence number.
    pub fn next_seq(&self) -> Result<u64, StoreError> {
        Ok(self.read(keys::NEXT_SEQ, keys::decode_u64)?.unwrap_or(0))
    }

    /// Up to `limit` pending jobs with sequence numbers `>= from`, in order.
    pub fn pending_from(&self, from: u64, limit: usize) -> Result<Vec<(u64, Job)>, StoreError> {
        let mut jobs = Vec::with_capacity(limit.min(4096));
        for item in self
            .db
            .range(keys::pending(from).to_vec()..keys::end(keys::PENDING).to_vec())
            .take(limit)
        {
            let (k, v) = item?;
            jobs.push((keys::seq_of(&k)?, Job::decode(&v)?));
        }
        Ok(jobs)
    }

    /// Up to `limit` pending jobs with sequence numbers in `from..=to`, in order.
    pub fn pending_between(
        &self,
        from: u64,
        to: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Job)>, StoreError> {
        let mut jobs = Vec::with_capacity(limit.min(4096));
        for item in self
            .db
            .range(keys::pending(from)..=keys::pending(to))
            .take(limit)
        {
            let (k, v) = item?;
            jobs.push((keys::seq_of(&k)?, Job::decode(&v)?));
        }
        Ok(jobs)
    }

    /// How many jobs are pending, as counted by the commits (no scan); a
    /// state written before the count was kept is counted once by a scan.
    pub fn pending_count_kept(&self) -> Result<u64, StoreError> {
        match self.db.get(keys::PENDING_COUNT)? {
            Some(v) => keys::decode_u64(&v),
            None => Ok(self.pending_count() as u64),
        }
    }

    /// How many jobs are pending (a scan: for checks, not per page).
    pub fn pending_count(&self) -> usize {
        self.db.scan_prefix(keys::PENDING).count()
    }

    /// How many pages are in the dead letters (a scan).
    pub fn dead_letter_count(&self) -> usize {
        self.db.scan_prefix(keys::DEAD).count()
    }

    /// Every dead letter with its job sequence number, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<(u64, DeadLetter)>, StoreError> {
        self.by_seq(keys::DEAD, DeadLetter::decode)
    }

    /// When pending job `seq` first failed (set with
    /// [`CommitBatch::set_first_failure`]), if it did.
    pub fn first_failure(&self, seq: u64) -> Result<Option<u64>, StoreError> {
        self.db
            .get(keys::first_failure(seq))?
            .map(|v| keys::decode_u64(&v))
            .transpose()
    }

    /// How many streams were cut short (a scan; there is at most one per
    /// stream, and few).
    pub fn cut_stream_count(&self) -> usize {
        self.db.scan_prefix(keys::CUT).count()
    }

    /// Every stream cut short, with the sequence number of the page that cut
    /// it, oldest first.
    pub fn cut_streams(&self) -> Result<Vec<(u64, CutStream)>, StoreError> {
        self.by_seq(keys::CUT, CutStream::decode)
    }

    /// Every record under `prefix` (keyed by a sequence number), decoded,
    /// with its number, in order (a scan).
    fn by_seq<T>(
        &self,
        prefix: &[u8],
        decode: fn(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Vec<(u64, T)>, StoreError> {
        self.db
            .scan_prefix(prefix)
            .map(|item| {
                let (k, v) = item?;
                Ok((keys::seq_of(&k)?, decode(&v)?))
            })
            .collect()
    }

    /// Visits every pending job in sequence order (a scan: for `status`).
    pub fn for_each_pending(&self, mut each: impl FnMut(u64, Job)) -> Result<(), StoreError> {
        for item in self.db.scan_prefix(keys::PENDING) {
            let (k, v) = item?;
            each(keys::seq_of(&k)?, Job::decode(&v)?);
        }
        Ok(())
    }

    /// Whether `page` was ever queued (pending, done or dead) by a committed
    /// batch. The first call reads the seen set into memory.
    pub fn is_seen(&self, page: &PageKey) -> Result<bool, StoreError> {
        Ok(self.seen_set()?.as_ref().is_some_and(|s| s.contains(page)))
    }

    /// Reads the seen set into memory now (else the first lookup does) and
    /// says how many pages it holds.
    pub fn load_seen(&self) -> Result<usize, StoreError> {
        Ok(self.seen_set()?.as_ref().map_or(0, SeenSet::len))
    }

    /// The seen set, loaded (`Some`) once this returns `Ok`.
    fn seen_set(&self) -> Result<MutexGuard<'_, Option<SeenSet>>, StoreError> {
        let mut guard = self.seen.lock().expect("seen set lock poisoned");
        if guard.is_none() {
            let mut keys = Vec::new();
            for item in self.db.scan_prefix(keys::SEEN) {
                let (_, block) = item?;
                keys.extend(seen::unpack(&block).ok_or_else(|| StoreError::Corrupt {
                    what: "seen-set block",
                    reason: format!("{} bytes is not a whole number of keys", block.len()),
                })?);
            }
            *guard = Some(SeenSet::from_keys(keys));
        }
        Ok(guard)
    }

    /// The byte length of `resource`'s output known to hold whole, committed pages.
    pub fn sink_offset(&self, resource: &str) -> Result<u64, StoreError> {
        Ok(self
            .read(keys::offset(resource), keys::decode_u64)?
            .unwrap_or(0))
    }

    /// Committed totals of `resource`.
    pub fn counters(&self, resource: &str) -> Result<Counters, StoreError> {
        Ok(self
            .read(keys::counters(resource), Counters::decode)?
            .unwrap_or_default())
    }

    /// The value under `key`, decoded, if there is one.
    fn read<T>(
        &self,
        key: impl AsRef<[u8]>,
        decode: impl FnOnce(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.db.get(key)?.map(|v| decode(&v)).transpose()
    }

    /// Applies `batch` atomically. Its pages marked seen are appended to the
    /// seen set's open block, rewritten in the same batch, and go to the
    /// in-memory set (if loaded) once it is applied — without holding the
    /// set's lock meanwhile, so a lookup never waits for sled; a caller that
    /// must see its own marks before that (the engine's staging) keeps them
    /// itself until the commit returns.
    pub fn commit(&self, batch: CommitBatch) -> Result<(), StoreError> {
        let (mut inner, writes, seen) = batch.into_parts();
        let mut open = self.open_block.lock().expect("open block lock poisoned");
        // Appended to a copy: a batch that fails to apply leaves no trace.
        let next = (!seen.is_empty()).then(|| {
            let mut next = open.clone();
            for (number, packed) in next.append(&seen) {
                inner.insert(&keys::seen_block(number), packed);
            }
            next
        });
        self.db.apply_batch(inner)?;
        if let Some(next) = next {
            *open = next;
        }
        drop(open);
        collect_garbage(writes);
        if !seen.is_empty() {
            let mut guard = self.seen.lock().expect("seen set lock poisoned");
            if let Some(set) = guard.as_mut() {
                for page in &seen {
                    set.insert(page);
                }
            }
        }
        Ok(())
    }

    /// Makes everything committed so far durable on disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
