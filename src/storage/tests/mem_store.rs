//! The store's contract, run against the in-memory twin (the browser tests run the same
//! scenarios against IndexedDB).
#![cfg(not(target_arch = "wasm32"))]

use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::*;
use creditdesk_storage::mem::{crash_after_every_write, MemStore};
use creditdesk_storage::{Batch, Entry, Rows, Store, StoreError};
use proptest::prelude::*;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// The in-memory store never waits, so polling once finishes every future.
fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory store never waits"),
    }
}

fn data() -> creditdesk_domain::demo::Dataset {
    generate(&DemoSpec {
        customers: 12,
        ..DemoSpec::demo(Date::parse("2026-11-28").unwrap(), DemoLang::En)
    })
}

fn rows(d: &creditdesk_domain::demo::Dataset) -> Rows {
    Rows::of(d)
}

#[test]
fn a_whole_data_set_comes_back_as_it_was_written() {
    let d = data();
    let s = MemStore::new();
    run(s.replace_all(&d.customers, &rows(&d))).unwrap();
    let snap = run(s.load()).unwrap();
    assert_eq!(snap.rows, rows(&d));
    let mut want = d.customers.clone();
    want.sort_by_key(|c| c.id.to_string());
    assert_eq!(snap.customers, want);
    assert_eq!(snap.tail_len, 0);
}

#[test]
fn a_committed_payment_is_in_the_tail_and_in_the_outbox() {
    let d = data();
    let s = MemStore::new();
    run(s.replace_all(&d.customers, &rows(&d))).unwrap();
    let p = Payment {
        id: PaymentId::from_u128(77),
        ..d.payments[0].clone()
    };
    run(s.commit(&Batch::entry(Entry::Payment(p.clone())))).unwrap();
    let snap = run(s.load()).unwrap();
    assert_eq!(snap.tail_len, 1);
    assert_eq!(snap.rows.payments.last(), Some(&p));
    let outbox = run(s.outbox()).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].entity, "payment");
    assert_eq!(outbox[0].id, p.id.to_string());
}

#[test]
fn a_commit_that_dies_after_any_of_its_writes_leaves_nothing_behind() {
    let d = data();
    let setup = || {
        let s = MemStore::new();
        run(s.replace_all(&d.customers, &rows(&d))).unwrap();
        s
    };
    let mut c = d.customers[0].clone();
    c.name = "Changed".into();
    let batch = Batch {
        customers: vec![c, d.customers[1].clone()],
        entries: vec![
            Entry::Invoice(Invoice {
                id: InvoiceId::from_u128(5),
                ..d.invoices[0]
            }),
            Entry::Invoice(Invoice {
                id: InvoiceId::from_u128(6),
                ..d.invoices[0]
            }),
        ],
        ..Batch::default()
    };
    let writes = crash_after_every_write(setup, |s| run(s.commit(&batch)));
    // Two customers, two tail entries and their outbox records.
    assert!(writes >= 6, "{writes} writes");
}

#[test]
fn a_commit_the_browser_aborts_writes_nothing_and_may_be_retried() {
    let d = data();
    let s = MemStore::new();
    run(s.replace_all(&d.customers, &rows(&d))).unwrap();
    let before = s.data.borrow().clone();
    s.fail_next_commit.set(true);
    let batch = Batch::entry(Entry::Invoice(Invoice {
        id: InvoiceId::from_u128(5),
        ..d.invoices[0]
    }));
    assert!(matches!(run(s.commit(&batch)), Err(StoreError::Backend(_))));
    assert!(*s.data.borrow() == before);
    run(s.commit(&batch)).unwrap();
    assert_eq!(run(s.stats()).unwrap().tail, 1);
}

#[test]
fn compaction_folds_the_tail_into_chunks_without_changing_what_loads() {
    let d = data();
    let s = MemStore::new();
    let half = d.invoices.len() / 2;
    run(s.replace_all(
        &d.customers,
        &Rows {
            invoices: d.invoices[..half].to_vec(),
            ..Rows::default()
        },
    ))
    .unwrap();
    for inv in &d.invoices[half..] {
        run(s.commit(&Batch::entry(Entry::Invoice(*inv)))).unwrap();
    }
    for p in &d.payments {
        run(s.commit(&Batch::entry(Entry::Payment(p.clone())))).unwrap();
    }
    let before = run(s.load()).unwrap();
    assert!(before.tail_len > 0);
    let moved = run(s.compact()).unwrap();
    assert_eq!(moved, before.tail_len);
    let after = run(s.load()).unwrap();
    assert_eq!(after.tail_len, 0);
    assert_eq!(after.rows, before.rows);
    assert_eq!(after.rows.invoices, d.invoices);
}

