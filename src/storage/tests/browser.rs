//! The store in a real browser: IndexedDB round trips, the chunked ledger, compaction, atomicity
//! and the upgrade from every earlier schema version. Run with wasm-bindgen-test in headless
//! Chromium (`./x test`).
#![cfg(target_arch = "wasm32")]

use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
use creditdesk_domain::*;
use creditdesk_storage::idb::IdbStore;
use creditdesk_storage::schema::{self, FIELD_DEFS};
use creditdesk_storage::{Batch, Entry, Rows, Store};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn data(customers: u32) -> creditdesk_domain::demo::Dataset {
    generate(&DemoSpec {
        customers,
        ..DemoSpec::demo(Date::parse("2026-11-28").unwrap(), DemoLang::Zh)
    })
}

fn rows(d: &creditdesk_domain::demo::Dataset) -> Rows {
    Rows::of(d)
}

async fn fresh(name: &str) -> IdbStore {
    IdbStore::delete(name).await.unwrap();
    IdbStore::open(name).await.unwrap()
}

#[wasm_bindgen_test]
async fn a_data_set_larger_than_one_chunk_round_trips_through_indexeddb() {
    let d = data(120); // about 13,000 invoices: two invoice chunks
    assert!(d.invoices.len() > creditdesk_storage::codec::CHUNK_ROWS);
    let s = fresh("t-roundtrip").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    s.close();
    let s = IdbStore::open("t-roundtrip").await.unwrap();
    let snap = s.load().await.unwrap();
    assert_eq!(snap.rows, rows(&d));
    assert_eq!(snap.customers.len(), 120);
    assert!(snap.chunk_count >= 5, "{} chunks", snap.chunk_count);
}

#[wasm_bindgen_test]
async fn a_ledger_read_in_place_decodes_to_the_same_rows_copying_a_chunk_only_to_decode_it() {
    use creditdesk_storage::vault::Secret;
    let d = data(120);
    let s = fresh("t-in-place").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    // A payment in the tail too.
    let mut b = Batch::default();
    b.entries.push(Entry::Payment(d.payments[0].clone()));
    s.commit(&b).await.unwrap();
    let whole = s.load_ledger().await.unwrap().decode().unwrap();
    for encrypted in [false, true] {
        if encrypted {
            s.encrypt("123456", Secret::Pin).await.unwrap();
        }
        let mut raw = s.load_ledger_in_place().await.unwrap();
        assert!(raw.chunks.len() >= 5, "{} chunks", raw.chunks.len());
        assert!(
            raw.chunks.iter().all(|(_, b)| b.is_empty()),
            "no chunk is in wasm memory before it is decoded"
        );
        let mut sliced = Rows::default();
        raw.reserve_rows(&mut sliced);
        for start in (0..raw.chunks.len()).step_by(2) {
            let end = (start + 2).min(raw.chunks.len());
            raw.decode_and_release(start..end, &mut sliced).unwrap();
        }
        raw.decode_tail_into(&mut sliced).unwrap();
        assert_eq!(sliced, whole, "encrypted: {encrypted}");
        assert_eq!(
            sliced.invoices.capacity(),
            sliced.invoices.len() + raw.tail.len()
        );
        // Released: decoding again finds nothing outside and nothing inside.
        let mut again = Rows::default();
        assert!(raw
            .decode_chunks_into(0..raw.chunks.len(), &mut again)
            .is_err());
    }
}

/// Turns for the page taken at once each come back, in the order taken, and so do turns taken
/// one after another: all through the page's one channel for turns (a slice that has run past
/// 50 ms since the last task gives way with a message, not `scheduler.yield()`).
#[wasm_bindgen_test]
async fn every_turn_taken_comes_back_in_the_order_taken() {
    use creditdesk_storage::turn;
    use std::{cell::RefCell, rc::Rc};
    let busy = |ms: f64| {
        let t = turn::now();
        while turn::now() - t < ms {}
    };
    busy(60.0);
    let order = Rc::new(RefCell::new(Vec::new()));
    let turns = (0..5).map(|i| {
        let order = order.clone();
        async move {
            turn::yield_now().await;
            order.borrow_mut().push(i);
        }
    });
    futures_util::future::join_all(turns).await;
    assert_eq!(*order.borrow(), vec![0, 1, 2, 3, 4]);
    for _ in 0..3 {
        busy(60.0);
        turn::yield_now().await;
    }
}

/// A backup takes a long outbox record (an import's command: megabytes) into wasm a quarter of a
/// million UTF-16 code units at a time; a character written as a surrogate pair comes back whole wherever
/// a piece ends, in a record whose text starts on an even and on an odd code unit.
#[wasm_bindgen_test]
async fn a_backups_long_outbox_record_comes_back_whole_across_its_pieces() {
    use creditdesk_storage::{OutboxEntry, Payload};
    let s = fresh("t-long-text").await;
    let faces = "😀".repeat(600_000);
    let outbox: Vec<OutboxEntry> = ["", "x"]
        .iter()
        .enumerate()
        .map(|(n, lead)| OutboxEntry {
            device: "d-1".into(),
            entity: "command".into(),
            id: format!("c-{n}"),
            payload: Payload::of(&format!("{lead}{faces}")),
            updated_at: 1,
            version: 1,
        })
        .collect();
    // Stored as strings, as before large records were files (the app reads both).
    for (n, o) in outbox.iter().enumerate() {
        let text = serde_json::to_string(o).unwrap();
        s.raw_put(schema::OUTBOX, (n as f64 + 1.0).into(), &text)
            .await
            .unwrap();
    }
    assert!(s.raw_values(schema::OUTBOX).await.unwrap()[0].is_string());
    assert_eq!(s.outbox().await.unwrap(), outbox);
    let dump = s.dump().await.unwrap();
    assert_eq!(dump.outbox.len(), 2);
    for text in &dump.outbox {
        assert!(text.len() > 2_000_000, "{} bytes", text.len());
        assert!(!text.contains('\u{FFFD}'), "a pair cut in two");
        assert!(text.contains(&faces), "the faces whole");
    }
}

#[wasm_bindgen_test]
async fn a_large_outbox_record_is_stored_as_a_file_and_reads_back_whole_however_it_is_read() {
    use creditdesk_storage::idb::LockState;
    use creditdesk_storage::vault::Secret;
    use creditdesk_storage::{OutboxEntry, Payload};
    let s = fresh("t-large-outbox").await;
    // 2.4 MB of four-byte characters (more than a part of the file: a character across parts),
    // and a small record beside it.
    let faces = "😀".repeat(600_000);
    let entry = |id: &str, text: String| OutboxEntry {
        device: "d-1".into(),
        entity: "command".into(),
        id: id.into(),
        payload: Payload::of(&text),
        updated_at: 1,
        version: 1,
    };
    let large = entry("c-large", format!("x{faces}"));
    let small = entry("c-small", "a small command".into());
    s.commit(&Batch {
        outbox: vec![large.clone(), small.clone()],
        ..Batch::default()
    })
    .await
    .unwrap();
    let stored = s.raw_values(schema::OUTBOX).await.unwrap();
    assert!(
        stored[0].is_instance_of::<web_sys::Blob>(),
        "the large one a file"
    );
    assert!(
        stored[1].is_string(),
        "the small one a string, as an older build reads it"
    );
    assert_eq!(s.outbox().await.unwrap(), [large.clone(), small.clone()]);
    let dump = s.dump().await.unwrap();
    assert_eq!(dump.outbox.len(), 2);
    assert!(dump.outbox[0].contains(&faces), "the backup's copy whole");
    // Restored elsewhere: a file again, read back the same.
    let other = fresh("t-large-outbox-restored").await;
    other.restore(&dump).await.unwrap();
    let restored = other.raw_values(schema::OUTBOX).await.unwrap();
    assert!(
        restored[0].is_instance_of::<web_sys::Blob>(),
        "restored as a file"
    );
    assert_eq!(
        other.outbox().await.unwrap(),
        [large.clone(), small.clone()]
    );
    // The small one acknowledged, the file stays.
    s.acknowledge(std::slice::from_ref(&small.id))
        .await
        .unwrap();
    assert_eq!(s.outbox().await.unwrap(), std::slice::from_ref(&large));
    s.commit(&Batch {
        outbox: vec![small.clone()],
        ..Batch::default()
    })
    .await
    .unwrap();
    // Encrypted: the file read and sealed with the rest, and read back the same.
    s.encrypt("123456", Secret::Pin).await.unwrap();
    assert_eq!(s.lock_state(), LockState::Unlocked(Secret::Pin));
    let stored = s.raw_values(schema::OUTBOX).await.unwrap();
    assert!(!stored[0].is_instance_of::<web_sys::Blob>(), "sealed");
    assert_eq!(s.outbox().await.unwrap(), [large.clone(), small.clone()]);
    // Acknowledged, it goes; the other stays.
    s.acknowledge(std::slice::from_ref(&large.id))
        .await
        .unwrap();
    assert_eq!(s.outbox().await.unwrap(), [small]);
}

