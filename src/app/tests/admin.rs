//! The administrator's operations on the whole data set, against the in-memory store: who may,
//! and that the trail stays verifiable across them.

use creditdesk_app::admin::{replace, restore, AUDIT_ARCHIVE};
use creditdesk_domain::approval::{chain, verify, AuditEntry, Event, Role, User};
use creditdesk_storage::backup::{parse, to_json};
use creditdesk_storage::mem::MemStore;
use creditdesk_storage::{Batch, Rows, Store};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory store never waits"),
    }
}

fn user(id: &str, role: Role) -> User {
    User {
        id: id.into(),
        name: id.into(),
        roles: vec![role],
        region: String::new(),
    }
}

/// A store whose trail has `n` entries.
fn with_trail(n: usize, who: &str) -> MemStore {
    let s = MemStore::new();
    let events = (0..n)
        .map(|i| Event {
            who: who.into(),
            what: "test.entry".into(),
            subject: format!("thing:{i}"),
            before: String::new(),
            after: String::new(),
            why: String::new(),
        })
        .collect();
    block_on(s.commit(&Batch {
        audit: chain(None, 1_000, events),
        ..Batch::default()
    }))
    .unwrap();
    s
}

fn archived(s: &MemStore) -> Vec<Vec<AuditEntry>> {
    s.data
        .borrow()
        .meta
        .iter()
        .filter(|(k, _)| k.starts_with(AUDIT_ARCHIVE))
        .map(|(_, v)| serde_json::from_str(v).unwrap())
        .collect()
}

#[test]
fn a_restore_is_audited_after_the_backups_trail_and_keeps_the_trail_it_replaces() {
    let there = with_trail(3, "them");
    let file = to_json(&block_on(there.dump()).unwrap());
    let backup = parse(&file).unwrap();
    let here = with_trail(5, "us");
    let admin = user("admin", Role::Admin);
    block_on(restore(
        &here,
        &admin,
        9_000,
        backup.clone(),
        false,
        "b.json",
        "abc123",
    ))
    .unwrap();
    let trail = block_on(here.load_audit()).unwrap();
    assert_eq!(trail.len(), 4);
    assert!(verify(&trail).is_ok());
    let last = trail.last().unwrap();
    assert_eq!(
        (last.what.as_str(), last.who.as_str(), last.why.as_str()),
        ("data.restored", "admin", "b.json (sha-256 abc123)")
    );
    let kept = archived(&here);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].len(), 5);
    assert!(
        verify(&kept[0]).is_ok(),
        "the replaced trail still verifies"
    );
    assert!(last.after.contains(&kept[0][4].hash));
}

#[test]
fn only_an_administrator_restores_or_replaces_and_a_refusal_changes_nothing() {
    let there = with_trail(1, "them");
    let backup = parse(&to_json(&block_on(there.dump()).unwrap())).unwrap();
    for role in [Role::Cfo, Role::FinanceManager, Role::SalesRep] {
        let here = with_trail(2, "us");
        let before = format!("{:?}", here.data.borrow());
        let who = user("x", role);
        let r = block_on(restore(
            &here,
            &who,
            9_000,
            backup.clone(),
            false,
            "b.json",
            "0",
        ));
        assert_eq!(r.unwrap_err().code().as_str(), "CMD-NOT-PERMITTED");
        let r = block_on(replace(&here, &who, 9_000, &[], &Rows::default()));
        assert_eq!(r.unwrap_err().code().as_str(), "CMD-NOT-PERMITTED");
        assert_eq!(format!("{:?}", here.data.borrow()), before, "{role:?}");
    }
    // On a device that syncs with a server, not even an administrator replaces the data there.
    let here = with_trail(2, "us");
    let mut b = creditdesk_storage::Batch::default();
    creditdesk_app::sync::SERVER.put(&mut b, &true);
    block_on(creditdesk_storage::Store::commit(&here, &b)).unwrap();
    let before = format!("{:?}", here.data.borrow());
    let admin = user("admin", Role::Admin);
    let r = block_on(restore(
        &here,
        &admin,
        9_000,
        backup.clone(),
        false,
        "b.json",
        "0",
    ));
    assert_eq!(r.unwrap_err().code().as_str(), "CMD-NOT-PERMITTED");
    let r = block_on(replace(&here, &admin, 9_000, &[], &Rows::default()));
    assert_eq!(r.unwrap_err().code().as_str(), "CMD-NOT-PERMITTED");
    assert_eq!(format!("{:?}", here.data.borrow()), before);
}

#[test]
fn an_empty_start_keeps_the_old_trail_and_begins_the_new_one_with_the_replacement() {
    let here = with_trail(4, "us");
    block_on(replace(
        &here,
        &user("admin", Role::Admin),
        9_000,
        &[],
        &Rows::default(),
    ))
    .unwrap();
    let trail = block_on(here.load_audit()).unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].what, "data.replaced");
    assert!(verify(&trail).is_ok());
    let kept = archived(&here);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].len(), 4);
    assert!(verify(&kept[0]).is_ok());
}

