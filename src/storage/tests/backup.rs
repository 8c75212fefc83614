//! Backup and restore, against the in-memory twin: the round trip is byte-identical, a bad file
//! is refused whole with every problem named, older schemas are migrated, a merge adds only
//! what is new, and an import appends chunks without touching what is stored.
#![cfg(not(target_arch = "wasm32"))]

use creditdesk_domain::approval::{Routes, User};
use creditdesk_domain::demo::{generate, requests, users, DemoLang, DemoSpec};
use creditdesk_domain::rating::{default_scorecard, Grade};
use creditdesk_domain::*;
use creditdesk_storage::backup::{self, merge, parse, to_json, BackupCode, Dump};
use creditdesk_storage::mem::MemStore;
use creditdesk_storage::{Batch, Docs, Entry, Rows, Store};
use proptest::prelude::*;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory store never waits"),
    }
}

const AS_OF: &str = "2026-11-28";

/// A store with a bit of everything: customers and their ledger, a payment in the tail,
/// requests with their audit entries, an attachment, settings, a scorecard, an alert's worth of
/// documents, and this device's id.
fn filled() -> MemStore {
    let as_of = Date::parse(AS_OF).unwrap();
    let d = generate(&DemoSpec {
        customers: 15,
        ..DemoSpec::demo(as_of, DemoLang::Zh)
    });
    let s = MemStore::new();
    run(s.replace_all(&d.customers, &Rows::of(&d))).unwrap();
    let dir: Vec<User> = users(DemoLang::Zh);
    let (reqs, audit) = requests(
        &d.customers,
        &dir,
        &Routes::default(),
        &|_| Grade::A,
        1_790_000_000_000,
        as_of,
        DemoLang::Zh,
    );
    let p = Payment {
        id: PaymentId::from_u128(4242),
        ..d.payments[0].clone()
    };
    run(s.commit(&Batch {
        entries: vec![Entry::Payment(p)],
        requests: reqs
            .iter()
            .map(|r| (r.id.to_string(), serde_json::to_value(r).unwrap()))
            .collect(),
        audit,
        attachments: vec![("att-1".into(), vec![0, 1, 2, 250, 255])],
        settings: vec![
            ("lang".into(), "zh-CN".into()),
            ("device".into(), "device-A".into()),
        ],
        docs: vec![(Docs::Models, "1".into(), default_scorecard().to_json())],
        ..Batch::default()
    }))
    .unwrap();
    s
}

#[test]
fn a_backup_restored_into_an_empty_database_exports_byte_for_byte_the_same() {
    let a = filled();
    let first = to_json(&run(a.dump()).unwrap());
    assert!(first.starts_with("{\"format\":\"creditdesk-backup\",\"schema\":6"));
    assert!(
        !first.contains("device-A"),
        "the device id stays on the device"
    );
    let b = MemStore::new();
    run(b.set_setting("device", "device-B")).unwrap();
    let parsed = parse(&first).unwrap();
    assert_eq!(parsed.schema, creditdesk_storage::schema::VERSION);
    run(b.restore(&parsed.dump)).unwrap();
    let second = to_json(&run(b.dump()).unwrap());
    assert_eq!(first, second);
    assert_eq!(
        run(b.setting("device")).unwrap().as_deref(),
        Some("device-B")
    );
    // And what was restored reads back as the same data.
    let (sa, sb) = (run(a.load()).unwrap(), run(b.load()).unwrap());
    assert_eq!(sa.customers, sb.customers);
    assert_eq!(sa.rows, sb.rows);
    assert_eq!(run(a.load_audit()).unwrap(), run(b.load_audit()).unwrap());
    assert_eq!(
        run(b.attachment("att-1")).unwrap(),
        Some(vec![0, 1, 2, 250, 255])
    );
    let counts = parsed.dump.counts();
    assert_eq!(counts.customers, 15);
    assert!(
        counts.invoices > 0 && counts.requests > 0 && counts.audit > 0,
        "{counts:?}"
    );
}

fn problems(text: &str) -> Vec<(BackupCode, String)> {
    // Read as it streams from a file, the same problems at the same places.
    let streamed = backup::parse_reader(text.as_bytes())
        .map(|_| ())
        .map_err(|(p, n)| (p.into_iter().map(|p| (p.code, p.at)).collect::<Vec<_>>(), n));
    let whole = parse(text)
        .map(|_| ())
        .map_err(|(p, n)| (p.into_iter().map(|p| (p.code, p.at)).collect::<Vec<_>>(), n));
    assert_eq!(streamed, whole, "{text}");
    match parse(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err((p, n)) => {
            assert_eq!(p.len(), n);
            p.into_iter().map(|p| (p.code, p.at)).collect()
        }
    }
}

#[test]
fn a_bad_backup_is_refused_whole_with_every_problem_named() {
    let check = |text: &str, expected: &[(BackupCode, &str)]| {
        let got = problems(text);
        let want: Vec<(BackupCode, String)> =
            expected.iter().map(|(c, a)| (*c, a.to_string())).collect();
        assert_eq!(got, want, "{text}");
    };
    check("{\"format\":", &[(BackupCode::Json, "line 1 column 10")]);
    check("[]", &[(BackupCode::Format, "file")]);
    check(
        "{\"format\":\"other\",\"schema\":5}",
        &[(BackupCode::Format, "format")],
    );
    check(
        "{\"format\":\"creditdesk-backup\",\"schema\":99}",
        &[(BackupCode::Newer, "schema")],
    );
    check(
        "{\"format\":\"creditdesk-backup\",\"schema\":\"5\"}",
        &[(BackupCode::Schema, "schema")],
    );
    // Every bad record of a good file, each at its place.
    let good = to_json(&run(filled().dump()).unwrap());
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["invoices"][1]["amount"] = serde_json::json!("lots");
    v["customers"][0].as_object_mut().unwrap().remove("name");
    v["attachments"][0][1] = serde_json::json!("not base64!");
    v["tasks"] = serde_json::json!({});
    let got = problems(&v.to_string());
    let codes: Vec<(BackupCode, &str)> = got.iter().map(|(c, a)| (*c, a.as_str())).collect();
    assert_eq!(
        codes,
        vec![
            (BackupCode::Record, "customers[0]"),
            (BackupCode::Record, "invoices[1]"),
            (BackupCode::Section, "tasks"),
            (BackupCode::Base64, "attachments[0] (att-1)"),
        ]
    );
}

