//! Response bodies compressed the way servers send them (`Content-Encoding`).

use std::io::Write;

/// `body` compressed with `coding`: `gzip`, `deflate` (zlib), `br` or `zstd`.
pub fn encode(coding: &str, body: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(body).expect("writing to memory");
            e.finish().expect("writing to memory")
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(body).expect("writing to memory");
            e.finish().expect("writing to memory")
        }
        "br" => {
            let mut out = Vec::new();
            let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            e.write_all(body).expect("writing to memory");
            drop(e);
            out
        }
        "zstd" => zstd::encode_all(body, 3).expect("writing to memory"),
        other => panic!("testkit cannot encode `{other}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn round_trips() {
        let body = b"{\"data\":[1,2,3]}".repeat(100);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&encode("gzip", &body)[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
        assert_eq!(zstd::decode_all(&encode("zstd", &body)[..]).unwrap(), body);
        let mut out = Vec::new();
        brotli::Decompressor::new(&encode("br", &body)[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
    }
}
