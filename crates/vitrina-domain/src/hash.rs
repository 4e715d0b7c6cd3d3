//! Content hashes that are stored in the catalog (an import's row hashes, the SKU keys that
//! look them up): XXH3, fast and fixed by its specification, where the standard library's
//! `DefaultHasher` may change between Rust releases and is several times slower.

use std::hash::Hasher;

/// A [`Hasher`] whose output depends only on the bytes written (XXH3-64, seed 0), so values
/// stored by one build are understood by the next. Integers are written little-endian.
#[derive(Clone, Default)]
pub struct StableHasher(xxhash_rust::xxh3::Xxh3Default);

impl StableHasher {
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for StableHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StableHasher")
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0.digest()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.0.update(&[i]);
    }

    fn write_u32(&mut self, i: u32) {
        self.0.update(&i.to_le_bytes());
    }

    fn write_u64(&mut self, i: u64) {
        self.0.update(&i.to_le_bytes());
    }

    fn write_i64(&mut self, i: i64) {
        self.0.update(&i.to_le_bytes());
    }

    fn write_usize(&mut self, i: usize) {
        self.0.update(&(i as u64).to_le_bytes());
    }
}

/// The XXH3-64 of `bytes`.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use std::hash::Hash;

    use super::*;

    #[test]
    fn values_are_fixed_by_the_bytes() {
        // XXH3-64 of the empty input and of "abc" (the reference implementation's values).
        assert_eq!(stable_hash(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(stable_hash(b"abc"), 0x78af_5f94_892f_3950);
        let mut h = StableHasher::new();
        h.write(b"a");
        h.write(b"bc");
        assert_eq!(h.finish(), stable_hash(b"abc"));
    }

    #[test]
    fn hashing_a_str_marks_its_end() {
        let pair = |a: &str, b: &str| {
            let mut h = StableHasher::new();
            (a, b).hash(&mut h);
            h.finish()
        };
        assert_ne!(pair("ab", "c"), pair("a", "bc"));
        assert_eq!(pair("ab", "c"), pair("ab", "c"));
    }
}