#[test]
fn a_backup_of_schema_3_is_migrated_legacy_requests_and_customers_without_limits() {
    let d = generate(&DemoSpec {
        customers: 2,
        ..DemoSpec::demo(Date::parse(AS_OF).unwrap(), DemoLang::En)
    });
    let mut customer: serde_json::Value = serde_json::to_value(&d.customers[0]).unwrap();
    customer.as_object_mut().unwrap().remove("limits");
    customer.as_object_mut().unwrap().remove("grade_override");
    let cid = d.customers[0].id.to_string();
    // A request as schema 3 stored it, before the approval workflow.
    let legacy = serde_json::json!({
        "id": "00000000-0000-0000-0000-000000000007", "meta": customer["meta"], "customer": cid,
        "kind": {"GradeOverride": {"from": "A", "to": "AA", "score": "71.5", "model_version": 1}},
        "reason": "long-standing customer, audited accounts", "requested_by": "Li",
        "requested_on": customer["first_cooperation"], "status": "approved"
    });
    let text = serde_json::json!({
        "format": "creditdesk-backup", "schema": 3,
        "meta": [["lang", "en"]],
        "customers": [customer],
        "invoices": [serde_json::to_value(d.invoices[0]).unwrap()],
        "requests": [["00000000-0000-0000-0000-000000000007", legacy]],
    })
    .to_string();
    let b = match parse(&text) {
        Ok(b) => b,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(b.schema, 3);
    let c: serde_json::Value = serde_json::from_str(&b.dump.customers[0]).unwrap();
    assert!(
        c.get("limits").is_some(),
        "written as the app reads it: {c}"
    );
    let r = creditdesk_domain::request::from_stored(&b.dump.requests[0].1).unwrap();
    assert!(r.legacy, "converted as a closed legacy request");
    assert_eq!(
        serde_json::from_str::<request::Request>(&b.dump.requests[0].1).unwrap(),
        r
    );
    let s = MemStore::new();
    run(s.restore(&b.dump)).unwrap();
    let again = to_json(&run(s.dump()).unwrap());
    assert!(again.starts_with("{\"format\":\"creditdesk-backup\",\"schema\":6"));
    assert_eq!(parse(&again).unwrap().dump, b.dump);
}

#[test]
fn a_merge_adds_what_is_new_keeps_what_is_newer_here_and_keeps_this_audit_trail() {
    let here = run(filled().dump()).unwrap();
    let mut there = here.clone();
    // The backup has one more invoice, an older copy of customer 0 and a newer one of customer 1.
    let mut inv = there.rows.invoices[0];
    inv.id = InvoiceId::from_u128(999);
    there.rows.invoices.push(inv);
    let bump = |json: &str, version: u64| {
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["meta"]["version"] = serde_json::json!(version);
        v["name"] = serde_json::json!(format!("v{version}"));
        v.to_string()
    };
    there.customers[0] = bump(&there.customers[0], 0);
    there.customers[1] = bump(&there.customers[1], 50);
    there.audit.truncate(1);
    let (merged, report) = merge(&here, &there);
    assert_eq!(merged.rows.invoices.len(), here.rows.invoices.len() + 1);
    assert_eq!(report.added.get("invoices"), Some(&1));
    assert_eq!(report.updated.get("customers"), Some(&1));
    assert_eq!(
        merged.customers[0], here.customers[0],
        "the newer copy here stays"
    );
    assert!(merged.customers[1].contains("\"v50\""));
    assert_eq!(merged.audit, here.audit);
    assert!(report.audit_kept);
    // Merging a backup into itself changes nothing.
    let (same, nothing) = merge(&here, &here);
    assert_eq!(to_json(&same), to_json(&here));
    assert!(nothing.added.is_empty() && nothing.updated.is_empty());
}

#[test]
fn a_merge_changes_no_limit_freeze_or_grade_override_without_an_approved_request_behind_it() {
    let here = run(filled().dump()).unwrap();
    let edit = |json: &str, f: &dyn Fn(&mut Customer)| {
        let mut c: Customer = serde_json::from_str(json).unwrap();
        f(&mut c);
        c.meta.version += 10;
        serde_json::to_string(&c).unwrap()
    };
    let mut there = here.clone();
    // An edited file: a limit raised, a freeze lifted, a grade set, and a phone changed.
    there.customers[0] = edit(&there.customers[0], &|c| {
        c.limits.permanent = Money::from_units(9_999_999);
        c.phone = "13800000000".into();
    });
    there.customers[1] = edit(&there.customers[1], &|c| c.limits.frozen = !c.limits.frozen);
    there.customers[2] = edit(&there.customers[2], &|c| {
        c.grade_override = Some(creditdesk_domain::request::GradeOverride {
            grade: Grade::AAA,
            request: RequestId::from_u128(77),
            since: Date::parse(AS_OF).unwrap(),
        })
    });
    let (merged, report) = merge(&here, &there);
    let got = |i: usize| serde_json::from_str::<Customer>(&merged.customers[i]).unwrap();
    let was = |i: usize| serde_json::from_str::<Customer>(&here.customers[i]).unwrap();
    for i in 0..3 {
        assert_eq!(got(i).limits, was(i).limits, "customer {i}");
        assert_eq!(got(i).grade_override, was(i).grade_override, "customer {i}");
    }
    assert_eq!(
        got(0).phone,
        "13800000000",
        "the rest of the record is merged"
    );
    assert_eq!(
        report.controls_refused.len(),
        3,
        "{:?}",
        report.controls_refused
    );
}

#[test]
fn a_merge_refuses_a_limit_change_whose_request_was_never_decided() {
    use creditdesk_domain::approval::State;
    let mut there = run(filled().dump()).unwrap();
    let here = there.clone();
    // The backup claims an approval: the state says so, but no one decided it and no audit
    // entry records it.
    let n = there
        .requests
        .iter()
        .position(|(_, t)| {
            creditdesk_domain::request::from_stored(t)
                .unwrap()
                .kind
                .changes_limits()
        })
        .unwrap();
    let mut r = creditdesk_domain::request::from_stored(&there.requests[n].1).unwrap();
    r.flow.state = State::Approved;
    r.flow.decisions.clear();
    there.requests[n].1 = serde_json::to_string(&r).unwrap();
    let i = there
        .customers
        .iter()
        .position(|t| serde_json::from_str::<Customer>(t).unwrap().id == r.customer)
        .unwrap();
    let mut c: Customer = serde_json::from_str(&there.customers[i]).unwrap();
    c.limits.permanent += Money::from_units(500_000);
    c.meta.version += 1;
    there.customers[i] = serde_json::to_string(&c).unwrap();
    let (merged, report) = merge(&here, &there);
    assert_eq!(report.controls_refused.len(), 1);
    let got: Customer = serde_json::from_str(&merged.customers[i]).unwrap();
    let was: Customer = serde_json::from_str(&here.customers[i]).unwrap();
    assert_eq!(got.limits, was.limits);
}

#[test]
fn a_merge_takes_a_limit_change_whose_approved_request_and_audit_entry_the_backup_carries() {
    use creditdesk_domain::approval::State;
    use creditdesk_domain::approval::{chain, AuditEntry, Event};
    let mut there = run(filled().dump()).unwrap();
    // A request approved on the other device only: here has neither it nor its effect.
    let (n, (_, filed)) = there
        .requests
        .iter()
        .enumerate()
        .find(|(_, (_, t))| {
            creditdesk_domain::request::from_stored(t)
                .unwrap()
                .kind
                .changes_limits()
        })
        .map(|(n, kr)| (n, kr.clone()))
        .expect("the demo has a limit request");
    let mut r = creditdesk_domain::request::from_stored(&filed).unwrap();
    r.flow.state = State::Approved;
    r.flow
        .decisions
        .push(creditdesk_domain::approval::Decision {
            step: 0,
            user: "fm-1".into(),
            role: creditdesk_domain::approval::Role::FinanceManager,
            approve: true,
            comment: String::new(),
            at: 1,
        });
    there.requests[n].1 = serde_json::to_string(&r).unwrap();
    let head: AuditEntry = serde_json::from_str(there.audit.last().unwrap()).unwrap();
    let approval = Event {
        who: "fm-1".into(),
        what: "request.approved".into(),
        subject: format!("request:{}", r.id),
        before: String::new(),
        after: String::new(),
        why: String::new(),
    };
    for e in chain(Some(&head), head.at + 1, vec![approval]) {
        there.audit.push(serde_json::to_string(&e).unwrap());
    }
    let mut here = there.clone();
    here.requests[n].1 = filed.clone();
    here.audit.pop();
    let i = here
        .customers
        .iter()
        .position(|t| serde_json::from_str::<Customer>(t).unwrap().id == r.customer)
        .unwrap();
    let mut older: Customer = serde_json::from_str(&here.customers[i]).unwrap();
    older.limits.permanent += Money::from_units(1);
    older.meta.version -= 1;
    here.customers[i] = serde_json::to_string(&older).unwrap();
    let (merged, report) = merge(&here, &there);
    assert!(
        report.controls_refused.is_empty(),
        "{:?}",
        report.controls_refused
    );
    assert_eq!(merged.customers[i], there.customers[i]);
}

#[test]
fn an_import_appends_chunks_after_the_stored_ones_or_writes_nothing() {
    let s = filled();
    let before = run(s.load()).unwrap();
    let mut extra = Rows::default();
    let mut inv = before.rows.invoices[0];
    for n in 0..25_000u128 {
        inv.id = InvoiceId::from_u128(1_000_000 + n);
        extra.invoices.push(inv);
    }
    // A crash after any of its writes leaves the database as it was.
    let writes = creditdesk_storage::mem::crash_after_every_write(filled, |s| {
        run(s.import(&[], &extra, &[], &[]))
    });
    assert_eq!(writes, 4, "three chunks and the data's new revision");
    run(s.import(&[], &extra, &[], &[])).unwrap();
    let after = run(s.load()).unwrap();
    assert_eq!(
        after.rows.invoices.len(),
        before.rows.invoices.len() + 25_000
    );
    assert_eq!(
        after.chunk_count,
        before.chunk_count + 3,
        "10,000 rows a chunk"
    );
    assert_eq!(
        &after.rows.invoices[..before.rows.invoices.len()],
        &before.rows.invoices[..]
    );
}

#[test]
fn an_empty_database_backs_up_and_restores() {
    let text = to_json(&Dump::default());
    let b = parse(&text).unwrap();
    assert_eq!(b.dump, Dump::default());
    assert!(text.ends_with("\"outbox\":[]\n}\n"));
    assert_eq!(
        backup::canonical("{\"b\":1,\"a\":[2, 3]}"),
        "{\"a\":[2,3],\"b\":1}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn the_backup_reader_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
    }

}

proptest! {
    // Each case reads a whole backup of a small company twice.
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// A real backup (customers, a ledger, requests, an audit trail), one byte changed inside
    /// the file and cut anywhere: read without panicking, and what is read back either is refused
    /// with its problems named or is a backup the writer would write again the same way.
    #[test]
    fn the_backup_reader_never_panics_on_a_mangled_backup(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in prop_oneof![Just(None), any::<prop::sample::Index>().prop_map(Some)],
    ) {
        let mut b = GOOD.with(|g| g.clone()).into_bytes();
        let i = at.index(b.len());
        b[i] = byte;
        if let Some(cut) = cut {
            b.truncate(cut.index(b.len()));
        }
        match parse(&String::from_utf8_lossy(&b)) {
            Ok(read) => {
                let text = to_json(&read.dump);
                let again = parse(&text).expect("what was read is written back readable");
                prop_assert_eq!(to_json(&again.dump), text);
            }
            Err((problems, count)) => prop_assert!(!problems.is_empty() && count >= problems.len()),
        }
    }
}

thread_local! {
    /// A backup of the filled test database, made once.
    static GOOD: String = to_json(&run(filled().dump()).unwrap());
}

#[test]
fn a_backup_read_as_a_stream_is_the_backup_read_whole() {
    let text = to_json(&run(filled().dump()).unwrap());
    let whole = parse(&text).unwrap();
    let streamed = backup::parse_reader(std::io::Cursor::new(text.as_bytes())).unwrap();
    assert_eq!(streamed.schema, whole.schema);
    assert_eq!(streamed.dump, whole.dump);
    assert!(!streamed.dump.rows.invoices.is_empty());
}

/// The section `name` of a backup file as a tree of each record writes it (keys sorted).
fn section_as_trees<T: serde::Serialize>(name: &str, records: &[T]) -> String {
    let lines: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap().to_string())
        .collect();
    format!("\"{name}\":[\n{}\n]", lines.join(",\n"))
}

