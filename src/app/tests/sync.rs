//! A device's side of sync against a server played by a second store and book: what it pushes,
//! what it keeps of the answer, and how a pull replaces its data without losing what it has not
//! pushed yet.

use creditdesk_app::sync::{self, MutationResult, PushReply, Status};
use creditdesk_app::*;
use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::credit::Limits;
use creditdesk_domain::ledger::{InvoiceInput, OrderInput};
use creditdesk_domain::*;
use creditdesk_storage::mem::MemStore;
use creditdesk_storage::{Batch, Store};
use std::cell::RefCell;
mod common;
use common::{block_on, user, Turning};

const TODAY: &str = "2026-06-15";

fn users() -> Vec<User> {
    vec![
        user("rep-1", "Rep One", Role::SalesRep),
        user("rep-2", "Rep Two", Role::SalesRep),
        user("fs", "Finance", Role::FinanceSpecialist),
    ]
}

/// The server: a store and a book with one customer per rep, each with a limit of 100,000.
fn server() -> (MemStore, RefCell<Book>) {
    let store = MemStore::new();
    let as_of = Date::parse(TODAY).unwrap();
    let mut book = Book {
        as_of,
        users: users(),
        ..Book::default()
    };
    for (i, rep) in ["rep-1", "rep-2"].iter().enumerate() {
        let mut c = CustomerInput {
            name: format!("Customer {i}"),
            sales_rep: rep.to_string(),
            region: "East".into(),
            industry: "Steel".into(),
            first_cooperation: "2020-01-15".into(),
            ..CustomerInput::default()
        }
        .validate(
            CustomerId::from_u128(100 + i as u128),
            Meta::new(DeviceId::from_u128(1), Timestamp(0)),
            Default::default(),
            as_of,
        )
        .unwrap();
        c.limits = Limits {
            permanent: Money::from_units(100_000),
            ..Limits::default()
        };
        block_on(store.commit(&Batch::customer(c.clone()))).unwrap();
        book.put_customer(c);
    }
    let mut batch = Batch::default();
    creditdesk_storage::settings::USERS.put(&mut batch, &users());
    block_on(store.commit(&batch)).unwrap();
    // As the server starts: the book read from its store (with the first scorecard version).
    let (book, _) = block_on(load::whole_book(
        &store,
        as_of,
        DeviceId::from_u128(1),
        Vec::new,
    ))
    .unwrap();
    (store, RefCell::new(book))
}

fn order(n: u128, customer: CustomerId, amount: &str) -> Command {
    Command::RecordOrder {
        id: OrderId::from_u128(n),
        customer,
        input: OrderInput {
            number: format!("SO-{n}"),
            date: TODAY.into(),
            amount: amount.into(),
            category: String::new(),
        },
        prepaid: false,
    }
}

fn ctx(actor: &str, id: &str) -> Ctx {
    Ctx {
        actor: users().into_iter().find(|u| u.id == actor).unwrap(),
        device: DeviceId::from_u128(9),
        now: Timestamp(1_781_488_800_000),
        as_of: Date::parse(TODAY).unwrap(),
        command_id: id.into(),
    }
}

/// The device after a first pull as `who`.
fn device(server: &RefCell<Book>, who: &str) -> (MemStore, RefCell<Book>) {
    let store = MemStore::new();
    let me = users().into_iter().find(|u| u.id == who).unwrap();
    let (snapshot, chunks) = server.borrow().snapshot_for(&me, 1).unwrap();
    assert!(block_on(sync::adopt(&store, &snapshot, &chunks))
        .unwrap()
        .is_empty());
    // A device that syncs, as the app notes it at sign-in.
    block_on(sync::mark_served(&store)).unwrap();
    let (book, _) = block_on(load::whole_book(
        &store,
        Date::parse(TODAY).unwrap(),
        DeviceId::from_u128(9),
        Vec::new,
    ))
    .unwrap();
    (store, RefCell::new(book))
}

#[test]
fn a_device_pushes_what_it_did_offline_and_keeps_what_was_refused_to_show() {
    let (s_store, s_book) = server();
    let (d_store, d_book) = device(&s_book, "rep-1");
    assert_eq!(
        d_book.borrow().customers.len(),
        1,
        "a rep's device holds their own customers"
    );
    let customer = d_book.borrow().customers[0].id;
    // Offline: two orders on the device.
    for (n, amount) in [(1, "100"), (2, "200")] {
        block_on(execute(
            &d_store,
            &d_book,
            &ctx("rep-1", &format!("c{n}")),
            order(n, customer, amount),
            vec![],
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let pushed = block_on(sync::pending(&d_store)).unwrap();
    assert_eq!(
        pushed
            .iter()
            .map(|(_, m)| (m.n, m.id.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "c1"), (2, "c2")]
    );
    // The server applies the first and refuses the second.
    let first = pushed[0].1.clone();
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("rep-1", &first.key("dev")),
        first.command,
        vec![],
    ))
    .unwrap();
    let reply = PushReply {
        results: vec![
            MutationResult {
                n: 1,
                status: Status::Applied,
                code: None,
                reason: None,
            },
            MutationResult {
                n: 2,
                status: Status::Refused,
                code: Some("CMD-CREDIT-BLOCKED".into()),
                reason: Some("frozen".into()),
            },
        ],
        cursor: 2,
    };
    assert_eq!(
        block_on(sync::answered(&d_store, &pushed, &reply)).unwrap(),
        1
    );
    assert!(
        block_on(sync::pending(&d_store)).unwrap().is_empty(),
        "both were answered"
    );
    let refused = block_on(sync::REFUSED.read(&d_store)).unwrap().unwrap();
    assert_eq!(
        (
            refused.len(),
            refused[0].id.as_str(),
            refused[0].code.as_str()
        ),
        (1, "c2", "CMD-CREDIT-BLOCKED")
    );
    assert_eq!(
        refused[0].command,
        order(2, customer, "200"),
        "what was refused is kept whole"
    );
}

#[test]
fn a_pull_replaces_the_data_and_what_was_not_pushed_yet_shows_on_top_once() {
    let (s_store, s_book) = server();
    let (d_store, d_book) = device(&s_book, "rep-1");
    let customer = d_book.borrow().customers[0].id;
    block_on(sync::CLIENT.read(&d_store)).unwrap();
    let mut batch = Batch::default();
    sync::CLIENT.put(&mut batch, &"phone".to_string());
    block_on(d_store.commit(&batch)).unwrap();
    // Offline, an order on the device; meanwhile, on the server, finance records another.
    block_on(execute(
        &d_store,
        &d_book,
        &ctx("rep-1", "mine"),
        order(1, customer, "300"),
        vec![],
    ))
    .unwrap();
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("fs", "theirs"),
        order(2, customer, "400"),
        vec![],
    ))
    .unwrap();
    // The pull brings the server's order; the device's own is replayed on top, still pending.
    let (snapshot, chunks) = s_book.borrow().snapshot_for(&users()[0], 7).unwrap();
    let mine = sync::orders_as_pushed(
        &d_book.borrow(),
        &block_on(sync::pending(&d_store)).unwrap(),
    );
    let pending = block_on(sync::adopt(&d_store, &snapshot, &chunks)).unwrap();
    assert_eq!(pending.len(), 1);
    d_book.borrow_mut().user = "rep-1".into();
    let held = block_on(sync::rebase(
        &d_store,
        &d_book,
        Date::parse(TODAY).unwrap(),
        pending,
        &mine,
    ))
    .unwrap();
    assert!(held.is_empty(), "{held:?}");
    assert_eq!(d_book.borrow().user, "rep-1", "the same user");
    let book = d_book;
    let numbers: Vec<String> = book
        .borrow()
        .ledger
        .orders()
        .iter()
        .map(|o| o.number.to_string())
        .collect();
    assert!(
        numbers.contains(&"SO-1".to_string()) && numbers.contains(&"SO-2".to_string()),
        "{numbers:?}"
    );
    let outbox = block_on(d_store.outbox()).unwrap();
    assert_eq!(
        outbox.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        vec!["mine"],
        "one record, still to push"
    );
    // The device's own settings stayed; the cursor moved.
    assert_eq!(
        block_on(sync::CLIENT.read(&d_store)).unwrap().as_deref(),
        Some("phone")
    );
    assert_eq!(block_on(sync::CURSOR.read(&d_store)).unwrap(), Some(7));
    // Reloaded from the store, the device shows the same: nothing lived only in memory.
    let (again, _) = block_on(load::whole_book(
        &d_store,
        Date::parse(TODAY).unwrap(),
        DeviceId::from_u128(9),
        Vec::new,
    ))
    .unwrap();
    assert_eq!(again.ledger.orders().len(), 2);
}

