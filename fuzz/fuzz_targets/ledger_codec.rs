//! The ledger's binary chunks and write-ahead tail entries (src/codec/src/lib.rs), as read
//! from IndexedDB and from a pull: `peek`, `decode_chunk_into`, `decode_entry`. Nothing may
//! panic. A chunk that decodes has the kind and count `peek` reads, encodes again to bytes
//! that decode to the same rows (and an entry likewise), and its rows can be written as a
//! backup writes them (JSON), which is where a decoded row's dates and amounts are first used.
#![no_main]

use creditdesk_storage::codec::{
    decode_chunk_into, decode_entry, encode_chunk, encode_entry, peek, Entry, Kind, Rows,
};
use libfuzzer_sys::fuzz_target;

fn entries(rows: &Rows) -> Vec<Entry> {
    rows.orders
        .iter()
        .cloned()
        .map(Entry::Order)
        .chain(rows.invoices.iter().cloned().map(Entry::Invoice))
        .chain(rows.payments.iter().cloned().map(Entry::Payment))
        .chain(rows.credit_notes.iter().cloned().map(Entry::CreditNote))
        .chain(rows.corrections.iter().cloned().map(Entry::Correction))
        .collect()
}

fn count_of(rows: &Rows, kind: Kind) -> usize {
    match kind {
        Kind::Order => rows.orders.len(),
        Kind::Invoice => rows.invoices.len(),
        Kind::Payment => rows.payments.len(),
        Kind::CreditNote => rows.credit_notes.len(),
        Kind::Correction => rows.corrections.len(),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let peeked = peek(bytes);
    let mut rows = Rows::default();
    if decode_chunk_into(bytes, &mut rows).is_ok() {
        let (kind, count) = peeked.expect("a chunk that decodes peeks");
        assert_eq!(count_of(&rows, kind), count as usize);
        assert_eq!(rows.len(), count as usize);
        let all = entries(&rows);
        let again = encode_chunk(&all).expect("decoded rows encode");
        let mut back = Rows::default();
        decode_chunk_into(&again, &mut back).expect("re-encoded rows decode");
        assert_eq!(back, rows, "re-encoded rows decode to other rows");
        // What a backup does with the rows (to_json): each row as JSON.
        for o in &rows.orders {
            let _ = serde_json::to_string(o).unwrap();
        }
        for i in &rows.invoices {
            let _ = serde_json::to_string(i).unwrap();
        }
        for p in &rows.payments {
            let _ = serde_json::to_string(p).unwrap();
        }
        for c in &rows.credit_notes {
            let _ = serde_json::to_string(c).unwrap();
        }
        for c in &rows.corrections {
            let _ = serde_json::to_string(c).unwrap();
        }
    }
    if let Ok(e) = decode_entry(bytes) {
        let again = encode_entry(&e).expect("a decoded entry encodes");
        assert_eq!(
            decode_entry(&again),
            Ok(e),
            "a re-encoded entry decodes to another"
        );
    }
});