#[wasm_bindgen_test]
async fn an_acknowledgement_keeps_an_outbox_record_that_does_not_read() {
    use creditdesk_storage::{OutboxEntry, Payload};
    let s = fresh("t-unreadable-outbox").await;
    s.raw_put(schema::OUTBOX, 1.0.into(), "not a record")
        .await
        .unwrap();
    let sent = OutboxEntry {
        device: "d-1".into(),
        entity: "command".into(),
        id: "c-sent".into(),
        payload: Payload::of(&"a command"),
        updated_at: 1,
        version: 1,
    };
    s.commit(&Batch {
        outbox: vec![sent.clone()],
        ..Batch::default()
    })
    .await
    .unwrap();
    s.acknowledge(std::slice::from_ref(&sent.id)).await.unwrap();
    let left = s.raw_values(schema::OUTBOX).await.unwrap();
    assert_eq!(left.len(), 1, "the sent one goes, the unreadable one stays");
    assert_eq!(left[0].as_string().as_deref(), Some("not a record"));
}

#[wasm_bindgen_test]
async fn a_committed_payment_survives_reopening_and_is_in_the_outbox() {
    let d = data(5);
    let s = fresh("t-commit").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    let p = Payment {
        id: PaymentId::from_u128(4242),
        ..d.payments[0].clone()
    };
    let mut c = d.customers[0].clone();
    c.name = "改名公司".into();
    s.commit(&Batch {
        customers: vec![c],
        entries: vec![Entry::Payment(p.clone())],
        ..Batch::default()
    })
    .await
    .unwrap();
    s.close();
    let s = IdbStore::open("t-commit").await.unwrap();
    let snap = s.load().await.unwrap();
    assert_eq!(snap.tail_len, 1);
    assert_eq!(snap.rows.payments.last(), Some(&p));
    assert!(snap.customers.iter().any(|c| c.name == "改名公司"));
    let outbox = s.outbox().await.unwrap();
    assert_eq!(
        outbox.iter().map(|o| o.entity.as_str()).collect::<Vec<_>>(),
        vec!["customer", "payment"]
    );
}

/// A batch that writes to every store a command's commit touches: a customer, two ledger
/// entries (and their outbox records), a request, a setting, a document, three audit entries and
/// an attachment.
fn everything(d: &creditdesk_domain::demo::Dataset) -> Batch {
    use creditdesk_domain::approval::chain;
    let mut c = d.customers[1].clone();
    c.name = "Half written".into();
    let audit = chain(None, 1, audit_events(3));
    Batch {
        customers: vec![c],
        entries: vec![
            Entry::Invoice(Invoice {
                id: InvoiceId::from_u128(9),
                ..d.invoices[0]
            }),
            Entry::Payment(Payment {
                id: PaymentId::from_u128(10),
                ..d.payments[0].clone()
            }),
        ],
        requests: vec![("r-9".into(), serde_json::json!({"kind": "freeze"}))],
        settings: vec![("lang".into(), "en".into())],
        docs: vec![(
            creditdesk_storage::Docs::Models,
            "draft".into(),
            "{}".into(),
        )],
        audit,
        attachments: vec![("att-9".into(), vec![9, 9, 9])],
        ..Batch::default()
    }
}

/// Everything a user could see of the database.
async fn seen(s: &IdbStore) -> String {
    use creditdesk_storage::Docs;
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        s.load().await.unwrap().customers,
        s.load().await.unwrap().rows,
        s.outbox().await.unwrap(),
        s.docs(Docs::Requests).await.unwrap(),
        s.docs(Docs::Models).await.unwrap(),
        s.setting("lang").await.unwrap(),
        s.load_audit().await.unwrap(),
        s.attachment("att-9").await.unwrap(),
    )
}

#[wasm_bindgen_test]
async fn a_commit_killed_after_its_last_request_leaves_nothing_in_any_store() {
    let d = data(5);
    let s = fresh("t-abort").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    let before = seen(&s).await;
    let batch = everything(&d);
    // The real commit makes every request of the batch, then the transaction dies.
    s.abort_next_write();
    assert!(s.commit(&batch).await.is_err());
    assert_eq!(seen(&s).await, before);
    // Reopened, the database is still as it was; the same batch then lands whole.
    s.close();
    let s = IdbStore::open("t-abort").await.unwrap();
    assert_eq!(seen(&s).await, before);
    s.commit(&batch).await.unwrap();
    let after = s.load().await.unwrap();
    assert!(after.customers.iter().any(|c| c.name == "Half written"));
    assert_eq!(after.tail_len, 2);
    assert_eq!(s.load_audit().await.unwrap().len(), 3);
}

/// Starts collecting what the page reports as uncaught (an exception thrown by an event handler:
/// a freed closure called by IndexedDB); `uncaught` reads them, after letting pending events run.
fn watch_uncaught() {
    js_sys::eval(
        "window.__uncaught = []; window.addEventListener('error', (e) => window.__uncaught.push(String(e.message)));",
    )
    .unwrap();
}