#[test]
fn a_pull_adopted_onto_a_book_in_memory_is_a_write_under_way_until_the_book_is_read_again() {
    let (s_store, s_book) = server();
    let (d_store, d_book) = device(&s_book, "rep-1");
    d_book.borrow_mut().user = "rep-1".into();
    let customer = d_book.borrow().customers[0].id;
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("fs", "theirs"),
        order(2, customer, "400"),
        vec![],
    ))
    .unwrap();
    let (snapshot, chunks) = s_book.borrow().snapshot_for(&users()[0], 7).unwrap();
    let before = d_book.borrow().mark();
    // What work that takes turns (the figures kept for the next start) sees in the adoption's
    // turns: (writes under way, the same book as before, its orders).
    let seen = RefCell::new(Vec::new());
    let store = Turning::every(&d_store, |_| {
        let b = d_book.borrow();
        seen.borrow_mut()
            .push((b.writing, b.mark() == before, b.ledger.orders().len()));
    });
    let as_of = Date::parse(TODAY).unwrap();
    let held = block_on(sync::adopt_onto(
        &store,
        &d_book,
        as_of,
        &snapshot,
        &chunks,
        &[],
    ))
    .unwrap();
    assert!(held.is_empty(), "{held:?}");
    // Between the store's write and the book read again: the old book, a write under way.
    assert_eq!(*seen.borrow(), vec![(1, true, 0)]);
    let b = d_book.borrow();
    assert_eq!(
        (b.writing, b.ledger.orders().len()),
        (0, 1),
        "then the pulled order"
    );
    assert_ne!(
        b.mark(),
        before,
        "in another book, which nothing before it speaks for"
    );
    let (stored, _) = block_on(load::whole_book(
        &d_store,
        as_of,
        DeviceId::from_u128(9),
        Vec::new,
    ))
    .unwrap();
    assert_eq!(stored.ledger.orders().len(), 1, "as the store holds");
}

#[test]
fn a_book_read_again_after_a_pull_keeps_counting_the_writes_under_way() {
    let (_, s_book) = server();
    let (d_store, d_book) = device(&s_book, "rep-1");
    let made = d_book.borrow().made;
    d_book.borrow_mut().writing = 2;
    let as_of = Date::parse(TODAY).unwrap();
    block_on(sync::rebase(&d_store, &d_book, as_of, Vec::new(), &[])).unwrap();
    let b = d_book.borrow();
    assert_ne!(b.made, made, "another book");
    assert_eq!(b.writing, 2, "the writes begun on the one before end on it");
}

#[test]
fn a_pull_fetches_only_the_ledger_chunks_the_device_does_not_hold_and_refuses_a_damaged_one() {
    let (s_store, s_book) = server();
    let fs = users().into_iter().find(|u| u.id == "fs").unwrap();
    // An order and an invoice: the ledger travels as two chunks, one per kind.
    let c = s_book.borrow().customers[0].id;
    let run = |id: &str, cmd: Command| {
        block_on(execute(&s_store, &s_book, &ctx("fs", id), cmd, Vec::new())).unwrap();
    };
    run("o-1", order(71, c, "10.00"));
    run(
        "i-1",
        Command::RecordInvoice {
            id: InvoiceId::from_u128(72),
            customer: c,
            input: InvoiceInput {
                number: "INV-72".into(),
                issue_date: TODAY.into(),
                term_days: "30".into(),
                amount: "20.00".into(),
                order: None,
            },
        },
    );
    let (first, chunks) = s_book.borrow().snapshot_for(&fs, 1).unwrap();
    assert_eq!(first.ledger.len(), 2);
    // A new device holds nothing: every chunk is fetched.
    let (have, fetch) = sync::to_fetch(&first, Vec::new());
    assert!(have.is_empty());
    assert_eq!(fetch, first.ledger);
    // One order later, the device that holds the first pull's chunks fetches only what changed.
    run("o-2", order(77, c, "10.00"));
    let (next, next_chunks) = s_book.borrow().snapshot_for(&fs, 2).unwrap();
    let (have, fetch) = sync::to_fetch(&next, chunks.clone());
    assert_eq!(
        fetch.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        [next.ledger[0].key.as_str()],
        "the orders' chunk only"
    );
    let mut all = have;
    for r in &fetch {
        let bytes = next_chunks
            .iter()
            .find(|(k, _)| *k == r.key)
            .unwrap()
            .1
            .clone();
        all.insert(r.key.clone(), bytes);
    }
    let got = next.chunks_from(all).unwrap();
    assert_eq!(got, next_chunks, "the same ledger as fetching it whole");
    assert!(next
        .rows(&got)
        .unwrap()
        .orders
        .iter()
        .any(|o| o.number.as_str() == "SO-77"));
    // A chunk whose bytes do not match the snapshot is refused, and so is a missing one.
    let mut damaged: std::collections::HashMap<String, Vec<u8>> =
        next_chunks.iter().cloned().collect();
    let key = next.ledger[0].key.clone();
    damaged.get_mut(&key).unwrap()[0] ^= 1;
    let e = next.chunks_from(damaged).unwrap_err().to_string();
    assert!(e.contains(&key) && e.contains("SHA-256"), "{e}");
    let mut short: std::collections::HashMap<String, Vec<u8>> =
        next_chunks.iter().cloned().collect();
    short.remove(&key);
    assert!(next
        .chunks_from(short)
        .unwrap_err()
        .to_string()
        .contains("not fetched"));
}

