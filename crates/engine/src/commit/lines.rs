//! One page's output lines on their way to the sink: in memory while small,
//! moved to a spill file in the state directory once they pass
//! [`SPILL_AT`] bytes. A page of any size (one JSON array of gigabytes) thus
//! costs at most a few megabytes of memory; the writer appends the spill file
//! to the sink with an in-kernel copy when the page's group commits.
//!
//! A spill file lives exactly as long as its [`Spill`]: a page that fails
//! halfway, or whose outcome is dropped, removes its file; files left by a
//! killed process are removed when the next run opens its sinks
//! ([`clear_spill_dir`]).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Lines kept in memory before they move to a spill file.
pub(crate) const SPILL_AT: usize = 1 << 20;

/// Names spill files uniquely within a run.
static NEXT_SPILL: AtomicU64 = AtomicU64::new(0);

/// The spill directory of a state directory.
pub(crate) fn spill_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("spill")
}

/// Removes what a killed run left in the spill directory (and creates it).
pub(crate) fn clear_spill_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::create_dir_all(dir)
}

/// A page's lines, written in order: the spilled part, then `mem`.
#[derive(Debug, Default)]
pub(crate) struct PageLines {
    pub mem: Vec<u8>,
    pub spill: Option<Spill>,
}

impl PageLines {
    /// Bytes of lines in all.
    pub fn len(&self) -> u64 {
        self.spill.as_ref().map_or(0, |s| s.len) + self.mem.len() as u64
    }

    /// Moves the in-memory lines to the page's spill file (created in `dir`
    /// on first use). Blocking file I/O: call it where blocking is allowed
    /// (`tokio::task::block_in_place` on the fetch runtime).
    pub fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        let spill = match &mut self.spill {
            Some(spill) => spill,
            None => self.spill.insert(Spill::create(dir)?),
        };
        spill.file.write_all(&self.mem)?;
        spill.len += self.mem.len() as u64;
        self.mem.clear();
        Ok(())
    }
}

/// A spill file, removed when this is dropped.
#[derive(Debug)]
pub(crate) struct Spill {
    path: PathBuf,
    file: File,
    len: u64,
}

impl Spill {
    fn create(dir: &Path) -> std::io::Result<Self> {
        let n = NEXT_SPILL.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("page-{}-{n}.jsonl", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self { path, file, len: 0 })
    }

    /// The spilled bytes, read from the start.
    pub fn reader(&mut self) -> std::io::Result<&mut File> {
        use std::io::Seek;
        self.file.rewind()?;
        Ok(&mut self.file)
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn spilled_lines_come_back_in_order_and_the_file_goes_with_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = PageLines::default();
        lines.mem.extend_from_slice(b"{\"id\":1}\n");
        lines.spill(dir.path()).unwrap();
        let big = vec![b'x'; SPILL_AT];
        lines.mem.extend_from_slice(&big);
        lines.spill(dir.path()).unwrap();
        lines.mem.extend_from_slice(b"tail\n");
        assert_eq!(lines.len(), (9 + SPILL_AT + 5) as u64);
        let mut spill = lines.spill.take().unwrap();
        let mut back = Vec::new();
        spill.reader().unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back.len(), 9 + SPILL_AT);
        assert!(back.starts_with(b"{\"id\":1}\nxxx"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(spill);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn clearing_removes_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let spill = dir.path().join("spill");
        clear_spill_dir(&spill).unwrap();
        std::fs::write(spill.join("page-1-0.jsonl"), b"x").unwrap();
        clear_spill_dir(&spill).unwrap();
        assert_eq!(std::fs::read_dir(&spill).unwrap().count(), 0);
    }
}
