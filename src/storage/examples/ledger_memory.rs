//! The ledger's memory natively, read the way a start reads it: the large demo book (10,000
//! customers, about a million invoices and a million payments) encoded into chunks, then decoded
//! chunk by chunk into a `LedgerBuilder` and resolved. A counting allocator gives the bytes held
//! once the ledger is built (its steady state) and the most held while building it (the peak),
//! both above what was held before (the chunks' bytes, which the browser keeps outside wasm
//! memory). `./x bench` prints them beside the browser's wasm memory. Prints one JSON line;
//! asserts nothing.

use creditdesk_domain::demo::{generate, DemoSpec};
use creditdesk_domain::ledger::{LedgerBuilder, RowCounts};
use creditdesk_domain::Date;
use creditdesk_storage::codec::{decode_chunk_into, encode_chunks, Entry, Kind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts the bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let held = HELD.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(held, Relaxed);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        HELD.fetch_sub(l.size(), Relaxed);
        // SAFETY: allocated by `alloc` above with this layout.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn main() {
    let as_of = Date::parse("2026-11-28").expect("a date");
    let chunks = {
        let d = generate(&DemoSpec::large(as_of));
        // Chunks hold one kind of row each.
        let kinds: [Vec<Entry>; 4] = [
            d.orders.into_iter().map(Entry::Order).collect(),
            d.invoices.into_iter().map(Entry::Invoice).collect(),
            d.payments.into_iter().map(Entry::Payment).collect(),
            d.credit_notes.into_iter().map(Entry::CreditNote).collect(),
        ];
        let mut chunks = Vec::new();
        for entries in &kinds {
            chunks.extend(encode_chunks(entries).expect("the demo book encodes"));
        }
        chunks
    };
    let chunk_bytes: usize = chunks.iter().map(Vec::len).sum();
    let mut counts = RowCounts::default();
    for c in &chunks {
        let (kind, n) = creditdesk_storage::codec::peek(c).expect("a chunk header");
        let n = n as usize;
        match kind {
            Kind::Order => counts.orders += n,
            Kind::Invoice => counts.invoices += n,
            Kind::Payment => counts.payments += n,
            Kind::CreditNote => counts.credit_notes += n,
            Kind::Correction => counts.corrections += n,
        }
    }
    let before = HELD.load(Relaxed);
    PEAK.store(before, Relaxed);
    let mut builder = LedgerBuilder::with_capacity(counts);
    for c in &chunks {
        decode_chunk_into(c, &mut builder).expect("the chunk decodes");
    }
    let ledger = builder.finish();
    let steady = HELD.load(Relaxed) - before;
    let peak = PEAK.load(Relaxed) - before;
    println!(
        r#"{{"invoices":{},"payments":{},"chunks":{},"chunk_mib":{:.1},"ledger_mib":{:.1},"peak_mib":{:.1}}}"#,
        ledger.invoice_count(),
        ledger.payment_count(),
        chunks.len(),
        mib(chunk_bytes),
        mib(steady),
        mib(peak)
    );
}