/// What the device holds, as its sync takes it: from its book and the audit entries its last
/// pull brought.
fn held_of(store: &MemStore, book: &RefCell<Book>) -> sync::Held {
    let base = block_on(sync::AUDIT_BASE.read(store)).unwrap().unwrap_or(0);
    book.borrow().held(base)
}

fn digest_of(store: &MemStore, book: &RefCell<Book>) -> sync::Digest {
    held_of(store, book).digest()
}

/// A device's book read again from its store.
fn reloaded(store: &MemStore) -> RefCell<Book> {
    let (book, _) = block_on(load::whole_book(
        store,
        Date::parse(TODAY).unwrap(),
        DeviceId::from_u128(9),
        Vec::new,
    ))
    .unwrap();
    RefCell::new(book)
}

fn temporary_increase(id: u128, customer: CustomerId) -> Command {
    Command::FileRequest {
        id: RequestId::from_u128(id),
        customer,
        kind: creditdesk_domain::request::RequestKind::TemporaryLimit {
            amount: Money::from_units(150_000),
            start: Date::parse(TODAY).unwrap(),
            end: Date::parse("2026-12-31").unwrap(),
        },
        reason: "Year-end stocking order".into(),
        attachments: vec![],
    }
}

#[test]
fn a_device_that_holds_what_the_server_has_gets_an_empty_patch() {
    let (_, s_book) = server();
    let fs = &users()[2];
    let (d_store, d_book) = device(&s_book, "fs");
    let (snapshot, _) = s_book.borrow().snapshot_for(fs, 2).unwrap();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    assert!(patch.is_empty(), "{patch:?}");
    assert_eq!(patch.ledger, snapshot.ledger, "the chunk list always comes");
    // A device still starting reads the same from its store.
    let stored = block_on(sync::held_in(&d_store, Date::parse(TODAY).unwrap())).unwrap();
    assert!(snapshot.patch(&stored.digest()).is_empty());
}

#[test]
fn a_patch_carries_only_the_customers_that_changed_and_the_device_ends_as_the_server() {
    let (s_store, s_book) = server();
    let fs = &users()[2];
    let (d_store, d_book) = device(&s_book, "fs");
    let ours = CustomerId::from_u128(100);
    // On the server: rep-1 files a request on their customer (a part and audit entries), and
    // finance takes an order on the other (the ledger only).
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("rep-1", "r1"),
        temporary_increase(1, ours),
        vec![],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("fs", "o1"),
        order(5, CustomerId::from_u128(101), "100"),
        vec![],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let (snapshot, chunks) = s_book.borrow().snapshot_for(fs, 3).unwrap();
    let held = d_book.borrow().audit.len();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    assert_eq!(
        patch
            .parts
            .iter()
            .map(|p| (p.customer.id, p.requests.len()))
            .collect::<Vec<_>>(),
        vec![(ours, 1)],
        "only the customer with the request"
    );
    assert!(patch.config.is_none() && patch.gone.is_empty());
    assert_eq!(
        patch.audit_from as usize, held,
        "the audit entries after the device's"
    );
    assert_eq!(patch.audit.len(), snapshot.audit.len() - held);
    assert!(!patch.audit.is_empty());
    // Onto the device's book, the patch is the server's snapshot; adopted, nothing differs.
    let whole = patch.onto(held_of(&d_store, &d_book));
    assert_eq!(whole.held().digest(), snapshot.held().digest());
    assert_eq!(
        serde_json::to_value(&whole.audit).unwrap(),
        serde_json::to_value(&snapshot.audit).unwrap()
    );
    block_on(sync::adopt(&d_store, &whole, &chunks)).unwrap();
    let d_book = reloaded(&d_store);
    assert!(snapshot.patch(&digest_of(&d_store, &d_book)).is_empty());
    assert_eq!(d_book.borrow().ledger.orders().len(), 1);
    assert_eq!(d_book.borrow().requests.len(), 1);
}