#[test]
fn a_backup_holds_every_customer_so_only_a_role_that_sees_them_all_takes_one() {
    use creditdesk_app::admin::backup;
    let here = with_trail(2, "us");
    let code = |role| {
        block_on(backup(&here, &user("x", role)))
            .err()
            .map(|e| e.code().as_str())
    };
    assert_eq!(code(Role::SalesRep), Some("CMD-NOT-PERMITTED"));
    assert_eq!(code(Role::FinanceSpecialist), None);
    assert!(parse(&block_on(backup(&here, &user("x", Role::Cfo))).unwrap()).is_ok());
}

#[test]
fn a_backup_from_a_synced_device_restores_its_data_not_that_devices_sync_state() {
    let there = with_trail(2, "them");
    let mut b = creditdesk_storage::Batch::default();
    creditdesk_app::sync::SERVER.put(&mut b, &true);
    creditdesk_app::sync::CURSOR.put(&mut b, &41);
    creditdesk_app::sync::CLIENT.put(&mut b, &"phone".to_string());
    block_on(creditdesk_storage::Store::commit(&there, &b)).unwrap();
    let backup = parse(&to_json(&block_on(there.dump()).unwrap())).unwrap();
    let here = with_trail(1, "us");
    let admin = user("admin", Role::Admin);
    block_on(restore(
        &here,
        &admin,
        9_000,
        backup.clone(),
        false,
        "b.json",
        "0",
    ))
    .unwrap();
    assert_eq!(
        block_on(creditdesk_app::sync::SERVER.read(&here)).unwrap(),
        None
    );
    assert_eq!(
        block_on(creditdesk_app::sync::CURSOR.read(&here)).unwrap(),
        None
    );
    assert_eq!(
        block_on(creditdesk_app::sync::CLIENT.read(&here)).unwrap(),
        None
    );
    // The data came: the backup's trail and the restore after it.
    assert_eq!(block_on(here.load_audit()).unwrap().len(), 3);
    // And it may be restored again: nothing made this store a synced device.
    block_on(restore(
        &here,
        &admin,
        9_500,
        backup.clone(),
        false,
        "b.json",
        "0",
    ))
    .unwrap();
}

#[test]
fn a_first_start_writes_the_demo_once_and_asks_for_its_requests() {
    use creditdesk_app::admin::{first_start, started, write_dataset, DEMO_REQUESTS};
    use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
    let store = MemStore::new();
    assert!(block_on(first_start(&store)).unwrap());
    let as_of = creditdesk_domain::Date::parse("2026-06-15").unwrap();
    block_on(write_dataset(
        &store,
        generate(&DemoSpec::demo(as_of, DemoLang::En)),
        true,
    ))
    .unwrap();
    assert_eq!(
        block_on(store.setting(DEMO_REQUESTS)).unwrap().as_deref(),
        Some("pending")
    );
    assert!(
        !block_on(first_start(&store)).unwrap(),
        "it has customers now"
    );
    block_on(started(&store)).unwrap();
    // Emptied later, it is still not a first start: nothing comes back by itself.
    block_on(write_dataset(&store, Default::default(), false)).unwrap();
    assert_eq!(block_on(store.stats()).unwrap().customers, 0);
    assert!(!block_on(first_start(&store)).unwrap());
    // A new synced device is never a first start, and leaves expiring to the server.
    let synced = MemStore::new();
    assert!(block_on(creditdesk_app::admin::expires_here(&synced)).unwrap());
    let mut b = creditdesk_storage::Batch::default();
    creditdesk_app::sync::SERVER.put(&mut b, &true);
    block_on(creditdesk_storage::Store::commit(&synced, &b)).unwrap();
    assert!(!block_on(first_start(&synced)).unwrap());
    assert!(!block_on(creditdesk_app::admin::expires_here(&synced)).unwrap());
}

#[test]
fn the_demos_user_switch_takes_only_users_of_the_directory_and_never_on_a_synced_device() {
    use creditdesk_app::admin::switch_user;
    let store = MemStore::new();
    let book = std::cell::RefCell::new(creditdesk_app::Book {
        users: vec![
            user("admin", Role::Admin),
            user("fs", Role::FinanceSpecialist),
        ],
        user: "admin".into(),
        ..Default::default()
    });
    block_on(switch_user(&store, &book, "fs")).unwrap();
    assert_eq!(book.borrow().user, "fs");
    assert_eq!(
        block_on(creditdesk_storage::settings::USER.read(&store))
            .unwrap()
            .as_deref(),
        Some("fs")
    );
    let r = block_on(switch_user(&store, &book, "nobody"));
    assert_eq!(r.unwrap_err().code().as_str(), "CMD-UNKNOWN");
    let mut b = creditdesk_storage::Batch::default();
    creditdesk_app::sync::SERVER.put(&mut b, &true);
    block_on(creditdesk_storage::Store::commit(&store, &b)).unwrap();
    let r = block_on(switch_user(&store, &book, "admin"));
    assert_eq!(r.unwrap_err().code().as_str(), "CMD-NOT-PERMITTED");
    assert_eq!(book.borrow().user, "fs", "still who they were");
}

