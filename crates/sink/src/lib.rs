//! Record output: one append-only JSON Lines file per resource.
//!
//! The state store remembers, per file, the byte offset up to which the file
//! holds whole, committed pages. Opening a sink truncates anything past that
//! offset (pages written but never committed, e.g. by a killed run), so the
//! next run rewrites them exactly once. Writes go straight to the file (the
//! engine already batches a commit's worth of pages into one `append`).

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

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
        self.file
            .write_all(bytes)
            .map_err(|source| SinkError::Write {
                path: self.path.clone(),
                source,
            })?;
        self.len += bytes.len() as u64;
        Ok(self.len)
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
