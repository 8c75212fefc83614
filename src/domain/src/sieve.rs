//! Which of a ledger's million keys are among a file's few: the question an import asks of
//! every stored row (is this number, this id, one the file brings again?).
//!
//! A hash set of the file's keys answers it, but asked of each stored row it hashes the key
//! and reads a table of megabytes at random: about 25 ns a row, 50 to 60 ms over the ledger's
//! numbers and ids. [`among`] puts a sieve in front of the set: one bit per key's
//! [`Fingerprint`] in a table of about sixteen bits a key (256 KiB at 100,000 keys, small
//! enough to stay in the processor's cache). A stored key whose bit is clear is surely not
//! among the wanted ones; only the few whose bit is set (about one in twenty) are looked up in
//! the set. The answer is exactly the set's.

use crate::id::{CreditNoteId, InvoiceId, OrderId, PaymentId};
use crate::text::DocNo;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hash};

/// A cheap 64-bit digest of a key whose high bits are well mixed (the sieve reads them).
/// Equal keys have equal fingerprints; unequal ones may share one.
pub trait Fingerprint {
    fn fingerprint(&self) -> u64;
}

/// Fibonacci hashing's multiplier (2^64 / the golden ratio): it carries every bit of a word
/// into the high bits of the product.
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

macro_rules! id_fingerprint {
    ($($id:ty),*) => {$(
        impl Fingerprint for $id {
            fn fingerprint(&self) -> u64 {
                let v = self.as_u128();
                (v as u64 ^ (v >> 64) as u64).wrapping_mul(MIX)
            }
        }
    )*};
}
id_fingerprint!(InvoiceId, OrderId, PaymentId, CreditNoteId);

impl Fingerprint for DocNo {
    fn fingerprint(&self) -> u64 {
        let (len, bytes) = self.stored();
        let word = |k: usize| u64::from_le_bytes(bytes[k..k + 8].try_into().expect("8 bytes"));
        let mut h = (len as u64).wrapping_mul(MIX);
        for k in [0, 8, 16] {
            h = (h.rotate_left(29) ^ word(k)).wrapping_mul(MIX);
        }
        h
    }
}

/// The keys of `stored` that are in `wanted`, each once: `stored.filter(|k|
/// wanted.contains(k)).collect()`, with the sieve in front of the set.
pub fn among<K, S>(stored: impl Iterator<Item = K>, wanted: &HashSet<K, S>) -> HashSet<K, S>
where
    K: Fingerprint + Hash + Eq,
    S: BuildHasher + Default,
{
    let mut out = HashSet::default();
    if wanted.is_empty() {
        return out;
    }
    let sieve = Sieve::new(wanted.iter());
    out.extend(stored.filter(|k| sieve.may_hold(k) && wanted.contains(k)));
    out
}

/// One bit per wanted key's fingerprint: a clear bit says a key is surely not wanted.
pub struct Sieve {
    bits: Vec<u64>,
    shift: u32,
}

impl Sieve {
    pub fn new<'a, K: Fingerprint + 'a>(wanted: impl ExactSizeIterator<Item = &'a K>) -> Sieve {
        // At least sixteen bits a key, a power of two; at least a kilobit.
        let len = (wanted.len() * 16).next_power_of_two().max(1 << 10);
        let mut sieve = Sieve {
            bits: vec![0; len / 64],
            shift: 64 - len.trailing_zeros(),
        };
        for k in wanted {
            let s = sieve.slot(k);
            sieve.bits[s / 64] |= 1 << (s % 64);
        }
        sieve
    }

    fn slot<K: Fingerprint>(&self, k: &K) -> usize {
        (k.fingerprint() >> self.shift) as usize
    }

    /// False if `k` is surely not one of the wanted keys; true if it may be.
    #[inline]
    pub fn may_hold<K: Fingerprint>(&self, k: &K) -> bool {
        let s = self.slot(k);
        self.bits[s / 64] & (1 << (s % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(s: &str) -> DocNo {
        DocNo::parse(s).expect("a number")
    }

    #[test]
    fn the_stored_numbers_among_the_wanted_are_found_and_no_other() {
        let wanted: HashSet<DocNo> = ["INV-0001", "INV-0003", "X"].map(doc).into();
        let stored = ["INV-0001", "INV-0002", "INV-0003", "INV-0003", "Y"].map(doc);
        let found = among(stored.into_iter(), &wanted);
        assert_eq!(found, ["INV-0001", "INV-0003"].map(doc).into());
    }

    #[test]
    fn nothing_wanted_finds_nothing() {
        let wanted: HashSet<InvoiceId> = HashSet::new();
        let found = among((0..10).map(InvoiceId::from_u128), &wanted);
        assert!(found.is_empty());
    }

    #[test]
    fn numbers_that_differ_in_one_byte_anywhere_mostly_differ_in_their_high_bits() {
        // A sieve of 2^21 bits reads the top 21 bits: sequential numbers must spread there.
        let slots: HashSet<u64> = (0..100_000)
            .map(|i| doc(&format!("IMP-{i:07}")).fingerprint() >> 43)
            .collect();
        assert!(slots.len() > 95_000, "{} distinct slots", slots.len());
        let long: HashSet<u64> = (0..1_000)
            .map(|i| doc(&format!("AAAAAAAAAAAAAAAAAAAA{i:04}")).fingerprint() >> 43)
            .collect();
        assert!(long.len() > 990, "{} distinct slots", long.len());
    }

    proptest! {
        #[test]
        fn the_sieve_answers_exactly_as_the_set(
            wanted in proptest::collection::hash_set(0u128..5_000, 0..300),
            stored in proptest::collection::vec(0u128..5_000, 0..3_000),
        ) {
            let wanted: HashSet<InvoiceId> = wanted.into_iter().map(InvoiceId::from_u128).collect();
            let stored: Vec<InvoiceId> = stored.into_iter().map(InvoiceId::from_u128).collect();
            let plain: HashSet<InvoiceId> =
                stored.iter().copied().filter(|k| wanted.contains(k)).collect();
            prop_assert_eq!(among(stored.into_iter(), &wanted), plain);
        }
    }
}