#[test]
fn starting_again_is_audited_and_a_trail_verifies_until_someone_edits_it() {
    use creditdesk_app::admin::{start_again, verify_trail, DEMO_REQUESTS};
    use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
    let here = with_trail(3, "us");
    assert_eq!(block_on(verify_trail(&here)).unwrap(), Ok(3));
    let admin = user("admin", Role::Admin);
    let as_of = creditdesk_domain::Date::parse("2026-06-15").unwrap();
    block_on(start_again(
        &here,
        &admin,
        9_000,
        Some(generate(&DemoSpec::demo(as_of, DemoLang::En))),
    ))
    .unwrap();
    assert!(block_on(here.stats()).unwrap().customers > 0);
    assert_eq!(
        block_on(here.setting(DEMO_REQUESTS)).unwrap().as_deref(),
        Some("pending")
    );
    // Started again empty: the new trail begins with the replacement and verifies.
    block_on(start_again(&here, &admin, 9_500, None)).unwrap();
    assert_eq!(block_on(here.stats()).unwrap().customers, 0);
    let n = block_on(verify_trail(&here)).unwrap().unwrap();
    assert!(n >= 1);
    // A sales rep may not.
    let r = block_on(start_again(&here, &user("x", Role::SalesRep), 9_900, None));
    assert_eq!(r.unwrap_err().code().as_str(), "CMD-NOT-PERMITTED");
}

#[test]
fn a_merge_keeps_what_is_here_adds_what_the_backup_has_and_is_audited_after_this_trail() {
    use creditdesk_domain::demo::{generate, DemoLang, DemoSpec};
    use creditdesk_domain::Date;
    let as_of = Date::parse("2026-11-28").unwrap();
    let d = generate(&DemoSpec {
        customers: 6,
        ..DemoSpec::demo(as_of, DemoLang::En)
    });
    // Here: the first four customers and a trail of three entries. There: all six.
    let here = with_trail(3, "us");
    block_on(here.replace_all(&d.customers[..4], &Rows::default())).unwrap();
    let there = MemStore::new();
    block_on(there.replace_all(&d.customers, &Rows::default())).unwrap();
    let backup = parse(&to_json(&block_on(there.dump()).unwrap())).unwrap();
    // replace_all cleared the trail here: write it again.
    let here_trail = block_on(here.load_audit()).unwrap();
    let admin = user("admin", Role::Admin);
    let report = block_on(restore(
        &here,
        &admin,
        9_000,
        backup.clone(),
        true,
        "them.json",
        "beef",
    ))
    .unwrap()
    .expect("a merge reports what it did");
    assert_eq!(report.added.get("customers"), Some(&2), "{report:?}");
    // The two new customers come without an approved request for their limits: those are not
    // taken from a file.
    let refused: Vec<&str> = report
        .controls_refused
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    let new_ids: Vec<String> = d.customers[4..].iter().map(|c| c.id.to_string()).collect();
    assert_eq!(refused.len(), 2);
    assert!(
        new_ids.iter().all(|id| refused.contains(&id.as_str())),
        "{refused:?}"
    );
    let customers = block_on(here.load_customers()).unwrap();
    assert_eq!(customers.len(), 6);
    // This trail goes on, with the merge after it.
    let trail = block_on(here.load_audit()).unwrap();
    assert!(verify(&trail).is_ok());
    assert_eq!(trail.len(), here_trail.len() + 1);
    assert_eq!(&trail[..here_trail.len()], &here_trail[..]);
    let last = trail.last().unwrap();
    assert_eq!(
        (last.what.as_str(), last.who.as_str(), last.why.as_str()),
        ("data.merged", "admin", "them.json (sha-256 beef)")
    );
    // Nothing was archived: a merge replaces no trail.
    assert!(archived(&here).is_empty());
}