#[test]
fn a_compaction_that_dies_after_any_of_its_writes_keeps_the_tail() {
    let d = data();
    let setup = || {
        let s = MemStore::new();
        for inv in &d.invoices[..3] {
            run(s.commit(&Batch::entry(Entry::Invoice(*inv)))).unwrap();
        }
        s
    };
    let writes = crash_after_every_write(setup, |s| run(s.compact()).map(drop));
    // A chunk written and three tail entries deleted.
    assert!(writes >= 4, "{writes} writes");
}

#[test]
fn replacing_all_the_data_dies_whole_or_lands_whole() {
    let d = data();
    let setup = || {
        let s = MemStore::new();
        run(s.replace_all(&d.customers[..3], &Rows::default())).unwrap();
        run(s.commit(&Batch::entry(Entry::Invoice(d.invoices[0])))).unwrap();
        s
    };
    crash_after_every_write(setup, |s| run(s.replace_all(&d.customers, &rows(&d))));
}

#[test]
fn unreadable_bytes_are_reported_with_the_record_they_belong_to() {
    let s = MemStore::new();
    s.data
        .borrow_mut()
        .chunks
        .insert("2:000000".into(), vec![1, 2, 3]);
    match run(s.load()) {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, "chunk 2:000000"),
        other => panic!("expected a corrupt-chunk error, got {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn any_mix_of_commits_and_compactions_loads_every_entry_in_order(steps in prop::collection::vec(0u8..10, 1..80)) {
        let d = data();
        let s = MemStore::new();
        let mut written = Rows::default();
        let mut invoices = d.invoices.iter();
        let mut payments = d.payments.iter();
        for step in steps {
            match step {
                0 => { run(s.compact()).unwrap(); }
                1..=5 => if let Some(i) = invoices.next() {
                    run(s.commit(&Batch::entry(Entry::Invoice(*i)))).unwrap();
                    written.invoices.push(*i);
                },
                _ => if let Some(p) = payments.next() {
                    run(s.commit(&Batch::entry(Entry::Payment(p.clone())))).unwrap();
                    written.payments.push(p.clone());
                },
            }
        }
        prop_assert_eq!(run(s.load()).unwrap().rows, written);
    }
}

#[test]
fn a_large_ledger_decodes_into_vectors_sized_once_and_exactly() {
    // Enough rows for several chunks of each large kind.
    let d = generate(&DemoSpec {
        customers: 400,
        ..DemoSpec::demo(Date::parse("2026-11-28").unwrap(), DemoLang::En)
    });
    let s = MemStore::new();
    run(s.replace_all(&d.customers, &rows(&d))).unwrap();
    let mut raw = run(s.load_ledger()).unwrap();
    let invoice_chunks = raw
        .chunks
        .iter()
        .filter(|(k, _)| k.starts_with("2:"))
        .count();
    assert!(invoice_chunks >= 3, "{invoice_chunks} chunks of invoices");
    let mut sliced = Rows::default();
    raw.reserve_rows(&mut sliced);
    for start in (0..raw.chunks.len()).step_by(2) {
        let end = (start + 2).min(raw.chunks.len());
        raw.decode_and_release(start..end, &mut sliced).unwrap();
    }
    assert_eq!(sliced.invoices.len(), d.invoices.len());
    assert_eq!(sliced.invoices.capacity(), sliced.invoices.len());
    assert_eq!(sliced.payments.capacity(), sliced.payments.len());
    assert_eq!(sliced.orders.capacity(), sliced.orders.len());
}

#[test]
fn decoding_in_slices_gives_the_same_rows_and_frees_the_bytes() {
    let d = data();
    let s = MemStore::new();
    run(s.replace_all(&d.customers, &rows(&d))).unwrap();
    let mut raw = run(s.load_ledger()).unwrap();
    let whole = raw.decode().unwrap();
    let mut sliced = Rows::default();
    for start in (0..raw.chunks.len()).step_by(2) {
        let end = (start + 2).min(raw.chunks.len());
        raw.decode_and_release(start..end, &mut sliced).unwrap();
    }
    raw.decode_tail_into(&mut sliced).unwrap();
    assert_eq!(sliced, whole);
    assert!(raw.chunks.iter().all(|(_, b)| b.is_empty()));
}

