//! One page's output lines on their way to the sink: in memory while small,
//! moved to a spill file in the state directory once they pass
//! [`SPILL_AT`] bytes. A page of any size (one JSON array of gigabytes) thus
//! costs at most a few megabytes of memory; the writer appends the spill file
//! to the sink with an in-kernel copy when the page's group commits.
//!
//! A spill file is anonymous (`tempfile::tempfile_in`: `O_TMPFILE`, or
//! created and unlinked at once): it has no name in the directory, so it
//! lives exactly as long as its [`Spill`]'s handle. A page that fails
//! halfway, an outcome that is dropped, and a killed process all leave
//! nothing behind. [`clear_spill_dir`] still empties the directory when a
//! run opens its sinks, for named files a killed run of an older harvest
//! left there.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Lines kept in memory before they move to a spill file.
pub(crate) const SPILL_AT: usize = 1 << 20;

/// The spill directory of a state directory.
pub(crate) fn spill_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("spill")
}

/// Creates the spill directory, removing anything left in it.
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

/// An anonymous spill file, gone when this is dropped (module doc).
#[derive(Debug)]
pub(crate) struct Spill {
    file: File,
    /// Bytes written to it.
    len: u64,
}

impl Spill {
    fn create(dir: &Path) -> std::io::Result<Self> {
        let file = tempfile::tempfile_in(dir)?;
        Ok(Self { file, len: 0 })
    }

    /// The spilled bytes, read from the start.
    pub fn reader(&mut self) -> std::io::Result<&mut File> {
        use std::io::Seek;
        self.file.rewind()?;
        Ok(&mut self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn spilled_lines_come_back_in_order_and_no_spill_file_is_ever_named() {
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
        // Nothing in the directory even while the spill is alive, so a
        // killed process leaves nothing behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        drop(spill);
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
