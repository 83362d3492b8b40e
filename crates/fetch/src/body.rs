//! A response body read as a stream of decoded chunks: the `Content-Encoding`
//! (gzip, deflate, br, zstd) is undone on the fly, the bytes on the wire and
//! the decoded bytes are both counted, and the decoded size is capped by
//! `max_body_bytes` as the bytes arrive — which also stops a decompression
//! bomb, since nothing larger than the cap is ever produced in one piece.
//! Bytes arriving too slowly end the body as `too_slow` (see `speed.rs`),
//! judged on the wire, before decoding.

use crate::speed::{SpeedFloor, SpeedGuard};
use crate::FetchError;
use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZlibDecoder, ZstdDecoder};
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio_util::io::{ReaderStream, StreamReader};

/// The encodings harvest asks for and decodes (`Accept-Encoding`).
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// Decoded chunk size when a body is compressed.
const DECODED_CHUNK: usize = 64 << 10;

/// What a `Content-Encoding` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

impl Encoding {
    /// The encoding named by a `Content-Encoding` value; `Err` names what is
    /// not supported (several stacked codings are not).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Self::Identity);
        };
        match value.to_ascii_lowercase().as_str() {
            "identity" => Ok(Self::Identity),
            "gzip" | "x-gzip" => Ok(Self::Gzip),
            "deflate" => Ok(Self::Deflate),
            "br" => Ok(Self::Brotli),
            "zstd" => Ok(Self::Zstd),
            _ => Err(format!("unsupported Content-Encoding `{value}`")),
        }
    }
}

/// A body being read. Dropping it before the end closes the connection.
pub struct Body {
    chunks: BoxStream<'static, Result<Bytes, FetchError>>,
    wire: Arc<AtomicU64>,
    decoded: u64,
    limit: u64,
}

impl Body {
    /// Reads `response`'s body, undoing `encoding`, at most `limit` decoded
    /// bytes, and no slower than `floor` (if set).
    pub(crate) fn new(
        response: reqwest::Response,
        encoding: Encoding,
        limit: u64,
        floor: Option<SpeedFloor>,
    ) -> Self {
        let wire = Arc::new(AtomicU64::new(0));
        let counter = wire.clone();
        let mut guard = floor.map(SpeedGuard::new);
        let raw = response.bytes_stream().map(move |chunk| {
            let chunk = chunk.map_err(FetchError::from_reqwest)?;
            let n = chunk.len() as u64;
            counter.fetch_add(n, Ordering::Relaxed);
            if let (Some(guard), Some(floor)) = (&mut guard, floor) {
                guard
                    .feed(Instant::now(), n)
                    .map_err(|slow| FetchError::TooSlow {
                        bytes: slow.bytes,
                        elapsed: slow.elapsed,
                        min_bytes_per_sec: floor.min_bytes_per_sec,
                    })?;
            }
            Ok(chunk)
        });
        let chunks = match encoding {
            Encoding::Identity => raw.boxed(),
            coded => {
                let reader = StreamReader::new(raw.map_err(std::io::Error::other));
                let decoded = match coded {
                    Encoding::Gzip => decode(GzipDecoder::new(reader)),
                    Encoding::Deflate => decode(ZlibDecoder::new(reader)),
                    Encoding::Brotli => decode(BrotliDecoder::new(reader)),
                    Encoding::Zstd => decode(ZstdDecoder::new(reader)),
                    Encoding::Identity => unreachable!("handled above"),
                };
                decoded.map_err(from_io).boxed()
            }
        };
        Self {
            chunks,
            wire,
            decoded: 0,
            limit,
        }
    }

    /// The next decoded chunk, `None` at the end of the body.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, FetchError> {
        let Some(chunk) = self.chunks.next().await.transpose()? else {
            return Ok(None);
        };
        self.decoded += chunk.len() as u64;
        if self.decoded > self.limit {
            return Err(FetchError::BodyTooLarge { limit: self.limit });
        }
        Ok(Some(chunk))
    }

    /// Up to `limit` bytes of the body; errors just end it (for error bodies,
    /// which are only a message: reading a short one keeps the connection).
    pub async fn prefix(&mut self, limit: usize) -> Bytes {
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = self.chunks.next().await.transpose() {
            self.decoded += chunk.len() as u64;
            let room = limit - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= limit {
                break;
            }
        }
        Bytes::from(body)
    }

    /// Bytes received on the wire so far (compressed, if the body is).
    pub fn wire_bytes(&self) -> u64 {
        self.wire.load(Ordering::Relaxed)
    }

    /// Decoded bytes handed out so far.
    pub fn decoded_bytes(&self) -> u64 {
        self.decoded
    }
}

fn decode<R>(decoder: R) -> BoxStream<'static, std::io::Result<Bytes>>
where
    R: tokio::io::AsyncRead + Send + 'static,
{
    ReaderStream::with_capacity(decoder, DECODED_CHUNK).boxed()
}

/// A read error of a compressed body: the transport's own error (or the
/// speed guard's) when it was one, else the data does not decode.
fn from_io(e: std::io::Error) -> FetchError {
    let text = e.to_string();
    match e.into_inner().map(|inner| inner.downcast::<FetchError>()) {
        Some(Ok(fetch)) => *fetch,
        _ => FetchError::Decode(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_encodings() {
        assert_eq!(Encoding::parse(None), Ok(Encoding::Identity));
        assert_eq!(Encoding::parse(Some(" ")), Ok(Encoding::Identity));
        assert_eq!(Encoding::parse(Some("GZIP")), Ok(Encoding::Gzip));
        assert_eq!(Encoding::parse(Some("x-gzip")), Ok(Encoding::Gzip));
        assert_eq!(Encoding::parse(Some("br")), Ok(Encoding::Brotli));
        assert_eq!(Encoding::parse(Some("zstd")), Ok(Encoding::Zstd));
        assert_eq!(Encoding::parse(Some("deflate")), Ok(Encoding::Deflate));
        let err = Encoding::parse(Some("gzip, br")).unwrap_err();
        assert!(err.contains("gzip, br"), "{err}");
        assert!(Encoding::parse(Some("compress")).is_err());
    }
}
