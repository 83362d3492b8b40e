//! The writer thread: makes one group durable at a time, in order — sink
//! appends and fsyncs, then the sled batch (with the new offsets) applied and
//! flushed — and reports each group to the supervisor. Blocking disk work
//! lives here so the supervisor's thread never waits on an fsync. The thread
//! ends when the supervisor drops its sender.

use super::group::{Committed, Durable, Group};
use super::lines::PageLines;
use crate::telemetry::{GroupCommitted, InternalEvent};
use crate::EngineError;
use actix::Recipient;
use harvest_sink::Sink;
use harvest_store::Store;
use std::sync::mpsc;

pub(super) struct Writer {
    tx: mpsc::Sender<Group>,
}

impl Writer {
    pub fn start(
        sinks: Vec<(String, Sink)>,
        store: Store,
        reply: Recipient<Durable>,
    ) -> Result<Self, EngineError> {
        let (tx, rx) = mpsc::channel::<Group>();
        std::thread::Builder::new()
            .name("harvest-writer".into())
            .spawn(move || {
                let mut sinks = sinks;
                for group in rx {
                    let result = write(&mut sinks, &store, group);
                    let failed = result.is_err();
                    reply.do_send(Durable(result));
                    if failed {
                        return; // the crawl ends; the state is consistent as of the last group
                    }
                }
            })
            .map_err(|e| EngineError::Writer(e.to_string()))?;
        Ok(Self { tx })
    }

    pub fn send(&self, group: Group) -> Result<(), EngineError> {
        self.tx
            .send(group)
            .map_err(|_| EngineError::Writer("the writer thread has stopped".into()))
    }
}

fn write(
    sinks: &mut [(String, Sink)],
    store: &Store,
    group: Group,
) -> Result<Committed, EngineError> {
    let started = std::time::Instant::now();
    let Group {
        lines,
        mut batch,
        done,
    } = group;
    for (i, pages) in lines {
        let (name, sink) = &mut sinks[i];
        append_pages(sink, pages)?;
        sink.sync()?;
        batch.set_sink_offset(name, sink.len());
    }
    store.commit(batch)?;
    store.flush()?;
    GroupCommitted {
        elapsed: started.elapsed(),
    }
    .emit();
    Ok(done)
}

/// Appends pages in order: runs of in-memory lines as vectored writes,
/// spill files by in-kernel copy (each removed once appended).
fn append_pages(sink: &mut Sink, mut pages: Vec<PageLines>) -> Result<(), EngineError> {
    let mut run: Vec<&[u8]> = Vec::with_capacity(pages.len());
    for page in &mut pages {
        if let Some(mut spill) = page.spill.take() {
            sink.append_all(&run)?;
            run.clear();
            let reader = spill.reader().map_err(|e| {
                EngineError::Writer(format!("cannot read a spilled page back: {e}"))
            })?;
            sink.append_file(reader)?;
        } // the spill file goes here: its bytes are in the sink
        if !page.mem.is_empty() {
            run.push(&page.mem);
        }
    }
    sink.append_all(&run)?;
    Ok(())
}
