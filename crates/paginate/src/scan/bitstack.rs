//! A stack of bits: the open containers of a value being scanned, one bit
//! each (set: an object), so nesting costs an eighth of a byte per level and
//! no recursion.

/// A stack of bits, one per open container (set: an object).
#[derive(Debug, Default)]
pub(super) struct BitStack {
    words: Vec<u64>,
    len: usize,
}

impl BitStack {
    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn push(&mut self, bit: bool) {
        let (word, shift) = (self.len / 64, self.len % 64);
        if word == self.words.len() {
            self.words.push(0);
        }
        let mask = 1u64 << shift;
        if bit {
            self.words[word] |= mask;
        } else {
            self.words[word] &= !mask;
        }
        self.len += 1;
    }

    #[inline]
    pub fn pop(&mut self) {
        self.len -= 1;
    }

    #[inline]
    pub fn top_is_object(&self) -> bool {
        let at = self.len - 1;
        self.words[at / 64] >> (at % 64) & 1 == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_and_pops_across_words() {
        let mut stack = BitStack::default();
        let bits: Vec<bool> = (0..200).map(|i| i % 3 == 0).collect();
        for &bit in &bits {
            stack.push(bit);
            assert_eq!(stack.top_is_object(), bit);
        }
        for &bit in bits.iter().rev() {
            assert_eq!(stack.top_is_object(), bit);
            stack.pop();
        }
        assert!(stack.is_empty());
    }
}