#[test]
fn a_file_written_a_few_records_at_a_time_is_the_file_written_at_once() {
    let dump = run(filled().dump()).unwrap();
    let whole = to_json(&dump);
    for step in [1, 2, 3, 7, 64, usize::MAX] {
        let mut w = backup::Writer::new(&dump);
        let total = w.records();
        let mut out = Vec::new();
        let mut calls = 0;
        let mut before = 0;
        while !w.write_some(&mut out, step).unwrap() {
            calls += 1;
            assert!(w.written() > before || step == 0, "each call writes");
            assert!(w.written() <= total);
            before = w.written();
        }
        assert_eq!(w.written(), total, "every record is counted");
        assert!(w.write_some(&mut out, step).unwrap(), "done stays done");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            whole,
            "written {step} at a time"
        );
        if step == 1 {
            // The last call writes the last record and the end, and says it is done.
            assert_eq!(calls + 1, total, "one record a call");
        }
    }
}

proptest! {
    /// Invoices and payments (nearly all of a large book's file) are written straight from their
    /// rows, with the keys in the order a tree of each record sorts them: the same file.
    #[test]
    fn the_ledger_records_are_written_as_their_json_trees_write_them(
        numbers in prop::collection::vec("[A-Za-z0-9 /\"\\\\-]{1,6}|[中文票号]{1,4}", 1..6),
        amounts in prop::collection::vec(-5_000_000i64..5_000_000_000, 1..6),
        days in -3_000i32..60_000,
        version in 1u32..5,
        at in -1i64..2_000_000_000_000,
        with_order in any::<bool>(),
    ) {
        let meta = Meta { version, updated_at: Timestamp(at), device: DeviceId::from_u128(at as u128) };
        let date = Date::from_days(days);
        let mut invoices = Vec::new();
        let mut payments = Vec::new();
        for (k, (n, amount)) in numbers.iter().zip(amounts.iter().cycle()).enumerate() {
            let Ok(number) = DocNo::parse(n) else { continue };
            invoices.push(Invoice {
                id: InvoiceId::from_u128(k as u128 + 1),
                meta,
                customer: CustomerId::from_u128(u128::MAX - k as u128),
                order: with_order.then(|| OrderId::from_u128(k as u128 * 7)),
                number,
                issue_date: date,
                due_date: date.add_days(k as i32),
                amount: Money::from_minor(*amount),
            });
            payments.push(Payment {
                id: PaymentId::from_u128(k as u128 + 100),
                meta,
                customer: CustomerId::from_u128(k as u128),
                reference: (k % 2 == 0).then_some(number),
                date,
                amount: Money::from_minor(*amount),
                allocations: (0..k)
                    .map(|j| ledger::Allocation { invoice: InvoiceId::from_u128(j as u128 + 1), amount: Money::from_minor(j as i64 - 1) })
                    .collect(),
            });
        }
        prop_assume!(!invoices.is_empty(), "no number was a document number");
        let dump = Dump {
            rows: Rows { invoices: invoices.clone(), payments: payments.clone(), ..Rows::default() },
            ..Dump::default()
        };
        let file = to_json(&dump);
        prop_assert!(file.contains(&section_as_trees("invoices", &invoices)), "{file}");
        prop_assert!(file.contains(&section_as_trees("payments", &payments)), "{file}");
    }
}

