//! `harvest schema`: prints the JSON Schema of a crawl file (for editors'
//! completion and hover help; `config/harvest.schema.json` is this output).
//! The schema itself lives in the config crate, beside the types it describes.

use crate::exit::{Failure, Outcome};
use std::io::Write;

pub fn print() -> Result<Outcome, Failure> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(harvest_config::schema_json().as_bytes())
        .and_then(|()| out.flush())
    {
        // `harvest schema | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Done),
        Err(e) => Err(Failure::Runtime(
            anyhow::Error::from(e).context("writing the schema"),
        )),
        Ok(()) => Ok(Outcome::Done),
    }
}
