//! The start of a failed response's body, for its dead letter: at most
//! [`SNIPPET_BYTES`] bytes. Owns only that keeping; the fetch task decides
//! when a page failed. On a page that parses, keeping costs a reference
//! count on its first chunk (no copy, no allocation when that chunk holds
//! the snippet's bytes, as a first chunk nearly always does).

use bytes::Bytes;
use harvest_store::SNIPPET_BYTES;

/// The first chunks of a body, as read, until they hold [`SNIPPET_BYTES`].
#[derive(Default)]
pub(crate) struct Head {
    first: Option<Bytes>,
    /// Further chunks, only while the first ones are shorter than a snippet.
    more: Vec<Bytes>,
    len: usize,
}

impl Head {
    /// Keeps `chunk` if the chunks kept so far are shorter than a snippet.
    pub fn keep(&mut self, chunk: &Bytes) {
        if self.len >= SNIPPET_BYTES {
            return;
        }
        self.len += chunk.len();
        match self.first {
            None => self.first = Some(chunk.clone()),
            Some(_) => self.more.push(chunk.clone()),
        }
    }

    /// The snippet: the first [`SNIPPET_BYTES`] bytes kept.
    pub fn snippet(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len.min(SNIPPET_BYTES));
        for chunk in self.first.iter().chain(&self.more) {
            let room = SNIPPET_BYTES - out.len();
            out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        out
    }
}

/// The snippet of a body already read as a whole (an error body).
pub(crate) fn of(body: &[u8]) -> Vec<u8> {
    body[..body.len().min(SNIPPET_BYTES)].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_is_the_first_bytes_across_chunks() {
        let mut head = Head::default();
        head.keep(&Bytes::from_static(b"<html>"));
        head.keep(&Bytes::from(vec![b'x'; 300]));
        head.keep(&Bytes::from_static(b"never kept"));
        let snippet = head.snippet();
        assert_eq!(snippet.len(), SNIPPET_BYTES);
        assert!(snippet.starts_with(b"<html>xxx"));
        assert_eq!(head.more.len(), 1, "the third chunk is not kept");
        assert_eq!(Head::default().snippet(), b"");
        assert_eq!(of(b"short"), b"short");
        assert_eq!(of(&[b'y'; 500]).len(), SNIPPET_BYTES);
    }
}
