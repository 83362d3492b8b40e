//! Bulk byte searches of the splitter's hot loops: the end of a run of
//! string bytes and the end of a run of whitespace. Pure functions over
//! slices; they know no JSON state.

/// A `u64` with every byte set to 1.
const ONES: u64 = u64::MAX / 255;
/// The high bit of every byte.
const HIGHS: u64 = ONES << 7;

/// The index of the first byte in `bytes` that ends a run of plain string
/// bytes: `"`, `\` or a control character (below 0x20). Sets `non_ascii`
/// when a byte above 0x7F is among those looked at (perhaps a few past the
/// stop: a cheap overestimate).
///
/// Eight bytes at a time (Mycroft's has-zero-byte trick, as serde_json
/// does): a false hit can only sit above a true one, so the lowest hit is
/// exact.
#[inline]
pub(super) fn string_special(bytes: &[u8], non_ascii: &mut bool) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    let mut highs = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        highs |= w;
        let control = w.wrapping_sub(ONES * 0x20) & !w;
        let q = w ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let s = w ^ (ONES * u64::from(b'\\'));
        let backslash = s.wrapping_sub(ONES) & !s;
        let hits = (control | quote | backslash) & HIGHS;
        if hits != 0 {
            *non_ascii |= highs & HIGHS != 0;
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    *non_ascii |= highs & HIGHS != 0;
    let rest = words.remainder();
    let stop = rest.iter().position(|&b| is_special(b));
    *non_ascii |= rest[..stop.unwrap_or(rest.len())].iter().any(|b| *b > 0x7f);
    stop.map(|k| at + k)
}

fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// JSON whitespace: space, tab, line feed, carriage return.
#[inline]
pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first non-whitespace byte of `bytes` at or after `i`
/// (`bytes.len()` when there is none).
#[inline]
pub(super) fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_ws(bytes[i]) {
        i += 1;
    }
    i
}

/// [`skip_ws`], setting `newline` when it skips a CR or LF.
#[inline]
pub(super) fn skip_ws_noting(bytes: &[u8], mut i: usize, newline: &mut bool) -> usize {
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' => {}
            b'\n' | b'\r' => *newline = true,
            _ => break,
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_special_finds_the_first_stop_byte_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut bytes = vec![b'a'; len];
                    // Bytes that look alike to the bit trick but are not stops.
                    for (k, b) in bytes.iter_mut().enumerate() {
                        *b = [b'a', 0x20, 0xa0, 0xff, b'#', b']', 0x7f][k % 7];
                    }
                    bytes[at] = stop;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    let mut high = false;
                    assert_eq!(string_special(&bytes, &mut high), Some(at), "{bytes:?}");
                    assert!(high || !bytes[..at].iter().any(|b| *b > 0x7f));
                }
            }
            let plain: Vec<u8> = (0..len).map(|k| 0x20 + (k as u8 % 0x5f) + 0x60).collect();
            let mut high = false;
            assert_eq!(string_special(&plain, &mut high), None, "{plain:?}");
            assert_eq!(high, len > 0);
        }
    }

    #[test]
    fn skip_ws_stops_at_the_first_token_byte() {
        assert_eq!(skip_ws(b" \t\r\n x", 0), 5);
        assert_eq!(skip_ws(b"  ", 1), 2);
        assert_eq!(skip_ws(b"x ", 0), 0);
        let mut newline = false;
        assert_eq!(skip_ws_noting(b" \t x\n", 0, &mut newline), 3);
        assert!(!newline);
        assert_eq!(skip_ws_noting(b" \r\n x", 0, &mut newline), 4);
        assert!(newline);
    }
}