async fn uncaught() -> Vec<String> {
    let later = js_sys::Promise::new(&mut |done, _| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into()).unwrap();
        let _ = set_timeout.unchecked_into::<js_sys::Function>().call2(
            &wasm_bindgen::JsValue::NULL,
            &done,
            &50.into(),
        );
    });
    wasm_bindgen_futures::JsFuture::from(later).await.unwrap();
    let seen = js_sys::eval("JSON.stringify(window.__uncaught.splice(0))").unwrap();
    serde_json::from_str(&seen.as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn a_commit_whose_request_fails_midway_leaves_nothing_in_any_store() {
    use creditdesk_domain::approval::chain;
    let d = data(5);
    // The transaction's requests go out store by store (customers, the tail, requests, settings,
    // documents, the audit trail, attachments, the outbox); one audit entry already stored makes
    // the add of the first, the second or the third audit entry fail, after the requests before
    // it succeeded within the transaction. The transaction ends without a call into freed
    // memory (a handler left for an abort event that comes after the error event).
    watch_uncaught();
    for clash in 0..3u64 {
        let name = format!("t-midway-{clash}");
        let s = fresh(&name).await;
        s.replace_all(&d.customers, &rows(&d)).await.unwrap();
        // An entry already stored under the sequence number of the batch's entry `clash`.
        let taken = chain(None, 1, audit_events(clash as usize + 1))
            .pop()
            .unwrap();
        assert_eq!(taken.seq, everything(&d).audit[clash as usize].seq);
        s.commit(&Batch {
            audit: vec![taken],
            ..Batch::default()
        })
        .await
        .unwrap();
        let before = seen(&s).await;
        let batch = everything(&d);
        assert!(
            s.commit(&batch).await.is_err(),
            "the audit entry {clash} exists"
        );
        assert_eq!(
            seen(&s).await,
            before,
            "a failed add of audit entry {clash} left something"
        );
        assert_eq!(
            uncaught().await,
            Vec::<String>::new(),
            "audit entry {clash}"
        );
    }
}

#[wasm_bindgen_test]
async fn every_other_write_killed_after_its_last_request_leaves_nothing() {
    use creditdesk_storage::Docs;
    let d = data(5);
    let s = fresh("t-abort-all").await;
    s.replace_all(&d.customers[..2], &Rows::default())
        .await
        .unwrap();
    s.commit(&Batch::entry(Entry::Invoice(d.invoices[0])))
        .await
        .unwrap();
    let before = seen(&s).await;
    s.abort_next_write();
    assert!(s.replace_all(&d.customers, &rows(&d)).await.is_err());
    assert_eq!(seen(&s).await, before, "replace_all");
    s.abort_next_write();
    assert!(s.compact().await.is_err());
    assert_eq!(s.load().await.unwrap().tail_len, 1, "compact");
    s.abort_next_write();
    assert!(s.import(&d.customers, &rows(&d), &[], &[]).await.is_err());
    assert_eq!(seen(&s).await, before, "import");
    s.abort_next_write();
    assert!(s.put_doc(Docs::Requests, "r-1", "{}", None).await.is_err());
    assert_eq!(seen(&s).await, before, "put_doc");
    s.abort_next_write();
    assert!(s.set_setting("lang", "en").await.is_err());
    assert_eq!(seen(&s).await, before, "set_setting");
    let dump = s.dump().await.unwrap();
    s.abort_next_write();
    assert!(s
        .restore(&creditdesk_storage::backup::Dump {
            customers: vec![],
            ..dump
        })
        .await
        .is_err());
    assert_eq!(seen(&s).await, before, "restore");
}

#[wasm_bindgen_test]
async fn compaction_in_indexeddb_keeps_every_row() {
    let d = data(8);
    let s = fresh("t-compact").await;
    s.replace_all(
        &d.customers,
        &Rows {
            invoices: d.invoices.clone(),
            ..Rows::default()
        },
    )
    .await
    .unwrap();
    for p in d.payments.iter().take(50) {
        s.commit(&Batch::entry(Entry::Payment(p.clone())))
            .await
            .unwrap();
    }
    let before = s.load().await.unwrap();
    assert_eq!(before.tail_len, 50);
    assert_eq!(s.compact().await.unwrap(), 50);
    let after = s.load().await.unwrap();
    assert_eq!((after.tail_len, &after.rows), (0, &before.rows));
}

#[wasm_bindgen_test]
async fn every_earlier_schema_version_upgrades_keeping_its_records() {
    let d = data(6);
    for from in 1..schema::VERSION {
        let name = format!("t-upgrade-{from}");
        IdbStore::delete(&name).await.unwrap();
        let old = IdbStore::open_at(&name, from).await.unwrap();
        assert_eq!(old.version().unwrap(), from);
        old.replace_all(&d.customers, &rows(&d)).await.unwrap();
        old.commit(&Batch::entry(Entry::Payment(Payment {
            id: PaymentId::from_u128(1),
            ..d.payments[0].clone()
        })))
        .await
        .unwrap();
        old.set_setting("lang", "zh-CN").await.unwrap();
        old.close();

        let new = IdbStore::open(&name).await.unwrap();
        assert_eq!(new.version().unwrap(), schema::VERSION);
        assert!(new.store_names().iter().any(|s| s == FIELD_DEFS));
        let snap = new.load().await.unwrap();
        assert_eq!(snap.customers.len(), 6);
        assert_eq!(snap.rows.invoices, d.invoices);
        assert_eq!(snap.tail_len, 1);
        assert_eq!(new.setting("lang").await.unwrap().as_deref(), Some("zh-CN"));
        new.close();
    }
}

#[wasm_bindgen_test]
async fn models_and_requests_survive_reopening() {
    use creditdesk_storage::Docs;
    let s = fresh("t-docs").await;
    s.put_doc(Docs::Models, "draft", r#"{"factors":[]}"#, None)
        .await
        .unwrap();
    s.put_doc(Docs::Models, "1", r#"{"version":1}"#, None)
        .await
        .unwrap();
    s.put_doc(Docs::Requests, "r-1", r#"{"kind":"grade_override"}"#, None)
        .await
        .unwrap();
    s.close();
    let s = IdbStore::open("t-docs").await.unwrap();
    let models = s.docs(Docs::Models).await.unwrap();
    assert_eq!(
        models.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec!["1", "draft"]
    );
    assert_eq!(
        s.docs(Docs::Requests).await.unwrap()[0].1,
        r#"{"kind":"grade_override"}"#
    );
}

#[wasm_bindgen_test]
async fn a_document_committed_with_an_empty_text_is_removed_beside_one_written() {
    use creditdesk_storage::Docs;
    let s = fresh("t-docs-removed").await;
    let commit = |docs: Vec<(Docs, &str, &str)>| Batch {
        docs: docs
            .into_iter()
            .map(|(w, k, v)| (w, k.to_string(), v.to_string()))
            .collect(),
        ..Batch::default()
    };
    s.commit(&commit(vec![(Docs::Models, "draft", r#"{"factors":[]}"#)]))
        .await
        .unwrap();
    // Publishing: the version written and the draft removed, in one commit.
    s.commit(&commit(vec![
        (Docs::Models, "1", r#"{"version":1}"#),
        (Docs::Models, "draft", ""),
    ]))
    .await
    .unwrap();
    s.close();
    let s = IdbStore::open("t-docs-removed").await.unwrap();
    let models = s.docs(Docs::Models).await.unwrap();
    assert_eq!(
        models.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec!["1"]
    );
}

#[wasm_bindgen_test]
async fn settings_are_kept() {
    let s = fresh("t-settings").await;
    assert_eq!(s.setting("device").await.unwrap(), None);
    s.set_setting("device", "abc").await.unwrap();
    assert_eq!(s.setting("device").await.unwrap().as_deref(), Some("abc"));
}

fn audit_events(n: usize) -> Vec<creditdesk_domain::approval::Event> {
    (0..n)
        .map(|i| creditdesk_domain::approval::Event {
            who: "fs-1".into(),
            what: "limits.changed".into(),
            subject: format!("customer:{i}"),
            before: "permanent 100.00".into(),
            after: "permanent 200.00".into(),
            why: "season".into(),
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_audit_trail_is_only_added_to_and_an_edited_entry_is_found() {
    use creditdesk_domain::approval::{chain, verify};
    let s = fresh("t-audit").await;
    assert_eq!(s.last_audit().await.unwrap(), None);
    let first = chain(None, 1, audit_events(3));
    s.commit(&Batch {
        audit: first.clone(),
        attachments: vec![("att-1".into(), vec![1, 2, 3])],
        ..Batch::default()
    })
    .await
    .unwrap();
    // A second writer that chained to the same head cannot overwrite what landed.
    let rival = chain(first.last(), 2, audit_events(1));
    let late = chain(first.last(), 3, audit_events(1));
    s.commit(&Batch {
        audit: rival,
        ..Batch::default()
    })
    .await
    .unwrap();
    // Its add is the transaction's last request: the refusal ends it without a call into
    // freed memory.
    watch_uncaught();
    assert!(s
        .commit(&Batch {
            audit: late,
            ..Batch::default()
        })
        .await
        .is_err());
    assert_eq!(uncaught().await, Vec::<String>::new());
    s.close();
    let s = IdbStore::open("t-audit").await.unwrap();
    let trail = s.load_audit().await.unwrap();
    assert_eq!(trail.len(), 4);
    assert_eq!(verify(&trail), Ok(()));
    // The head alone, as a start-up reads it (keys are numbers: 10 sorts after 9).
    assert_eq!(s.last_audit().await.unwrap().as_ref(), trail.last());
    assert_eq!(s.attachment("att-1").await.unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(s.attachment("nope").await.unwrap(), None);
    // Someone edits a stored entry behind the app's back.
    let mut edited = trail[2].clone();
    edited.after = "permanent 900000.00".into();
    s.raw_put(
        schema::AUDIT,
        wasm_bindgen::JsValue::from_f64(2.0),
        &creditdesk_storage::audit_to_json(&edited),
    )
    .await
    .unwrap();
    assert_eq!(verify(&s.load_audit().await.unwrap()), Err(2));
}

#[wasm_bindgen_test]
async fn a_backup_of_indexeddb_restored_into_another_database_exports_the_same_bytes() {
    use creditdesk_storage::backup::{parse, to_json};
    let d = data(30);
    let a = fresh("t-backup-a").await;
    a.replace_all(&d.customers, &rows(&d)).await.unwrap();
    a.set_setting("device", "device-A").await.unwrap();
    a.set_setting("lang", "zh-CN").await.unwrap();
    a.commit(&Batch {
        entries: vec![Entry::Payment(Payment {
            id: PaymentId::from_u128(77),
            ..d.payments[0].clone()
        })],
        attachments: vec![("att-1".into(), vec![1, 2, 3])],
        ..Batch::default()
    })
    .await
    .unwrap();
    let first = to_json(&a.dump().await.unwrap());
    let b = fresh("t-backup-b").await;
    b.set_setting("device", "device-B").await.unwrap();
    b.set_setting("stale", "from before").await.unwrap();
    b.restore(&parse(&first).unwrap().dump).await.unwrap();
    let second = to_json(&b.dump().await.unwrap());
    assert_eq!(first, second);
    assert_eq!(
        b.setting("device").await.unwrap().as_deref(),
        Some("device-B")
    );
    assert_eq!(
        b.setting("stale").await.unwrap(),
        None,
        "a restore replaces everything"
    );
    assert_eq!(b.load().await.unwrap().rows, a.load().await.unwrap().rows);
    assert_eq!(b.attachment("att-1").await.unwrap(), Some(vec![1, 2, 3]));
}

#[wasm_bindgen_test]
async fn an_import_adds_chunks_after_the_stored_ones_in_one_transaction() {
    let d = data(10);
    let s = fresh("t-import").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    let before = s.load().await.unwrap();
    let mut extra = Rows::default();
    let mut inv = d.invoices[0];
    for n in 0..12_000u128 {
        inv.id = InvoiceId::from_u128(5_000_000 + n);
        extra.invoices.push(inv);
    }
    let mut c = d.customers[0].clone();
    c.id = CustomerId::from_u128(99);
    s.import(std::slice::from_ref(&c), &extra, &[], &[])
        .await
        .unwrap();
    let after = s.load().await.unwrap();
    assert_eq!(
        after.rows.invoices.len(),
        before.rows.invoices.len() + 12_000
    );
    assert_eq!(
        &after.rows.invoices[..before.rows.invoices.len()],
        &before.rows.invoices[..]
    );
    assert_eq!(after.chunk_count, before.chunk_count + 2);
    assert!(after.customers.iter().any(|x| x.id == c.id));
}

#[wasm_bindgen_test]
async fn a_ledger_of_many_chunks_and_thousands_of_customers_reads_whole_and_in_order() {
    use creditdesk_storage::vault::Secret;
    let d = data(3);
    let s = fresh("t-many-chunks").await;
    // 2,500 customers: read a thousand at a time.
    let customers: Vec<Customer> = (0..2_500u128)
        .map(|n| {
            let mut c = d.customers[(n % 3) as usize].clone();
            c.id = CustomerId::from_u128(1_000 + n);
            c.name = format!("Customer {n:04}");
            c
        })
        .collect();
    s.replace_all(&customers, &Rows::default()).await.unwrap();
    // Every import adds a chunk of each kind it holds: 30 imports, more chunks than several
    // reads ask for.
    let mut all = Rows::default();
    for k in 0..30usize {
        let mut part = Rows::default();
        for (j, inv) in d.invoices.iter().take(7).enumerate() {
            let mut inv = *inv;
            inv.id = InvoiceId::from_u128(9_000_000 + (k * 100 + j) as u128);
            part.invoices.push(inv);
        }
        part.payments.push(d.payments[k % d.payments.len()].clone());
        all.append(part.clone());
        s.import(&[], &part, &[], &[]).await.unwrap();
    }
    for encrypted in [false, true] {
        if encrypted {
            s.encrypt("123456", Secret::Pin).await.unwrap();
        }
        let raw = s.load_ledger().await.unwrap();
        assert_eq!(raw.chunks.len(), 60, "encrypted: {encrypted}");
        assert!(
            raw.chunks.windows(2).all(|w| w[0].0 < w[1].0),
            "in key order"
        );
        assert_eq!(raw.decode().unwrap(), all, "encrypted: {encrypted}");
        // A backup reads the chunks in ranges too: every row, in order.
        assert_eq!(
            s.dump().await.unwrap().rows,
            all,
            "backup, encrypted: {encrypted}"
        );
        let mut read = s.load_customers().await.unwrap();
        read.sort_by_key(|c| c.id);
        assert_eq!(read, customers, "encrypted: {encrypted}");
    }
}

// ----- Encryption at rest -----

/// Every value of every store as IndexedDB holds it, as text: strings as they are, bytes as
/// Latin-1 (so that a name in the clear inside a chunk would show).
async fn raw_text(s: &IdbStore) -> String {
    let mut out = String::new();
    for def in schema::stores_at(schema::VERSION) {
        if def.name == schema::VAULT {
            continue;
        }
        for v in s.raw_values(def.name).await.unwrap() {
            match v.as_string() {
                Some(t) => out.push_str(&t),
                None => out.extend(
                    js_sys::Uint8Array::new(&v)
                        .to_vec()
                        .iter()
                        .map(|b| *b as char),
                ),
            }
            out.push('\n');
        }
    }
    out
}

#[wasm_bindgen_test]
async fn an_encrypted_store_holds_no_name_in_the_clear_and_reads_the_same() {
    use creditdesk_storage::idb::LockState;
    use creditdesk_storage::vault::Secret;
    let d = data(5);
    let s = fresh("t-encrypt").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    s.commit(&everything(&d)).await.unwrap();
    let before = seen(&s).await;
    let name = d.customers[0].name.clone();
    assert!(raw_text(&s).await.contains(&name), "in the clear before");

    s.encrypt("123456", Secret::Pin).await.unwrap();
    assert_eq!(s.lock_state(), LockState::Unlocked(Secret::Pin));
    assert_eq!(seen(&s).await, before, "what the app reads is unchanged");
    let raw = raw_text(&s).await;
    for c in &d.customers {
        assert!(!raw.contains(&c.name), "{} in the clear", c.name);
    }
    assert!(!raw.contains("Half written") && !raw.contains("freeze"));
    // A write after encrypting is sealed too.
    let mut c = d.customers[2].clone();
    c.name = "加密后新名称".into();
    s.commit(&Batch::customer(c)).await.unwrap();
    assert!(!raw_text(&s).await.contains("加密后新名称"));

    // Reopened: locked until the right PIN.
    s.close();
    let s = IdbStore::open("t-encrypt").await.unwrap();
    assert_eq!(s.lock_state(), LockState::Locked(Secret::Pin));
    assert!(matches!(
        s.load_customers().await,
        Err(creditdesk_storage::StoreError::Locked)
    ));
    assert!(matches!(
        s.set_setting("lang", "zh").await,
        Err(creditdesk_storage::StoreError::Locked)
    ));
    assert_eq!(
        s.unlock("654321").await.unwrap(),
        creditdesk_storage::idb::Unlock::Wrong { tries_left: 9 }
    );
    assert_eq!(
        s.unlock("123456").await.unwrap(),
        creditdesk_storage::idb::Unlock::Opened
    );
    let after = seen(&s).await;
    assert!(after.contains("加密后新名称"));
    assert!(s
        .load_customers()
        .await
        .unwrap()
        .iter()
        .any(|c| c.name == name));
    // Compaction, a dump and a restore work on sealed records.
    s.compact().await.unwrap();
    let dump = s.dump().await.unwrap();
    s.restore(&dump).await.unwrap();
    assert_eq!(seen(&s).await, after);
    assert!(!raw_text(&s).await.contains(&name));
}

#[wasm_bindgen_test]
async fn a_new_secret_rewraps_the_key_and_the_old_one_no_longer_opens() {
    use creditdesk_storage::idb::Unlock;
    use creditdesk_storage::vault::Secret;
    let d = data(3);
    let s = fresh("t-rewrap").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    s.encrypt("first password", Secret::Password).await.unwrap();
    let stored_chunks = async |s: &IdbStore| -> Vec<Vec<u8>> {
        s.raw_values(schema::CHUNKS)
            .await
            .unwrap()
            .iter()
            .map(|v| js_sys::Uint8Array::new(v).to_vec())
            .collect()
    };
    let chunks_before = stored_chunks(&s).await;
    s.rewrap("246810", Secret::Pin).await.unwrap();
    assert_eq!(
        chunks_before,
        stored_chunks(&s).await,
        "no record is re-encrypted"
    );
    s.close();
    let s = IdbStore::open("t-rewrap").await.unwrap();
    assert!(matches!(
        s.unlock("first password").await.unwrap(),
        Unlock::Wrong { .. }
    ));
    assert_eq!(s.unlock("246810").await.unwrap(), Unlock::Opened);
    assert_eq!(s.load_customers().await.unwrap().len(), 3);
}

#[wasm_bindgen_test]
async fn the_tenth_wrong_secret_erases_the_database_and_counts_what_was_unsent() {
    use creditdesk_storage::idb::Unlock;
    use creditdesk_storage::vault::Secret;
    let d = data(2);
    let s = fresh("t-wipe").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    s.commit(&Batch::customer(d.customers[0].clone()))
        .await
        .unwrap();
    s.encrypt("123456", Secret::Pin).await.unwrap();
    s.close();
    let s = IdbStore::open("t-wipe").await.unwrap();
    for left in (1..10).rev() {
        assert_eq!(
            s.unlock("000000").await.unwrap(),
            Unlock::Wrong { tries_left: left }
        );
    }
    // The count survives reopening (it is stored, not only in memory).
    s.close();
    let s = IdbStore::open("t-wipe").await.unwrap();
    assert_eq!(
        s.unlock("000000").await.unwrap(),
        Unlock::Wiped { unsent: 1 }
    );
    let s = IdbStore::open("t-wipe").await.unwrap();
    assert_eq!(s.lock_state(), creditdesk_storage::idb::LockState::Plain);
    assert!(s.load_customers().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn derived_bytes_come_back_after_reopening_until_any_tab_writes_data() {
    use creditdesk_storage::vault::Secret;
    let d = data(5);
    let s = fresh("t-derived").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    s.commit(&Batch::entry(Entry::Invoice(d.invoices[0])))
        .await
        .unwrap();
    assert_eq!(s.derived().await.unwrap(), None, "nothing kept yet");
    s.put_derived(b"figures one").await.unwrap();
    s.close();
    let s = IdbStore::open("t-derived").await.unwrap();
    assert_eq!(
        s.derived().await.unwrap().as_deref(),
        Some(&b"figures one"[..])
    );
    // Folding the tail changes no data; a write that was aborted wrote nothing.
    assert_eq!(s.compact().await.unwrap(), 1);
    s.abort_next_write();
    assert!(s
        .commit(&Batch::customer(d.customers[1].clone()))
        .await
        .is_err());
    assert_eq!(
        s.derived().await.unwrap().as_deref(),
        Some(&b"figures one"[..])
    );
    // Another tab (another connection to the same database) writes: stale here too.
    let other = IdbStore::open("t-derived").await.unwrap();
    other
        .commit(&Batch::customer(d.customers[1].clone()))
        .await
        .unwrap();
    assert_eq!(s.derived().await.unwrap(), None, "another tab's write");
    // (An encryption is refused while another tab has the data open: see `crate::tabs`.)
    other.close();
    // Kept again, then encrypted: they still come back, sealed like everything else.
    s.put_derived(b"figures two").await.unwrap();
    s.encrypt("123456", Secret::Pin).await.unwrap();
    assert!(!raw_text(&s).await.contains("ZmlndXJlcyB0d28"), "sealed");
    assert_eq!(
        s.derived().await.unwrap().as_deref(),
        Some(&b"figures two"[..])
    );
    // Each kind of write of data makes them stale.
    s.put_doc(creditdesk_storage::Docs::Models, "draft", "{}", None)
        .await
        .unwrap();
    assert_eq!(s.derived().await.unwrap(), None, "a model");
    s.put_derived(b"three").await.unwrap();
    s.import(&[], &rows(&data(1)), &[], &[]).await.unwrap();
    assert_eq!(s.derived().await.unwrap(), None, "an import");
    s.put_derived(b"four").await.unwrap();
    let dump = s.dump().await.unwrap();
    s.restore(&dump).await.unwrap();
    assert_eq!(s.derived().await.unwrap(), None, "a restore");
    s.put_derived(b"five").await.unwrap();
    s.set_setting("lang", "en").await.unwrap();
    assert_eq!(
        s.derived().await.unwrap().as_deref(),
        Some(&b"five"[..]),
        "a preference is not data"
    );
    s.commit(&Batch {
        settings: vec![("sync_refused".into(), "[]".into())],
        ..Batch::default()
    })
    .await
    .unwrap();
    assert_eq!(
        s.derived().await.unwrap().as_deref(),
        Some(&b"five"[..]),
        "nor a commit of settings alone"
    );
}

#[wasm_bindgen_test]
async fn the_customers_list_outlives_writes_that_leave_the_customers_alone_and_no_other() {
    let d = data(30);
    let s = fresh("t-list-rev").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    let count = d.customers.len();
    // A start: one by one, then the keep writes the list.
    s.load_customers().await.unwrap();
    assert!(!s.customers_from_list());
    s.put_derived(b"figures").await.unwrap();
    assert_eq!(s.load_customers().await.unwrap().len(), count);
    assert!(s.customers_from_list(), "kept");
    // Writes of everything but the customers, here and in another tab: a payment, an invoice
    // with a setting, an import of ledger rows alone. The list still answers.
    let other = IdbStore::open("t-list-rev").await.unwrap();
    other
        .commit(&Batch::entry(Entry::Payment(d.payments[0].clone())))
        .await
        .unwrap();
    let mut b = Batch::entry(Entry::Invoice(d.invoices[1]));
    b.settings.push(("sync_refused".into(), "[]".into()));
    s.commit(&b).await.unwrap();
    let part = Rows {
        payments: d.payments[1..3].to_vec(),
        ..Rows::default()
    };
    s.import(&[], &part, &[], &[]).await.unwrap();
    let next = IdbStore::open("t-list-rev").await.unwrap();
    assert_eq!(next.load_customers().await.unwrap().len(), count);
    assert!(
        next.customers_from_list(),
        "not stale after writes of the ledger alone"
    );
    // Each write that touches a customer makes it stale, and the change is read.
    let mut changed = d.customers[2].clone();
    changed.name = "另一个名字".into();
    let mut with_entry = Batch::customer(changed.clone());
    with_entry
        .entries
        .push(Entry::Payment(d.payments[4].clone()));
    let mut imported = d.customers[5].clone();
    imported.name = "导入的名字".into();
    for (what, name) in [
        ("a commit with a payment", "另一个名字"),
        ("an import", "导入的名字"),
    ] {
        if what == "an import" {
            other
                .import(std::slice::from_ref(&imported), &Rows::default(), &[], &[])
                .await
                .unwrap();
        } else {
            other.commit(&with_entry).await.unwrap();
        }
        let read = next.load_customers().await.unwrap();
        assert!(!next.customers_from_list(), "stale after {what}");
        assert!(
            read.iter().any(|c| c.name == name),
            "{what}: the change is read"
        );
        // Kept again by this start: one record once more.
        next.put_derived(b"figures").await.unwrap();
        next.load_customers().await.unwrap();
        assert!(next.customers_from_list(), "kept again after {what}");
    }
    // Replacing the data leaves no list of use.
    other
        .replace_all(&d.customers[..10], &rows(&d))
        .await
        .unwrap();
    assert_eq!(next.load_customers().await.unwrap().len(), 10);
    assert!(
        !next.customers_from_list(),
        "stale after the data is replaced"
    );
}

#[wasm_bindgen_test]
async fn a_keep_that_must_start_a_revision_keeps_nothing_if_a_write_of_data_lands_meanwhile() {
    let d = data(5);
    fresh("t-derived-no-rev")
        .await
        .replace_all(&d.customers, &rows(&d))
        .await
        .unwrap();
    // A store that has read no revision starts one to keep its bytes; a payment committed
    // meanwhile makes them older than the revision after it: nothing is kept.
    let s = IdbStore::open("t-derived-no-rev").await.unwrap();
    let payment = Batch::entry(Entry::Payment(d.payments[0].clone()));
    // (The payment's transaction opens first: the revision the keep starts comes after it.)
    let (paid, kept) =
        futures_util::future::join(s.commit(&payment), s.put_derived(b"made before")).await;
    kept.unwrap();
    paid.unwrap();
    assert_eq!(s.derived().await.unwrap(), None, "nothing kept");
    // With no other write, the revision it starts is the one its bytes are kept with.
    let s = IdbStore::open("t-derived-no-rev").await.unwrap();
    s.put_derived(b"figures").await.unwrap();
    assert_eq!(s.derived().await.unwrap().as_deref(), Some(&b"figures"[..]));
}

/// What a tab of a build from before the customers' revision writes when it changes a customer:
/// the record and a new data revision, nothing else.
async fn write_as_an_older_build(s: &IdbStore, c: &creditdesk_domain::Customer) {
    s.raw_put(
        schema::CUSTOMERS,
        wasm_bindgen::JsValue::from_str(&c.id.to_string()),
        &creditdesk_storage::customer_to_json(c),
    )
    .await
    .unwrap();
    s.raw_put(
        schema::META,
        wasm_bindgen::JsValue::from_str(creditdesk_storage::DATA_REV),
        "r-older-build",
    )
    .await
    .unwrap();
}

#[wasm_bindgen_test]
async fn a_customer_changed_by_an_older_build_in_another_tab_is_never_served_from_the_list() {
    let d = data(20);
    let s = fresh("t-list-older").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    s.load_customers().await.unwrap();
    s.put_derived(b"figures").await.unwrap();
    s.load_customers().await.unwrap();
    assert!(s.customers_from_list(), "kept");
    // An older build's tab changes a customer; this build's next start reads the change.
    let older = IdbStore::open("t-list-older").await.unwrap();
    let mut changed = d.customers[1].clone();
    changed.name = "旧版本改的名字".into();
    write_as_an_older_build(&older, &changed).await;
    let next = IdbStore::open("t-list-older").await.unwrap();
    let read = next.load_customers().await.unwrap();
    assert!(
        !next.customers_from_list(),
        "stale after the older build's write"
    );
    assert!(read.iter().any(|c| c.name == "旧版本改的名字"));
    // This build's tab that started before that write then records a payment: its write must
    // not make the list trusted again.
    s.commit(&Batch::entry(Entry::Payment(d.payments[0].clone())))
        .await
        .unwrap();
    let after = IdbStore::open("t-list-older").await.unwrap();
    let read = after.load_customers().await.unwrap();
    assert!(
        !after.customers_from_list(),
        "stale after a payment that followed the older write"
    );
    assert!(read.iter().any(|c| c.name == "旧版本改的名字"));
    // Kept again by a start of this build, the list is of use once more, and has the change.
    after.put_derived(b"figures").await.unwrap();
    let again = IdbStore::open("t-list-older").await.unwrap();
    let read = again.load_customers().await.unwrap();
    assert!(again.customers_from_list(), "kept again");
    assert!(read.iter().any(|c| c.name == "旧版本改的名字"));
}

#[wasm_bindgen_test]
async fn a_database_from_before_the_customers_revision_starts_keeping_one_with_its_first_write() {
    let d = data(20);
    let s = fresh("t-list-before").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    // As an older build left it: no customers' revision.
    for k in [
        creditdesk_storage::CUSTOMERS_REV,
        creditdesk_storage::CUSTOMERS_REV_KEPT_AT,
    ] {
        s.raw_delete(schema::META, k).await.unwrap();
    }
    // (A start asks for the kept figures first, which tells the store its data revision.)
    let first = IdbStore::open("t-list-before").await.unwrap();
    first.derived().await.unwrap();
    first.load_customers().await.unwrap();
    first.put_derived(b"figures").await.unwrap();
    let second = IdbStore::open("t-list-before").await.unwrap();
    second.load_customers().await.unwrap();
    assert!(
        second.customers_from_list(),
        "the data's revision stands in"
    );
    // Its first write of data, a payment, stamps the customers' revision: one start reads one by
    // one, and from the next the list outlives payments.
    second
        .commit(&Batch::entry(Entry::Payment(d.payments[0].clone())))
        .await
        .unwrap();
    let third = IdbStore::open("t-list-before").await.unwrap();
    third.derived().await.unwrap();
    third.load_customers().await.unwrap();
    assert!(!third.customers_from_list());
    third.put_derived(b"figures").await.unwrap();
    third
        .commit(&Batch::entry(Entry::Payment(d.payments[1].clone())))
        .await
        .unwrap();
    let fourth = IdbStore::open("t-list-before").await.unwrap();
    fourth.load_customers().await.unwrap();
    assert!(fourth.customers_from_list(), "outlives a payment");
}

#[wasm_bindgen_test]
async fn the_customers_are_read_as_one_record_while_no_customer_has_changed_and_never_stale() {
    use creditdesk_storage::vault::Secret;
    let d = data(30);
    let s = fresh("t-list").await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    let sorted = |mut v: Vec<creditdesk_domain::Customer>| {
        v.sort_by_key(|c| c.id);
        v
    };
    let want = sorted(d.customers.clone());
    // First start: one by one; the keep writes the list with the figures.
    assert_eq!(sorted(s.load_customers().await.unwrap()), want);
    assert!(!s.customers_from_list());
    s.put_derived(b"figures").await.unwrap();
    s.close();
    // Next start: one record, the same customers. (A start asks for the kept figures first,
    // which tells the store the revision it starts at.)
    let s = IdbStore::open("t-list").await.unwrap();
    assert!(s.derived().await.unwrap().is_some());
    let from_list = s.load_customers().await.unwrap();
    assert!(s.customers_from_list());
    // In the order of their names, which the app holds them in (`customer_list_by_name`).
    assert!(
        from_list.windows(2).all(|w| w[0].name <= w[1].name),
        "kept in the order of the names"
    );
    assert_eq!(sorted(from_list), want);
    // A customer changes (here, or in another tab): the list is stale, the change is read.
    let mut changed = d.customers[3].clone();
    changed.name = "改过的名字有限公司".into();
    let other = IdbStore::open("t-list").await.unwrap();
    other
        .commit(&Batch::customer(changed.clone()))
        .await
        .unwrap();
    let read = s.load_customers().await.unwrap();
    assert!(!s.customers_from_list(), "stale after another tab's write");
    assert!(read.iter().any(|c| c == &changed));
    assert_eq!(read.len(), want.len());
    other.close();
    // Kept while the data has moved on again (this start's own writes): the list read at the
    // older revision is not written.
    s.commit(&Batch::customer(d.customers[4].clone()))
        .await
        .unwrap();
    s.put_derived(b"figures").await.unwrap();
    s.load_customers().await.unwrap();
    assert!(!s.customers_from_list(), "not kept from before the write");
    // Kept again, then the device is encrypted: the list is sealed and still read.
    s.put_derived(b"figures two").await.unwrap();
    assert!(s.load_customers().await.is_ok());
    assert!(s.customers_from_list());
    // Its bytes, as stored, hold the name in the clear before and not after.
    let name = "改过的名字".as_bytes();
    let raw_meta_holds = async |s: &IdbStore| {
        s.raw_values(schema::META).await.unwrap().iter().any(|v| {
            v.as_string()
                .map_or_else(|| js_sys::Uint8Array::new(v).to_vec(), String::into_bytes)
                .windows(name.len())
                .any(|w| w == name)
        })
    };
    assert!(raw_meta_holds(&s).await, "in the clear before");
    s.encrypt("123456", Secret::Pin).await.unwrap();
    assert!(!raw_text(&s).await.contains("改过的名字"), "sealed");
    assert!(!raw_meta_holds(&s).await, "the list sealed too");
    let sealed = s.load_customers().await.unwrap();
    assert!(s.customers_from_list());
    assert!(sealed.iter().any(|c| c == &changed));
    // A list that does not read is only a cache: the records are read instead.
    s.raw_put(
        schema::META,
        wasm_bindgen::JsValue::from_str(creditdesk_storage::CUSTOMER_LIST),
        "damaged",
    )
    .await
    .unwrap();
    let read = s.load_customers().await.unwrap();
    assert!(!s.customers_from_list());
    assert_eq!(read.len(), want.len());
    // Not in a backup: it is this device's, derived from the data.
    let dump = s.dump().await.unwrap();
    let mut backup = Vec::new();
    creditdesk_storage::backup::write_json(&dump, &mut backup).unwrap();
    let backup = String::from_utf8(backup).unwrap();
    assert!(backup.contains("改过的名字"), "the customers are");
    assert!(
        !backup.contains(creditdesk_storage::CUSTOMER_LIST),
        "the list is not"
    );
}

#[wasm_bindgen_test]
async fn many_texts_written_at_once_read_back_as_written_whatever_their_characters() {
    use creditdesk_storage::Docs;
    let s = fresh("t-many-texts").await;
    // Enough to be handed to the page joined (see `JoinedTexts`), in more than one piece (about
    // 600 KB), with characters of one, two and four bytes (a surrogate pair in the page's
    // strings), and a long one among them, which goes alone.
    let long = format!("{{\"note\":\"{}\"}}", "长".repeat(30_000));
    let text = |k: usize| match k % 4 {
        0 => format!("{{\"n\":{k}}}"),
        1 => format!("{{\"name\":\"华东客户 {k}\"}}"),
        2 => format!("{{\"mark\":\"🧾 {k} é\"}}"),
        _ if k == 99 => long.clone(),
        _ => format!("{{\"k\":\"{}\"}}", "x".repeat(k)),
    };
    let mut batch = Batch::default();
    let expected: Vec<(String, String)> =
        (0..2_000).map(|k| (format!("a-{k:04}"), text(k))).collect();
    for (k, v) in &expected {
        batch.docs.push((Docs::Alerts, k.clone(), v.clone()));
    }
    s.commit(&batch).await.unwrap();
    let mut read = s.docs(Docs::Alerts).await.unwrap();
    read.sort();
    assert_eq!(read.len(), expected.len());
    for (got, want) in read.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}

#[wasm_bindgen_test]
async fn a_write_that_checks_first_makes_a_large_batchs_values_with_turns_and_writes_nothing_if_the_check_fails(
) {
    use creditdesk_storage::{turn, Docs};
    use std::cell::Cell;
    let s = fresh("t-commit-when").await;
    // Some 20,000 alerts' records: more than one slice of work to make (the first start's rules
    // write 11,500).
    let mut batch = Batch::default();
    for k in 0..20_000 {
        let text = format!("{{\"n\":{k},\"rule\":\"W1010\",\"name\":\"客户 {k}\"}}");
        batch.docs.push((Docs::Alerts, format!("a-{k:05}"), text));
    }
    let (asked, turns_before_asked) = (Cell::new(0), Cell::new(0));
    let before = turn::taken();
    let refuse = || {
        asked.set(asked.get() + 1);
        turns_before_asked.set(turn::taken() - before);
        false
    };
    assert_eq!(s.commit_when(&batch, &refuse).await, Ok(false));
    assert_eq!(asked.get(), 1, "asked once, after the values were made");
    assert!(
        turns_before_asked.get() > 0,
        "the page had turns while the values were made"
    );
    assert!(
        s.docs(Docs::Alerts).await.unwrap().is_empty(),
        "nothing written"
    );
    let allow = || {
        asked.set(asked.get() + 1);
        true
    };
    assert_eq!(s.commit_when(&batch, &allow).await, Ok(true));
    assert_eq!(asked.get(), 2);
    let read = s.docs(Docs::Alerts).await.unwrap();
    assert_eq!(read.len(), 20_000);
    assert!(read.contains(&("a-12345".to_string(), batch.docs[12_345].2.clone())));
    // A write that does not check first takes no turn while it makes its values.
    let before = turn::taken();
    let again = Batch {
        docs: batch.docs.clone(),
        ..Batch::default()
    };
    s.commit(&again).await.unwrap();
    assert_eq!(turn::taken(), before);
}

#[wasm_bindgen_test]
async fn an_encrypted_devices_large_checked_write_is_sealed_in_parts_and_reads_back_as_written() {
    use creditdesk_storage::vault::Secret;
    use creditdesk_storage::Docs;
    let s = fresh("t-commit-when-sealed").await;
    s.encrypt("123456", Secret::Pin).await.unwrap();
    // 2,500 alerts, each a group of its own, and a request and a setting: sealed a thousand
    // values at a time, the parts cutting through the alerts.
    let mut batch = Batch::default();
    for k in 0..2_500 {
        let text = format!("{{\"n\":{k},\"name\":\"客户 {k}\"}}");
        batch.docs.push((Docs::Alerts, format!("a-{k:05}"), text));
    }
    batch
        .requests
        .push(("r-1".into(), serde_json::json!({"kind": "freeze"})));
    batch.settings.push(("lang".into(), "en".into()));
    assert_eq!(s.commit_when(&batch, &|| true).await, Ok(true));
    let mut read = s.docs(Docs::Alerts).await.unwrap();
    read.sort();
    let want: Vec<(String, String)> = batch
        .docs
        .iter()
        .map(|(_, k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(read, want);
    assert_eq!(s.setting("lang").await.unwrap().as_deref(), Some("en"));
    assert_eq!(s.docs(Docs::Requests).await.unwrap().len(), 1);
    assert!(!raw_text(&s).await.contains("客户 1234"), "sealed");
}

/// The names of the customers as the store reads them back.
async fn names(s: &IdbStore) -> Vec<String> {
    let snap = s.load().await.unwrap();
    snap.customers.into_iter().map(|c| c.name).collect()
}

/// A fresh store holding a small book, and one of its customers renamed `name` (not yet
/// written): what the encryption tests commit while the data is encrypted.
async fn renamed_in_a_fresh_store(
    db: &str,
    name: &str,
) -> (creditdesk_domain::demo::Dataset, IdbStore, Customer) {
    let d = data(5);
    let s = fresh(db).await;
    s.replace_all(&d.customers, &rows(&d)).await.unwrap();
    let mut c = d.customers[2].clone();
    c.name = name.into();
    (d, s, c)
}

/// Gives the page turns until `done` answers true.
async fn until(done: impl Fn() -> bool) {
    while !done() {
        creditdesk_storage::turn::yield_now().await;
    }
}

#[wasm_bindgen_test]
async fn a_commit_begun_while_the_encryption_reads_the_data_waits_and_is_kept_sealed() {
    use creditdesk_storage::idb::Point;
    use creditdesk_storage::vault::Secret;
    use std::cell::Cell;
    use std::rc::Rc;
    let (_, s, c) = renamed_in_a_fresh_store("t-encrypt-read", "加密读取时写入").await;
    // A command commits once the encryption has read the data, before it writes it sealed: the
    // encryption goes on when the commit is done, or waits for it to end.
    let (read, committed) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let (r, done) = (read.clone(), committed.clone());
    s.at_next(
        Point::EncryptRead,
        Box::new(move |s| {
            Box::pin(async move {
                r.set(true);
                until(|| done.get() || s.writes_waiting() > 0).await;
            })
        }),
    );
    let commit = async {
        until(|| read.get()).await;
        let r = s.commit(&Batch::customer(c.clone())).await;
        committed.set(true);
        r
    };
    let (encrypted, written) =
        futures_util::future::join(s.encrypt("123456", Secret::Pin), commit).await;
    encrypted.unwrap();
    written.unwrap();
    assert!(names(&s).await.contains(&c.name), "the commit is kept");
    assert!(!raw_text(&s).await.contains(&c.name), "and sealed");
}

#[wasm_bindgen_test]
async fn a_commit_made_in_the_clear_and_written_after_the_encryption_is_made_again_sealed() {
    use creditdesk_storage::idb::Point;
    use creditdesk_storage::vault::Secret;
    let (d, s, c) = renamed_in_a_fresh_store("t-encrypt-made", "加密前备好的写入").await;
    // The commit's values are made in the clear; then the data is encrypted, before the
    // commit's transaction opens.
    s.at_next(
        Point::CommitMade,
        Box::new(|s| {
            Box::pin(async move {
                s.encrypt("123456", Secret::Pin).await.unwrap();
            })
        }),
    );
    s.commit(&Batch::customer(c.clone())).await.unwrap();
    assert!(names(&s).await.contains(&c.name), "the commit is kept");
    assert!(!raw_text(&s).await.contains(&c.name), "sealed");
    // Every record opens, reopened with the PIN.
    s.close();
    let s = IdbStore::open("t-encrypt-made").await.unwrap();
    s.unlock("123456").await.unwrap();
    assert!(names(&s).await.contains(&c.name));
    assert_eq!(s.load().await.unwrap().customers.len(), d.customers.len());
}

#[wasm_bindgen_test]
async fn a_commit_made_during_an_encryptions_write_that_fails_waits_and_is_written_in_the_clear() {
    use creditdesk_storage::idb::{LockState, Point};
    use creditdesk_storage::vault::Secret;
    use std::cell::Cell;
    use std::rc::Rc;
    let (_, s, c) = renamed_in_a_fresh_store("t-encrypt-fails", "加密失败时的写入").await;
    let (holding, made) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    // The encryption holds the other writes; a commit makes its values and waits; then the
    // encryption's write dies: the commit is written after it, into data still in the clear.
    let (h, m) = (holding.clone(), made.clone());
    s.at_next(
        Point::EncryptWrites,
        Box::new(move |s| {
            Box::pin(async move {
                h.set(true);
                until(|| m.get()).await;
                s.abort_next_write();
            })
        }),
    );
    let m = made.clone();
    s.at_next(
        Point::CommitMade,
        Box::new(move |_| Box::pin(async move { m.set(true) })),
    );
    let commit = async {
        until(|| holding.get()).await;
        s.commit(&Batch::customer(c.clone())).await
    };
    let (encrypted, committed) =
        futures_util::future::join(s.encrypt("123456", Secret::Pin), commit).await;
    assert!(encrypted.is_err(), "the encryption's write was aborted");
    committed.unwrap();
    assert_eq!(s.lock_state(), LockState::Plain);
    assert!(made.get());
    // Written after the failure, in the clear like the rest, and every record reads.
    assert!(raw_text(&s).await.contains(&c.name));
    assert!(names(&s).await.contains(&c.name));
    s.close();
    let s = IdbStore::open("t-encrypt-fails").await.unwrap();
    assert!(names(&s).await.contains(&c.name));
}

#[wasm_bindgen_test]
async fn turning_encryption_on_is_refused_while_another_tab_has_the_data_open_and_changes_nothing()
{
    use creditdesk_storage::idb::LockState;
    use creditdesk_storage::vault::Secret;
    let (d, s, _) = renamed_in_a_fresh_store("t-other-tab", "另一个标签页").await;
    // Another tab: a second store open on the same database holds its own lock.
    let other = IdbStore::open("t-other-tab").await.unwrap();
    assert_eq!(s.other_tabs().await, Ok(1));
    assert_eq!(other.other_tabs().await, Ok(1));
    assert_eq!(
        s.encrypt("correct horse battery", Secret::Passphrase).await,
        Err(creditdesk_storage::StoreError::OtherTabs(1))
    );
    assert_eq!(s.lock_state(), LockState::Plain);
    assert_eq!(other.lock_state(), LockState::Plain);
    assert_eq!(other.load().await.unwrap().rows, rows(&d), "nothing sealed");
    // Once the other tab is gone, it is done.
    other.close();
    s.encrypt("correct horse battery", Secret::Passphrase)
        .await
        .unwrap();
    assert_eq!(s.other_tabs().await, Ok(0));
    assert_eq!(s.lock_state(), LockState::Unlocked(Secret::Passphrase));
}

#[wasm_bindgen_test]
async fn a_tab_opening_the_data_while_it_is_encrypted_waits_and_then_finds_it_locked() {
    use creditdesk_storage::idb::LockState;
    use creditdesk_storage::vault::Secret;
    use std::cell::Cell;
    let (_, s, _) = renamed_in_a_fresh_store("t-tab-opens", "加密时打开").await;
    let encrypted = Cell::new(false);
    let (done, opened) = futures_util::future::join(
        async {
            let done = s.encrypt("correct horse battery", Secret::Passphrase).await;
            encrypted.set(true);
            done
        },
        async {
            let other = IdbStore::open("t-tab-opens").await.unwrap();
            (encrypted.get(), other.lock_state())
        },
    )
    .await;
    done.unwrap();
    assert_eq!(
        opened,
        (true, LockState::Locked(Secret::Passphrase)),
        "the tab opened once the data was sealed, and found it locked"
    );
}