#[test]
fn what_the_device_did_that_the_server_has_not_comes_back_as_the_server_has_it() {
    let (_, s_book) = server();
    let rep = &users()[0];
    let (d_store, d_book) = device(&s_book, "rep-1");
    let ours = CustomerId::from_u128(100);
    // Offline, the rep files a request (a pending command: its request and audit entries are
    // the device's own until the server has them).
    block_on(execute(
        &d_store,
        &d_book,
        &ctx("rep-1", "r1"),
        temporary_increase(1, ours),
        vec![],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let (snapshot, chunks) = s_book.borrow().snapshot_for(rep, 2).unwrap();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    assert_eq!(
        patch
            .parts
            .iter()
            .map(|p| (p.customer.id, p.requests.len()))
            .collect::<Vec<_>>(),
        vec![(ours, 0)],
        "the server's version, without the request it has not seen"
    );
    assert!(
        d_book.borrow().audit.len() > snapshot.audit.len(),
        "the device's trail has its own entries"
    );
    let whole = patch.onto(held_of(&d_store, &d_book));
    assert_eq!(whole.held().digest(), snapshot.held().digest());
    assert_eq!(
        whole.audit.iter().map(|e| &e.hash).collect::<Vec<_>>(),
        snapshot.audit.iter().map(|e| &e.hash).collect::<Vec<_>>(),
        "the device's own entries give way to the server's"
    );
    // Adopted, the pending command is replayed on top and shows again, still to push.
    let pending = block_on(sync::adopt(&d_store, &whole, &chunks)).unwrap();
    assert_eq!(pending.len(), 1);
    let d_book = reloaded(&d_store);
    assert!(d_book.borrow().requests.is_empty());
    block_on(sync::replay(
        &d_store,
        &d_book,
        rep,
        DeviceId::from_u128(9),
        pending,
    ));
    assert_eq!(d_book.borrow().requests.len(), 1);
    assert_eq!(block_on(sync::pending(&d_store)).unwrap().len(), 1);
}

#[test]
fn a_customer_given_to_another_rep_leaves_the_device_and_a_new_one_arrives() {
    let (_, s_book) = server();
    let rep = &users()[0];
    let (d_store, d_book) = device(&s_book, "rep-1");
    // On the server, the customers swap reps; the directory changes too.
    {
        let mut b = s_book.borrow_mut();
        for i in 0..2 {
            let mut c = b.customers[i].clone();
            c.sales_rep = if c.sales_rep == "rep-1" {
                "rep-2"
            } else {
                "rep-1"
            }
            .into();
            b.put_customer(c);
        }
        b.users[1].name = "Rep Two (North)".into();
    }
    let (snapshot, _) = s_book.borrow().snapshot_for(rep, 2).unwrap();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    assert_eq!(patch.gone, vec![CustomerId::from_u128(100)]);
    assert_eq!(
        patch
            .parts
            .iter()
            .map(|p| p.customer.id)
            .collect::<Vec<_>>(),
        vec![CustomerId::from_u128(101)]
    );
    assert!(patch.config.is_some(), "the directory changed");
    let whole = patch.onto(held_of(&d_store, &d_book));
    assert_eq!(whole.held().digest(), snapshot.held().digest());
}

#[test]
fn custom_fields_defined_on_the_server_reach_the_device_with_the_values_customers_hold() {
    use creditdesk_domain::fields::{FieldDef, FieldKind, FieldSet, Section};
    let (_, s_book) = server();
    let rep = &users()[0];
    let (d_store, d_book) = device(&s_book, "rep-1");
    let set = FieldSet {
        access: Vec::new(),
        version: 1,
        fields: vec![FieldDef {
            section: Section::Profile,
            order: 1,
            ..FieldDef::new(
                "disputed_balance",
                "争议余额",
                "Disputed balance",
                FieldKind::Money,
            )
        }],
    };
    {
        let mut b = s_book.borrow_mut();
        b.fields = set.clone();
        let mut c = b.customer(CustomerId::from_u128(100)).unwrap().clone();
        c.custom.insert("disputed_balance".into(), "8000.00".into());
        b.put_customer(c);
    }
    let (snapshot, chunks) = s_book.borrow().snapshot_for(rep, 2).unwrap();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    assert_eq!(patch.config.as_ref().map(|c| &c.fields), Some(&set));
    let whole = patch.onto(held_of(&d_store, &d_book));
    block_on(sync::adopt(&d_store, &whole, &chunks)).unwrap();
    let d_book = reloaded(&d_store);
    let b = d_book.borrow();
    assert_eq!(b.fields, set, "stored on the device and read back at start");
    assert_eq!(
        b.customer(CustomerId::from_u128(100)).unwrap().custom["disputed_balance"],
        "8000.00"
    );
    assert!(snapshot.patch(&digest_of(&d_store, &d_book)).is_empty());
}

#[test]
fn a_field_hidden_from_sales_reps_never_reaches_a_reps_device_and_the_digests_still_agree() {
    use creditdesk_domain::access::{Access, Grant};
    use creditdesk_domain::approval::Role;
    use creditdesk_domain::fields::{FieldDef, FieldKind, FieldSet};
    let (s_store, s_book) = server();
    let ours = CustomerId::from_u128(100);
    {
        let mut b = s_book.borrow_mut();
        b.fields = FieldSet {
            version: 1,
            fields: vec![FieldDef::new(
                "disputed_balance",
                "争议余额",
                "Disputed balance",
                FieldKind::Money,
            )],
            access: ["custom.disputed_balance", "phone", "email"]
                .map(|f| Grant {
                    field: f.into(),
                    role: Role::SalesRep,
                    access: Access::Hidden,
                })
                .to_vec(),
        };
        let mut c = b.customer(ours).unwrap().clone();
        c.custom.insert("disputed_balance".into(), "8000.00".into());
        c.phone = "13800000000".into();
        c.email = "ap@ours.example".into();
        // A reminder e-mailed to the customer: the contact log names the address.
        c.contacts.push(creditdesk_domain::contact::Contact {
            id: "reminder:1".into(),
            on: Date::parse(TODAY).unwrap(),
            at: 0,
            by: "system".into(),
            channel: creditdesk_domain::contact::Channel::Email,
            with: "ap@ours.example".into(),
            note: "Payment reminder".into(),
        });
        b.put_customer(c);
    }
    // The rep's device, from its first pull: no copy of either value in its store.
    let (d_store, d_book) = device(&s_book, "rep-1");
    let stored = block_on(d_store.load_customers()).unwrap();
    let held = stored.iter().find(|c| c.id == ours).unwrap();
    assert_eq!(held.custom.get("disputed_balance"), None);
    assert_eq!(
        held.sealed, None,
        "no model reads what is hidden: no sealed part"
    );
    assert_eq!(held.phone, "");
    assert_eq!(held.email, "");
    assert_eq!(
        held.contacts[0].with, "",
        "nor the address a reminder went to"
    );
    let bytes = serde_json::to_string(&stored).unwrap();
    assert!(
        !bytes.contains("13800000000")
            && !bytes.contains("ap@ours.example")
            && !bytes.contains("8000.00")
    );
    // Finance's device holds both.
    let (fs_store, _) = device(&s_book, "fs");
    let all = block_on(fs_store.load_customers()).unwrap();
    let c = all.iter().find(|c| c.id == ours).unwrap();
    assert_eq!(
        (c.custom["disputed_balance"].as_str(), c.phone.as_str()),
        ("8000.00", "13800000000")
    );
    // The device's digest agrees with what the server would send it: nothing to patch.
    let rep = &users()[0];
    let (snapshot, _) = s_book.borrow().snapshot_for(rep, 2).unwrap();
    assert!(snapshot.patch(&digest_of(&d_store, &d_book)).is_empty());
    // The rep edits the customer on the device's copy, as the app does (the device runs the
    // command first, then pushes it): the server keeps the hidden values.
    let mut form = creditdesk_domain::CustomerInput::from_customer(held);
    form.contact_person = "Li Lei".into();
    block_on(execute(
        &d_store,
        &d_book,
        &ctx("rep-1", "e1"),
        Command::SaveCustomer {
            id: ours,
            create: false,
            input: form.clone(),
            why: String::new(),
        },
        vec![],
    ))
    .unwrap_or_else(|e| panic!("on the device: {e}"));
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("rep-1", "e1"),
        Command::SaveCustomer {
            id: ours,
            create: false,
            input: form,
            why: String::new(),
        },
        vec![],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let c = s_book.borrow().customer(ours).unwrap().clone();
    assert_eq!(c.contact_person, "Li Lei");
    assert_eq!(
        (c.custom["disputed_balance"].as_str(), c.phone.as_str()),
        ("8000.00", "13800000000")
    );
    let (snapshot, chunks) = s_book.borrow().snapshot_for(rep, 3).unwrap();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    // The device made the same change: nothing of it comes back, and anything that did would
    // be the stripped customer.
    assert!(patch.parts.iter().all(
        |p| p.customer.phone.is_empty() && !p.customer.custom.contains_key("disputed_balance")
    ));
    let whole = patch.onto(held_of(&d_store, &d_book));
    block_on(sync::adopt(&d_store, &whole, &chunks)).unwrap();
    let d_book = reloaded(&d_store);
    assert!(snapshot.patch(&digest_of(&d_store, &d_book)).is_empty());
    assert_eq!(
        d_book.borrow().customer(ours).unwrap().contact_person,
        "Li Lei"
    );
}

#[test]
fn the_external_profile_hidden_from_reps_never_reaches_a_reps_device_which_still_grades_as_the_server_does(
) {
    use creditdesk_domain::access::{Access, Grant, FIXED};
    use creditdesk_domain::approval::Role;
    use creditdesk_domain::fields::FieldSet;
    let (s_store, s_book) = server();
    let ours = CustomerId::from_u128(100);
    {
        let mut b = s_book.borrow_mut();
        b.fields = FieldSet {
            version: 1,
            fields: Vec::new(),
            access: FIXED[FIXED.len() - 8..]
                .iter()
                .map(|f| Grant {
                    field: f.to_string(),
                    role: Role::SalesRep,
                    access: Access::Hidden,
                })
                .collect(),
        };
        let mut c = b.customer(ours).unwrap().clone();
        c.profile.registered_capital = Some(Money::from_units(8_765_432));
        c.profile.founded = Some(Date::parse("2001-03-09").unwrap());
        c.profile.litigation_count = Some(3);
        c.profile.litigation_open_amount = Some(Money::from_units(4_321));
        c.profile.industry_position = Some(IndustryPosition::Leader);
        c.profile.report_score = Some(77);
        c.profile.report_date = Some(Date::parse("2026-05-02").unwrap());
        b.put_customer(c);
        b.compute_metrics();
        b.rescore();
        // A rule on the litigation count.
        use creditdesk_domain::monitor::{Actions, Metric, Op, Rule, Severity};
        b.rules.rules.push(Rule {
            code: "W9001".into(),
            name: "Litigation on record".into(),
            severity: Severity::Warning,
            enabled: true,
            metric: Metric::LitigationCount,
            op: Op::Ge,
            threshold: 1,
            grades: Vec::new(),
            regions: Vec::new(),
            reps: Vec::new(),
            actions: Actions {
                alert_roles: vec![Role::FinanceSpecialist],
                alert_rep: true,
                notice: false,
                hold: false,
                task: false,
                review: false,
            },
            auto_release: false,
            field: String::new(),
        });
    }
    // The server's run raises its alert.
    block_on(creditdesk_app::monitoring::run_rules(
        &s_store, &s_book, 0, None,
    ))
    .unwrap();
    assert!(s_book
        .borrow()
        .monitor
        .alerts
        .iter()
        .any(|a| a.rule == "W9001" && a.value == 3));
    let truth = s_book.borrow().rated[&ours];
    // The rep's device, from its first pull: no value of the profile in its store...
    let (d_store, d_book) = device(&s_book, "rep-1");
    let stored = block_on(d_store.load_customers()).unwrap();
    let held = stored.iter().find(|c| c.id == ours).unwrap();
    assert_eq!(held.profile, ExternalProfile::default());
    let bytes = serde_json::to_string(&stored).unwrap();
    for secret in ["8765432", "2001-03-09", "4321", "leader", "2026-05-02"] {
        assert!(!bytes.contains(secret), "{secret} reached the device");
    }
    // ...yet it grades the customer as the server does from every input, which it could not
    // without the sealed part.
    let b = d_book.borrow();
    assert!(held.sealed.is_some());
    assert_eq!(b.rated[&ours], truth);
    assert_ne!(b.model.prepare().rate(&b.metrics[&ours]), truth);
    let s = b.explain(ours).unwrap();
    assert_eq!((s.score, s.grade), (truth.score, truth.grade));
    assert_eq!(s.parts.iter().filter(|p| p.hidden).count(), 7);
    drop(b);
    // Finance's device holds the profile and no sealed part.
    let (fs_store, _) = device(&s_book, "fs");
    let c = block_on(fs_store.load_customers())
        .unwrap()
        .into_iter()
        .find(|c| c.id == ours)
        .unwrap();
    assert_eq!(c.profile.report_score, Some(77));
    assert_eq!(c.sealed, None);
    // The alert reaches both: finance's with the count, the rep's saying it is hidden.
    let (rep_alerts, fs_alerts) = (
        block_on(creditdesk_app::monitoring::load(&d_store))
            .unwrap()
            .1
            .alerts,
        block_on(creditdesk_app::monitoring::load(&fs_store))
            .unwrap()
            .1
            .alerts,
    );
    let litigation = |alerts: &[creditdesk_domain::monitor::Alert]| {
        alerts.iter().find(|a| a.rule == "W9001").cloned().unwrap()
    };
    let (fs_alert, rep_alert) = (litigation(&fs_alerts), litigation(&rep_alerts));
    assert_eq!((fs_alert.value, fs_alert.redacted), (3, false));
    assert_eq!((rep_alert.value, rep_alert.redacted), (0, true));
    let said = creditdesk_domain::monitor::alert_sentence(false, &rep_alert);
    assert!(said.contains("hidden from you (the rule: ≥ 1)"), "{said}");
    // The rep's device runs the rules itself: the one on the count it does not hold is left to
    // the server, neither cleared nor raised again.
    d_book.borrow_mut().user = "rep-1".into();
    block_on(creditdesk_app::monitoring::run_rules(
        &d_store, &d_book, 1, None,
    ))
    .unwrap();
    let kept = litigation(&d_book.borrow().monitor.alerts);
    assert_eq!(kept.cleared_on, None);
    assert_eq!(
        d_book
            .borrow()
            .monitor
            .alerts
            .iter()
            .filter(|a| a.rule == "W9001")
            .count(),
        1
    );
    // The digests agree: nothing to patch.
    let rep = &users()[0];
    let (snapshot, _) = s_book.borrow().snapshot_for(rep, 2).unwrap();
    assert!(snapshot.patch(&digest_of(&d_store, &d_book)).is_empty());
    // The rep edits the customer on the device: the grade holds there, and the server keeps the
    // profile it never sent.
    let mut form = creditdesk_domain::CustomerInput::from_customer(held);
    form.contact_person = "Li Lei".into();
    let save = Command::SaveCustomer {
        id: ours,
        create: false,
        input: form,
        why: String::new(),
    };
    block_on(execute(
        &d_store,
        &d_book,
        &ctx("rep-1", "e1"),
        save.clone(),
        vec![],
    ))
    .unwrap_or_else(|e| panic!("on the device: {e}"));
    assert_eq!(d_book.borrow().rated[&ours], truth);
    assert_eq!(
        reloaded(&d_store).borrow().rated[&ours],
        truth,
        "after a restart"
    );
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("rep-1", "e1"),
        save,
        vec![],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let c = s_book.borrow().customer(ours).unwrap().clone();
    assert_eq!(
        (c.contact_person.as_str(), c.profile.report_score, c.sealed),
        ("Li Lei", Some(77), None)
    );
    assert_eq!(s_book.borrow().rated[&ours], truth);
}

#[test]
fn a_device_whose_trail_parted_from_the_server_s_takes_the_whole_trail_again() {
    let (s_store, s_book) = server();
    let fs = &users()[2];
    block_on(execute(
        &s_store,
        &s_book,
        &ctx("rep-1", "r1"),
        temporary_increase(1, CustomerId::from_u128(100)),
        vec![],
    ))
    .unwrap();
    let (snapshot, _) = s_book.borrow().snapshot_for(fs, 2).unwrap();
    let mut digest = snapshot.held().digest();
    assert!(snapshot.patch(&digest).audit.is_empty());
    digest.audit_head = Some("0".repeat(64));
    let patch = snapshot.patch(&digest);
    assert_eq!(
        (patch.audit_from, patch.audit.len()),
        (0, snapshot.audit.len())
    );
    digest.audit_base = snapshot.audit.len() as u64 + 5;
    assert_eq!(
        snapshot.patch(&digest).audit_from,
        0,
        "a trail longer than the server's"
    );
}

#[test]
fn pending_commands_go_in_pushes_the_server_takes_in_order() {
    let m = |n: u64, file_chars: usize| {
        (
            creditdesk_storage::OutboxEntry {
                entity: "command".into(),
                id: format!("c{n}"),
                version: 1,
                updated_at: 0,
                device: String::new(),
                payload: creditdesk_storage::Payload::null(),
            },
            sync::Mutation {
                id: format!("c{n}"),
                n,
                command: Command::ExpireDue,
                files: if file_chars > 0 {
                    vec![("f".into(), "A".repeat(file_chars))]
                } else {
                    vec![]
                },
            },
        )
    };
    let shape = |pending: Vec<_>| -> Vec<Vec<u64>> {
        sync::pushes(pending)
            .iter()
            .map(|p| p.iter().map(|(_, m)| m.n).collect())
            .collect()
    };
    let big = sync::PUSH_FILE_CHARS / 2 + 1;
    assert_eq!(shape(vec![]), Vec::<Vec<u64>>::new());
    assert_eq!(shape(vec![m(1, 0), m(2, 10), m(3, 0)]), vec![vec![1, 2, 3]]);
    // Two large files do not fit in one push; a file over the limit goes alone.
    assert_eq!(
        shape(vec![m(1, big), m(2, big), m(3, 0)]),
        vec![vec![1], vec![2, 3]]
    );
    assert_eq!(
        shape(vec![m(1, 0), m(2, sync::PUSH_FILE_CHARS * 2), m(3, 0)]),
        vec![vec![1], vec![2], vec![3]]
    );
    let many: Vec<_> = (1..=sync::PUSH_COMMANDS as u64 + 1)
        .map(|n| m(n, 0))
        .collect();
    assert_eq!(
        shape(many).iter().map(Vec::len).collect::<Vec<_>>(),
        vec![sync::PUSH_COMMANDS, 1]
    );
}

#[test]
fn another_user_signs_in_only_once_the_last_ones_commands_are_pushed_and_a_refusal_is_taken_once() {
    let (_, s_book) = server();
    let (d_store, d_book) = device(&s_book, "rep-1");
    let session = sync::Session {
        user: users()[0].clone(),
        expires_at: 1_000,
    };
    block_on(sync::keep_session(&d_store, &session)).unwrap();
    assert!(session.holds_at(999) && !session.holds_at(1_000));
    assert_eq!(
        block_on(creditdesk_storage::settings::USER.read(&d_store))
            .unwrap()
            .as_deref(),
        Some("rep-1")
    );
    assert!(!block_on(sync::other_user_pending(&d_store, "rep-2")).unwrap());
    // rep-1 takes an order offline: rep-2 may not sign in here until it is pushed.
    let customer = d_book.borrow().customers[0].id;
    block_on(execute(
        &d_store,
        &d_book,
        &ctx("rep-1", "c1"),
        order(1, customer, "100"),
        vec![],
    ))
    .unwrap();
    assert!(block_on(sync::other_user_pending(&d_store, "rep-2")).unwrap());
    assert!(!block_on(sync::other_user_pending(&d_store, "rep-1")).unwrap());
    // A refused command is taken off the list once.
    let refused = sync::Refused {
        id: "c9".into(),
        at: 0,
        command: order(9, customer, "1"),
        code: "CMD-CREDIT-BLOCKED".into(),
        reason: "frozen".into(),
    };
    let mut b = Batch::default();
    sync::REFUSED.put(&mut b, &vec![refused.clone()]);
    block_on(d_store.commit(&b)).unwrap();
    let (taken, left) = block_on(sync::take_refused(&d_store, "c9"))
        .unwrap()
        .unwrap();
    assert_eq!((taken, left.len()), (refused, 0));
    assert!(block_on(sync::take_refused(&d_store, "c9"))
        .unwrap()
        .is_none());
    assert_eq!(
        block_on(sync::REFUSED.read(&d_store)).unwrap(),
        Some(vec![])
    );
}

#[test]
fn a_synced_device_numbers_its_documents_in_a_series_of_its_own() {
    let tag = sync::series_tag("7f3a91c2-0b4e-4d7a-9c1e-2f0a5b6c7d8e");
    assert_eq!(tag, "7F3A");
    assert_eq!(sync::series("SO", Some(&tag)), "SO-7F3A");
    assert_eq!(sync::series("INV", None), "INV");
    let (_, s_book) = server();
    assert_eq!(
        s_book
            .borrow()
            .next_order_number(&sync::series("SO", Some(&tag)), 2026),
        "SO-7F3A-2026-0000001"
    );
}

#[test]
fn a_devices_sync_bookkeeping_is_kept_once_and_its_session_forgotten_on_sign_out() {
    let store = MemStore::new();
    let a = block_on(sync::client_id(&store, || "first".into())).unwrap();
    let b = block_on(sync::client_id(&store, || "second".into())).unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("first", "first"), "made once");
    block_on(sync::mark_served(&store)).unwrap();
    assert_eq!(block_on(sync::SERVER.read(&store)).unwrap(), Some(true));
    block_on(sync::mark_synced(&store, 42)).unwrap();
    assert_eq!(block_on(sync::LAST_SYNC.read(&store)).unwrap(), Some(42));
    let session = sync::Session {
        user: users()[0].clone(),
        expires_at: 1_000,
    };
    block_on(sync::keep_session(&store, &session)).unwrap();
    block_on(sync::forget_session(&store)).unwrap();
    assert_eq!(block_on(sync::SESSION.read(&store)).unwrap(), None);
    block_on(sync::keep_attachment(&store, "f1", b"scan")).unwrap();
    assert_eq!(
        block_on(store.attachment("f1")).unwrap().as_deref(),
        Some(&b"scan"[..])
    );
    assert!(
        block_on(store.outbox()).unwrap().is_empty(),
        "nothing to push"
    );
}

#[test]
fn a_void_made_on_the_server_reaches_a_device_and_reads_there_as_on_the_server() {
    let (s_store, s_book) = server();
    let fs = &users()[2];
    let ours = CustomerId::from_u128(100);
    let run = |actor: &str, id: &str, cmd: Command| {
        block_on(execute(&s_store, &s_book, &ctx(actor, id), cmd, vec![]))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    run(
        "fs",
        "i1",
        Command::RecordInvoice {
            id: InvoiceId::from_u128(7),
            customer: ours,
            input: creditdesk_domain::ledger::InvoiceInput {
                number: "INV-7".into(),
                issue_date: "2026-01-05".into(),
                term_days: "30".into(),
                amount: "9000".into(),
                order: None,
            },
        },
    );
    run(
        "fs",
        "p1",
        Command::RecordPayment {
            id: PaymentId::from_u128(8),
            customer: ours,
            input: creditdesk_domain::ledger::PaymentInput {
                reference: String::new(),
                date: TODAY.into(),
                amount: "9000".into(),
                invoice: None,
            },
        },
    );
    let (d_store, d_book) = device(&s_book, "fs");
    assert_eq!(d_book.borrow().summary(ours).overdue, Money::ZERO);
    run(
        "fs",
        "v1",
        Command::Correct {
            id: CorrectionId::from_u128(9),
            customer: ours,
            fix: Fix::VoidPayment {
                payment: PaymentId::from_u128(8),
            },
            reason: "wrong customer".into(),
        },
    );
    let (snapshot, chunks) = s_book.borrow().snapshot_for(fs, 5).unwrap();
    let patch = snapshot.patch(&digest_of(&d_store, &d_book));
    let whole = patch.onto(held_of(&d_store, &d_book));
    block_on(sync::adopt(&d_store, &whole, &chunks)).unwrap();
    let d_book = reloaded(&d_store);
    let (d, s) = (d_book.borrow(), s_book.borrow());
    assert_eq!(d.ledger.corrections(), s.ledger.corrections());
    assert_eq!(d.summary(ours), s.summary(ours));
    assert_eq!(d.summary(ours).overdue, Money::from_units(9000));
}

#[test]
fn limits_hidden_from_reps_never_reach_a_reps_device_whose_orders_the_server_then_checks() {
    use creditdesk_domain::access::{Access, Grant};
    use creditdesk_domain::credit::{Outcome, Reason};
    use creditdesk_domain::fields::FieldSet;
    use creditdesk_domain::request::RequestKind;
    let (s_store, s_book) = server();
    let ours = CustomerId::from_u128(100);
    s_book.borrow_mut().fields = FieldSet {
        version: 1,
        access: vec![Grant {
            field: "limits".into(),
            role: Role::SalesRep,
            access: Access::Hidden,
        }],
        ..FieldSet::default()
    };
    let run = |store: &MemStore, book: &RefCell<Book>, who: &str, id: &str, cmd: Command| {
        block_on(execute(store, book, &ctx(who, id), cmd, vec![]))
    };
    // On the server: an order takes the customer to 95% of its 100,000; the rules raise the
    // utilisation alert; finance asks for a temporary 150,000 and the rep for a permanent
    // 130,000.
    run(&s_store, &s_book, "fs", "s1", order(1, ours, "95000")).unwrap();
    block_on(creditdesk_app::monitoring::run_rules(
        &s_store,
        &s_book,
        1_781_488_800_000,
        None,
    ))
    .unwrap();
    let util = |b: &Book| {
        b.monitor
            .alerts
            .iter()
            .find(|a| {
                a.customer == ours && a.metric == creditdesk_domain::monitor::Metric::Utilisation
            })
            .cloned()
    };
    assert_eq!(util(&s_book.borrow()).map(|a| a.value), Some(9_500));
    let file = |who: &str, n: u128, kind: RequestKind| {
        run(
            &s_store,
            &s_book,
            who,
            &format!("r{n}"),
            Command::FileRequest {
                id: RequestId::from_u128(n),
                customer: ours,
                kind,
                reason: "Larger orders expected this season".into(),
                attachments: vec![],
            },
        )
        .unwrap_or_else(|e| panic!("{who}: {e}"));
    };
    file(
        "fs",
        501,
        RequestKind::TemporaryLimit {
            amount: Money::from_units(150_000),
            start: Date::parse(TODAY).unwrap(),
            end: Date::parse("2026-07-15").unwrap(),
        },
    );
    file(
        "rep-1",
        502,
        RequestKind::PermanentChange {
            before: Money::ZERO,
            after: Money::from_units(130_000),
            expires: None,
            review: None,
        },
    );
    // The rep's device: no amount of a limit in its store, and no figure made from one.
    let (d_store, d_book) = device(&s_book, "rep-1");
    let stored = block_on(d_store.load_customers()).unwrap();
    let held = stored.iter().find(|c| c.id == ours).unwrap();
    assert!(held.limits.hidden);
    assert_eq!(held.limits.permanent, Money::ZERO);
    // As a whole number of fen, the value of a field: 100,000 in force, 150,000 asked by finance.
    let everything = format!("{:?}", block_on(d_store.dump()).unwrap()).replace('\\', "");
    for fen in ["10000000", "15000000"] {
        for end in [',', '}', ']'] {
            let token = format!(":{fen}{end}");
            assert!(!everything.contains(&token), "{token} is on the device");
        }
    }
    assert!(!everything.contains("100,000"));
    let rep = users()[0].clone();
    // The device's digest agrees with what the server would send it: nothing to patch.
    let (snapshot, _) = s_book.borrow().snapshot_for(&rep, 4).unwrap();
    assert!(snapshot.patch(&digest_of(&d_store, &d_book)).is_empty());
    let card = d_book.borrow().credit_card(&rep, ours).unwrap();
    assert_eq!(
        (card.limit_hidden, card.utilisation_bp, card.available),
        (true, None, Money::ZERO)
    );
    // The requests: finance's proposal and the limit in force are hidden; the rep's own proposal
    // is not.
    let requests = d_book.borrow().requests.clone();
    let kind = |n: u128| {
        let r = requests
            .iter()
            .find(|r| r.id == RequestId::from_u128(n))
            .unwrap();
        assert!(r.limits_hidden);
        r.kind.clone()
    };
    assert!(matches!(kind(501), RequestKind::TemporaryLimit { amount, .. } if amount.is_zero()));
    assert!(
        matches!(kind(502), RequestKind::PermanentChange { before, after, .. }
        if before.is_zero() && after == Money::from_units(130_000))
    );
    // The utilisation alert reaches the rep without its value, and the device's own run of the
    // rules (which cannot tell the utilisation) leaves it open.
    // Signed in as the rep (the app sets who is signed in).
    d_book.borrow_mut().user = "rep-1".into();
    let a = util(&d_book.borrow()).expect("the alert reached the device");
    assert!(a.redacted && a.value == 0, "{a:?}");
    block_on(creditdesk_app::monitoring::run_rules(
        &d_store,
        &d_book,
        1_781_488_900_000,
        None,
    ))
    .unwrap();
    let a = util(&d_book.borrow()).expect("still there");
    assert_eq!(
        a.cleared_on, None,
        "the device cannot tell it cleared: {a:?}"
    );
    // An order of 20,000 (to 115%): the device cannot check the limit and takes it, saying the
    // server will; the server, running the same command, holds it.
    let fx = run(&d_store, &d_book, "rep-1", "o2", order(2, ours, "20000")).unwrap();
    assert_eq!(fx.outcome, Some(Outcome::Warn));
    let check = d_book
        .borrow()
        .check_order_as(&rep, ours, Money::from_units(20_000), false)
        .unwrap();
    assert_eq!(check.reasons, vec![Reason::LimitUnchecked]);
    let mine = vec![(
        OrderId::from_u128(2),
        d_book
            .borrow()
            .ledger
            .order(OrderId::from_u128(2))
            .unwrap()
            .status,
    )];
    let on_server = run(&s_store, &s_book, "rep-1", "o2", order(2, ours, "20000")).unwrap();
    assert_eq!(on_server.outcome, Some(Outcome::Block));
    let (snapshot, chunks) = s_book.borrow().snapshot_for(&rep, 5).unwrap();
    block_on(sync::adopt(&d_store, &snapshot, &chunks)).unwrap();
    let d_book = reloaded(&d_store);
    assert_eq!(
        sync::held_by_server(&d_book.borrow(), &mine),
        vec!["SO-2".to_string()],
        "the rep hears the server held it"
    );
    // Credit is not reserved by one who cannot see what is available, on the device or the
    // server; nor is a request decided.
    let reserve = Command::ReserveCredit {
        id: "res-1".into(),
        customer: ours,
        amount: Money::from_units(1_000),
        until: Date::parse("2026-06-20").unwrap(),
    };
    for (store, book) in [(&d_store, &d_book), (&s_store, &s_book)] {
        let e = run(store, book, "rep-1", "res", reserve.clone()).unwrap_err();
        assert!(e.to_string().contains("limits are hidden"), "{e}");
    }
    // A refusal by the credit check names no figure of the limit to the rep: shipping the first
    // order, with the held one counted, would take the customer 15,000 over its limit.
    s_book.borrow_mut().policy.exposure_includes_held_orders = true;
    let ship = Command::MoveOrder {
        order: OrderId::from_u128(1),
        to: creditdesk_app::OrderMove::Ship,
    };
    let to_rep = run(&s_store, &s_book, "rep-1", "m1", ship.clone())
        .unwrap_err()
        .to_string();
    assert!(
        to_rep.contains("HiddenLimit")
            && !to_rep.contains("OverLimit")
            && !to_rep.contains("1500000"),
        "{to_rep}"
    );
    let to_finance = run(&s_store, &s_book, "fs", "m2", ship)
        .unwrap_err()
        .to_string();
    assert!(to_finance.contains("OverLimit"), "{to_finance}");
    // Nor a temporary limit asked for (it must be above the limit in force).
    let temporary = Command::FileRequest {
        id: RequestId::from_u128(503),
        customer: ours,
        kind: RequestKind::TemporaryLimit {
            amount: Money::from_units(101_000),
            start: Date::parse(TODAY).unwrap(),
            end: Date::parse("2026-07-15").unwrap(),
        },
        reason: "Season".into(),
        attachments: vec![],
    };
    let e = run(&s_store, &s_book, "rep-1", "t", temporary).unwrap_err();
    assert!(
        e.to_string().contains("limits are hidden") || e.to_string().contains("hidden from you"),
        "{e}"
    );
    // Finance sees it all (and the search above finds a limit where one is).
    let (fs_store, _) = device(&s_book, "fs");
    let theirs = format!("{:?}", block_on(fs_store.dump()).unwrap()).replace('\\', "");
    assert!(theirs.contains(":10000000,") && theirs.contains(":15000000"));
    let all = block_on(fs_store.load_customers()).unwrap();
    let c = all.iter().find(|c| c.id == ours).unwrap();
    assert_eq!(
        (c.limits.hidden, c.limits.permanent),
        (false, Money::from_units(100_000))
    );
}
