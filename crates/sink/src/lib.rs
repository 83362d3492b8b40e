//! Record output: one append-only JSON Lines file per resource.
//!
//! The state store remembers, per file, the byte offset up to which the file
//! holds whole, committed pages. Opening a sink truncates anything past that
//! offset (pages written but never committed, e.g. by a killed run), so the
//! next run rewrites them exactly once. Writes go straight to the file, no
//! buffer in between: the engine hands over a commit group's pages at once
//! (vectored writes for pages in memory, an in-kernel copy for spilled ones).

use std::fs::{File, OpenOptions};
use std::io::{IoSlice, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Buffers per vectored write (Linux's IOV_MAX).
const MAX_IOVECS: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("cannot open output {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "output {} is {len} bytes but the state says {committed} bytes were committed: \
         the file was truncated or replaced; restore it or start with a fresh state_dir",
        path.display()
    )]
    Shrunk {
        path: PathBuf,
        len: u64,
        committed: u64,
    },
    #[error("cannot write output {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// An open output file positioned at its end.
#[derive(Debug)]
pub struct Sink {
    path: PathBuf,
    file: File,
    /// Bytes in the file, all of them written by this or an earlier run.
    len: u64,
}

impl Sink {
    /// Opens `path`, cutting it back to `committed` bytes (creating it and its
    /// directory when missing).
    pub fn open(path: &Path, committed: u64) -> Result<Self, SinkError> {
        let open_err = |source| SinkError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(open_err)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(open_err)?;
        let len = file.metadata().map_err(open_err)?.len();
        if len < committed {
            return Err(SinkError::Shrunk {
                path: path.to_path_buf(),
                len,
                committed,
            });
        }
        if len > committed {
            file.set_len(committed).map_err(open_err)?;
        }
        file.seek(SeekFrom::Start(committed)).map_err(open_err)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            len: committed,
        })
    }

    /// Appends `bytes` and returns the new length.
    pub fn append(&mut self, bytes: &[u8]) -> Result<u64, SinkError> {
        self.append_all(&[bytes])
    }

    /// Appends `pieces` in order (few system calls: vectored writes) and
    /// returns the new length.
    pub fn append_all(&mut self, pieces: &[&[u8]]) -> Result<u64, SinkError> {
        for group in pieces.chunks(MAX_IOVECS) {
            let mut slices: Vec<IoSlice<'_>> = group.iter().map(|p| IoSlice::new(p)).collect();
            let mut slices = &mut slices[..];
            while !slices.is_empty() {
                let n = match self.file.write_vectored(slices) {
                    Ok(0) => Err(std::io::ErrorKind::WriteZero.into()),
                    Ok(n) => Ok(n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => Err(e),
                }
                .map_err(|source| self.write_error(source))?;
                self.len += n as u64;
                IoSlice::advance_slices(&mut slices, n);
            }
        }
        Ok(self.len)
    }

    /// Appends everything `from` holds past its position (an in-kernel copy
    /// where the platform has one) and returns the new length.
    pub fn append_file(&mut self, from: &mut File) -> Result<u64, SinkError> {
        let n = std::io::copy(from, &mut self.file).map_err(|source| self.write_error(source))?;
        self.len += n;
        Ok(self.len)
    }

    fn write_error(&self, source: std::io::Error) -> SinkError {
        SinkError::Write {
            path: self.path.clone(),
            source,
        }
    }

    /// Bytes in the file.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Forces the written bytes to disk.
    pub fn sync(&mut self) -> Result<(), SinkError> {
        self.file.sync_data().map_err(|source| SinkError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_truncates_to_the_committed_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/r.jsonl");
        let mut sink = Sink::open(&path, 0).unwrap();
        assert_eq!(sink.append(b"{\"id\":1}\n").unwrap(), 9);
        assert_eq!(sink.append(b"{\"id\":2}\n").unwrap(), 18);
        drop(sink);
        // Only the first page was committed: the second is cut on reopen.
        let mut sink = Sink::open(&path, 9).unwrap();
        sink.append(b"{\"id\":3}\n").unwrap();
        sink.sync().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":1}\n{\"id\":3}\n"
        );
    }

    #[test]
    fn appends_many_pieces_and_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let mut sink = Sink::open(&path, 0).unwrap();
        let pieces: Vec<Vec<u8>> = (0..3000)
            .map(|i| format!("{{\"id\":{i}}}\n").into_bytes())
            .collect();
        let refs: Vec<&[u8]> = pieces.iter().map(|p| &p[..]).collect();
        let len = sink.append_all(&refs).unwrap();
        let from_path = dir.path().join("spilled");
        std::fs::write(&from_path, b"{\"id\":\"spilled\"}\n").unwrap();
        let mut from = File::open(&from_path).unwrap();
        assert_eq!(sink.append_file(&mut from).unwrap(), len + 17);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3001);
        assert_eq!(lines[2999], "{\"id\":2999}");
        assert_eq!(lines[3000], "{\"id\":\"spilled\"}");
        assert_eq!(sink.len(), text.len() as u64);
    }

    #[test]
    fn a_file_shorter_than_committed_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, b"abc").unwrap();
        let err = Sink::open(&path, 10).unwrap_err();
        assert!(
            matches!(
                err,
                SinkError::Shrunk {
                    len: 3,
                    committed: 10,
                    ..
                }
            ),
            "{err}"
        );
    }
}