#[test]
fn a_backup_after_a_scorecard_was_published_reads_back_without_the_removed_draft() {
    // Publishing leaves the draft's record empty; the file once wrote it `["draft",]`, and no
    // backup of a device that had published a scorecard could be read.
    let a = filled();
    run(a.put_doc(Docs::Models, "draft", r#"{"factors":[]}"#, None)).unwrap();
    run(a.put_doc(Docs::Models, "draft", "", None)).unwrap();
    let first = to_json(&run(a.dump()).unwrap());
    let parsed = parse(&first).expect("the file reads");
    assert!(
        parsed.dump.models.iter().all(|(k, _)| k != "draft"),
        "{:?}",
        parsed.dump.models
    );
    let b = MemStore::new();
    run(b.restore(&parsed.dump)).unwrap();
    assert_eq!(to_json(&run(b.dump()).unwrap()), first);
    // The writer in slices counts the same records it writes.
    let dump = run(a.dump()).unwrap();
    let mut w = backup::Writer::new(&dump);
    let mut out = Vec::new();
    while !w.write_some(&mut out, 3).unwrap() {}
    assert_eq!(w.written(), w.records());
    assert_eq!(String::from_utf8(out).unwrap(), first);
}

#[test]
fn a_large_record_is_checked_and_written_a_piece_at_a_time_as_the_whole_file_writes_it() {
    use creditdesk_storage::{OutboxEntry, Payload};
    let rows: Vec<String> = (0..30_000).map(|i| format!("row {i}")).collect();
    let entry = |id: &str| OutboxEntry {
        device: "device-A".into(),
        entity: "command".into(),
        id: id.into(),
        payload: Payload::of(&serde_json::json!({ "rows": rows, "kind": "invoices" })),
        updated_at: 1,
        version: 1,
    };
    // An import's command as the app stores it (canonical), and one written otherwise (spaces,
    // keys out of their order): that one is written again canonical.
    let command = creditdesk_storage::canonical::to_string(&entry("c1")).unwrap();
    let foreign = serde_json::to_string_pretty(&entry("c2")).unwrap();
    let foreign_canonical = serde_json::from_str::<serde_json::Value>(&foreign)
        .unwrap()
        .to_string();
    assert!(command.len() >= backup::LARGE && foreign.len() >= backup::LARGE);
    let mut dump = run(filled().dump()).unwrap();
    dump.outbox.extend([command.clone(), foreign]);
    let whole = to_json(&dump);
    assert!(whole.contains(&format!(",\n{command},\n{foreign_canonical}\n]")));
    for step in [1, 2, 7, 64] {
        let mut w = backup::Writer::new(&dump);
        let mut out = Vec::new();
        // How much each call wrote.
        let mut grew = Vec::new();
        loop {
            let before = out.len();
            let done = w.write_some(&mut out, step).unwrap();
            grew.push(out.len() - before);
            if done {
                break;
            }
        }
        assert_eq!(w.written(), w.records());
        assert_eq!(String::from_utf8(out).unwrap(), whole, "{step} at a time");
        if step == 1 {
            // The command is checked a piece a call (all but the last write nothing), then
            // written a piece a call (the foreign record, found not canonical at once, in one).
            let pieces = command.len().div_ceil(backup::PIECE);
            let checking = grew.iter().filter(|&&n| n == 0).count();
            assert_eq!(checking, pieces - 1);
            let large_calls = grew.iter().filter(|&&n| n >= backup::PIECE / 2).count();
            assert!(
                large_calls >= pieces,
                "{large_calls} calls for {pieces} pieces"
            );
            assert!(grew.iter().filter(|&&n| n > backup::PIECE + 2).count() == 1);
        }
    }
    let parsed = parse(&whole).unwrap();
    assert_eq!(
        parsed.dump.outbox[parsed.dump.outbox.len() - 2..],
        [command, foreign_canonical]
    );
    // A large customer and a large audit entry are stored texts too (the writer does not read
    // them as records: they need not be ones here).
    let long = "x".repeat(backup::LARGE);
    dump.customers.insert(0, format!(r#"{{"a":"{long}"}}"#));
    dump.audit.push(format!(r#"{{"b":1, "a":"{long}"}}"#));
    let whole = to_json(&dump);
    assert!(whole.contains(&format!("\"customers\":[\n{{\"a\":\"{long}\"}},\n")));
    assert!(whole.contains(&format!(",\n{{\"a\":\"{long}\",\"b\":1}}\n]")));
    for step in [1, 3] {
        let mut w = backup::Writer::new(&dump);
        let mut out = Vec::new();
        while !w.write_some(&mut out, step).unwrap() {}
        assert_eq!(String::from_utf8(out).unwrap(), whole, "{step} at a time");
    }
}

/// Reads `bytes` a few at a time (`step`), as a file read in parts is.
struct InSteps<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for InSteps<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

#[test]
fn a_file_written_with_a_removed_draft_before_the_fix_reads_as_if_the_draft_were_not_there() {
    let a = filled();
    let good = to_json(&run(a.dump()).unwrap());
    let expected = parse(&good).unwrap();
    // The old writer's record for the removed draft: last, first or the only one of a section.
    let models_end = good
        .find("\n],\n\"requests\"")
        .expect("the models' section ends");
    let models_start = good.find("\"models\":[").unwrap() + "\"models\":[".len();
    let field_defs = good.find("\"field_defs\":[").unwrap() + "\"field_defs\":[".len();
    assert_eq!(
        &good[field_defs..field_defs + 1],
        "]",
        "no field definitions: an empty section"
    );
    let broken = [
        format!(
            "{},\n[\"draft\",]{}",
            &good[..models_end],
            &good[models_end..]
        ),
        format!(
            "{}\n[\"draft\",],{}",
            &good[..models_start],
            &good[models_start..]
        ),
        format!(
            "{}\n[\"draft\",]\n{}",
            &good[..field_defs],
            &good[field_defs..]
        ),
    ];
    for text in &broken {
        assert!(
            serde_json::from_str::<serde_json::Value>(text).is_err(),
            "not JSON as written"
        );
        let read = parse(text).unwrap_or_else(|e| panic!("{:?}\n{text:.300}", e.0));
        assert_eq!(read, expected);
        for step in [1, 2, 3, 7, 11, 12, 13, 4096] {
            let streamed = backup::parse_reader(InSteps {
                bytes: text.as_bytes(),
                step,
            })
            .unwrap_or_else(|e| panic!("step {step}: {:?}", e.0));
            assert_eq!(streamed, expected, "step {step}");
        }
    }
}

/// `text` through a [`backup::Scanner`] in pieces of the given sizes (the last one repeated).
fn scanned(
    text: &[u8],
    pieces: &[usize],
) -> Result<backup::Backup, (Vec<backup::BackupProblem>, usize)> {
    let mut s = backup::Scanner::new();
    let mut rest = text;
    let mut sizes = pieces
        .iter()
        .copied()
        .chain(std::iter::repeat(*pieces.last().unwrap_or(&1)));
    while !rest.is_empty() {
        let n = sizes.next().unwrap().clamp(1, rest.len());
        s.feed(&rest[..n]);
        rest = &rest[n..];
    }
    s.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// A real backup with one byte changed and cut anywhere, read in pieces of any sizes: what
    /// the pieces are changes nothing, a file that is not JSON is refused as such at the line and
    /// column serde_json names, and one that is JSON reads as a tree of it reads.
    #[test]
    fn a_backup_read_in_pieces_of_any_sizes_is_read_as_json_is(
        at in any::<prop::sample::Index>(),
        byte in prop_oneof![any::<u8>(), Just(b','), Just(b']'), Just(b'}'), Just(b'"'), Just(b' ')],
        cut in prop_oneof![Just(None), any::<prop::sample::Index>().prop_map(Some)],
        pieces in prop::collection::vec(1usize..5000, 1..6),
        structural in any::<bool>(),
    ) {
        let mut b = GOOD.with(|g| g.clone()).into_bytes();
        // Half the time a byte of the outline is changed: a bracket, a comma, a colon, a quote
        // or the line break before a list's end.
        let outline: Vec<usize> = (0..b.len())
            .filter(|&i| b"[]{},:\"".contains(&b[i]) || b.get(i + 1) == Some(&b']'))
            .collect();
        let i = if structural { outline[at.index(outline.len())] } else { at.index(b.len()) };
        b[i] = byte;
        if let Some(cut) = cut {
            b.truncate(cut.index(b.len()));
        }
        let whole = parse(&String::from_utf8_lossy(&b));
        let text = String::from_utf8_lossy(&b).into_owned();
        let in_pieces = scanned(text.as_bytes(), &pieces);
        prop_assert_eq!(&in_pieces, &whole);
        match serde_json::from_slice::<serde::de::IgnoredAny>(text.as_bytes()) {
            Ok(_) => {
                if let Err((p, _)) = &whole {
                    prop_assert!(p.iter().all(|p| p.code != BackupCode::Json), "{:?}", p);
                }
                // Read as a tree of the whole file, as before the scanner: the same, problems
                // and all.
                prop_assert_eq!(&whole, &backup::parse_as_tree(&text));
            }
            Err(e) => {
                let (p, _) = whole.as_ref().expect_err("not JSON, refused");
                if text.trim_start().starts_with('{') {
                    prop_assert_eq!(p.len(), 1);
                    prop_assert_eq!(p[0].code, BackupCode::Json);
                    prop_assert_eq!(&p[0].at, &format!("line {} column {}", e.line(), e.column()), "{} / {}", p[0].detail, e);
                } else {
                    prop_assert!(matches!(p[0].code, BackupCode::Json | BackupCode::Format));
                }
            }
        }
    }
}

#[test]
fn a_backup_laid_out_otherwise_reads_the_same_and_its_syntax_errors_are_named_where_they_are() {
    let good = GOOD.with(|g| g.clone());
    let expected = parse(&good).unwrap();
    let tree: serde_json::Value = serde_json::from_str(&good).unwrap();
    // Indented, on one line, and with white space of every kind around every token.
    let pretty = serde_json::to_string_pretty(&tree).unwrap();
    let mut spaced = Vec::new();
    let indent = serde_json::ser::PrettyFormatter::with_indent(b" \t\r");
    serde::Serialize::serialize(
        &tree,
        &mut serde_json::Serializer::with_formatter(&mut spaced, indent),
    )
    .unwrap();
    let spaced = String::from_utf8(spaced).unwrap();
    for text in [pretty.as_str(), &tree.to_string(), &spaced] {
        assert_eq!(parse(text).unwrap(), expected);
        assert_eq!(scanned(text.as_bytes(), &[1]).unwrap(), expected);
    }
    let check = |text: &str, at: &str, what: &str| {
        let (p, n) = parse(text).unwrap_err();
        assert_eq!(
            (n, p[0].code, p[0].at.as_str()),
            (1, BackupCode::Json, at),
            "{text}"
        );
        assert!(p[0].detail.starts_with(what), "{text}: {}", p[0].detail);
        let e = serde_json::from_slice::<serde::de::IgnoredAny>(text.as_bytes()).unwrap_err();
        assert_eq!(
            at,
            format!("line {} column {}", e.line(), e.column()),
            "as serde_json names it"
        );
    };
    check("", "line 1 column 0", "EOF while parsing a value");
    check(
        "{\"format\":",
        "line 1 column 10",
        "EOF while parsing a value",
    );
    check("{\"a\":1,}", "line 1 column 8", "trailing comma");
    check("{\"a\":[1,]}", "line 1 column 9", "trailing comma");
    check("{\"a\":[1 2]}", "line 1 column 9", "expected `,` or `]`");
    check(
        "{\"a\":1 \"b\":2}",
        "line 1 column 8",
        "expected `,` or `}`",
    );
    check("{\"a\" 1}", "line 1 column 6", "expected `:`");
    check("{1:2}", "line 1 column 2", "key must be a string");
    check("{\"a\":1}x", "line 1 column 8", "trailing characters");
    check(
        "{\"a\":\n[{\"b\":\n tru}]}",
        "line 3 column 5",
        "expected ident",
    );
    check(
        "{\"a\":[1,\n{\"b\":\"x}]}",
        "line 2 column 10",
        "EOF while parsing a string",
    );
    check(
        "{\"invoices\":[\n{\"amount\":}]}",
        "line 2 column 11",
        "expected value",
    );
}

#[test]
fn the_chunks_made_one_at_a_time_are_each_kinds_rows_encoded_at_once() {
    use creditdesk_storage::codec::{encode_chunks, CHUNK_ROWS};
    use creditdesk_storage::{chunk_key, chunks_of, Kind};
    let d = generate(&DemoSpec {
        customers: 120,
        ..DemoSpec::demo(Date::parse(AS_OF).unwrap(), DemoLang::Zh)
    });
    let rows = Rows::of(&d);
    assert!(
        rows.invoices.len() > CHUNK_ROWS,
        "more than one chunk of a kind"
    );
    let mut expected = Vec::new();
    for (kind, entries) in [
        (
            Kind::Order,
            rows.orders
                .iter()
                .copied()
                .map(Entry::Order)
                .collect::<Vec<_>>(),
        ),
        (
            Kind::Invoice,
            rows.invoices.iter().copied().map(Entry::Invoice).collect(),
        ),
        (
            Kind::Payment,
            rows.payments.iter().cloned().map(Entry::Payment).collect(),
        ),
        (
            Kind::CreditNote,
            rows.credit_notes
                .iter()
                .copied()
                .map(Entry::CreditNote)
                .collect(),
        ),
        (
            Kind::Correction,
            rows.corrections
                .iter()
                .cloned()
                .map(Entry::Correction)
                .collect(),
        ),
    ] {
        for (seq, bytes) in encode_chunks(&entries).unwrap().into_iter().enumerate() {
            expected.push((chunk_key(kind, seq as u32), bytes));
        }
    }
    assert_eq!(chunks_of(&rows).unwrap(), expected);
}

#[test]
fn an_outbox_record_that_only_a_raw_value_takes_is_refused_as_a_tree_refuses_it() {
    let good = GOOD.with(|g| g.clone());
    let at = good.find("\"payload\":{").expect("an outbox record") + "\"payload\":{".len();
    // A lone surrogate: the command's raw payload lets it through; no JSON tree takes it.
    let text = format!("{}\"zz\":\"\\ud800\",{}", &good[..at], &good[at..]);
    let (p, _) = parse(&text).unwrap_err();
    assert_eq!(p[0].code, BackupCode::Json, "{p:?}");
    assert_eq!(parse(&text), backup::parse_as_tree(&text));
}

/// A backup whose outbox ends with a large record (an import's command as the app stores it:
/// canonical, tens of thousands of rows with numbers, escapes and characters of every width),
/// and that record's place in the file. `rows` of about 150 bytes each.
fn with_a_large_command(rows: i64) -> (String, std::ops::Range<usize>) {
    use creditdesk_storage::{OutboxEntry, Payload};
    let rows: Vec<serde_json::Value> = (0..rows)
        .map(|i| {
            serde_json::json!({
                "amount": i * 137 - 20_000,
                "customer": format!("客户 {i} \"Ω\" 😀\\ \u{1}"),
                "lines": [i, -i, 0, {"n": null, "t": true, "f": false}],
            })
        })
        .collect();
    let entry = OutboxEntry {
        device: "device-A".into(),
        entity: "command".into(),
        id: "c-large".into(),
        payload: Payload::of(
            &serde_json::json!({ "ImportBatch": { "rows": rows, "kind": "invoices" } }),
        ),
        updated_at: 1_790_000_000_000,
        version: 3,
    };
    let command = creditdesk_storage::canonical::to_string(&entry).unwrap();
    assert!(
        command.len() >= 2 * backup::LARGE,
        "{} bytes",
        command.len()
    );
    let mut dump = run(filled().dump()).unwrap();
    dump.outbox.push(command.clone());
    let text = to_json(&dump);
    let at = text.rfind(&command).unwrap();
    (text, at..at + command.len())
}

thread_local! {
    static LARGE_COMMAND: (String, std::ops::Range<usize>) = with_a_large_command(4_000);
}

#[test]
fn a_large_outbox_record_is_checked_a_step_at_a_time_and_taken_as_written() {
    // Megabytes: more than one step of the check.
    let (text, record) = with_a_large_command(12_000);
    assert!(record.len() > 1 << 20);
    let expected = backup::parse_as_tree(&text).unwrap();
    assert_eq!(expected.dump.outbox.last().unwrap(), &text[record.clone()]);
    // Fed in pieces: the check is under way after the record's last byte, and a step at a time
    // takes it on; it ends before the file's last piece is fed, or with the steps after it.
    let mut s = backup::Scanner::of_len(text.len() as u64);
    let mut was_busy = false;
    let mut steps = 0;
    for piece in text.as_bytes().chunks(64 << 10) {
        s.feed(piece);
        was_busy |= s.busy();
    }
    while s.busy() {
        s.step();
        steps += 1;
    }
    assert!(
        was_busy,
        "the record's check was not under way between pieces"
    );
    assert!(steps >= 1, "no step was left after the last piece");
    assert_eq!(s.finish(), Ok(expected.clone()));
    // Read whole (finish takes the rest of the check at once), and in pieces of other sizes.
    assert_eq!(parse(&text), Ok(expected.clone()));
    for pieces in [&[1usize << 20][..], &[7, 4096, 100_000]] {
        assert_eq!(scanned(text.as_bytes(), pieces), Ok(expected.clone()));
    }
    // Changed where the checks must see it: the entry's own fields (a field of the wrong type,
    // one left out), the payload's syntax (a number with a leading zero), its form (a space: JSON
    // still, taken and written again canonical, as a tree writes it).
    let command = &text[record.clone()];
    for (from, to) in [
        ("\"version\":3", "\"version\":\"3\""),
        ("\"entity\":\"command\",", ""),
        ("\"amount\":-20000", "\"amount\":-020000"),
        ("\"amount\":-20000", "\"amount\": -20000"),
        // An escape serde_json writes otherwise (`\n`): JSON, not canonical.
        ("\\u0001", "\\u000a"),
    ] {
        assert!(command.contains(from), "{from}");
        let changed = format!(
            "{}{}{}",
            &text[..record.start],
            command.replacen(from, to, 1),
            &text[record.end..]
        );
        let read = parse(&changed);
        assert_eq!(scanned(changed.as_bytes(), &[65_536]), read, "{to}");
        if serde_json::from_str::<serde::de::IgnoredAny>(&changed).is_ok() {
            assert_eq!(read, backup::parse_as_tree(&changed), "{to}");
        } else {
            assert_eq!(
                read.as_ref().unwrap_err().0[0].code,
                BackupCode::Json,
                "{to}"
            );
        }
        if to.starts_with("\"amount\": ") {
            let read = read.unwrap();
            assert_eq!(
                read.dump.outbox.last().unwrap(),
                command,
                "written again canonical"
            );
        } else if to.contains("u000a") {
            let text = &read.unwrap().dump.outbox.last().cloned().unwrap();
            assert!(
                !text.contains("u000a") && text.len() < command.len(),
                "written again"
            );
        } else if to != "\"amount\":-020000" {
            let (p, _) = read.unwrap_err();
            assert_eq!(p[0].code, BackupCode::Record, "{to}: {p:?}");
            assert!(p[0].at.starts_with("outbox["), "{to}: {p:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The large outbox record with one byte changed (a bracket, a quote, a digit, a byte that is
    /// not UTF-8, a space, an escape, a key's letter), read in pieces: taken or refused as a tree
    /// of the file takes or refuses it, problems and all, and as the whole file read at once.
    /// (No `.` or `e`: a number made a float, such as `1.00` or `1326e8`, is the canonical check's
    /// one blind spot: kept as written, where a tree writes `1.0`; no writer makes one.)
    #[test]
    fn a_large_outbox_record_changed_anywhere_is_read_as_the_tree_reads_it(
        at in any::<prop::sample::Index>(),
        byte in prop_oneof![
            Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b','), Just(b':'),
            Just(b'0'), Just(b'7'), Just(b'-'), Just(0xff), Just(0x80),
            Just(b' '), Just(b'\\'), Just(b'u'), Just(b'a'), Just(b'z'), Just(0x01),
        ],
        pieces in prop::collection::vec(1usize..300_000, 1..4),
    ) {
        let (text, record) = LARGE_COMMAND.with(|l| l.clone());
        let mut b = text.into_bytes();
        let i = record.start + at.index(record.len());
        b[i] = byte;
        let whole = backup::parse_reader(&b[..]);
        prop_assert_eq!(&scanned(&b, &pieces), &whole);
        // What serde_json takes as the file's text, a tree of it reads the same.
        if let Ok(text) = std::str::from_utf8(&b) {
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
                prop_assert_eq!(&whole, &backup::parse_as_tree(text));
            } else {
                let (p, _) = whole.as_ref().expect_err("not JSON, refused");
                prop_assert_eq!(p[0].code, BackupCode::Json);
            }
        } else {
            prop_assert!(whole.is_err(), "a file that is not UTF-8 was taken");
        }
    }
}

#[test]
fn the_alerts_tasks_and_trail_checked_as_they_are_read_are_refused_as_a_tree_refuses_them() {
    let good = GOOD.with(|g| g.clone());
    let mut dump = run(filled().dump()).unwrap();
    dump.alerts
        .push(("a-1".into(), "{\"not\":\"an alert\"}".into()));
    dump.tasks
        .push(("t-1".into(), "{\"not\":\"a task\"}".into()));
    dump.audit.push("{\"not\":\"an entry\"}".into());
    let text = to_json(&dump);
    // A record of the alerts that is not a pair, and a pair of the tasks whose key is no text.
    let text = text.replacen("\"alerts\":[\n", "\"alerts\":[\n{\"k\":1},\n", 1);
    let text = text.replacen("\"tasks\":[\n", "\"tasks\":[\n[1,{}],\n", 1);
    let (p, count) = parse(&text).unwrap_err();
    let at: Vec<&str> = p.iter().map(|p| p.at.as_str()).collect();
    assert_eq!(
        at,
        [
            "alerts[0]",
            &*format!("alerts[{}] (a-1)", dump.alerts.len()),
            "tasks[0]",
            &*format!("tasks[{}] (t-1)", dump.tasks.len()),
            &*format!("audit[{}]", dump.audit.len() - 1),
        ]
    );
    assert_eq!(count, 5);
    assert!(p.iter().all(|p| p.code == BackupCode::Record), "{p:?}");
    assert_eq!(p[0].detail, "not a [key, value] pair");
    assert_eq!(parse(&text), backup::parse_as_tree(&text));
    // Given twice, the last list is the section's, as a tree keeps it.
    let again = good.replacen("\"alerts\":[", "\"alerts\":[{\"k\":1}],\n\"alerts\":[", 1);
    assert_eq!(parse(&again), backup::parse_as_tree(&again));
    assert_eq!(parse(&again), parse(&good));
}

#[test]
fn the_counts_a_file_announces_are_a_hint_that_changes_nothing_read() {
    let good = GOOD.with(|g| g.clone());
    let expected = parse(&good).unwrap();
    let counts_at = good
        .find(",\"counts\":{")
        .expect("the writer writes the counts");
    let counts_end = counts_at + good[counts_at..].find('}').unwrap() + 1;
    let counts = &good[counts_at..counts_end];
    assert!(
        counts.contains(&format!(
            "\"invoices\":{}",
            expected.dump.rows.invoices.len()
        )),
        "{counts}"
    );
    // Wrong, absurd, not numbers, or left out: the same backup.
    for instead in [
        ",\"counts\":{\"invoices\":0,\"payments\":1}",
        ",\"counts\":{\"invoices\":18446744073709551615,\"orders\":99999999999}",
        ",\"counts\":{\"invoices\":\"many\",\"payments\":-1}",
        ",\"counts\":[]",
        "",
    ] {
        let text = format!("{}{instead}{}", &good[..counts_at], &good[counts_end..]);
        assert_eq!(parse(&text), Ok(expected.clone()), "{instead}");
        assert_eq!(parse(&text), backup::parse_as_tree(&text), "{instead}");
    }
}