/// The demo's first start, as a newcomer sees it: a company on a normal day, not an emergency.
#[test]
fn the_demos_first_start_looks_like_a_company_not_an_emergency() {
    use creditdesk_domain::demo::{generate, users, DemoLang, DemoSpec};
    use creditdesk_domain::{Date, DeviceId};
    use std::collections::HashSet;
    for (lang, day) in [(DemoLang::Zh, "2026-06-15"), (DemoLang::En, "2026-12-02")] {
        let as_of = Date::parse(day).unwrap();
        let data = generate(&DemoSpec::demo(as_of, lang));
        let names: HashSet<&str> = data.customers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names.len(),
            data.customers.len(),
            "no two customers share a name"
        );
        let store = MemStore::new();
        block_on(creditdesk_app::admin::write_dataset(&store, data, true)).unwrap();
        let (book, _) = block_on(creditdesk_app::load::whole_book(
            &store,
            as_of,
            DeviceId::from_u128(1),
            move || users(lang),
        ))
        .unwrap();
        let n = book.customers.len() as u32;
        let (mut near, mut over, mut overdue) = (0u32, 0u32, 0u32);
        for c in &book.customers {
            let s = book.summary(c.id);
            let (_, _, bp) = creditdesk_app::reports::utilisation(&book, c, s.open_ar, as_of);
            near += u32::from(bp.is_some_and(|b| b > 9_000));
            over += u32::from(bp.is_some_and(|b| b > 10_000));
            overdue += u32::from(s.overdue.is_positive());
        }
        let pct = |k: u32| k * 100 / n;
        assert!(
            (4..=10).contains(&pct(near)),
            "above 90% of the limit: {near} of {n}"
        );
        assert!(over <= n / 20, "over the limit: a few, not {over}");
        assert!(
            (5..=20).contains(&pct(overdue)),
            "with something overdue: {overdue} of {n}"
        );
        let book = std::cell::RefCell::new(book);
        let (_, alerts) = block_on(creditdesk_app::monitoring::run_rules(
            &store,
            &book,
            // Noon of the day, in milliseconds.
            as_of.days_since(Date::parse("1970-01-01").unwrap()) as i64 * 86_400_000 + 43_200_000,
            None,
        ))
        .unwrap();
        assert!(
            (10..100).contains(&alerts.len()),
            "tens of alerts, not hundreds: {}",
            alerts.len()
        );
    }
}

#[test]
fn a_book_written_in_parts_holds_the_whole_book_in_full_chunks() {
    use creditdesk_app::admin::{write_dataset, write_in_parts};
    use creditdesk_domain::date::Date;
    use creditdesk_domain::demo::{generate, DemoSpec};
    use creditdesk_storage::codec::{peek, CHUNK_ROWS};
    // About 13,000 invoices and payments: more than a chunk of each.
    let spec = DemoSpec {
        customers: 130,
        ..DemoSpec::large(Date::parse("2026-11-28").unwrap())
    };
    let whole = MemStore::new();
    block_on(write_dataset(&whole, generate(&spec), false)).unwrap();
    let parts = MemStore::new();
    // Something stored before is replaced.
    block_on(write_dataset(
        &parts,
        generate(&DemoSpec {
            customers: 3,
            seed: 7,
            ..spec.clone()
        }),
        false,
    ))
    .unwrap();
    let mut pauses = 0;
    block_on(write_in_parts(&parts, &spec, 50, || {
        pauses += 1;
        async {}
    }))
    .unwrap();
    assert_eq!(pauses, 3);

    let sorted = |s: &MemStore| {
        let mut c = block_on(s.load_customers()).unwrap();
        c.sort_by_key(|c| c.id);
        let mut r = block_on(s.load_ledger()).unwrap().decode().unwrap();
        r.orders.sort_by_key(|o| o.id);
        r.invoices.sort_by_key(|i| i.id);
        r.payments.sort_by_key(|p| p.id);
        r.credit_notes.sort_by_key(|c| c.id);
        (c, r)
    };
    let (a, b) = (sorted(&whole), sorted(&parts));
    assert!(a.1.invoices.len() > CHUNK_ROWS && a.1.payments.len() > CHUNK_ROWS);
    assert_eq!(b.0.len(), 130);
    assert!(a.0 == b.0, "the same customers");
    assert!(a.1 == b.1, "the same rows");
    // Every chunk is full but each kind's last.
    let chunks = &parts.data.borrow().chunks;
    let mut by_kind: std::collections::BTreeMap<u8, Vec<(u32, usize)>> = Default::default();
    for (key, bytes) in chunks.iter() {
        let (kind, seq) = key.split_once(':').unwrap();
        let (_, count) = peek(bytes).unwrap();
        by_kind
            .entry(kind.parse().unwrap())
            .or_default()
            .push((seq.parse().unwrap(), count as usize));
    }
    for (kind, mut list) in by_kind {
        list.sort();
        let (last, full) = list.split_last().unwrap();
        assert!(
            full.iter().all(|&(_, n)| n == CHUNK_ROWS),
            "kind {kind}: {list:?}"
        );
        assert!(last.1 <= CHUNK_ROWS);
    }
}