#[test]
fn a_document_and_its_outbox_record_are_written_together() {
    use creditdesk_storage::{Docs, OutboxEntry};
    let s = MemStore::new();
    let record = OutboxEntry {
        entity: "request".into(),
        id: "r1".into(),
        version: 1,
        updated_at: 5,
        device: "d".into(),
        payload: creditdesk_storage::Payload::of(&serde_json::json!({"kind": "grade_override"})),
    };
    let writes = crash_after_every_write(MemStore::new, |s| {
        run(s.put_doc(Docs::Requests, "r1", "{}", Some(&record)))
    });
    assert_eq!(
        writes, 3,
        "the document, its outbox record and the data's new revision"
    );
    run(s.put_doc(Docs::Requests, "r1", r#"{"a":1}"#, Some(&record))).unwrap();
    run(s.put_doc(Docs::Models, "draft", "{}", None)).unwrap();
    assert_eq!(
        run(s.docs(Docs::Requests)).unwrap(),
        vec![("r1".to_string(), r#"{"a":1}"#.to_string())]
    );
    assert_eq!(run(s.outbox()).unwrap(), vec![record]);
    assert_eq!(run(s.docs(Docs::Models)).unwrap().len(), 1);
    // Replacing the data drops requests (they name replaced customers) and keeps models.
    run(s.replace_all(&[], &Rows::default())).unwrap();
    assert_eq!(run(s.docs(Docs::Requests)).unwrap(), vec![]);
    assert_eq!(run(s.docs(Docs::Models)).unwrap().len(), 1);
}

#[test]
fn an_audit_entry_is_never_overwritten_and_the_whole_batch_then_fails() {
    use creditdesk_domain::approval::{chain, Event};
    let s = MemStore::new();
    let ev = || Event {
        who: "u".into(),
        what: "policy.changed".into(),
        ..Event::default()
    };
    let first = chain(None, 1, vec![ev()]);
    run(s.commit(&Batch {
        audit: first.clone(),
        ..Batch::default()
    }))
    .unwrap();
    let again = Batch {
        audit: chain(None, 2, vec![ev()]),
        settings: vec![("policy".into(), "{}".into())],
        ..Batch::default()
    };
    assert!(run(s.commit(&again)).is_err());
    assert_eq!(run(s.load_audit()).unwrap(), first);
    assert_eq!(run(s.last_audit()).unwrap().as_ref(), first.last());
    assert_eq!(
        run(s.setting("policy")).unwrap(),
        None,
        "nothing of the batch landed"
    );
}

#[test]
fn a_customer_list_is_kept_in_the_order_of_the_names_the_app_sorts_by() {
    use creditdesk_storage::{customer_list_by_name, customer_list_record, customer_list_texts};
    // Names the byte order puts otherwise than the order read (and two the same, which keep
    // theirs).
    let mut customers = data().customers;
    customers.truncate(5);
    for (c, name) in customers
        .iter_mut()
        .zip(["张三贸易", "Beta", "alpha", "Beta", "Alpha"])
    {
        c.name = name.into();
    }
    let texts: Vec<String> = customers
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    let record = customer_list_record("r7-x", &texts);
    let sorted = customer_list_by_name("r7-x", &record, &customers).unwrap();
    let names: Vec<String> = customer_list_texts(Some("r7-x"), &sorted)
        .unwrap()
        .into_iter()
        .map(|t| serde_json::from_str::<Customer>(t).unwrap().name)
        .collect();
    assert_eq!(names, ["Alpha", "Beta", "Beta", "alpha", "张三贸易"]);
    // Equal names in the order read: the second text is the first "Beta".
    assert_eq!(
        customer_list_texts(Some("r7-x"), &sorted).unwrap()[1],
        texts[1]
    );
    // Not its revision, or not these customers: none.
    assert_eq!(customer_list_by_name("r8-y", &record, &customers), None);
    assert_eq!(
        customer_list_by_name("r7-x", &record, &customers[1..]),
        None
    );
}

#[test]
fn a_customer_list_record_gives_back_its_texts_only_for_its_revision() {
    use creditdesk_storage::{customer_list_record, customer_list_texts};
    // Texts as stored: JSON escapes line breaks, so a line is a text.
    let texts: Vec<String> = [
        r#"{"name":"北京\n同仁","note":"a:b"}"#,
        r#"{"name":"x"}"#,
        "",
    ]
    .map(String::from)
    .to_vec();
    let record = customer_list_record("r1-ab", &texts);
    let check = |rev: Option<&str>, expected: Option<Vec<&str>>| {
        assert_eq!(customer_list_texts(rev, &record), expected, "{rev:?}");
    };
    check(
        Some("r1-ab"),
        Some(texts.iter().map(String::as_str).collect()),
    );
    check(Some("r2-cd"), None);
    check(None, None);
    // No customers at all: none, not one empty text.
    let empty = customer_list_record("r1", &[]);
    assert_eq!(customer_list_texts(Some("r1"), &empty), Some(vec![]));
    assert_eq!(customer_list_texts(Some("r1"), b"no separator"), None);
    // Built a text at a time, the same record.
    let mut pushed = customer_list_record("r1-ab", &[]);
    for t in &texts[..2] {
        creditdesk_storage::customer_list_push(&mut pushed, t);
    }
    assert_eq!(pushed, customer_list_record("r1-ab", &texts[..2]));
    // Bytes that are not UTF-8 do not read.
    let mut broken = record.clone();
    broken[7] = 0xff;
    assert_eq!(customer_list_texts(Some("r1-ab"), &broken), None);
}
