//! The command layer against the in-memory store: who may run each command on whose customer,
//! the side doors it closes, and that a command writes its effects, audit entries and outbox
//! record together or not at all.

use creditdesk_app::*;
use creditdesk_domain::approval::{verify, Role, Routes, State, User};
use creditdesk_domain::credit::{self, Limits, Outcome};
use creditdesk_domain::ledger::Invoice;
use creditdesk_domain::ledger::{InvoiceInput, OrderInput, PaymentInput};
use creditdesk_domain::request::RequestKind;
use creditdesk_domain::*;
use creditdesk_storage::mem::MemStore;
use creditdesk_storage::{Batch, Store};
use serde::Deserialize as _;
use std::cell::RefCell;
mod common;
use common::{block_on, user, Turning};

const TODAY: &str = "2026-11-30";
fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn users() -> Vec<User> {
    vec![
        user("rep-1", "Rep One", Role::SalesRep),
        user("rep-2", "Rep Two", Role::SalesRep),
        user("sm", "Sales Manager", Role::SalesManager),
        user("fs", "Finance Specialist", Role::FinanceSpecialist),
        user("fm", "Finance Manager", Role::FinanceManager),
        user("cfo", "Chief Financial Officer", Role::Cfo),
        user("gm", "General Manager", Role::GeneralManager),
        user("admin", "Admin", Role::Admin),
    ]
}

fn who(id: &str) -> User {
    users().into_iter().find(|u| u.id == id).unwrap()
}

fn input(name: &str, rep: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        sales_rep: rep.into(),
        region: "East".into(),
        industry: "Steel".into(),
        first_cooperation: "2020-01-15".into(),
        ..CustomerInput::default()
    }
}

/// A test world: a store, a book, and two customers, one per sales rep, each with a permanent
/// limit of 100,000.
struct World {
    store: MemStore,
    book: RefCell<Book>,
    ours: CustomerId,
    theirs: CustomerId,
    seq: std::cell::Cell<u128>,
}

impl World {
    fn new() -> World {
        let store = MemStore::new();
        let mut book = Book {
            as_of: d(TODAY),
            device: DeviceId::from_u128(7),
            users: users(),
            routes: Routes::default(),
            ..Book::default()
        };
        let mut ids = Vec::new();
        for (i, (name, rep)) in [("Ours Ltd", "rep-1"), ("Theirs Ltd", "rep-2")]
            .iter()
            .enumerate()
        {
            let id = CustomerId::from_u128(1000 + i as u128);
            let mut c = input(name, rep)
                .validate(
                    id,
                    Meta::new(book.device, Timestamp(0)),
                    Default::default(),
                    book.as_of,
                )
                .unwrap();
            c.limits = Limits {
                permanent: Money::from_units(100_000),
                ..Limits::default()
            };
            block_on(store.commit(&Batch::customer(c.clone()))).unwrap();
            book.put_customer(c);
            book.refresh_summary(id);
            ids.push(id);
        }
        World {
            store,
            book: RefCell::new(book),
            ours: ids[0],
            theirs: ids[1],
            seq: std::cell::Cell::new(1),
        }
    }

    fn next(&self) -> u128 {
        self.seq.set(self.seq.get() + 1);
        self.seq.get()
    }

    fn ctx(&self, actor: &str) -> Ctx {
        let n = self.next();
        Ctx {
            actor: who(actor),
            device: DeviceId::from_u128(7),
            now: Timestamp(1_800_000_000_000 + n as i64),
            as_of: d(TODAY),
            command_id: format!("cmd-{n}"),
        }
    }

    fn run(&self, actor: &str, cmd: Command) -> Result<Receipt, CommandError> {
        reads_back(&cmd);
        block_on(execute(
            &self.store,
            &self.book,
            &self.ctx(actor),
            cmd,
            Vec::new(),
        ))
    }

    fn order(&self, customer: CustomerId, amount: &str, prepaid: bool) -> Command {
        let n = self.next();
        Command::RecordOrder {
            id: OrderId::from_u128(n),
            customer,
            input: OrderInput {
                number: format!("SO-{n}"),
                date: TODAY.into(),
                amount: amount.into(),
                category: String::new(),
            },
            prepaid,
        }
    }

    fn invoice(&self, customer: CustomerId, amount: &str, order: Option<OrderId>) -> Command {
        let n = self.next();
        Command::RecordInvoice {
            id: InvoiceId::from_u128(n),
            customer,
            input: InvoiceInput {
                number: format!("INV-{n}"),
                issue_date: TODAY.into(),
                term_days: "30".into(),
                amount: amount.into(),
                order,
            },
        }
    }

    fn payment(&self, customer: CustomerId, amount: &str, invoice: Option<InvoiceId>) -> Command {
        Command::RecordPayment {
            id: PaymentId::from_u128(self.next()),
            customer,
            input: PaymentInput {
                reference: String::new(),
                date: TODAY.into(),
                amount: amount.into(),
                invoice,
            },
        }
    }

    fn status(&self, cmd: &Command) -> OrderStatus {
        let Command::RecordOrder { id, .. } = cmd else {
            panic!("not an order")
        };
        self.book.borrow().ledger.order(*id).unwrap().status
    }

    /// Files a request on our customer as `actor`, with no attachments; its id.
    fn file(&self, actor: &str, kind: RequestKind, reason: &str) -> RequestId {
        let id = RequestId::from_u128(self.next());
        self.run(
            actor,
            Command::FileRequest {
                id,
                customer: self.ours,
                kind,
                reason: reason.into(),
                attachments: vec![],
            },
        )
        .unwrap();
        id
    }

    fn outbox_len(&self) -> usize {
        block_on(self.store.outbox()).unwrap().len()
    }
}

/// Every command these tests run reads back as itself from the text serde writes (its tag first)
/// and from the outbox's canonical text (its keys sorted, the tag mostly last).
fn reads_back(cmd: &Command) {
    let written = serde_json::to_string(cmd).unwrap();
    assert!(written.starts_with(r#"{"type":"#), "{written}");
    assert_eq!(&serde_json::from_str::<Command>(&written).unwrap(), cmd);
    let canonical = creditdesk_storage::canonical::to_string(cmd).unwrap();
    assert_eq!(&serde_json::from_str::<Command>(&canonical).unwrap(), cmd);
    let tree = serde_json::to_value(cmd).unwrap();
    assert_eq!(&Command::deserialize(&tree).unwrap(), cmd);
}

fn order_id(cmd: &Command) -> OrderId {
    match cmd {
        Command::RecordOrder { id, .. } => *id,
        _ => panic!("not an order"),
    }
}

fn invoice_id(cmd: &Command) -> InvoiceId {
    match cmd {
        Command::RecordInvoice { id, .. } => *id,
        _ => panic!("not an invoice"),
    }
}

/// The result of a command as a table cell: "ok" or the refusal's code.
fn cell(r: Result<Receipt, CommandError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code().as_str(),
    }
}

#[test]
fn who_may_record_an_order_invoice_and_payment_for_whose_customer() {
    // (actor, whose customer, order, invoice, payment)
    let table = [
        (
            "rep-1",
            "ours",
            "ok",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
        ),
        (
            "rep-1",
            "theirs",
            "CMD-NOT-YOURS",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
        ),
        (
            "sm",
            "theirs",
            "ok",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
        ),
        ("fs", "theirs", "ok", "ok", "ok"),
        ("fm", "ours", "ok", "ok", "ok"),
        (
            "gm",
            "ours",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
        ),
        ("admin", "theirs", "ok", "ok", "ok"),
    ];
    for (actor, whose, order, invoice, payment) in table {
        let w = World::new();
        let c = if whose == "ours" { w.ours } else { w.theirs };
        // A small invoice exists to pay.
        let inv = w.invoice(c, "100", None);
        w.run("admin", inv.clone()).unwrap();
        let got = (
            cell(w.run(actor, w.order(c, "1000", false))),
            cell(w.run(actor, w.invoice(c, "500", None))),
            cell(w.run(actor, w.payment(c, "50", Some(invoice_id(&inv))))),
        );
        assert_eq!(got, (order, invoice, payment), "{actor} on {whose}");
    }
}

#[test]
fn who_may_edit_a_customer_its_profile_and_its_sales_rep() {
    let edit = |w: &World, id: CustomerId, f: &dyn Fn(&mut CustomerInput), why: &str| {
        let c = w.book.borrow().customer(id).unwrap().clone();
        let mut i = input(&c.name, &c.sales_rep);
        f(&mut i);
        Command::SaveCustomer {
            id,
            create: false,
            input: i,
            why: why.into(),
        }
    };
    let phone = |i: &mut CustomerInput| i.phone = "021-5555 0101".into();
    let score = |i: &mut CustomerInput| {
        i.report_score = "95".into();
        i.report_date = "2026-10-01".into();
    };
    let reassign = |i: &mut CustomerInput| i.sales_rep = "rep-2".into();
    // (actor, whose, master data, profile with a reason, profile without, reassign to Rep Two)
    let table = [
        (
            "rep-1",
            "ours",
            "ok",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-YOURS",
        ),
        (
            "rep-1",
            "theirs",
            "CMD-NOT-YOURS",
            "CMD-NOT-YOURS",
            "CMD-NOT-YOURS",
            "CMD-NOT-YOURS",
        ),
        (
            "sm",
            "ours",
            "ok",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
            "ok",
        ),
        ("fs", "ours", "ok", "ok", "CMD-INVALID", "ok"),
        (
            "gm",
            "ours",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
            "CMD-NOT-PERMITTED",
        ),
        ("admin", "theirs", "ok", "ok", "CMD-INVALID", "ok"),
    ];
    for (actor, whose, master, profile, bare, re) in table {
        let w = World::new();
        let id = if whose == "ours" { w.ours } else { w.theirs };
        let got = (
            cell(w.run(actor, edit(&w, id, &phone, ""))),
            cell(w.run(actor, edit(&w, id, &score, "Dun report of October"))),
            cell({
                let w = World::new();
                w.run(actor, edit(&w, id, &score, ""))
            }),
            cell({
                let w = World::new();
                w.run(actor, edit(&w, id, &reassign, ""))
            }),
        );
        assert_eq!(got, (master, profile, bare, re), "{actor} on {whose}");
    }
}

#[test]
fn a_profile_change_is_audited_with_before_after_who_and_why() {
    let w = World::new();
    let mut i = input("Ours Ltd", "rep-1");
    i.litigation_count = "2".into();
    w.run(
        "fs",
        Command::SaveCustomer {
            id: w.ours,
            create: false,
            input: i,
            why: "court records checked".into(),
        },
    )
    .unwrap();
    let book = w.book.borrow();
    let e = book.audit.last().unwrap();
    assert_eq!(
        (e.who.as_str(), e.what.as_str(), e.why.as_str()),
        ("fs", "customer.changed", "court records checked")
    );
    assert!(e.after.contains("litigation_count"), "{}", e.after);
    assert!(e.before.contains("litigation_count"), "{}", e.before);
    assert_eq!(block_on(w.store.load_audit()).unwrap(), book.audit);
    assert!(verify(&book.audit).is_ok());
}

#[test]
fn a_prepaid_order_uses_no_credit_and_ships_only_once_paid() {
    let w = World::new();
    let c = w.ours;
    // Over the limit of 100,000: a credit order would be held, a prepaid one waits for its money.
    let order = w.order(c, "120000", true);
    w.run("rep-1", order.clone()).unwrap();
    assert_eq!(w.status(&order), OrderStatus::AwaitingPayment);
    assert_eq!(w.book.borrow().summary(c).open_orders, Money::ZERO);
    let moves = || {
        let b = w.book.borrow();
        b.order_moves(b.ledger.order(order_id(&order)).unwrap())
    };
    assert_eq!(
        moves(),
        vec![OrderMove::Cancel],
        "not offered to ship unpaid"
    );
    let ship = Command::MoveOrder {
        order: order_id(&order),
        to: OrderMove::Ship,
    };
    assert_eq!(cell(w.run("rep-1", ship.clone())), "CMD-NOT-PAID");
    // The advance invoice, paid in part: still not enough.
    let inv = w.invoice(c, "120000", Some(order_id(&order)));
    w.run("fs", inv.clone()).unwrap();
    assert_eq!(w.status(&order), OrderStatus::AwaitingPayment);
    w.run("fs", w.payment(c, "119999.99", Some(invoice_id(&inv))))
        .unwrap();
    assert_eq!(
        w.run("rep-1", ship.clone()),
        Err(CommandError::NotPaid {
            paid: Money::from_minor(11_999_999),
            needed: Money::from_units(120_000)
        })
    );
    w.run("fs", w.payment(c, "0.01", Some(invoice_id(&inv))))
        .unwrap();
    assert_eq!(moves(), vec![OrderMove::Ship, OrderMove::Cancel]);
    w.run("rep-1", ship).unwrap();
    assert_eq!(w.status(&order), OrderStatus::Invoiced);
    assert_eq!(moves(), Vec::<OrderMove>::new());
}

#[test]
fn the_credit_card_reads_utilisation_as_the_rules_do_and_lists_what_the_policy_counts() {
    let w = World::new();
    let c = w.ours;
    // 89,996 of a 100,000 limit: 89.996%, which is under the 90% warning (rounded half away
    // from zero it would read 90.0%).
    let order = w.order(c, "89996", false);
    w.run("rep-1", order.clone()).unwrap();
    let card = w.book.borrow().credit_card(&who("rep-1"), c).unwrap();
    assert_eq!(
        (card.limit, card.exposure, card.utilisation_bp),
        (
            Money::from_units(100_000),
            Money::from_units(89_996),
            Some(8_999)
        )
    );
    assert_eq!(card.available, Money::from_units(10_004));
    assert_eq!(
        card.counted_orders.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![order_id(&order)]
    );
    // A policy that leaves open orders out of the exposure leaves them out of the list too.
    w.book.borrow_mut().policy.exposure_includes_open_orders = false;
    let card = w.book.borrow().credit_card(&who("rep-1"), c).unwrap();
    assert!(card.counted_orders.is_empty());
    assert_eq!(card.exposure, Money::ZERO);
    assert_eq!(card.utilisation_bp, Some(0));
}

#[test]
fn a_frozen_customer_is_not_sold_to_even_against_payment_before_delivery() {
    let w = World::new();
    w.book.borrow_mut().customers[0].limits.frozen = true;
    let order = w.order(w.ours, "10", true);
    let r = w.run("rep-1", order.clone()).unwrap();
    assert_eq!(r.outcome, Some(Outcome::Block));
    assert_eq!(w.status(&order), OrderStatus::Held);
    let e = w.book.borrow().audit.last().unwrap().clone();
    assert_eq!((e.what.as_str(), e.why.as_str()), ("order.held", "Frozen"));
}

#[test]
fn an_order_does_not_ship_once_its_customer_is_frozen_or_overdue() {
    let w = World::new();
    let order = w.order(w.ours, "1000", false);
    w.run("rep-1", order.clone()).unwrap();
    assert_eq!(w.status(&order), OrderStatus::Open);
    let ship = Command::MoveOrder {
        order: order_id(&order),
        to: OrderMove::Ship,
    };
    w.book.borrow_mut().customers[0].limits.frozen = true;
    assert_eq!(cell(w.run("rep-1", ship.clone())), "CMD-CREDIT-BLOCKED");
    // Nor may it be invoiced before it ships.
    assert_eq!(
        cell(w.run("fs", w.invoice(w.ours, "1000", Some(order_id(&order))))),
        "CMD-CREDIT-BLOCKED"
    );
    w.book.borrow_mut().customers[0].limits.frozen = false;
    // Overdue since the order was taken: it does not ship either.
    w.run("fs", old_invoice(&w, w.ours, "500", 45)).unwrap();
    let blocked = w.run("rep-1", ship.clone());
    assert!(
        matches!(&blocked, Err(CommandError::CreditBlocked(r))
            if r.iter().any(|x| matches!(x, credit::Reason::Overdue { .. }))),
        "{blocked:?}"
    );
    let late = w.book.borrow().ledger.invoices().last().unwrap().id;
    w.run("fs", w.payment(w.ours, "500", Some(late))).unwrap();
    w.run("rep-1", ship).unwrap();
    assert_eq!(w.status(&order), OrderStatus::Shipped);
}

#[test]
fn a_released_order_goes_on_within_its_release_and_held_never_reopens_by_hand() {
    let w = World::new();
    let big = w.order(w.ours, "150000", false);
    assert_eq!(
        w.run("rep-1", big.clone()).unwrap().outcome,
        Some(Outcome::Block)
    );
    assert_eq!(w.status(&big), OrderStatus::Held);
    // No hand move reopens it.
    let id = order_id(&big);
    for to in [OrderMove::Ship, OrderMove::Cancel] {
        assert_eq!(
            cell(w.run("admin", Command::MoveOrder { order: id, to })),
            "CMD-WRONG-STATE"
        );
    }
    assert!(!OrderStatus::Held.can_become(OrderStatus::Open));
    // A release through the workflow: the sales rep files, the route's approvers decide.
    let rid = w.file(
        "rep-1",
        RequestKind::ReleaseHeldOrder {
            order: id,
            number: DocNo::parse("SO-2").unwrap(),
            amount: Money::from_units(150_000),
        },
        "Customer paid a deposit by wire",
    );
    assert_eq!(
        cell(w.run(
            "rep-1",
            Command::Decide {
                request: rid,
                approve: true,
                comment: String::new()
            }
        )),
        "CMD-WORKFLOW",
        "no one approves their own request"
    );
    let mut state = None;
    for approver in ["sm", "fs", "fm", "cfo"] {
        if let Ok(r) = w.run(
            approver,
            Command::Decide {
                request: rid,
                approve: true,
                comment: String::new(),
            },
        ) {
            state = r.state;
        }
        if state == Some(State::Approved) {
            break;
        }
    }
    assert_eq!(state, Some(State::Approved));
    assert_eq!(w.status(&big), OrderStatus::Open);
    // A freeze after the release stops it all the same.
    w.book.borrow_mut().customers[0].limits.frozen = true;
    let ship = Command::MoveOrder {
        order: id,
        to: OrderMove::Ship,
    };
    assert_eq!(cell(w.run("rep-1", ship)), "CMD-CREDIT-BLOCKED");
    w.book.borrow_mut().customers[0].limits.frozen = false;
    // Still over the limit today, but the release covers it: it ships.
    w.run(
        "rep-1",
        Command::MoveOrder {
            order: id,
            to: OrderMove::Ship,
        },
    )
    .unwrap();
    assert_eq!(w.status(&big), OrderStatus::Shipped);
}

#[test]
fn a_command_is_one_outbox_record_and_an_order_sent_twice_is_recorded_once() {
    let w = World::new();
    let before = w.outbox_len();
    let order = w.order(w.ours, "1000", false);
    w.run("rep-1", order.clone()).unwrap();
    let outbox = block_on(w.store.outbox()).unwrap();
    assert_eq!(outbox.len(), before + 1);
    let rec = outbox.last().unwrap();
    assert_eq!(rec.entity, "command");
    let env: Envelope = rec.payload.read().unwrap();
    assert_eq!((env.actor.as_str(), &env.command), ("rep-1", &order));
    // Stored canonical, so that a backup copies it as it is (a large import's is megabytes).
    let stored = serde_json::to_string(rec).unwrap();
    assert!(
        creditdesk_storage::canonical::is_canonical(&stored),
        "{stored}"
    );
    assert_eq!(
        stored,
        serde_json::to_value(rec).unwrap().to_string(),
        "the record as its tree of values writes it"
    );
    // The same order again (a retried send: the same order id) is refused, not doubled.
    assert_eq!(cell(w.run("rep-1", order)), "CMD-WRONG-STATE");
    assert_eq!(w.book.borrow().ledger.orders().len(), 1);
}

/// What a user could see of the book: its records and the figures derived from them.
fn fingerprint(book: &Book) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        book.customers,
        book.ledger,
        book.requests,
        book.audit,
        book.draft,
        book.monitor,
        book.reservations,
        book.customers
            .iter()
            .map(|c| book.summary(c.id))
            .collect::<Vec<_>>(),
    )
}

/// Runs the command `make` gives on a world from `setup`, with the tab dying after 0, 1, ... of
/// the command's single-record writes: each time the command fails with CMD-STORE, the store holds
/// none of it, the book in memory none of it, and once the tab is opened again the same command
/// lands. Returns how many writes a clean run makes.
fn crash_at_every_write(
    setup: impl Fn() -> World,
    make: impl Fn(&World) -> (&'static str, Command),
) -> usize {
    let clean = setup();
    let start = clean.store.writes();
    let (actor, cmd) = make(&clean);
    clean
        .run(actor, cmd)
        .expect("the command lands when nothing dies");
    let writes = clean.store.writes() - start;
    for k in 0..writes {
        let w = setup();
        let (actor, cmd) = make(&w);
        let stored = w.store.data.borrow().clone();
        let seen = fingerprint(&w.book.borrow());
        w.store.crash_after(k);
        assert_eq!(
            cell(w.run(actor, cmd.clone())),
            "CMD-STORE",
            "dying after {k} of {writes} writes"
        );
        assert!(
            *w.store.data.borrow() == stored,
            "dying after {k} of {writes} writes left some in the store"
        );
        assert_eq!(
            fingerprint(&w.book.borrow()),
            seen,
            "dying after {k} of {writes} writes changed the book"
        );
        w.store.revive();
        w.run(actor, cmd)
            .expect("the command lands once the tab is opened again");
    }
    writes
}

#[test]
fn a_command_that_dies_after_any_of_its_writes_leaves_nothing_behind() {
    // An order: its entry, its audit entry, its outbox record.
    let writes = crash_at_every_write(World::new, |w| ("rep-1", w.order(w.ours, "1000", false)));
    assert!(writes >= 3, "{writes} writes");
    // A payment allocated to an invoice.
    let setup = || {
        let w = World::new();
        w.run("admin", w.invoice(w.ours, "5000", None)).unwrap();
        w
    };
    crash_at_every_write(setup, |w| {
        let inv = w.book.borrow().ledger.invoices().next().unwrap().id;
        ("admin", w.payment(w.ours, "1200", Some(inv)))
    });
    // The last approval of a limit change: the request, the customer's new limit, the decision's
    // and the change's audit entries, the outbox record.
    let rid = RequestId::from_u128(900);
    let setup = || {
        let w = World::new();
        w.run(
            "rep-1",
            Command::FileRequest {
                id: rid,
                customer: w.ours,
                kind: RequestKind::PermanentChange {
                    before: Money::from_units(100_000),
                    after: Money::from_units(120_000),
                    expires: None,
                    review: None,
                },
                reason: "Two years of paying on time".into(),
                attachments: vec![],
            },
        )
        .unwrap();
        // 50k-200k: the sales manager and the finance specialist, then the finance manager.
        for approver in ["sm", "fs"] {
            w.run(
                approver,
                Command::Decide {
                    request: rid,
                    approve: true,
                    comment: String::new(),
                },
            )
            .unwrap();
        }
        w
    };
    let writes = crash_at_every_write(setup, |_| {
        (
            "fm",
            Command::Decide {
                request: rid,
                approve: true,
                comment: String::new(),
            },
        )
    });
    assert!(writes >= 5, "{writes} writes");
    // The change did land in the clean run.
    let w = setup();
    w.run(
        "fm",
        Command::Decide {
            request: rid,
            approve: true,
            comment: String::new(),
        },
    )
    .unwrap();
    assert_eq!(
        w.book.borrow().customer(w.ours).unwrap().limits.permanent,
        Money::from_units(120_000)
    );
}

#[test]
fn a_commit_that_failed_once_is_retried_once_and_lands_once() {
    let w = World::new();
    let outbox = w.outbox_len();
    let order = w.order(w.ours, "1000", false);
    w.store.fail_next_commit.set(true);
    w.run("rep-1", order).unwrap();
    assert_eq!(w.book.borrow().ledger.orders().len(), 1);
    assert_eq!(w.outbox_len(), outbox + 1);
    assert_eq!(block_on(w.store.load_audit()).unwrap().len(), 1);
}

#[test]
fn a_sales_rep_files_requests_and_decides_nothing_for_another_reps_customer() {
    let w = World::new();
    let file = |id: u128, customer| Command::FileRequest {
        id: RequestId::from_u128(id),
        customer,
        kind: RequestKind::TemporaryLimit {
            amount: Money::from_units(150_000),
            start: d(TODAY),
            end: d("2026-12-31"),
        },
        reason: "Year-end stocking order".into(),
        attachments: vec![],
    };
    assert_eq!(cell(w.run("rep-1", file(1, w.theirs))), "CMD-NOT-YOURS");
    assert_eq!(cell(w.run("gm", file(2, w.ours))), "ok");
    assert_eq!(
        cell(w.run(
            "rep-2",
            Command::Withdraw {
                request: RequestId::from_u128(2)
            }
        )),
        "CMD-NOT-YOURS"
    );
    assert!(verify(&w.book.borrow().audit).is_ok());
}

fn imported(w: &World, customer: CustomerId, amount: i64, status: OrderStatus) -> Order {
    let n = w.next();
    Order {
        id: OrderId::from_u128(n),
        meta: Meta::new(DeviceId::from_u128(7), Timestamp(0)),
        customer,
        number: DocNo::parse(&format!("IMP-{n}")).unwrap(),
        category: None,
        date: d(TODAY),
        amount: Money::from_units(amount),
        status,
    }
}

#[test]
fn imported_orders_pass_the_credit_check_row_after_row() {
    let w = World::new();
    // Three orders of 40,000 under a limit of 100,000: the third takes it over.
    let mut orders: Vec<Order> = (0..3)
        .map(|_| imported(&w, w.ours, 40_000, OrderStatus::Shipped))
        .collect();
    // History uses no credit: never checked.
    orders.push(imported(&w, w.ours, 900_000, OrderStatus::Invoiced));
    let blocked = check_imported_orders(&w.book.borrow(), &orders);
    assert_eq!(
        blocked.iter().map(|b| b.order).collect::<Vec<_>>(),
        vec![orders[2].id]
    );
    assert!(matches!(
        blocked[0].reasons[..],
        [credit::Reason::OverLimit { .. }, ..]
    ));
    let mut held = orders.clone();
    settle_blocked(&mut held, &blocked, Blocked::Hold);
    assert_eq!(held[2].status, OrderStatus::Held);
    assert_eq!(held.len(), 4);
    let mut refused = orders.clone();
    settle_blocked(&mut refused, &blocked, Blocked::Refuse);
    assert_eq!(refused.len(), 3);
    assert!(refused.iter().all(|o| o.id != orders[2].id));
}

#[test]
fn an_imported_order_for_a_frozen_customer_is_blocked_even_when_small() {
    let w = World::new();
    w.book.borrow_mut().customers[1].limits.frozen = true;
    let orders = vec![imported(&w, w.theirs, 1, OrderStatus::Open)];
    let blocked = check_imported_orders(&w.book.borrow(), &orders);
    assert_eq!(blocked.len(), 1);
    assert!(blocked[0].reasons.contains(&credit::Reason::Frozen));
}

/// An invoice of `amount` issued `days_ago` with a 30-day term (so overdue after 30 days).
fn old_invoice(w: &World, customer: CustomerId, amount: &str, days_ago: i32) -> Command {
    let n = w.next();
    Command::RecordInvoice {
        id: InvoiceId::from_u128(n),
        customer,
        input: InvoiceInput {
            number: format!("OLD-{n}"),
            issue_date: d(TODAY).add_days(-days_ago).iso(),
            term_days: "30".into(),
            amount: amount.into(),
            order: None,
        },
    }
}

#[test]
fn an_overdue_customer_is_held_with_an_alert_and_a_task_that_survive_a_reload() {
    use creditdesk_app::monitoring::{load, run_rules};
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    let (report, fresh) = block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(report.held.contains(&w.ours), "{report:?}");
    assert!(fresh.iter().any(|a| a.customer == w.ours));
    let book = w.book.borrow();
    assert!(!book.monitor.held(w.ours).is_empty());
    assert!(book.audit.iter().any(|e| e.what == "hold.set"));
    assert!(verify(&book.audit).is_ok());
    // The credit check sees the hold: a new order of the overdue customer is held.
    assert_eq!(
        book.check_order(w.ours, Money::from_units(1), false)
            .unwrap()
            .outcome,
        Outcome::Block
    );
    // What was written reads back the same.
    let (_, stored, warning) = block_on(load(&w.store)).unwrap();
    assert_eq!(warning, None);
    assert_eq!(stored.holds, book.monitor.holds);
    assert_eq!(stored.alerts, book.monitor.alerts);
    assert_eq!(stored.tasks, book.monitor.tasks);
    // A second run the same day changes nothing.
    drop(book);
    let (again, _) = block_on(run_rules(&w.store, &w.book, 1_800_000_200_000, None)).unwrap();
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn an_open_alert_stays_in_a_cut_list_however_many_newer_alerts_were_resolved() {
    use creditdesk_app::monitoring::{alerts_for, run_rules};
    use creditdesk_domain::monitor::AlertStatus;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let mut b = w.book.borrow_mut();
    let open = alerts_for(&b, &who("fs"), usize::MAX);
    assert!(!open.is_empty());
    // Ten newer alerts, all resolved already.
    let mut done = open[0].0.clone();
    done.status = AlertStatus::Resolved;
    for i in 0..10 {
        let mut a = done.clone();
        a.id = format!("resolved-{i}");
        b.monitor.alerts.push(a);
    }
    let cut = alerts_for(&b, &who("fs"), 2);
    assert_eq!(cut.len(), 2);
    assert_eq!(cut[0].0.status, AlertStatus::Open, "{cut:?}");
}

#[test]
fn each_user_sees_the_alerts_and_tasks_of_their_own_customers_and_the_badge_counts_those() {
    use creditdesk_app::monitoring::{
        alerts_for, announced_for, run_rules, tasks_for, waiting_count,
    };
    let w = World::new();
    // Every rule also alerts every sales rep by role: still, a rep hears only of their own.
    for r in &mut w.book.borrow_mut().rules.rules {
        r.actions.alert_roles.push(Role::SalesRep);
    }
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    let (_, fresh) = block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let b = w.book.borrow();
    // Announced (a browser notification) only to whom they are for, on customers they see.
    let on_ours = |user: &str| {
        announced_for(&b, &who(user), &fresh)
            .iter()
            .filter(|a| a.customer == w.ours)
            .count()
    };
    assert!(on_ours("rep-1") > 0);
    assert_eq!(on_ours("rep-2"), 0);
    let now = 1_800_000_100_000;
    let ours = |v: &[(creditdesk_domain::monitor::Alert, String)]| {
        v.iter().filter(|(a, _)| a.customer == w.ours).count()
    };
    // The customer's rep and finance see its alerts; the other rep sees none of them.
    assert!(ours(&alerts_for(&b, &who("rep-1"), 300)) > 0);
    assert!(ours(&alerts_for(&b, &who("fs"), 300)) > 0);
    assert_eq!(ours(&alerts_for(&b, &who("rep-2"), 300)), 0);
    assert!(alerts_for(&b, &who("rep-2"), 300)
        .iter()
        .all(|(a, _)| b.visible(&who("rep-2"), a.customer)));
    let tasks = tasks_for(&b, &who("rep-1"), 300);
    assert!(tasks
        .iter()
        .any(|(t, _, overdue)| t.customer == w.ours && overdue.is_positive()));
    assert!(tasks_for(&b, &who("rep-2"), 300).is_empty());
    // The badge counts what the lists show as waiting (no request is open here).
    let shown = |user: &str| {
        let alerts = alerts_for(&b, &who(user), 300)
            .iter()
            .filter(|(a, _)| {
                creditdesk_app::monitoring::is_for(a, &who(user))
                    && a.status == creditdesk_domain::monitor::AlertStatus::Open
                    && a.cleared_on.is_none()
            })
            .count();
        let tasks = tasks_for(&b, &who(user), 300)
            .iter()
            .filter(|(t, _, _)| t.is_open() && t.owner == user)
            .count();
        alerts + tasks
    };
    for user in ["rep-1", "rep-2", "fs"] {
        assert_eq!(waiting_count(&b, &who(user), now), shown(user), "{user}");
    }
    assert!(shown("rep-1") > 0);
}

#[test]
fn a_collection_task_is_worked_by_its_owner_and_a_promise_is_for_a_day_to_come() {
    use creditdesk_app::monitoring::run_rules;
    use creditdesk_domain::monitor::TaskStatus;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let task = w.book.borrow().monitor.tasks[0].id.clone();
    let update = |status: TaskStatus, note: &str| Command::UpdateTask {
        task: task.clone(),
        status,
        note: note.into(),
    };
    let promise = |date: &str| TaskStatus::Promised {
        date: d(date),
        amount: Money::from_units(5_000),
    };
    let table = [
        (
            "rep-2",
            update(TaskStatus::Contacted, "called"),
            "CMD-NOT-YOURS",
        ),
        ("rep-1", update(TaskStatus::Contacted, "  "), "CMD-INVALID"),
        (
            "rep-1",
            update(promise("2026-11-29"), "pays Friday"),
            "CMD-INVALID",
        ),
        ("rep-1", update(promise("2026-12-04"), "pays Friday"), "ok"),
        (
            "sm",
            update(TaskStatus::Contacted, "manager called too"),
            "ok",
        ),
    ];
    for (actor, cmd, expected) in table {
        assert_eq!(cell(w.run(actor, cmd)), expected, "{actor}");
    }
    let book = w.book.borrow();
    let t = &book.monitor.tasks[0];
    assert_eq!(t.notes.len(), 2);
    assert!(book.audit.iter().any(|e| e.what == "task.updated"));
}

#[test]
fn the_customers_timeline_tells_alerts_tasks_contacts_and_payments_newest_first_to_whom_sees_it() {
    use creditdesk_app::monitoring::run_rules;
    use creditdesk_app::Happened;
    use creditdesk_domain::monitor::TaskStatus;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let task = w.book.borrow().monitor.tasks[0].id.clone();
    let promised = TaskStatus::Promised {
        date: d("2026-12-04"),
        amount: Money::from_units(5_000),
    };
    w.run(
        "rep-1",
        Command::UpdateTask {
            task: task.clone(),
            status: promised.clone(),
            note: "visited: pays Friday".into(),
        },
    )
    .unwrap();
    let b = w.book.borrow();
    let line = b
        .timeline(&who("rep-1"), w.ours)
        .expect("rep-1 sees their customer");
    let kinds: Vec<&str> = line
        .iter()
        .map(|m| match &m.what {
            Happened::Alert(_) => "alert",
            Happened::AlertCleared(_) => "cleared",
            Happened::TaskOpened { .. } => "task",
            Happened::TaskStep { .. } => "step",
            Happened::Payment { .. } => "payment",
            Happened::CreditNote { .. } => "credit note",
            Happened::Void(_) => "void",
            Happened::Request(_) => "request",
            Happened::DisputeOpened(_) => "dispute",
            Happened::DisputeResolved(_) => "dispute resolved",
            Happened::Contact(_) => "contact",
        })
        .collect();
    // The promise (today, timed) comes before what the morning's run raised today.
    assert_eq!(kinds.first(), Some(&"step"), "{kinds:?}");
    assert!(
        kinds.contains(&"alert") && kinds.contains(&"task"),
        "{kinds:?}"
    );
    match &line[0].what {
        Happened::TaskStep { note, broken, .. } => {
            assert_eq!(
                (note.who.as_str(), note.text.as_str()),
                ("rep-1", "visited: pays Friday")
            );
            assert_eq!(note.status, promised);
            assert!(!broken);
        }
        other => panic!("{other:?}"),
    }
    assert!(line.windows(2).all(|p| p[0].on >= p[1].on), "newest first");
    // Another rep's customer: no timeline.
    assert!(b.timeline(&who("rep-2"), w.ours).is_none());
}

#[test]
fn configuration_is_changed_only_by_its_roles_as_a_new_audited_version() {
    use creditdesk_domain::credit::Policy;
    use creditdesk_domain::monitor::RuleSet;
    // (actor, policy, routes, users, rules)
    let table = [
        (
            "rep-1",
            "CMD-NOT-PERMITTED",
            "CMD-CONFIG",
            "CMD-CONFIG",
            "CMD-CONFIG",
        ),
        (
            "fs",
            "CMD-NOT-PERMITTED",
            "CMD-CONFIG",
            "CMD-CONFIG",
            "CMD-CONFIG",
        ),
        ("fm", "ok", "ok", "CMD-CONFIG", "ok"),
        ("admin", "ok", "ok", "ok", "ok"),
    ];
    for (actor, policy, routes, directory, rules) in table {
        let w = World::new();
        let got = (
            cell(w.run(
                actor,
                Command::SavePolicy {
                    policy: Policy::default(),
                    confirmed: false,
                },
            )),
            cell(w.run(
                actor,
                Command::SaveRoutes {
                    routes: Routes::default(),
                    why: "same again".into(),
                },
            )),
            cell(w.run(actor, Command::SaveUsers { users: users() })),
            cell(w.run(
                actor,
                Command::SaveRules {
                    rules: RuleSet::default(),
                    why: "same again".into(),
                },
            )),
        );
        assert_eq!(got, (policy, routes, directory, rules), "{actor}");
    }
    // A refusal for the role is a problem of its own, with its own code.
    let w = World::new();
    let routes = w.run(
        "fs",
        Command::SaveRoutes {
            routes: Routes::default(),
            why: "same again".into(),
        },
    );
    let directory = w.run("fm", Command::SaveUsers { users: users() });
    let rules = w.run(
        "rep-1",
        Command::SaveRules {
            rules: RuleSet::default(),
            why: "same again".into(),
        },
    );
    let codes = |r: Result<Receipt, CommandError>| match r {
        Err(CommandError::Routes(p)) => p.iter().map(|p| p.code.code()).collect::<Vec<_>>(),
        Err(CommandError::Rules(p)) => p.iter().map(|p| p.code.code()).collect(),
        r => panic!("{r:?}"),
    };
    assert_eq!(codes(routes), ["R000"]);
    assert_eq!(codes(directory), ["U000"]);
    assert_eq!(codes(rules), ["RU000"]);
    let w = World::new();
    w.run(
        "admin",
        Command::SavePolicy {
            policy: Policy::default(),
            confirmed: false,
        },
    )
    .unwrap();
    let book = w.book.borrow();
    assert_eq!(book.policy.version, 2);
    let stored = block_on(creditdesk_storage::settings::POLICY.read(&w.store))
        .unwrap()
        .unwrap();
    assert_eq!(stored, book.policy);
    assert_eq!(book.audit.last().unwrap().what, "policy.changed");
}

#[test]
fn what_routes_a_request_is_read_from_the_book_not_taken_from_the_client() {
    let w = World::new();
    // Our customer is frozen.
    {
        let mut c = w.book.borrow().customer(w.ours).unwrap().clone();
        c.limits.frozen = true;
        w.book.borrow_mut().put_customer(c);
    }
    // An unfreeze that claims a zero limit (the lightest route) is routed by the real one.
    w.run(
        "rep-1",
        Command::FileRequest {
            id: RequestId::from_u128(1),
            customer: w.ours,
            kind: RequestKind::Unfreeze { limit: Money::ZERO },
            reason: "The dispute with the customer is settled".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    let r = w.book.borrow().requests[0].clone();
    assert_eq!(
        r.kind,
        RequestKind::Unfreeze {
            limit: Money::from_units(100_000)
        }
    );
    // A release of another customer's held order is refused, whatever it claims.
    let theirs = w.order(w.theirs, "150000", false);
    w.run("rep-2", theirs.clone()).unwrap();
    assert_eq!(w.status(&theirs), OrderStatus::Held);
    let release = Command::FileRequest {
        id: RequestId::from_u128(2),
        customer: w.ours,
        kind: RequestKind::ReleaseHeldOrder {
            order: order_id(&theirs),
            number: DocNo::parse("X-1").unwrap(),
            amount: Money::from_units(1),
        },
        reason: "Customer paid a deposit by wire".into(),
        attachments: vec![],
    };
    assert_eq!(cell(w.run("rep-1", release)), "CMD-UNKNOWN");
}

#[test]
fn no_one_decides_a_request_on_a_customer_they_do_not_see_and_only_the_system_expires() {
    let w = World::new();
    w.run(
        "rep-1",
        Command::FileRequest {
            id: RequestId::from_u128(3),
            customer: w.ours,
            kind: RequestKind::TemporaryLimit {
                amount: Money::from_units(150_000),
                start: d(TODAY),
                end: d("2026-12-31"),
            },
            reason: "Year-end stocking order".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    let decide = Command::Decide {
        request: RequestId::from_u128(3),
        approve: true,
        comment: String::new(),
    };
    assert_eq!(cell(w.run("rep-2", decide.clone())), "CMD-NOT-YOURS");
    assert_eq!(cell(w.run("sm", decide)), "ok");
    assert_eq!(
        cell(w.run("admin", Command::ExpireDue)),
        "CMD-NOT-PERMITTED"
    );
}

#[test]
fn the_first_cooperation_date_moves_the_grade_so_it_changes_like_the_profile() {
    let w = World::new();
    let back = |why: &str| {
        let mut i = input("Ours Ltd", "rep-1");
        i.first_cooperation = "2010-01-15".into();
        Command::SaveCustomer {
            id: w.ours,
            create: false,
            input: i,
            why: why.into(),
        }
    };
    assert_eq!(
        cell(w.run("rep-1", back("met them at a fair in 2010"))),
        "CMD-NOT-PERMITTED"
    );
    assert_eq!(cell(w.run("fs", back(""))), "CMD-INVALID");
    assert_eq!(cell(w.run("fs", back("contracts since 2010 found"))), "ok");
    // Saved again as it is: nothing is written.
    let outbox = w.outbox_len();
    assert_eq!(cell(w.run("fs", back("contracts since 2010 found"))), "ok");
    assert_eq!(w.outbox_len(), outbox);
}

fn import(
    kind: creditdesk_domain::import::Kind,
    records: creditdesk_domain::import::Records,
) -> Command {
    Command::ImportBatch {
        kind,
        file: "file.csv".into(),
        rows_total: 3,
        skipped: 0,
        records,
        blocked: Blocked::Hold,
    }
}

#[test]
fn an_import_is_written_whole_through_the_credit_check_and_reads_back_from_the_store() {
    use creditdesk_domain::import::{Kind, Records};
    let w = World::new();
    let orders: Vec<Order> = (0..3)
        .map(|_| imported(&w, w.ours, 40_000, OrderStatus::Open))
        .collect();
    let third = orders[2].id;
    let outbox = w.outbox_len();
    let r = w
        .run(
            "sm",
            import(
                Kind::Orders,
                Records {
                    orders,
                    ..Records::default()
                },
            ),
        )
        .unwrap();
    assert_eq!(r.count, 3);
    assert_eq!(
        w.book.borrow().ledger.order(third).unwrap().status,
        OrderStatus::Held
    );
    assert_eq!(w.outbox_len(), outbox + 1);
    let e = w.book.borrow().audit.last().unwrap().clone();
    assert_eq!(
        (e.what.as_str(), e.why.as_str()),
        ("data.imported", "file.csv")
    );
    assert!(e.after.contains("1 orders blocked"), "{}", e.after);
    let stored = block_on(w.store.load()).unwrap();
    assert_eq!(stored.rows.orders.len(), 3);
    assert!(stored
        .rows
        .orders
        .iter()
        .any(|o| o.id == third && o.status == OrderStatus::Held));
}

#[test]
fn no_import_row_bypasses_a_control_a_typed_record_meets() {
    use creditdesk_domain::import::{Kind, Records};
    let w = World::new();
    // An open order of a customer frozen since: its invoice may not move it on.
    let open = w.order(w.theirs, "1000", false);
    w.run("rep-2", open.clone()).unwrap();
    w.book.borrow_mut().customers[1].limits.frozen = true;
    let inv = Invoice {
        id: InvoiceId::from_u128(w.next()),
        meta: Meta::new(DeviceId::from_u128(7), Timestamp(0)),
        customer: w.theirs,
        order: Some(order_id(&open)),
        number: DocNo::parse("IMP-INV-1").unwrap(),
        issue_date: d(TODAY),
        due_date: d(TODAY).add_days(30),
        amount: Money::from_units(1_000),
    };
    let mut profiled = input("Profiled Ltd", "rep-1")
        .validate(
            CustomerId::from_u128(w.next()),
            Meta::new(DeviceId::from_u128(7), Timestamp(0)),
            Default::default(),
            d(TODAY),
        )
        .unwrap();
    profiled.profile.report_score = Some(99);
    let plain = |name: &str, rep: &str| {
        input(name, rep)
            .validate(
                CustomerId::from_u128(w.next()),
                Meta::new(DeviceId::from_u128(7), Timestamp(0)),
                Default::default(),
                d(TODAY),
            )
            .unwrap()
    };
    let customers = |list: Vec<Customer>| Records {
        customers: list,
        ..Records::default()
    };
    let twin = plain("Twin Ltd", "rep-1");
    let table = [
        (
            "fs",
            import(
                Kind::Invoices,
                Records {
                    invoices: vec![inv],
                    ..Records::default()
                },
            ),
            "CMD-ROWS",
        ),
        (
            "rep-1",
            import(Kind::Customers, customers(vec![profiled.clone()])),
            "CMD-ROWS",
        ),
        (
            "rep-1",
            import(
                Kind::Customers,
                customers(vec![plain("Other Rep Ltd", "rep-2")]),
            ),
            "CMD-ROWS",
        ),
        (
            "rep-1",
            import(
                Kind::Orders,
                Records {
                    orders: vec![imported(&w, w.theirs, 10, OrderStatus::Open)],
                    ..Records::default()
                },
            ),
            "CMD-ROWS",
        ),
        (
            "rep-1",
            import(Kind::Payments, Records::default()),
            "CMD-NOT-PERMITTED",
        ),
        // One customer twice (a forged command; a file's check gives each row a new id).
        (
            "rep-1",
            import(Kind::Customers, customers(vec![twin.clone(), twin])),
            "CMD-ROWS",
        ),
        (
            "rep-1",
            import(Kind::Customers, customers(vec![plain("Mine Ltd", "rep-1")])),
            "ok",
        ),
        (
            "fs",
            import(Kind::Customers, customers(vec![profiled])),
            "ok",
        ),
    ];
    for (actor, cmd, expected) in table {
        assert_eq!(cell(w.run(actor, cmd)), expected, "{actor}");
    }
    // A sealed part of the score in an imported customer (a forged one, graded AAA) is dropped:
    // only the server sends one, and it grades from what the customer holds.
    let mut forged = plain("Forged Ltd", "rep-1");
    forged.sealed = Some(creditdesk_domain::rating::Sealed {
        model: w.book.borrow().model.version,
        metrics: u32::MAX,
        sum: 100 * 10_000 * 100,
        denom: 10_000,
        with: 10_000,
        ..Default::default()
    });
    let id = forged.id;
    assert_eq!(
        cell(w.run("rep-1", import(Kind::Customers, customers(vec![forged])))),
        "ok"
    );
    let book = w.book.borrow();
    assert_eq!(book.customer(id).unwrap().sealed, None);
    assert_ne!(book.grade(id), creditdesk_domain::rating::Grade::AAA);
}

#[test]
fn the_customer_list_shows_a_rep_their_own_and_filters_and_sorts_for_everyone() {
    let w = World::new();
    w.run("fs", old_invoice(&w, w.theirs, "20000", 60)).unwrap();
    let book = w.book.borrow();
    let names = |actor: &str, f: &ListFilter| -> Vec<String> {
        book.customer_rows(&who(actor), f)
            .into_iter()
            .map(|i| book.customers[i].name.clone())
            .collect()
    };
    let all = ListFilter::default();
    assert_eq!(names("rep-1", &all), ["Ours Ltd"]);
    assert_eq!(names("rep-2", &all), ["Theirs Ltd"]);
    assert_eq!(names("fs", &all), ["Ours Ltd", "Theirs Ltd"]);
    let overdue = ListFilter {
        only_overdue: true,
        ..ListFilter::default()
    };
    assert_eq!(names("fs", &overdue), ["Theirs Ltd"]);
    assert!(names("rep-1", &overdue).is_empty());
    let search = ListFilter {
        text: "  THEIRS ".into(),
        ..ListFilter::default()
    };
    assert_eq!(names("sm", &search), ["Theirs Ltd"]);
    let by_open = ListFilter {
        sort: ListSort::Open,
        ..ListFilter::default()
    };
    assert_eq!(names("admin", &by_open), ["Theirs Ltd", "Ours Ltd"]);
    assert_eq!(
        book.list_choices(&who("rep-1")),
        (
            vec!["East".to_string()],
            vec![("rep-1".to_string(), "Rep One".to_string())]
        )
    );
}

#[test]
fn customer_360_held_orders_and_the_inbox_show_a_rep_only_their_own() {
    let w = World::new();
    let b = || w.book.borrow();
    // Customer 360: another rep's customer is "not yours"; an unknown id is missing.
    assert_eq!(
        b().customer_360(&who("rep-1"), Some(w.theirs)).err(),
        Some(Access::NotYours)
    );
    assert_eq!(
        b().customer_360(&who("rep-1"), None).err(),
        Some(Access::Missing)
    );
    let unknown = CustomerId::from_u128(1);
    assert_eq!(
        b().customer_360(&who("gm"), Some(unknown)).err(),
        Some(Access::Missing)
    );
    // Each rep's order over the limit is held, with the reason the check gives today.
    let ours = w.order(w.ours, "150000", false);
    let theirs = w.order(w.theirs, "150000", false);
    w.run("rep-1", ours.clone()).unwrap();
    w.run("rep-2", theirs.clone()).unwrap();
    let held = b().held_orders(&who("rep-1"));
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].order.id, order_id(&ours));
    assert_eq!(held[0].customer, "Ours Ltd");
    assert!(!held[0].reasons.is_empty(), "a held order says why");
    assert_eq!(held[0].release_requested, None);
    assert_eq!(
        b().held_orders(&who("fs")).len(),
        2,
        "finance sees every customer"
    );
    let v = b().customer_360(&who("rep-1"), Some(w.ours)).unwrap();
    assert_eq!(v.orders.len(), 1);
    assert_eq!(v.customer.name, "Ours Ltd");
    // A release request shows on the held row, in the requester's inbox as theirs, and waits
    // on the approvers, not on the other rep.
    let rid = w.file(
        "rep-1",
        RequestKind::ReleaseHeldOrder {
            order: order_id(&ours),
            number: DocNo::parse("SO-2").unwrap(),
            amount: Money::from_units(150_000),
        },
        "Customer paid a deposit by wire",
    );
    assert_eq!(
        b().held_orders(&who("rep-1"))[0].release_requested,
        Some(rid)
    );
    let now = 1_800_000_100_000;
    let mine = b().inbox(&who("rep-1"), now);
    assert_eq!(
        mine.mine.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![rid]
    );
    assert!(mine.waiting.is_empty() && !mine.sees_all && mine.all.is_empty());
    let other = b().inbox(&who("rep-2"), now);
    assert!(other.mine.is_empty() && other.waiting.is_empty() && other.late.is_empty());
    let sm = b().inbox(&who("sm"), now);
    assert_eq!(
        sm.waiting.iter().map(|(_, r)| r.id).collect::<Vec<_>>(),
        vec![rid]
    );
    assert!(sm.sees_all && sm.all.len() == 1);
}

#[test]
fn every_problem_code_is_unique_and_each_family_has_prefixes_of_its_own() {
    use creditdesk_domain::approval::RouteCode;
    use creditdesk_domain::credit::PolicyCode;
    use creditdesk_domain::import::ImportProblem;
    use creditdesk_domain::monitor::RuleCode;
    use creditdesk_domain::rating::ModelCode;
    use creditdesk_storage::backup::BackupCode;
    use std::collections::BTreeMap;
    let families: [(&str, Vec<&str>); 6] = [
        ("model", ModelCode::ALL.map(ModelCode::code).to_vec()),
        ("rules", RuleCode::ALL.map(RuleCode::code).to_vec()),
        ("policy", PolicyCode::ALL.map(PolicyCode::code).to_vec()),
        ("routes", RouteCode::ALL.map(RouteCode::code).to_vec()),
        ("backup", BackupCode::ALL.map(BackupCode::code).to_vec()),
        ("import", ImportProblem::CODES.to_vec()),
    ];
    // The prefix is what comes before the dash or the digits: `W` of `W-SUM`, `RU` of `RU001`.
    let prefix = |c: &'static str| c.split(|ch: char| ch == '-' || ch.is_ascii_digit()).next();
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut all: Vec<&str> = Vec::new();
    for (family, codes) in &families {
        for &c in codes {
            let p = prefix(c).filter(|p| !p.is_empty()).expect(c);
            let first = *owner.entry(p).or_insert(family);
            assert_eq!(first, *family, "{c}: the prefix {p} is also {first}'s");
            all.push(c);
        }
    }
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "a code is used twice");
}

#[test]
fn credit_reserved_for_a_rep_is_kept_from_others_and_used_by_their_orders() {
    let w = World::new();
    let until = d(TODAY).add_days(7);
    let reserve = |id: &str, customer, units: i64, until| Command::ReserveCredit {
        id: id.into(),
        customer,
        amount: Money::from_units(units),
        until,
    };
    // What may be reserved: the rep's own customer, within 14 days, within what is available.
    assert_eq!(
        cell(w.run("rep-1", reserve("r0", w.theirs, 1_000, until))),
        "CMD-NOT-YOURS"
    );
    assert_eq!(
        cell(w.run("rep-1", reserve("r0", w.ours, 1_000, d(TODAY).add_days(15)))),
        "CMD-RESERVATION"
    );
    assert_eq!(
        cell(w.run("rep-1", reserve("r0", w.ours, 0, until))),
        "CMD-RESERVATION"
    );
    assert_eq!(
        cell(w.run("rep-1", reserve("r1", w.ours, 60_000, until))),
        "ok"
    );
    assert_eq!(
        cell(w.run("rep-1", reserve("r2", w.ours, 50_000, until))),
        "CMD-CREDIT-BLOCKED",
        "only what is available may be set aside"
    );
    assert_eq!(
        w.book.borrow().reserved(w.ours, None),
        Money::from_units(60_000)
    );
    // Finance's order cannot use the reserved credit: 60,000 reserved + 50,000 is over the limit.
    let theirs = w.order(w.ours, "50000", false);
    w.run("fs", theirs.clone()).unwrap();
    assert_eq!(w.status(&theirs), OrderStatus::Held);
    // The rep's own order uses the reservation up.
    let mine = w.order(w.ours, "60000", false);
    w.run("rep-1", mine.clone()).unwrap();
    assert_eq!(w.status(&mine), OrderStatus::Open);
    assert_eq!(w.book.borrow().reserved(w.ours, None), Money::ZERO);
    // Only its holder (or whoever edits the policy) gives a reservation back.
    w.run("rep-1", reserve("r3", w.ours, 10_000, until))
        .unwrap_or_else(|e| {
            panic!("{e}");
        });
    let release = Command::ReleaseReservation { id: "r3".into() };
    assert_eq!(cell(w.run("sm", release.clone())), "CMD-NOT-PERMITTED");
    assert_eq!(cell(w.run("rep-1", release)), "ok");
    assert!(w.book.borrow().reservations_on(w.ours).is_empty());
    // Every step is in the trail.
    let trail: Vec<String> = w
        .book
        .borrow()
        .audit
        .iter()
        .map(|e| e.what.clone())
        .collect();
    assert!(trail.contains(&"credit.reserved".to_string()));
    assert!(trail.contains(&"credit.reservation_released".to_string()));
}

#[test]
fn a_request_command_meets_the_forms_rules_whoever_sends_it() {
    let w = World::new();
    let today = d(TODAY);
    let grade = w.book.borrow().grade(w.ours);
    let cap = w.book.borrow().policy.of(grade).max_limit;
    let other_grade = creditdesk_domain::rating::Grade::ALL
        .into_iter()
        .find(|g| *g != grade)
        .unwrap();
    let check = |kind: RequestKind, reason: &str, expected: &str| {
        let cmd = Command::FileRequest {
            id: RequestId::from_u128(w.next()),
            customer: w.ours,
            kind: kind.clone(),
            reason: reason.into(),
            attachments: vec![],
        };
        let got = match w.run("rep-1", cmd) {
            Ok(_) => "ok".to_string(),
            Err(CommandError::Invalid(e)) => e
                .iter()
                .map(|e| format!("{} {}", e.field, e.problem.code()))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => e.code().as_str().to_string(),
        };
        assert_eq!(got, expected, "{kind:?} / {reason:?}");
    };
    let why = "Peak season stocking order";
    // (The customer has a permanent limit of 100,000 and is not frozen.)
    check(
        RequestKind::TemporaryLimit {
            amount: Money::from_units(90_000),
            start: today,
            end: today.add_days(30),
        },
        why,
        "amount E-NOT-ABOVE",
    );
    check(
        RequestKind::TemporaryLimit {
            amount: Money::from_units(150_000),
            start: today,
            end: today.add_days(400),
        },
        why,
        "end E-RANGE",
    );
    check(
        RequestKind::PermanentChange {
            before: Money::ZERO,
            after: cap + Money::from_units(1),
            expires: None,
            review: None,
        },
        why,
        "amount E-RANGE",
    );
    check(
        RequestKind::FirstApplication {
            limit: Money::from_units(10_000),
            expires: None,
            review: None,
        },
        why,
        "action E-HAS-LIMIT",
    );
    check(
        RequestKind::Unfreeze { limit: Money::ZERO },
        why,
        "action E-SAME",
    );
    check(RequestKind::Freeze, "too short", "reason E-TOO-SHORT");
    check(
        RequestKind::GradeOverride {
            from: other_grade,
            to: grade,
            score: creditdesk_domain::rating::Fixed(0),
            model_version: 1,
            limit: Money::ZERO,
        },
        why,
        "to E-SAME",
    );
    check(RequestKind::Freeze, why, "ok");
}

#[test]
fn a_request_page_is_not_yours_on_another_reps_customer_and_missing_when_there_is_none() {
    let w = World::new();
    let id = RequestId::from_u128(77);
    w.run(
        "rep-2",
        Command::FileRequest {
            id,
            customer: w.theirs,
            kind: RequestKind::Freeze,
            reason: "The customer stopped answering calls".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    let b = w.book.borrow();
    let got = |user: &str, id: Option<RequestId>| match b.request_for(&who(user), id) {
        Ok((r, _)) => format!("{}", r.id == RequestId::from_u128(77)),
        Err(a) => format!("{a:?}"),
    };
    assert_eq!(got("rep-2", Some(id)), "true");
    assert_eq!(got("fs", Some(id)), "true");
    assert_eq!(got("rep-1", Some(id)), "NotYours");
    assert_eq!(got("rep-2", Some(RequestId::from_u128(78))), "Missing");
    assert_eq!(got("rep-2", None), "Missing");
}

#[test]
fn a_request_form_is_checked_against_the_limits_in_force_the_grade_and_its_cap() {
    let w = World::new();
    let ctx = w.book.borrow().request_context(w.ours).unwrap();
    let b = w.book.borrow();
    let grade = b.grade(w.ours);
    assert_eq!(ctx.current.grade, grade);
    assert_eq!(ctx.cap, b.policy.of(grade).max_limit);
    assert_eq!(ctx.limits.permanent, Money::from_units(100_000));
    assert!(!ctx.limits.frozen);
    // The same figures the command checks: a permanent limit over the cap is refused by both.
    let over = creditdesk_domain::credit::LimitInput {
        action: "permanent".into(),
        amount: (ctx.cap + Money::from_units(1)).to_plain(),
        reason: "Grown a lot this year".into(),
        ..Default::default()
    };
    assert!(
        creditdesk_domain::request::limit_request(&over, &ctx.limits, ctx.cap, b.as_of).is_err()
    );
}

#[test]
fn the_audit_page_is_for_who_may_read_it_and_names_what_each_entry_is_about() {
    let w = World::new();
    let id = RequestId::from_u128(0xabcdef12_0000_0000_0000_000000000001);
    w.run(
        "rep-1",
        Command::FileRequest {
            id,
            customer: w.ours,
            kind: RequestKind::Freeze,
            reason: "The customer stopped answering calls".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    let b = w.book.borrow();
    assert!(
        b.audit_page(&who("rep-1"), 500).is_none(),
        "a rep may not read it"
    );
    let (lines, total) = b.audit_page(&who("fm"), 500).unwrap();
    assert_eq!(total, b.audit.len());
    assert_eq!(
        lines[0].entry.seq,
        b.audit.last().unwrap().seq,
        "newest first"
    );
    let name = b.customer(w.ours).unwrap().name.clone();
    assert_eq!(b.subject_text(&format!("customer:{}", w.ours)), name);
    assert_eq!(
        b.subject_text(&format!("request:{id}")),
        format!("{name} · #{}", &id.to_string()[..8])
    );
    assert_eq!(b.subject_text("policy"), "policy");
    assert_eq!(b.subject_text("request:x"), "request:x");
    assert_eq!(b.audit_page(&who("fm"), 1).unwrap().0.len(), 1);
}

#[test]
fn an_import_of_many_rows_is_recorded_as_its_commands_canonical_json_and_opens_every_disputed_row()
{
    use creditdesk_domain::import::{Kind as ImportKind, Records};
    use creditdesk_domain::ledger::Invoice;
    let w = World::new();
    let meta = Meta::new(DeviceId::from_u128(7), Timestamp(0));
    // More rows than are written between two turns, and a few of them disputed.
    let invoices: Vec<Invoice> = (0..12_001u32)
        .map(|n| Invoice {
            id: InvoiceId::from_u128(1_000_000 + u128::from(n)),
            meta,
            customer: w.ours,
            order: None,
            number: DocNo::parse(&format!("IMP-{n:05}")).unwrap(),
            issue_date: d(TODAY).add_days(-(n as i32 % 40)),
            due_date: d(TODAY).add_days(30),
            amount: Money::from_units(1_000 + i64::from(n % 97)),
        })
        .collect();
    let disputed = vec![
        (invoices[3].id, Money::from_units(500)),
        (invoices[9_000].id, invoices[9_000].amount),
    ];
    let records = Records {
        rows: (2..2 + invoices.len() as u64).collect(),
        invoices,
        disputed,
        ..Records::default()
    };
    let cmd = import(ImportKind::Invoices, records);
    w.run("fs", cmd.clone()).unwrap();
    let outbox = block_on(w.store.outbox()).unwrap();
    let rec = outbox.last().unwrap();
    let text = rec.payload.text();
    let env: Envelope = rec.payload.read().unwrap();
    assert_eq!(env.command, cmd);
    assert_eq!(
        text,
        serde_json::to_value(&env).unwrap().to_string(),
        "the command's text as its tree of values writes it (keys sorted)"
    );
    assert!(text.contains(r#""disputed":[["#), "{}", &text[..300]);
    // Each disputed row opened a dispute of its invoice on the one customer, both kept.
    let b = w.book.borrow();
    let opened: Vec<(String, Money)> = b
        .customer(w.ours)
        .unwrap()
        .disputes
        .iter()
        .filter(|d| d.id.starts_with("import-"))
        .map(|d| (d.id.clone(), d.amount))
        .collect();
    let expected: Vec<(String, Money)> = env_disputed(&env)
        .iter()
        .map(|&(id, amount)| (format!("import-{id}"), amount))
        .collect();
    assert_eq!(opened, expected);
}

fn env_disputed(env: &Envelope) -> Vec<(InvoiceId, Money)> {
    match &env.command {
        Command::ImportBatch { records, .. } => records.disputed.clone(),
        _ => panic!("not an import"),
    }
}

#[test]
fn an_import_pushed_with_records_the_ledger_would_refuse_is_refused_whole() {
    use creditdesk_domain::import::{Kind as ImportKind, Records};
    use creditdesk_domain::ledger::{Allocation, Invoice, Payment};
    let w = World::new();
    // A stored invoice of 10,000, open.
    let stored = w.invoice(w.ours, "10000", None);
    w.run("fs", stored.clone()).unwrap();
    let stored_id = invoice_id(&stored);
    let meta = Meta::new(DeviceId::from_u128(7), Timestamp(0));
    let invoice = |n: u128, number: &str, amount: i64, due_days: i32| Invoice {
        id: InvoiceId::from_u128(n),
        meta,
        customer: w.ours,
        order: None,
        number: DocNo::parse(number).unwrap(),
        issue_date: d(TODAY),
        due_date: d(TODAY).add_days(due_days),
        amount: Money::from_units(amount),
    };
    let payment = |n: u128, amount: i64, on: InvoiceId, allocated: i64| Payment {
        id: PaymentId::from_u128(n),
        meta,
        customer: w.ours,
        reference: None,
        date: d(TODAY),
        amount: Money::from_units(amount),
        allocations: vec![Allocation {
            invoice: on,
            amount: Money::from_units(allocated),
        }],
    };
    let taken = w
        .book
        .borrow()
        .ledger
        .invoices()
        .next()
        .unwrap()
        .number
        .to_string();
    let check = |kind: ImportKind, records: Records, expected: &str| {
        let outbox = w.outbox_len();
        let got = match w.run(
            "fs",
            Command::ImportBatch {
                kind,
                file: "forged.csv".into(),
                rows_total: 1,
                skipped: 0,
                records,
                blocked: Blocked::Hold,
            },
        ) {
            Ok(_) => "ok".to_string(),
            Err(CommandError::Rows(rows)) => rows.join("; "),
            Err(e) => e.to_string(),
        };
        assert!(got.contains(expected), "{got}");
        if expected != "ok" {
            assert_eq!(w.outbox_len(), outbox, "nothing written");
        }
    };
    let with_invoices = |v: Vec<Invoice>| Records {
        invoices: v,
        ..Records::default()
    };
    let with_payments = |v: Vec<Payment>| Records {
        payments: v,
        ..Records::default()
    };
    check(
        ImportKind::Invoices,
        with_invoices(vec![invoice(900, "F-1", -5, 30)]),
        "more than zero",
    );
    check(
        ImportKind::Invoices,
        with_invoices(vec![invoice(901, "F-2", 5, -3)]),
        "due before",
    );
    check(
        ImportKind::Invoices,
        with_invoices(vec![invoice(902, &taken, 5, 30)]),
        "number is taken",
    );
    check(
        ImportKind::Invoices,
        with_invoices(vec![invoice(903, "F-3", 5, 30), invoice(904, "F-3", 6, 30)]),
        "number is taken",
    );
    check(
        ImportKind::Payments,
        with_payments(vec![payment(905, 20_000, stored_id, 20_000)]),
        "payment",
    );
    // Two payments of 6,000 each on an invoice with 10,000 open: each alone fits, not both.
    check(
        ImportKind::Payments,
        with_payments(vec![
            payment(906, 6_000, stored_id, 6_000),
            payment(907, 6_000, stored_id, 6_000),
        ]),
        "together",
    );
    check(
        ImportKind::Payments,
        with_payments(vec![payment(908, 6_000, stored_id, 6_000)]),
        "ok",
    );
}

#[test]
fn a_refused_command_names_the_customer_to_fix_it_on() {
    let w = World::new();
    let order = w.order(w.ours, "100", false);
    w.run("rep-1", order.clone()).unwrap();
    let b = w.book.borrow();
    let check = |cmd: Command, expected: Option<CustomerId>| {
        assert_eq!(b.customer_of(&cmd), expected, "{}", cmd.name());
    };
    check(w.order(w.theirs, "1", false), Some(w.theirs));
    check(
        Command::MoveOrder {
            order: order_id(&order),
            to: OrderMove::Ship,
        },
        Some(w.ours),
    );
    check(
        Command::MoveOrder {
            order: OrderId::from_u128(999_999),
            to: OrderMove::Ship,
        },
        None,
    );
    check(Command::ExpireDue, None);
}

/// Decides a request with every approver in turn until it is approved (or no one may act).
fn approve_all(w: &World, request: RequestId) -> Option<State> {
    let mut state = None;
    for approver in ["sm", "fs", "fm", "cfo", "gm"] {
        if let Ok(r) = w.run(
            approver,
            Command::Decide {
                request,
                approve: true,
                comment: String::new(),
            },
        ) {
            state = r.state;
        }
        if state == Some(State::Approved) {
            break;
        }
    }
    state
}

#[test]
fn an_approved_grade_override_changes_the_grade_and_the_policy_orders_are_checked_under() {
    use creditdesk_domain::rating::{Fixed, Grade};
    let w = World::new();
    let before = w.book.borrow().grade(w.ours);
    // To C: no credit at all (cash before delivery, term 0); from C: grade A.
    let to = if before == Grade::C {
        Grade::A
    } else {
        Grade::C
    };
    let model_version = w.book.borrow().model.version;
    let rid = w.file(
        "rep-1",
        RequestKind::GradeOverride {
            from: before,
            to,
            score: Fixed(0),
            model_version,
            limit: Money::from_units(100_000),
        },
        "The group guarantees its payments",
    );
    // Filed, nothing changes yet.
    assert_eq!(w.book.borrow().grade(w.ours), before);
    assert_eq!(approve_all(&w, rid), Some(State::Approved));
    let book = w.book.borrow();
    assert_eq!(book.grade(w.ours), to);
    assert_eq!(
        book.customer(w.ours)
            .unwrap()
            .grade_override
            .map(|o| o.grade),
        Some(to)
    );
    assert_eq!(book.default_term_days(w.ours), book.policy.of(to).term_days);
    let small = book
        .check_order(w.ours, Money::from_units(1_000), false)
        .unwrap();
    let expected = if to == Grade::C {
        Outcome::Block
    } else {
        Outcome::Pass
    };
    assert_eq!(small.outcome, expected, "{:?}", small.reasons);
    assert!(book.audit.iter().any(|e| e.what == "request.approved"));
    drop(book);
    // The grade stays overridden after the figures are computed again.
    w.book.borrow_mut().refresh_summary(w.ours);
    assert_eq!(w.book.borrow().grade(w.ours), to);
}

/// The open alert in memory of the world's own customer.
fn open_alert_of_ours(w: &World) -> creditdesk_domain::monitor::Alert {
    w.book
        .borrow()
        .monitor
        .alerts
        .iter()
        .find(|a| a.customer == w.ours && a.status == creditdesk_domain::monitor::AlertStatus::Open)
        .expect("an open alert")
        .clone()
}

#[test]
fn an_alert_is_acknowledged_then_resolved_by_who_sees_it_and_each_step_is_audited() {
    use creditdesk_app::monitoring::run_rules;
    use creditdesk_domain::monitor::AlertStatus;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let alert = open_alert_of_ours(&w);
    let set = |status| Command::SetAlert {
        alert: alert.id.clone(),
        status,
    };
    // Another rep's customer is not theirs to touch.
    assert_eq!(
        cell(w.run("rep-2", set(AlertStatus::Acknowledged))),
        "CMD-NOT-YOURS"
    );
    let status = |w: &World| {
        w.book
            .borrow()
            .monitor
            .alerts
            .iter()
            .find(|a| a.id == alert.id)
            .unwrap()
            .status
    };
    assert_eq!(status(&w), AlertStatus::Open);
    w.run("rep-1", set(AlertStatus::Acknowledged)).unwrap();
    assert_eq!(status(&w), AlertStatus::Acknowledged);
    w.run("fs", set(AlertStatus::Resolved)).unwrap();
    assert_eq!(status(&w), AlertStatus::Resolved);
    let trail: Vec<(String, String)> = w
        .book
        .borrow()
        .audit
        .iter()
        .filter(|e| e.subject == format!("alert:{}", alert.id))
        .map(|e| (e.who.clone(), e.what.clone()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("rep-1".to_string(), "alert.acknowledged".to_string()),
            ("fs".to_string(), "alert.resolved".to_string()),
        ]
    );
    // What was written reads back the same.
    let (_, stored, _) = block_on(creditdesk_app::monitoring::load(&w.store)).unwrap();
    assert_eq!(
        stored
            .alerts
            .iter()
            .find(|a| a.id == alert.id)
            .map(|a| a.status),
        Some(AlertStatus::Resolved)
    );
}

#[test]
fn an_alert_acknowledged_in_the_rules_runs_turn_before_its_write_stays_acknowledged() {
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    // The run raises the alert, gives the page a turn, then writes: in the turn the rep
    // acknowledges the alert the run has just raised (it is in memory, not yet stored).
    acknowledged_in_a_runs_turn(&w, 1, "rep-1", |a| a.customer == w.ours);
}

/// Runs the rules over everyone; in the run's `turn`th turn, `actor` acknowledges the first open
/// alert `pick` chooses (one the run has just raised: in memory, not yet stored). Checks that it
/// stays acknowledged, in the book and as stored.
fn acknowledged_in_a_runs_turn(
    w: &World,
    turn: usize,
    actor: &str,
    pick: impl Fn(&creditdesk_domain::monitor::Alert) -> bool,
) {
    acknowledged_in_a_runs_turn_of(w, turn, actor, pick, false);
}

/// [`acknowledged_in_a_runs_turn`], on a store that takes a turn in the run's write (as a
/// browser's makes a large write's values with turns) when `in_commits`.
fn acknowledged_in_a_runs_turn_of(
    w: &World,
    turn: usize,
    actor: &str,
    pick: impl Fn(&creditdesk_domain::monitor::Alert) -> bool,
    in_commits: bool,
) {
    use creditdesk_app::monitoring::run_rules;
    use creditdesk_domain::monitor::AlertStatus;
    let acknowledged = RefCell::new(None);
    let mut store = Turning::at(&w.store, turn, || {
        *acknowledged.borrow_mut() = Some(acknowledge_open(w, actor, &pick));
    });
    if in_commits {
        store = store.with_turns_in_commits();
    }
    block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    let id = acknowledged.take().expect("acknowledged in the turn");
    let status = |alerts: &[creditdesk_domain::monitor::Alert]| {
        alerts.iter().find(|a| a.id == id).map(|a| a.status)
    };
    let (_, stored, _) = block_on(creditdesk_app::monitoring::load(&w.store)).unwrap();
    let acked = Some(AlertStatus::Acknowledged);
    assert_eq!(status(&w.book.borrow().monitor.alerts), acked);
    assert_eq!(
        status(&stored.alerts),
        acked,
        "the run's write keeps what the turn changed"
    );
}

/// Acknowledges, as `actor`, the first open alert `pick` chooses; its id.
fn acknowledge_open(
    w: &World,
    actor: &str,
    pick: impl Fn(&creditdesk_domain::monitor::Alert) -> bool,
) -> String {
    use creditdesk_domain::monitor::AlertStatus;
    let id = w
        .book
        .borrow()
        .monitor
        .alerts
        .iter()
        .find(|a| a.status == AlertStatus::Open && pick(a))
        .expect("an open alert")
        .id
        .clone();
    let set = Command::SetAlert {
        alert: id.clone(),
        status: AlertStatus::Acknowledged,
    };
    w.run(actor, set).unwrap();
    id
}

#[test]
fn an_approved_unfreeze_lifts_the_holds_the_rules_put_on_ordering() {
    use creditdesk_app::monitoring::run_rules;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(!w.book.borrow().monitor.held(w.ours).is_empty());
    assert!(w.book.borrow().limits_in_force(w.ours).unwrap().frozen);
    let rid = w.file(
        "rep-1",
        RequestKind::Unfreeze {
            limit: Money::from_units(100_000),
        },
        "Paid by wire this morning, the bank confirmed",
    );
    // Filed: still held.
    assert!(!w.book.borrow().monitor.held(w.ours).is_empty());
    assert_eq!(approve_all(&w, rid), Some(State::Approved));
    let book = w.book.borrow();
    assert!(book.monitor.held(w.ours).is_empty());
    assert!(!book.limits_in_force(w.ours).unwrap().frozen);
    assert!(book.audit.iter().any(|e| e.what == "hold.released"));
    // The lifted hold is stored so: a reload does not bring it back.
    drop(book);
    let (_, stored, _) = block_on(creditdesk_app::monitoring::load(&w.store)).unwrap();
    assert!(!stored.holds.contains_key(&w.ours));
}

#[test]
fn a_request_is_withdrawn_only_by_its_requester_while_it_is_open() {
    let w = World::new();
    let rid = w.file(
        "rep-1",
        RequestKind::Freeze,
        "The customer has stopped answering",
    );
    let withdraw = Command::Withdraw { request: rid };
    assert_eq!(cell(w.run("sm", withdraw.clone())), "CMD-WORKFLOW");
    let r = w.run("rep-1", withdraw.clone()).unwrap();
    assert_eq!(r.state, Some(State::Withdrawn));
    // Closed: no one decides it, and it is not withdrawn twice.
    assert_eq!(
        cell(w.run(
            "sm",
            Command::Decide {
                request: rid,
                approve: true,
                comment: String::new()
            }
        )),
        "CMD-WORKFLOW"
    );
    assert_eq!(cell(w.run("rep-1", withdraw)), "CMD-WORKFLOW");
    assert!(!w.book.borrow().customer(w.ours).unwrap().limits.frozen);
    assert!(w
        .book
        .borrow()
        .audit
        .iter()
        .any(|e| e.what == "request.withdrawn" && e.who == "rep-1"));
}

#[test]
fn a_request_takes_at_most_five_attachments_none_empty_or_over_5_mib() {
    use creditdesk_domain::request::{Attachment, MAX_ATTACHMENT_BYTES};
    let w = World::new();
    let file = |n: usize, size: u64| Attachment {
        id: format!("att-{n}"),
        name: format!("contract-{n}.pdf"),
        mime: "application/pdf".into(),
        size,
    };
    let attempt = |attachments: Vec<Attachment>| {
        w.run(
            "rep-1",
            Command::FileRequest {
                id: RequestId::from_u128(w.next()),
                customer: w.ours,
                kind: RequestKind::Freeze,
                reason: "The customer has stopped answering".into(),
                attachments,
            },
        )
    };
    let refused = |r: Result<Receipt, CommandError>| match r {
        Err(CommandError::Invalid(errors)) => errors
            .iter()
            .map(|e| (e.field.to_string(), format!("{:?}", e.problem)))
            .collect::<Vec<_>>(),
        other => panic!("expected a refusal, got {:?}", other.map(|r| r.state)),
    };
    let six: Vec<Attachment> = (0..6).map(|n| file(n, 1_000)).collect();
    assert_eq!(
        refused(attempt(six)),
        vec![(
            "attachments".to_string(),
            "OutOfRange { min: 0, max: 5 }".to_string()
        )]
    );
    assert_eq!(
        refused(attempt(vec![file(0, 0)])),
        vec![(
            "attachments".to_string(),
            "FileSize { max_mib: 5 }".to_string()
        )]
    );
    assert_eq!(
        refused(attempt(vec![file(0, MAX_ATTACHMENT_BYTES + 1)])),
        vec![(
            "attachments".to_string(),
            "FileSize { max_mib: 5 }".to_string()
        )]
    );
    // Nothing was filed; five files of exactly 5 MiB are.
    assert!(w.book.borrow().requests.is_empty());
    let five: Vec<Attachment> = (0..5).map(|n| file(n, MAX_ATTACHMENT_BYTES)).collect();
    attempt(five).unwrap();
    assert_eq!(w.book.borrow().requests[0].attachments.len(), 5);
}

/// The rules' run and the reviews they ask for at `at` (over `ids`, or everyone), filed as the
/// system user with ids from `next`.
fn watch_as_system<S: Store>(
    store: &S,
    book: &RefCell<Book>,
    at: i64,
    ids: Option<Vec<CustomerId>>,
    next: &mut dyn FnMut() -> u128,
) -> creditdesk_app::monitoring::Watched {
    let system = system_user();
    block_on(creditdesk_app::monitoring::watch(
        store,
        book,
        Timestamp(at),
        ids,
        &system,
        next,
    ))
    .unwrap()
}

/// A world whose customer with the limit was invoiced seven months ago, paid the same day, and
/// has bought nothing since: its limit is unused for six months.
fn world_unused_for_seven_months() -> World {
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "3000", 213)).unwrap();
    let inv = w.book.borrow().ledger.invoices().next().unwrap().id;
    let n = w.next();
    w.run(
        "fs",
        Command::RecordPayment {
            id: PaymentId::from_u128(n),
            customer: w.ours,
            input: PaymentInput {
                reference: String::new(),
                date: d(TODAY).add_days(-213).iso(),
                amount: "3000".into(),
                invoice: Some(inv),
            },
        },
    )
    .unwrap();
    w
}

#[test]
fn a_limit_unused_for_six_months_files_its_review_as_the_system_once() {
    let w = world_unused_for_seven_months();
    let system = system_user();
    let mut ids = 5_000u128..;
    let mut next = || ids.next().unwrap();
    let watched = watch_as_system(&w.store, &w.book, 1_800_000_100_000, None, &mut next);
    assert!(
        watched
            .fresh
            .iter()
            .any(|a| a.customer == w.ours && a.rule == "W1004"),
        "{:?}",
        watched.fresh.iter().map(|a| &a.rule).collect::<Vec<_>>()
    );
    // The other customer, never invoiced since 2020, is reviewed too: one review each.
    assert_eq!(watched.reviews, Ok(2));
    let book = w.book.borrow();
    let review = book.requests.iter().find(|r| r.customer == w.ours).unwrap();
    assert_eq!(review.customer, w.ours);
    assert_eq!(review.flow.requester, system.id);
    assert!(review.state().is_open());
    let RequestKind::PermanentChange { before, after, .. } = review.kind else {
        panic!("a review is a permanent change: {:?}", review.kind)
    };
    assert_eq!(before, Money::from_units(100_000));
    assert!(after <= before, "a review never raises the limit");
    assert!(review.reason.starts_with("W1004"), "{}", review.reason);
    drop(book);
    // The next run files no second review while this one is open.
    let again = watch_as_system(&w.store, &w.book, 1_800_000_200_000, None, &mut next);
    assert_eq!(again.reviews, Ok(0));
    assert_eq!(w.book.borrow().requests.len(), 2);
}

#[test]
fn notice_settings_are_an_administrators_and_each_users_own_contact_is_theirs() {
    use creditdesk_domain::notice::{Contact, Flavour, Hook, Settings};
    let w = World::new();
    let mut all = Settings::default();
    all.contacts.insert(
        "rep-1".into(),
        Contact {
            manager: Some("sm".into()),
            ..Contact::default()
        },
    );
    all.contacts.insert(
        "fs".into(),
        Contact {
            email: "fs@example.com".into(),
            hook: Some(Hook {
                flavour: Flavour::WeCom,
                url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET".into(),
            }),
            ..Contact::default()
        },
    );
    w.run(
        "admin",
        Command::SaveNotices {
            settings: all.clone(),
        },
    )
    .unwrap();
    assert_eq!(w.book.borrow().notices.version, 1);
    let stored = block_on(creditdesk_storage::settings::NOTICES.read(&w.store))
        .unwrap()
        .unwrap();
    assert_eq!(stored.contacts, all.contacts);
    // The trail names the robot's host, never its key.
    let trail = block_on(w.store.load_audit()).unwrap();
    let last = trail.last().unwrap();
    assert!(last.after.contains("qyapi.weixin.qq.com"), "{}", last.after);
    assert!(!last.after.contains("SECRET"), "{}", last.after);

    // A rep sets their own address...
    let current = w.book.borrow().notices.clone();
    let mine = Contact {
        email: "rep1@example.com".into(),
        manager: Some("sm".into()),
        ..Contact::default()
    };
    w.run(
        "rep-1",
        Command::SaveNotices {
            settings: current.with_own("rep-1", mine.clone()),
        },
    )
    .unwrap();
    assert_eq!(
        w.book.borrow().notices.contacts["rep-1"].email,
        "rep1@example.com"
    );
    // ...but not their manager, nor anyone else's contact, nor the defaults.
    let code = |r: Result<Receipt, CommandError>| match r {
        Err(CommandError::Notices(p)) => p.iter().map(|p| p.code.clone()).collect::<Vec<_>>(),
        r => panic!("{r:?}"),
    };
    let current = w.book.borrow().notices.clone();
    let mut other_manager = current.clone();
    other_manager.contacts.get_mut("rep-1").unwrap().manager = None;
    assert_eq!(
        code(w.run(
            "rep-1",
            Command::SaveNotices {
                settings: other_manager
            }
        )),
        ["N007"]
    );
    let mut theirs = current.clone();
    theirs.contacts.get_mut("fs").unwrap().email = "me-instead@example.com".into();
    assert_eq!(
        code(w.run("rep-1", Command::SaveNotices { settings: theirs })),
        ["N007"]
    );
    // A bad address is named with its place, whoever saves it; nothing is written.
    let bad = current.with_own(
        "rep-1",
        Contact {
            email: "rep1 at example".into(),
            ..mine
        },
    );
    assert_eq!(
        code(w.run("rep-1", Command::SaveNotices { settings: bad })),
        ["N001"]
    );
    assert_eq!(w.book.borrow().notices, current);
}

// ----- corrections and credit notes -----

fn correct(w: &World, actor: &str, fix: Fix, reason: &str) -> Result<Receipt, CommandError> {
    w.run(
        actor,
        Command::Correct {
            id: CorrectionId::from_u128(w.next()),
            customer: w.ours,
            fix,
            reason: reason.into(),
        },
    )
}

fn payment_id(cmd: &Command) -> PaymentId {
    let Command::RecordPayment { id, .. } = cmd else {
        panic!("not a payment")
    };
    *id
}

fn field_problem(r: Result<Receipt, CommandError>) -> (&'static str, &'static str) {
    match r {
        Err(CommandError::Invalid(errs)) => {
            (errs[0].field.to_string().leak(), errs[0].problem.code())
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_void_wrongly_typed_payment_brings_the_overdue_back_and_the_trail_keeps_why() {
    use creditdesk_app::monitoring::run_rules;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    // Typed against the wrong customer's invoice list: it was meant for another customer.
    let pay = w.payment(w.ours, "20000", None);
    w.run("fs", pay.clone()).unwrap();
    assert_eq!(w.book.borrow().summary(w.ours).overdue, Money::ZERO);
    let (report, _) = block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(!report.held.contains(&w.ours), "{report:?}");

    // Only finance corrects the ledger, and a void says why.
    let void = Fix::VoidPayment {
        payment: payment_id(&pay),
    };
    assert!(matches!(
        correct(&w, "rep-1", void.clone(), "wrong customer"),
        Err(CommandError::NotPermitted(_))
    ));
    assert_eq!(
        field_problem(correct(&w, "fs", void.clone(), "  ")),
        ("reason", "E-REQUIRED")
    );
    correct(&w, "fs", void.clone(), "wrong customer").unwrap();
    {
        let book = w.book.borrow();
        assert_eq!(book.summary(w.ours).overdue, Money::from_units(20_000));
        let e = book.audit.last().unwrap();
        assert_eq!(
            (e.what.as_str(), e.why.as_str()),
            ("payment.voided", "wrong customer")
        );
        assert!(e.before.contains("¥20,000.00"), "{}", e.before);
        // The payment stays in history.
        assert_eq!(book.ledger.customer_payments(w.ours).len(), 1);
    }
    // The rules see the overdue again: the customer is held.
    let (report, _) = block_on(run_rules(&w.store, &w.book, 1_800_000_200_000, None)).unwrap();
    assert!(report.held.contains(&w.ours), "{report:?}");
    // Voided once only.
    assert_eq!(
        field_problem(correct(&w, "fs", void, "again")),
        ("document", "E-VOID")
    );
    // What was written reads back the same.
    let (reloaded, _) = block_on(load::whole_book(
        &w.store,
        d(TODAY),
        DeviceId::from_u128(7),
        users,
    ))
    .unwrap();
    assert_eq!(
        reloaded.summary(w.ours),
        w.book.borrow().summary(w.ours),
        "the void survives a reload"
    );
    assert_eq!(reloaded.ledger.corrections().len(), 1);
}

#[test]
fn an_invoice_is_voided_only_once_its_payment_is_moved_and_a_credit_note_form_checks_every_field() {
    let w = World::new();
    let wrong = w.invoice(w.ours, "5000", None);
    let right = w.invoice(w.ours, "3000", None);
    w.run("fs", wrong.clone()).unwrap();
    w.run("fs", right.clone()).unwrap();
    let pay = w.payment(w.ours, "3000", Some(invoice_id(&wrong)));
    w.run("fs", pay.clone()).unwrap();
    let void = Fix::VoidInvoice {
        invoice: invoice_id(&wrong),
    };
    assert_eq!(
        field_problem(correct(&w, "fs", void.clone(), "amount typed wrong")),
        ("document", "E-SETTLED")
    );
    // Moving more than the payment is refused at its allocations.
    let too_much = Fix::Reallocate {
        payment: payment_id(&pay),
        allocations: vec![Allocation {
            invoice: invoice_id(&right),
            amount: Money::from_units(3500),
        }],
    };
    assert_eq!(
        field_problem(correct(&w, "fs", too_much, "")),
        ("allocations", "E-EXCEEDS-OPEN")
    );
    let moved = Fix::Reallocate {
        payment: payment_id(&pay),
        allocations: vec![Allocation {
            invoice: invoice_id(&right),
            amount: Money::from_units(3000),
        }],
    };
    correct(&w, "fs", moved, "").unwrap();
    assert_eq!(
        w.book.borrow().audit.last().unwrap().what,
        "payment.reallocated"
    );
    correct(&w, "fs", void, "amount typed wrong").unwrap();
    assert_eq!(w.book.borrow().summary(w.ours).open_ar, Money::ZERO);

    // The credit-note form: every problem at its field, at once.
    let note = |number: &str, amount: &str, invoice: Option<InvoiceId>| Command::RecordCreditNote {
        id: CreditNoteId::from_u128(w.next()),
        customer: w.ours,
        input: creditdesk_domain::ledger::CreditNoteInput {
            number: number.into(),
            date: TODAY.into(),
            amount: amount.into(),
            invoice,
            on_account: false,
        },
    };
    let r = w.run("fs", note("", "-1", None));
    let Err(CommandError::Invalid(errs)) = r else {
        panic!("{r:?}")
    };
    let got: Vec<(&str, &str)> = errs.iter().map(|e| (&*e.field, e.problem.code())).collect();
    assert_eq!(
        got,
        vec![
            ("number", "E-REQUIRED"),
            ("amount", "E-NEGATIVE"),
            ("invoice", "E-REQUIRED")
        ]
    );
    assert_eq!(
        field_problem(w.run("fs", note("CN-1", "100", Some(invoice_id(&wrong))))),
        ("invoice", "E-VOID")
    );
    assert!(matches!(
        w.run("rep-1", note("CN-1", "100", Some(invoice_id(&right)))),
        Err(CommandError::NotPermitted(_))
    ));
    // Against the other invoice: it is paid in full already.
    assert_eq!(
        field_problem(w.run("fs", note("CN-1", "100", Some(invoice_id(&right))))),
        ("invoice", "E-ALREADY-PAID")
    );
    let third = w.invoice(w.ours, "800", None);
    w.run("fs", third.clone()).unwrap();
    w.run("fs", note("CN-1", "300", Some(invoice_id(&third))))
        .unwrap();
    assert_eq!(
        w.book.borrow().summary(w.ours).open_ar,
        Money::from_units(500)
    );
    assert_eq!(
        field_problem(w.run("fs", note("CN-1", "100", Some(invoice_id(&third))))),
        ("number", "E-DUPLICATE")
    );
    assert_eq!(
        w.book.borrow().audit.last().unwrap().what,
        "credit_note.recorded"
    );
}

#[test]
fn a_credit_note_on_account_is_applied_later_by_whoever_may_correct_the_ledger_and_audited_both_times(
) {
    let w = World::new();
    let first = w.invoice(w.ours, "1000", None);
    let second = w.invoice(w.ours, "400", None);
    w.run("fs", first.clone()).unwrap();
    w.run("fs", second.clone()).unwrap();
    let cn = CreditNoteId::from_u128(w.next());
    w.run(
        "fs",
        Command::RecordCreditNote {
            id: cn,
            customer: w.ours,
            input: creditdesk_domain::ledger::CreditNoteInput {
                number: "RB-1".into(),
                date: TODAY.into(),
                amount: "600".into(),
                invoice: None,
                on_account: true,
            },
        },
    )
    .unwrap();
    let audit = |w: &World| {
        let b = w.book.borrow();
        let e = b.audit.last().unwrap();
        (e.what.clone(), e.before.clone(), e.after.clone())
    };
    assert_eq!(audit(&w).0, "credit_note.recorded");
    assert!(audit(&w).2.ends_with("→ on account"), "{:?}", audit(&w));
    let open_ar = |w: &World| w.book.borrow().summary(w.ours).open_ar;
    assert_eq!(
        open_ar(&w),
        Money::from_units(1400),
        "on account, it settles nothing"
    );
    let view = |w: &World| {
        let b = w.book.borrow();
        let me = b.users.iter().find(|u| u.id == "fs").unwrap().clone();
        let v = b.customer_360(&me, Some(w.ours)).unwrap();
        let row = v
            .credit_notes
            .into_iter()
            .find(|c| c.note.id == cn)
            .unwrap();
        (row.unapplied, row.allocations.len())
    };
    assert_eq!(view(&w), (Money::from_units(600), 0));

    let apply = |to: &[(&Command, &str)]| Fix::ApplyCreditNote {
        credit_note: cn,
        allocations: to
            .iter()
            .map(|(i, a)| Allocation {
                invoice: invoice_id(i),
                amount: Money::parse(a).unwrap(),
            })
            .collect(),
    };
    // A sales rep may not correct the ledger; more than the note is refused at its allocations.
    assert!(matches!(
        correct(&w, "rep-1", apply(&[(&first, "600")]), ""),
        Err(CommandError::NotPermitted(_))
    ));
    assert_eq!(
        field_problem(correct(
            &w,
            "fs",
            apply(&[(&first, "300"), (&second, "400")]),
            ""
        )),
        ("allocations", "E-EXCEEDS-OPEN")
    );
    assert_eq!(
        open_ar(&w),
        Money::from_units(1400),
        "a refusal changes nothing"
    );
    correct(&w, "fs", apply(&[(&first, "200"), (&second, "400")]), "").unwrap();
    assert_eq!(open_ar(&w), Money::from_units(800));
    assert_eq!(view(&w), (Money::ZERO, 2));
    let (what, before, after) = audit(&w);
    assert_eq!(what, "credit_note.applied");
    assert!(before.starts_with("RB-1 ¥600.00: on account"), "{before}");
    assert!(
        after.contains("¥200.00") && after.contains("¥400.00"),
        "{after}"
    );
}

// ----- the limit's calendar -----

#[test]
fn a_request_that_states_an_expiry_and_a_review_sets_both_on_approval_with_the_expiry_on_the_trail()
{
    let w = World::new();
    let rid = RequestId::from_u128(991);
    let expires = d(TODAY).add_months(9);
    let review = d(TODAY).add_months(3);
    let file = |expires, review| {
        w.run(
            "rep-1",
            Command::FileRequest {
                id: rid,
                customer: w.ours,
                kind: RequestKind::PermanentChange {
                    before: Money::from_units(100_000),
                    after: Money::from_units(120_000),
                    expires: Some(expires),
                    review: Some(review),
                },
                reason: "Backed by a bank guarantee".into(),
                attachments: vec![],
            },
        )
    };
    // A calendar past its bounds (the review after the expiry) is refused as the form refuses
    // it, and nothing is filed.
    let refused = file(review, expires);
    assert!(refused.is_err(), "a review after the expiry: {refused:?}");
    assert!(w.book.borrow().request(rid).is_none());
    file(expires, review).unwrap();
    assert_eq!(approve_all(&w, rid), Some(State::Approved));
    let b = w.book.borrow();
    let c = b.customer(w.ours).unwrap();
    assert_eq!(
        (c.limits.permanent, c.limits.expires, c.limits.review_due),
        (Money::from_units(120_000), Some(expires), Some(review))
    );
    let set = b
        .audit
        .iter()
        .find(|e| e.what == "limit.expiry_set")
        .expect("the expiry on the trail");
    assert_eq!(
        (set.before.as_str(), set.after.clone()),
        ("", expires.iso())
    );
    // From the day after it expires the permanent limit counts as nothing.
    assert_eq!(c.limits.effective(expires), Money::from_units(120_000));
    assert_eq!(c.limits.effective(expires.add_days(1)), Money::ZERO);
}

#[test]
fn an_approved_limit_is_next_reviewed_one_cycle_of_its_grade_later_and_a_due_review_files_a_request(
) {
    let w = World::new();
    // Invoiced today: the limit is in use (no "unused for 6 months" review comes first).
    w.run("fs", w.invoice(w.ours, "1000", None)).unwrap();
    let rid = RequestId::from_u128(990);
    w.run(
        "rep-1",
        Command::FileRequest {
            id: rid,
            customer: w.ours,
            kind: RequestKind::PermanentChange {
                before: Money::from_units(100_000),
                after: Money::from_units(120_000),
                expires: None,
                review: None,
            },
            reason: "Two years of paying on time".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    assert_eq!(approve_all(&w, rid), Some(State::Approved));
    let months = {
        let b = w.book.borrow();
        b.policy.of(b.grade(w.ours)).review_months
    };
    assert!(months > 0);
    {
        let b = w.book.borrow();
        let c = b.customer(w.ours).unwrap();
        assert_eq!(c.limits.permanent, Money::from_units(120_000));
        assert_eq!(
            c.limits.review_due,
            Some(d(TODAY).add_months(months as i32)),
            "the grade's review cycle from the day of approval"
        );
        assert!(b.audit.iter().any(|e| e.what == "limit.review_set"));
    }
    // The review date passes (here: set a day back): W1006 fires and files a review with the
    // limit the policy suggests today.
    {
        let mut b = w.book.borrow_mut();
        let mut c = b.customer(w.ours).unwrap().clone();
        c.limits.review_due = Some(d(TODAY).add_days(-1));
        b.put_customer(c);
    }
    let mut ids = 7_000u128..;
    let mut next = || ids.next().unwrap();
    let watched = watch_as_system(
        &w.store,
        &w.book,
        1_800_000_100_000,
        Some(vec![w.ours]),
        &mut next,
    );
    assert!(
        watched.fresh.iter().any(|a| a.rule == "W1006"),
        "{:?}",
        watched.fresh.iter().map(|a| &a.rule).collect::<Vec<_>>()
    );
    assert_eq!(watched.reviews, Ok(1));
    let b = w.book.borrow();
    let review = b
        .requests
        .iter()
        .find(|r| r.reason.starts_with("W1006"))
        .expect("a review request");
    let suggested = {
        let sales: Money = b
            .ledger
            .sales_per_month(w.ours, b.as_of, 12)
            .iter()
            .map(|(_, m)| *m)
            .sum();
        b.policy.suggested_limit(b.grade(w.ours), sales).limit
    };
    assert_eq!(
        review.kind,
        RequestKind::PermanentChange {
            before: Money::from_units(120_000),
            after: suggested,
            expires: None,
            review: None,
        },
        "prefilled with the suggested limit"
    );
}

#[test]
fn a_temporary_limit_that_ended_leaves_the_limits_with_an_entry_on_the_trail_once() {
    let w = World::new();
    let rid = RequestId::from_u128(991);
    w.run(
        "rep-1",
        Command::FileRequest {
            id: rid,
            customer: w.ours,
            kind: RequestKind::TemporaryLimit {
                amount: Money::from_units(150_000),
                start: d(TODAY),
                end: d(TODAY).add_days(10),
            },
            reason: "Season peak for the spring orders".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    assert_eq!(approve_all(&w, rid), Some(State::Approved));
    let expire = |day: Date| {
        let ctx = Ctx {
            actor: system_user(),
            as_of: day,
            ..w.ctx("admin")
        };
        w.book.borrow_mut().as_of = day;
        block_on(execute(
            &w.store,
            &w.book,
            &ctx,
            Command::ExpireDue,
            Vec::new(),
        ))
        .unwrap()
    };
    // Its last day: still in force.
    expire(d(TODAY).add_days(10));
    assert_eq!(
        w.book
            .borrow()
            .customer(w.ours)
            .unwrap()
            .limits
            .temporary
            .len(),
        1
    );
    // The day after: gone, and said so once.
    expire(d(TODAY).add_days(11));
    expire(d(TODAY).add_days(12));
    let b = w.book.borrow();
    assert!(b.customer(w.ours).unwrap().limits.temporary.is_empty());
    let ended: Vec<_> = b
        .audit
        .iter()
        .filter(|e| e.what == "limit.temporary_ended")
        .collect();
    assert_eq!(ended.len(), 1);
    assert!(ended[0].before.contains("150000.00"), "{}", ended[0].before);
    assert_eq!(ended[0].who, "system");
}

// ----- lists as CSV -----

#[test]
fn every_list_exports_the_rows_its_page_shows_to_that_user_and_nothing_of_another_reps_customer() {
    use creditdesk_app::exports::List;
    use creditdesk_app::monitoring::run_rules;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    w.run("fs", old_invoice(&w, w.theirs, "30000", 60)).unwrap();
    let pay = w.payment(w.ours, "5000", None);
    w.run("fs", pay.clone()).unwrap();
    correct(
        &w,
        "fs",
        Fix::VoidPayment {
            payment: payment_id(&pay),
        },
        "typed twice",
    )
    .unwrap();
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let b = w.book.borrow();
    let export =
        |user: &str, list: List, zh: bool| b.export(&who(user), list, zh, 1_800_000_200_000);

    // The alerts: what the rep's page lists, their customer only, headers in their language.
    let rep = export("rep-1", List::Alerts, true).unwrap();
    assert_eq!(rep.headers[0], "客户");
    assert_eq!(
        rep.rows.len(),
        creditdesk_app::monitoring::alerts_for(&b, &who("rep-1"), usize::MAX).len()
    );
    assert!(!rep.rows.is_empty());
    assert!(
        rep.rows.iter().all(|r| r[0] == "Ours Ltd"),
        "{:?}",
        rep.rows
    );
    let all = export("fs", List::Alerts, false).unwrap();
    assert_eq!(all.headers[0], "Customer");
    assert!(all.rows.iter().any(|r| r[0] == "Theirs Ltd"));

    // Customer 360's tables: not for another rep; a void payment says so, amounts exact.
    assert_eq!(export("rep-2", List::Payments(w.ours), false), None);
    let payments = export("fs", List::Payments(w.ours), false).unwrap();
    assert_eq!(payments.rows.len(), 1);
    assert_eq!(payments.rows[0][1], "5000.00");
    assert!(
        payments.rows[0][5].ends_with("typed twice"),
        "{:?}",
        payments.rows[0]
    );
    let invoices = export("rep-1", List::Invoices(w.ours), false).unwrap();
    assert_eq!(invoices.rows[0][4], "20000.00", "open again after the void");

    // The tasks and the audit trail: the trail only for those who may read it.
    assert!(!export("rep-1", List::Tasks, true).unwrap().rows.is_empty());
    assert_eq!(export("rep-1", List::Audit, true), None);
    let audit = export("fs", List::Audit, false).unwrap();
    assert!(audit
        .rows
        .iter()
        .any(|r| r[2] == "payment.voided" && r[6] == "typed twice"));
    assert!(audit.rows[0][0].ends_with('Z'));

    // The file opens in Excel: a byte-order mark, CRLF, the header first.
    let csv = payments.csv();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("Date,Amount,Reference,Allocations,Unapplied,Void\r\n"),
        "{text}"
    );
}

#[test]
fn an_imported_payment_settles_an_invoice_a_void_reopened_and_a_reallocation_keeps_days_to_pay() {
    use creditdesk_domain::import::{Kind, Records};
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "8000", 40)).unwrap();
    let inv = w.book.borrow().ledger.invoices().next().unwrap().id;
    // Paid 30 days ago, then the cheque bounced: voided today.
    let n = w.next();
    let paid = Command::RecordPayment {
        id: PaymentId::from_u128(n),
        customer: w.ours,
        input: PaymentInput {
            reference: String::new(),
            date: d(TODAY).add_days(-30).iso(),
            amount: "8000".into(),
            invoice: Some(inv),
        },
    };
    w.run("fs", paid.clone()).unwrap();
    let days = w.book.borrow().ledger.average_days_to_pay(w.ours, d(TODAY));
    assert!(days.is_some());
    // Moved to nowhere and back: the money came 30 days ago, days to pay do not move.
    for allocations in [
        vec![],
        vec![Allocation {
            invoice: inv,
            amount: Money::from_units(8000),
        }],
    ] {
        correct(
            &w,
            "fs",
            Fix::Reallocate {
                payment: payment_id(&paid),
                allocations,
            },
            "",
        )
        .unwrap();
    }
    assert_eq!(
        w.book.borrow().ledger.average_days_to_pay(w.ours, d(TODAY)),
        days
    );
    correct(
        &w,
        "fs",
        Fix::VoidPayment {
            payment: payment_id(&paid),
        },
        "the cheque bounced",
    )
    .unwrap();
    // The ERP (or a file) posts the new payment, dated today: it settles the reopened invoice.
    let p = Payment {
        id: PaymentId::from_u128(w.next()),
        meta: Meta::new(DeviceId::from_u128(7), Timestamp(0)),
        customer: w.ours,
        reference: DocNo::parse("BANK-2").ok(),
        date: d(TODAY),
        amount: Money::from_units(8000),
        allocations: vec![Allocation {
            invoice: inv,
            amount: Money::from_units(8000),
        }],
    };
    let records = Records {
        payments: vec![p],
        rows: vec![2],
        ..Records::default()
    };
    w.run("fs", import(Kind::Payments, records))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.book.borrow().summary(w.ours).open_ar, Money::ZERO);
}

#[test]
fn a_new_customer_is_graded_provisionally_and_its_first_order_asks_for_a_first_limit() {
    use creditdesk_domain::rating::Grade;
    let w = World::new();
    let id = CustomerId::from_u128(4242);
    let mut i = input("Newcomer Ltd", "rep-1");
    i.first_cooperation = TODAY.into();
    let create = Command::SaveCustomer {
        id,
        create: true,
        input: i,
        why: String::new(),
    };
    assert_eq!(cell(w.run("rep-1", create)), "ok");
    let rating = |w: &World| *w.book.borrow().rated.get(&id).unwrap();
    let r = rating(&w);
    assert!(r.provisional, "no history: provisional");
    assert!(r.grade >= Grade::B, "{:?}", r.grade);
    assert!(w.book.borrow().explain(id).unwrap().provisional);
    // Its first order is not "an order of at most 0.00": it asks for a first limit.
    let check = w
        .book
        .borrow()
        .check_order(id, Money::from_units(5_000), false)
        .unwrap();
    assert_eq!(check.outcome, Outcome::Block);
    assert!(
        check.reasons.contains(&credit::Reason::NoLimit),
        "{:?}",
        check.reasons
    );
    assert!(
        check
            .remedies
            .iter()
            .any(|r| matches!(r, credit::Remedy::FirstLimit(m) if *m >= Money::from_units(5_000))),
        "{:?}",
        check.remedies
    );
    assert!(
        !check
            .remedies
            .iter()
            .any(|r| matches!(r, credit::Remedy::OrderAtMost(_))),
        "not offered an order of at most 0.00"
    );
    // An invoice paid the same day does not lift it past the ceiling.
    let inv = w.invoice(id, "12345.60", None);
    assert_eq!(cell(w.run("fs", inv.clone())), "ok");
    let pay = w.payment(id, "12345.60", Some(invoice_id(&inv)));
    assert_eq!(cell(w.run("fs", pay)), "ok");
    let r = rating(&w);
    assert!(r.provisional);
    assert_eq!(r.grade, Grade::B);
    // An approved grade override is a person's decision: not provisional.
    let mut b = w.book.borrow_mut();
    let mut c = b.customer(id).unwrap().clone();
    c.grade_override = Some(creditdesk_domain::request::GradeOverride {
        grade: Grade::A,
        request: RequestId::from_u128(1),
        since: d(TODAY),
    });
    b.put_customer(c);
    b.refresh_summary(id);
    b.rescore();
    let r = b.rated[&id];
    assert_eq!((r.grade, r.provisional), (Grade::A, false));
}

fn dispute_input(invoice: InvoiceId, amount: &str, reason: &str) -> dispute::DisputeInput {
    dispute::DisputeInput {
        invoice: Some(invoice),
        amount: amount.into(),
        category: "quality".into(),
        reason: reason.into(),
        owner: "rep-1".into(),
    }
}

fn open_dispute(
    w: &World,
    actor: &str,
    id: &str,
    input: dispute::DisputeInput,
) -> Result<Receipt, CommandError> {
    w.run(
        actor,
        Command::OpenDispute {
            customer: w.ours,
            id: id.into(),
            input,
        },
    )
}

fn resolve(
    w: &World,
    actor: &str,
    id: &str,
    how: dispute::Resolve,
    note: &str,
) -> Result<Receipt, CommandError> {
    w.run(
        actor,
        Command::ResolveDispute {
            customer: w.ours,
            dispute: id.into(),
            resolve: how,
            note: note.into(),
        },
    )
}

#[test]
fn a_disputed_overdue_invoice_stays_in_exposure_and_leaves_holds_and_rules_as_the_policy_says() {
    use creditdesk_app::monitoring::run_rules;
    let w = World::new();
    let inv = old_invoice(&w, w.ours, "20000", 60);
    w.run("fs", inv.clone()).unwrap();
    let blocked = |w: &World| {
        w.book
            .borrow()
            .check_order(w.ours, Money::from_units(1), false)
            .unwrap()
            .outcome
            == Outcome::Block
    };
    assert!(blocked(&w), "overdue blocks before the dispute");
    open_dispute(
        &w,
        "rep-1",
        "D-1",
        dispute_input(invoice_id(&inv), "", "goods arrived damaged"),
    )
    .unwrap();
    {
        let book = w.book.borrow();
        let s = book.summary(w.ours);
        assert_eq!(s.overdue, Money::from_units(20_000));
        assert_eq!(s.disputed, Money::from_units(20_000));
        assert_eq!(s.disputed_overdue, Money::from_units(20_000));
        assert_eq!(s.undisputed.amount, Money::ZERO);
        assert_eq!(s.undisputed.count, 0);
        // Exposure keeps it: the money is owed until the dispute is resolved.
        let input = book.check_input(w.ours).unwrap();
        assert_eq!(input.exposure.open_ar, Money::from_units(20_000));
        assert_eq!(input.overdue, Money::ZERO);
        let e = book.audit.last().unwrap();
        assert_eq!(
            (e.what.as_str(), e.why.as_str()),
            ("dispute.opened", "goods arrived damaged")
        );
        assert!(
            e.after.contains("¥20,000.00 quality (Rep One)"),
            "{}",
            e.after
        );
    }
    assert!(
        !blocked(&w),
        "by default a disputed amount does not hold orders"
    );
    let (report, _) = block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(!report.held.contains(&w.ours), "{report:?}");

    // The policy may count disputed amounts in the holds and the rules.
    let mut policy = w.book.borrow().policy.clone();
    policy.disputes.in_holds = true;
    policy.disputes.in_rules = true;
    w.run(
        "fm",
        Command::SavePolicy {
            policy,
            confirmed: false,
        },
    )
    .unwrap();
    assert!(
        blocked(&w),
        "counted in the holds, the dispute blocks again"
    );
    let (report, _) = block_on(run_rules(&w.store, &w.book, 1_800_000_200_000, None)).unwrap();
    assert!(report.held.contains(&w.ours), "{report:?}");

    // What was written reads back the same.
    let (reloaded, _) = block_on(load::whole_book(
        &w.store,
        d(TODAY),
        DeviceId::from_u128(7),
        users,
    ))
    .unwrap();
    assert_eq!(
        reloaded.customer(w.ours).unwrap().disputes,
        w.book.borrow().customer(w.ours).unwrap().disputes
    );
    assert_eq!(reloaded.summary(w.ours), w.book.borrow().summary(w.ours));
}

#[test]
fn the_rating_leaves_a_disputed_amount_out_of_the_overdue_metrics_unless_the_policy_counts_it() {
    use creditdesk_domain::rating::{FactorKey, Fixed, Value};
    let w = World::new();
    let inv = old_invoice(&w, w.ours, "20000", 60);
    w.run("fs", inv.clone()).unwrap();
    let overdue_metric = |w: &World| w.book.borrow().metrics[&w.ours].get(FactorKey::OverdueAmount);
    assert_eq!(overdue_metric(&w), Some(Value::Num(Fixed(2_000_000))));
    open_dispute(
        &w,
        "rep-1",
        "D-1",
        dispute_input(invoice_id(&inv), "5000", "price"),
    )
    .unwrap();
    assert_eq!(overdue_metric(&w), Some(Value::Num(Fixed(1_500_000))));
    let mut policy = w.book.borrow().policy.clone();
    policy.disputes.in_rating = true;
    w.run(
        "fm",
        Command::SavePolicy {
            policy,
            confirmed: false,
        },
    )
    .unwrap();
    assert_eq!(overdue_metric(&w), Some(Value::Num(Fixed(2_000_000))));
}

#[test]
fn a_dispute_is_opened_once_per_invoice_by_who_sees_it_with_every_problem_at_its_field() {
    let w = World::new();
    let inv = old_invoice(&w, w.ours, "20000", 60);
    w.run("fs", inv.clone()).unwrap();
    let id = invoice_id(&inv);
    let ok = dispute_input(id, "", "short delivery");
    assert!(matches!(
        open_dispute(&w, "rep-2", "D-1", ok.clone()),
        Err(CommandError::NotYours)
    ));
    assert!(matches!(
        open_dispute(&w, "gm", "D-1", ok.clone()),
        Err(CommandError::NotPermitted(_))
    ));
    let check = |input: dispute::DisputeInput, expected: (&str, &str)| {
        assert_eq!(
            field_problem(open_dispute(&w, "rep-1", "D-1", input.clone())),
            expected,
            "{input:?}"
        );
    };
    check(
        dispute::DisputeInput {
            invoice: None,
            ..ok.clone()
        },
        ("invoice", "E-REQUIRED"),
    );
    check(
        dispute::DisputeInput {
            invoice: Some(InvoiceId::from_u128(999_999)),
            ..ok.clone()
        },
        ("invoice", "E-UNKNOWN-INVOICE"),
    );
    check(
        dispute::DisputeInput {
            amount: "20000.01".into(),
            ..ok.clone()
        },
        ("amount", "E-EXCEEDS-OPEN"),
    );
    check(
        dispute::DisputeInput {
            amount: "0".into(),
            ..ok.clone()
        },
        ("amount", "E-NOT-POSITIVE"),
    );
    check(
        dispute::DisputeInput {
            category: "mood".into(),
            ..ok.clone()
        },
        ("category", "E-CHOICE"),
    );
    check(
        dispute::DisputeInput {
            reason: " ".into(),
            ..ok.clone()
        },
        ("reason", "E-REQUIRED"),
    );
    check(
        dispute::DisputeInput {
            owner: "nobody".into(),
            ..ok.clone()
        },
        ("owner", "E-UNKNOWN-USER"),
    );
    // Every problem of a form at once.
    match open_dispute(
        &w,
        "rep-1",
        "D-1",
        dispute::DisputeInput {
            invoice: Some(id),
            amount: "x".into(),
            category: String::new(),
            reason: String::new(),
            owner: String::new(),
        },
    ) {
        Err(CommandError::Invalid(errs)) => assert_eq!(
            errs.iter().map(|e| &*e.field).collect::<Vec<_>>(),
            ["amount", "category", "reason", "owner"]
        ),
        other => panic!("{other:?}"),
    }
    let audit = w.book.borrow().audit.len();
    open_dispute(&w, "rep-1", "D-1", ok.clone()).unwrap();
    assert_eq!(w.book.borrow().audit.len(), audit + 1);
    // One open dispute per invoice.
    assert_eq!(
        field_problem(open_dispute(&w, "rep-1", "D-2", ok.clone())),
        ("invoice", "E-OPEN-DISPUTE")
    );
    // A paid invoice has nothing left to dispute.
    let paid = w.invoice(w.ours, "100", None);
    w.run("fs", paid.clone()).unwrap();
    w.run("fs", w.payment(w.ours, "100", Some(invoice_id(&paid))))
        .unwrap();
    assert_eq!(
        field_problem(open_dispute(
            &w,
            "rep-1",
            "D-3",
            dispute_input(invoice_id(&paid), "", "late")
        )),
        ("invoice", "E-ALREADY-PAID")
    );
}

#[test]
fn a_dispute_ends_in_a_credit_note_or_upheld_and_an_upheld_one_counts_overdue_again() {
    let w = World::new();
    let a = old_invoice(&w, w.ours, "20000", 60);
    let b = old_invoice(&w, w.ours, "8000", 45);
    w.run("fs", a.clone()).unwrap();
    w.run("fs", b.clone()).unwrap();
    open_dispute(
        &w,
        "rep-1",
        "D-A",
        dispute_input(invoice_id(&a), "5000", "price"),
    )
    .unwrap();
    open_dispute(
        &w,
        "rep-1",
        "D-B",
        dispute_input(invoice_id(&b), "", "quantity"),
    )
    .unwrap();
    let s = w.book.borrow().summary(w.ours);
    assert_eq!(s.disputed, Money::from_units(13_000));
    assert_eq!(s.undisputed.amount, Money::from_units(15_000));
    assert_eq!(s.undisputed.count, 1);

    let credit = |amount: &str| dispute::Resolve::CreditNote {
        note: CreditNoteId::from_u128(77),
        number: "CN-D-A".into(),
        amount: amount.into(),
    };
    // A credit note is finance's; no more than is disputed.
    assert!(matches!(
        resolve(&w, "rep-1", "D-A", credit("3000"), ""),
        Err(CommandError::NotPermitted(_))
    ));
    assert_eq!(
        field_problem(resolve(&w, "fs", "D-A", credit("5000.01"), "")),
        ("amount", "E-EXCEEDS-OPEN")
    );
    assert_eq!(
        field_problem(resolve(&w, "fs", "D-X", credit("1"), "")),
        ("dispute", "E-UNKNOWN-DOCUMENT")
    );
    resolve(&w, "fs", "D-A", credit("3000"), "agreed a discount").unwrap();
    {
        let book = w.book.borrow();
        let c = book.customer(w.ours).unwrap();
        let d = c.disputes.iter().find(|d| d.id == "D-A").unwrap();
        let r = d.resolution.as_ref().unwrap();
        assert_eq!(r.by, "fs");
        assert_eq!(
            r.outcome,
            dispute::Outcome::CreditNote {
                note: CreditNoteId::from_u128(77),
                amount: Money::from_units(3_000)
            }
        );
        assert_eq!(
            book.ledger.open_now(invoice_id(&a)),
            Some(Money::from_units(17_000))
        );
        let s = book.summary(w.ours);
        assert_eq!(s.disputed, Money::from_units(8_000));
        assert_eq!(s.undisputed.amount, Money::from_units(17_000));
        let whats: Vec<&str> = book
            .audit
            .iter()
            .rev()
            .take(2)
            .map(|e| e.what.as_str())
            .collect();
        assert_eq!(whats, ["dispute.credited", "credit_note.recorded"]);
    }
    // Resolved once only.
    assert_eq!(
        field_problem(resolve(&w, "fs", "D-A", dispute::Resolve::Upheld, "")),
        ("dispute", "E-NOT-OPEN")
    );
    // Upheld: the invoice stands in full and is overdue again; the day before it read disputed.
    resolve(
        &w,
        "rep-1",
        "D-B",
        dispute::Resolve::Upheld,
        "delivery note signed",
    )
    .unwrap();
    let book = w.book.borrow();
    // Both ends of each dispute are on the customer's history.
    let line = book.timeline(&who("rep-1"), w.ours).unwrap();
    let count = |f: fn(&Happened) -> bool| line.iter().filter(|m| f(&m.what)).count();
    assert_eq!(count(|h| matches!(h, Happened::DisputeOpened(_))), 2);
    assert_eq!(count(|h| matches!(h, Happened::DisputeResolved(_))), 2);
    let s = book.summary(w.ours);
    assert_eq!(s.disputed, Money::ZERO);
    assert_eq!(s.undisputed.amount, Money::from_units(25_000));
    assert_eq!(s.undisputed.count, 2);
    let c = book.customer(w.ours).unwrap();
    let yesterday = d(TODAY).add_days(-1);
    let mut then = book.ledger.summary(w.ours, yesterday);
    // Opened today: yesterday nothing was disputed yet.
    dispute::adjust(
        &mut then,
        &book.ledger.items(w.ours, yesterday),
        &c.disputes,
        yesterday,
    );
    assert_eq!(then.disputed, Money::ZERO);
    let mut today = book.ledger.summary(w.ours, d(TODAY));
    let mut earlier = c.disputes.clone();
    for x in &mut earlier {
        x.opened = yesterday.add_days(-1);
    }
    dispute::adjust(
        &mut today,
        &book.ledger.items(w.ours, yesterday),
        &earlier,
        yesterday,
    );
    assert_eq!(
        today.disputed,
        Money::from_units(13_000),
        "open on the day before their end"
    );
}

#[test]
fn a_write_off_needs_an_approved_request_and_is_then_recorded_as_a_credit_note() {
    let w = World::new();
    let inv = old_invoice(&w, w.ours, "30000", 60);
    w.run("fs", inv.clone()).unwrap();
    open_dispute(
        &w,
        "rep-1",
        "D-1",
        dispute_input(invoice_id(&inv), "12000", "quality"),
    )
    .unwrap();
    let write_off = |n: u128, amount: &str| dispute::Resolve::WriteOff {
        request: RequestId::from_u128(n),
        amount: amount.into(),
    };
    // A write-off says why: that is its request's reason.
    assert_eq!(
        field_problem(resolve(&w, "rep-1", "D-1", write_off(501, ""), "")),
        ("note", "E-REQUIRED")
    );
    // Filed only from its dispute, never as a bare request.
    assert!(matches!(
        w.run(
            "rep-1",
            Command::FileRequest {
                id: RequestId::from_u128(502),
                customer: w.ours,
                kind: RequestKind::WriteOff {
                    dispute: "D-1".into(),
                    invoice: invoice_id(&inv),
                    number: DocNo::parse("X").unwrap(),
                    amount: Money::from_units(1),
                },
                reason: "r".into(),
                attachments: vec![],
            }
        ),
        Err(CommandError::WrongState(_))
    ));
    resolve(&w, "rep-1", "D-1", write_off(501, ""), "not worth a claim").unwrap();
    {
        let book = w.book.borrow();
        let r = book.request(RequestId::from_u128(501)).unwrap();
        assert!(r.state().is_open());
        assert_eq!(r.kind.route_amount(), Money::from_units(12_000));
        let d = &book.customer(w.ours).unwrap().disputes[0];
        assert_eq!(d.write_off, Some(RequestId::from_u128(501)));
        assert!(d.is_open());
    }
    // While the write-off waits, the dispute is not resolved another way.
    assert_eq!(
        field_problem(resolve(&w, "rep-1", "D-1", dispute::Resolve::Upheld, "")),
        ("dispute", "E-OPEN-REQUEST")
    );
    // Rejected: the dispute is open again, free to resolve.
    w.run(
        "sm",
        Command::Decide {
            request: RequestId::from_u128(501),
            approve: false,
            comment: "claim it".into(),
        },
    )
    .unwrap();
    assert_eq!(
        w.book.borrow().customer(w.ours).unwrap().disputes[0].write_off,
        None
    );
    // Filed again and approved along its route: a WO credit note of the amount.
    resolve(
        &w,
        "rep-1",
        "D-1",
        write_off(503, "10000"),
        "not worth a claim",
    )
    .unwrap();
    assert_eq!(
        approve_all(&w, RequestId::from_u128(503)),
        Some(State::Approved)
    );
    let book = w.book.borrow();
    let d = &book.customer(w.ours).unwrap().disputes[0];
    assert_eq!(
        d.resolution.as_ref().map(|r| r.outcome),
        Some(dispute::Outcome::WrittenOff {
            note: CreditNoteId(RequestId::from_u128(503).0),
            amount: Money::from_units(10_000),
            request: RequestId::from_u128(503),
        })
    );
    assert_eq!(d.write_off, None);
    let notes = book.ledger.customer_credit_notes(w.ours);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].number.as_str(), "WO-2026-0000001");
    assert_eq!(notes[0].amount, Money::from_units(10_000));
    assert_eq!(
        book.ledger.open_now(invoice_id(&inv)),
        Some(Money::from_units(20_000))
    );
    assert!(book.audit.iter().any(|e| e.what == "dispute.written_off"));
    assert!(verify(&book.audit).is_ok());
}

#[test]
fn an_invoice_import_with_a_disputed_column_opens_a_dispute_of_each_for_the_customer_s_rep() {
    use creditdesk_domain::import::{Kind, Records};
    let w = World::new();
    let inv = |n: u128, units: i64| Invoice {
        id: InvoiceId::from_u128(n),
        meta: Meta::new(DeviceId::from_u128(7), Timestamp(0)),
        customer: w.ours,
        order: None,
        number: DocNo::parse(&format!("IMP-{n}")).unwrap(),
        issue_date: d(TODAY).add_days(-60),
        due_date: d(TODAY).add_days(-30),
        amount: Money::from_units(units),
    };
    let records = |disputed: Vec<(InvoiceId, Money)>| Records {
        invoices: vec![inv(900, 8_000), inv(901, 2_000)],
        rows: vec![2, 3],
        disputed,
        ..Records::default()
    };
    // More than the invoice, or an invoice not in the file: the whole file is refused.
    for bad in [
        vec![(InvoiceId::from_u128(900), Money::from_units(8_001))],
        vec![(InvoiceId::from_u128(999), Money::from_units(1))],
    ] {
        assert!(matches!(
            w.run("fs", import(Kind::Invoices, records(bad))),
            Err(CommandError::Rows(_))
        ));
    }
    w.run(
        "fs",
        import(
            Kind::Invoices,
            records(vec![(InvoiceId::from_u128(900), Money::from_units(3_000))]),
        ),
    )
    .unwrap();
    let book = w.book.borrow();
    let c = book.customer(w.ours).unwrap();
    assert_eq!(c.disputes.len(), 1);
    let x = &c.disputes[0];
    assert_eq!(
        (x.number.as_str(), x.amount, x.owner.as_str(), x.opened),
        ("IMP-900", Money::from_units(3_000), "rep-1", d(TODAY))
    );
    assert_eq!(
        book.customers.len(),
        2,
        "the customer is updated, not added"
    );
    let s = book.summary(w.ours);
    assert_eq!(s.disputed, Money::from_units(3_000));
    assert_eq!(s.undisputed.amount, Money::from_units(7_000));
    assert!(book.audit.iter().any(|e| e.what == "dispute.opened"));
    // Stored with the invoices, in the same transaction.
    let stored = block_on(w.store.load()).unwrap();
    let back = stored.customers.iter().find(|x| x.id == w.ours).unwrap();
    assert_eq!(back.disputes, c.disputes);
    assert_eq!(stored.rows.invoices.len(), 2);
}

#[test]
fn a_reminder_sent_lands_on_the_customer_s_file_once_as_an_e_mail_to_it() {
    let w = World::new();
    let sent = |id: &str, to: &str| {
        w.run(
            "rep-1",
            Command::ReminderSent {
                customer: w.ours,
                to: to.into(),
                subject: "付款提醒：Ours".into(),
                id: id.into(),
            },
        )
    };
    assert!(matches!(
        sent("reminder:1", "not an address"),
        Err(CommandError::Invalid(_))
    ));
    sent("reminder:1", "ap@example.cn").unwrap();
    sent("reminder:1", "ap@example.cn").unwrap();
    // A command stored before reminders reached the file: the trail only.
    sent("", "ap@example.cn").unwrap();
    let book = w.book.borrow();
    let reminders = book
        .audit
        .iter()
        .filter(|e| e.what == "reminder.sent")
        .count();
    assert_eq!(reminders, 3, "each is on the trail");
    let contacts = &book.customer(w.ours).unwrap().contacts;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let c = &contacts[0];
    assert_eq!(
        (c.channel, c.with.as_str(), c.note.as_str(), c.by.as_str()),
        (
            creditdesk_domain::contact::Channel::Email,
            "ap@example.cn",
            "付款提醒：Ours",
            "rep-1"
        )
    );
    match &book.timeline(&who("rep-1"), w.ours).unwrap()[0].what {
        Happened::Contact(x) => assert_eq!(x.id, "reminder:1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_contact_is_recorded_on_the_customer_s_file_by_who_sees_it_and_tops_its_history() {
    use creditdesk_domain::contact::ContactInput;
    let w = World::new();
    let log = |actor: &str, id: &str, input: ContactInput| {
        w.run(
            actor,
            Command::LogContact {
                customer: w.ours,
                id: id.into(),
                input,
            },
        )
    };
    let visit = ContactInput {
        channel: "visit".into(),
        with: "Mr Zhang, purchasing".into(),
        note: "Will pay the March invoices on Friday".into(),
    };
    assert!(matches!(
        log("rep-2", "C-1", visit.clone()),
        Err(CommandError::NotYours)
    ));
    assert!(matches!(
        log("gm", "C-1", visit.clone()),
        Err(CommandError::NotPermitted(_))
    ));
    match log(
        "rep-1",
        "C-1",
        ContactInput {
            channel: "fax".into(),
            with: "x".repeat(81),
            note: " ".into(),
        },
    ) {
        Err(CommandError::Invalid(errs)) => assert_eq!(
            errs.iter()
                .map(|e| (&*e.field, e.problem.code()))
                .collect::<Vec<_>>(),
            [
                ("channel", "E-CHOICE"),
                ("with", "E-TOO-LONG"),
                ("note", "E-REQUIRED")
            ]
        ),
        other => panic!("{other:?}"),
    }
    log("rep-1", "C-1", visit.clone()).unwrap();
    assert!(matches!(
        log("rep-1", "C-1", visit.clone()),
        Err(CommandError::WrongState(_))
    ));
    let book = w.book.borrow();
    let e = book.audit.last().unwrap();
    assert_eq!(
        (e.what.as_str(), e.after.as_str(), e.why.as_str()),
        (
            "contact.logged",
            "visit: Mr Zhang, purchasing",
            "Will pay the March invoices on Friday"
        )
    );
    let line = book.timeline(&who("rep-1"), w.ours).unwrap();
    match &line[0].what {
        Happened::Contact(c) => {
            assert_eq!((c.by.as_str(), c.on), ("rep-1", d(TODAY)));
            assert_eq!(c.note, "Will pay the March invoices on Friday");
        }
        other => panic!("{other:?}"),
    }
    let stored = block_on(w.store.load()).unwrap();
    let back = stored.customers.iter().find(|c| c.id == w.ours).unwrap();
    assert_eq!(back.contacts.len(), 1);
    // Editing the customer's master data keeps its file.
    drop(book);
    let inv = old_invoice(&w, w.ours, "900", 40);
    w.run("fs", inv.clone()).unwrap();
    open_dispute(
        &w,
        "rep-1",
        "D-1",
        dispute_input(invoice_id(&inv), "", "price"),
    )
    .unwrap();
    let mut edit = CustomerInput::from_customer(back);
    edit.phone = "0571-88886666".into();
    w.run(
        "rep-1",
        Command::SaveCustomer {
            id: w.ours,
            create: false,
            input: edit,
            why: String::new(),
        },
    )
    .unwrap();
    let book = w.book.borrow();
    let c = book.customer(w.ours).unwrap();
    assert_eq!(
        (c.phone.as_str(), c.contacts.len(), c.disputes.len()),
        ("0571-88886666", 1, 1)
    );
}

#[test]
fn a_contract_on_the_customer_s_file_warns_before_it_lapses_and_its_renewal_clears_the_warning() {
    use creditdesk_app::monitoring::run_rules;
    use creditdesk_domain::document::DocumentInput;
    use creditdesk_domain::request::Attachment;
    let w = World::new();
    let file = |id: &str, size: u64| Attachment {
        id: id.into(),
        name: format!("{id}.pdf"),
        mime: "application/pdf".into(),
        size,
    };
    let add = |actor: &str, id: &str, input: DocumentInput, f: Attachment| {
        let bytes = vec![(f.id.clone(), vec![7u8; f.size.min(16) as usize])];
        block_on(execute(
            &w.store,
            &w.book,
            &w.ctx(actor),
            Command::AddDocument {
                customer: w.ours,
                id: id.into(),
                input,
                file: f,
            },
            bytes,
        ))
    };
    let contract = |expires: &str| DocumentInput {
        kind: "contract".into(),
        title: "Framework supply contract".into(),
        expires: expires.into(),
    };
    let soon = d(TODAY).add_days(20).iso();
    assert!(matches!(
        add("rep-2", "doc-1", contract(&soon), file("f1", 16)),
        Err(CommandError::NotYours)
    ));
    // Bytes that are not the file the command names, as long as it says, are refused.
    assert_eq!(
        field_problem(add("rep-1", "doc-0", contract(&soon), file("f0", 100))),
        ("attachments", "E-FILE-SIZE")
    );
    assert_eq!(block_on(w.store.attachment("f0")).unwrap(), None);
    match add(
        "rep-1",
        "doc-1",
        DocumentInput {
            kind: "deed".into(),
            title: String::new(),
            expires: "someday".into(),
        },
        file("f1", 6 * 1024 * 1024),
    ) {
        Err(CommandError::Invalid(errs)) => assert_eq!(
            errs.iter()
                .map(|e| (&*e.field, e.problem.code()))
                .collect::<Vec<_>>(),
            [
                ("kind", "E-CHOICE"),
                ("title", "E-REQUIRED"),
                ("expires", "E-NOT-DATE"),
                ("file", "E-FILE-SIZE")
            ]
        ),
        other => panic!("{other:?}"),
    }
    add("rep-1", "doc-1", contract(&soon), file("f1", 16)).unwrap();
    assert_eq!(
        block_on(w.store.attachment("f1")).unwrap().map(|b| b.len()),
        Some(16),
        "the file is stored with the command"
    );
    let (report, fresh) = block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let lapsing: Vec<_> = fresh.iter().filter(|a| a.rule == "W1007").collect();
    assert_eq!(lapsing.len(), 1, "{report:?}");
    assert_eq!(
        (
            lapsing[0].customer,
            lapsing[0].value,
            lapsing[0].rep.as_deref()
        ),
        (w.ours, 20, Some("rep-1"))
    );
    // Renewed for a year: the new contract's expiry counts and the warning clears.
    let next_year = d(TODAY).add_days(385).iso();
    add("fs", "doc-2", contract(&next_year), file("f2", 16)).unwrap();
    let (report, _) = block_on(run_rules(&w.store, &w.book, 1_800_000_200_000, None)).unwrap();
    assert_eq!(report.cleared, [lapsing[0].id.clone()], "{report:?}");
    let book = w.book.borrow();
    let c = book.customer(w.ours).unwrap();
    assert_eq!(c.documents.len(), 2);
    assert!(book.audit.iter().any(|e| e.what == "document.added"
        && e.after
            .contains("contract: Framework supply contract (f2.pdf), expires")));
}

// ----- Custom fields -----

mod custom_fields {
    use super::*;
    use creditdesk_domain::fields::{FieldDef, FieldKind, FieldOption, FieldSet, Section};
    use creditdesk_domain::rating::Fixed;
    use std::collections::BTreeMap;

    fn field(key: &str, kind: FieldKind) -> FieldDef {
        FieldDef::new(key, &format!("{key} 中文"), key, kind)
    }

    /// The issue's two fields: a "disputed balance" amount and a "segment" choice.
    pub fn disputed_and_segment() -> FieldSet {
        let opt = |k: &str, zh: &str, en: &str| FieldOption {
            key: k.into(),
            zh: zh.into(),
            en: en.into(),
            retired: false,
        };
        FieldSet {
            access: Vec::new(),
            version: 0,
            fields: vec![
                FieldDef {
                    min: Some(Fixed::from_int(0)),
                    ..field("disputed_balance", FieldKind::Money)
                },
                FieldDef {
                    required: true,
                    options: vec![
                        opt("retail", "零售", "Retail"),
                        opt("wholesale", "批发", "Wholesale"),
                    ],
                    ..field("segment", FieldKind::Choice)
                },
            ],
        }
    }

    fn save_fields(w: &World, actor: &str, fields: FieldSet) -> Result<Receipt, CommandError> {
        w.run(
            actor,
            Command::SaveFields {
                fields,
                why: "segments for the new scorecard".into(),
                with_access: true,
            },
        )
    }

    fn values(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn edit(w: &World, actor: &str, input: CustomerInput) -> Result<Receipt, CommandError> {
        w.run(
            actor,
            Command::SaveCustomer {
                id: w.ours,
                create: false,
                input,
                why: String::new(),
            },
        )
    }

    fn problems(r: Result<Receipt, CommandError>) -> Vec<String> {
        match r {
            Err(CommandError::Invalid(errs)) => errs
                .iter()
                .map(|e| format!("{} {}", e.field, e.problem.code()))
                .collect(),
            Err(CommandError::Fields(p)) => {
                p.iter().map(|p| format!("{} {}", p.code, p.at)).collect()
            }
            other => panic!("expected a refusal, got {:?}", other.map(|r| r.state)),
        }
    }

    #[test]
    fn an_administrator_adds_fields_and_the_form_reports_every_problem_at_once() {
        let w = World::new();
        save_fields(&w, "admin", disputed_and_segment()).unwrap();
        assert_eq!(w.book.borrow().fields.version, 1);
        let stored = block_on(creditdesk_storage::settings::FIELDS.read(&w.store))
            .unwrap()
            .unwrap();
        assert_eq!(stored, w.book.borrow().fields);
        let entry = w.book.borrow().audit.last().unwrap().clone();
        assert_eq!(
            (entry.what.as_str(), entry.why.as_str()),
            ("fields.changed", "segments for the new scorecard")
        );

        // A fixed field and two custom fields wrong: all three come back at once.
        let bad = CustomerInput {
            name: String::new(),
            custom: values(&[("disputed_balance", "-5"), ("segment", "online")]),
            ..input("Ours Ltd", "rep-1")
        };
        assert_eq!(
            problems(edit(&w, "rep-1", bad)),
            [
                "name E-REQUIRED",
                "custom.disputed_balance E-BELOW-MIN",
                "custom.segment E-CHOICE"
            ]
        );
        let before = w.book.borrow().customer(w.ours).unwrap().clone();
        assert_eq!(before.meta.version, 1, "nothing of a refused form is saved");

        let good = CustomerInput {
            custom: values(&[("disputed_balance", "¥12,000.5"), ("segment", "批发")]),
            ..input("Ours Ltd", "rep-1")
        };
        edit(&w, "rep-1", good).unwrap();
        let saved = block_on(w.store.load_customers())
            .unwrap()
            .into_iter()
            .find(|c| c.id == w.ours)
            .unwrap();
        assert_eq!(
            saved.custom.into_iter().collect::<Vec<_>>(),
            [
                ("disputed_balance".to_string(), "12000.50".to_string()),
                ("segment".to_string(), "wholesale".to_string()),
            ]
        );
    }

    #[test]
    fn only_an_administrator_changes_the_fields_and_a_saved_field_is_retired_never_removed() {
        let w = World::new();
        for actor in ["fm", "cfo", "rep-1"] {
            assert_eq!(
                problems(save_fields(&w, actor, disputed_and_segment())),
                ["FD-NOT-ALLOWED fields"],
                "{actor}"
            );
        }
        save_fields(&w, "admin", disputed_and_segment()).unwrap();
        edit(
            &w,
            "rep-1",
            CustomerInput {
                custom: values(&[("disputed_balance", "300"), ("segment", "retail")]),
                ..input("Ours Ltd", "rep-1")
            },
        )
        .unwrap();

        let mut removed = disputed_and_segment();
        removed.fields.remove(0);
        assert_eq!(
            problems(save_fields(&w, "admin", removed)),
            ["FD-REMOVED field disputed_balance"]
        );
        let mut retired = disputed_and_segment();
        retired.fields[0].retired = true;
        save_fields(&w, "admin", retired).unwrap();
        assert_eq!(w.book.borrow().fields.version, 2);

        // The retired field is off the form: a new value for it is refused, the one held is kept.
        let form = CustomerInput::from_customer(w.book.borrow().customer(w.ours).unwrap());
        let mut changed = form.clone();
        changed
            .custom
            .as_mut()
            .unwrap()
            .insert("disputed_balance".into(), "999".into());
        assert_eq!(
            problems(edit(&w, "rep-1", changed)),
            ["custom.disputed_balance E-UNKNOWN-FIELD"]
        );
        edit(&w, "rep-1", form).unwrap();
        let c = w.book.borrow().customer(w.ours).unwrap().clone();
        assert_eq!(c.custom["disputed_balance"], "300.00");
        assert_eq!(c.custom["segment"], "retail");
    }

    #[test]
    fn a_form_without_custom_values_keeps_those_the_customer_holds() {
        let w = World::new();
        save_fields(&w, "admin", disputed_and_segment()).unwrap();
        edit(
            &w,
            "rep-1",
            CustomerInput {
                custom: values(&[("segment", "retail")]),
                ..input("Ours Ltd", "rep-1")
            },
        )
        .unwrap();
        // A device from before custom fields sends no values: nothing is lost, and the required
        // segment is not asked for.
        edit(
            &w,
            "rep-1",
            CustomerInput {
                phone: "021-5555 0101".into(),
                ..input("Ours Ltd", "rep-1")
            },
        )
        .unwrap();
        let c = w.book.borrow().customer(w.ours).unwrap().clone();
        assert_eq!(
            (c.phone.as_str(), c.custom["segment"].as_str()),
            ("021-5555 0101", "retail")
        );
        // A form that does carry custom values asks for the required ones.
        assert_eq!(
            problems(edit(
                &w,
                "rep-1",
                CustomerInput {
                    custom: values(&[]),
                    ..input("Ours Ltd", "rep-1")
                },
            )),
            ["custom.segment E-REQUIRED"]
        );
    }

    #[test]
    fn a_custom_field_placed_with_the_profile_is_a_rating_input() {
        let w = World::new();
        let mut set = disputed_and_segment();
        set.fields[0].section = Section::Profile;
        save_fields(&w, "admin", set).unwrap();
        let form = |amount: &str| CustomerInput {
            custom: values(&[("disputed_balance", amount), ("segment", "retail")]),
            ..input("Ours Ltd", "rep-1")
        };
        assert!(matches!(
            edit(&w, "rep-1", form("5000")),
            Err(CommandError::NotPermitted(_))
        ));
        // Finance may, with a reason.
        let with_why = |amount: &str, why: &str| {
            w.run(
                "fs",
                Command::SaveCustomer {
                    id: w.ours,
                    create: false,
                    input: form(amount),
                    why: why.into(),
                },
            )
        };
        assert_eq!(problems(with_why("5000", "")), ["why E-REQUIRED"]);
        with_why("5000", "Confirmed with the customer's finance team").unwrap();
        // The rep edits the rest of the form, the profile's value unchanged.
        edit(&w, "rep-1", form("5000")).unwrap();
    }

    #[test]
    fn an_analysts_card_over_the_segment_is_published_and_grades_by_each_customers_values() {
        use creditdesk_domain::rating::analyst::{Additive, Source};
        use creditdesk_domain::rating::scorecard::Thresholds;
        use creditdesk_domain::rating::{Grade, Minimum, Scorecard};
        let w = World::new();
        save_fields(&w, "admin", disputed_and_segment()).unwrap();
        let card = "variable,bin,points\nbasepoints,,600\nsegment,retail,20\n\
            segment,\"wholesale%,%missing\",-20\ndisputed_balance,missing,0\n\
            disputed_balance,\"[-inf,10000.0)\",0\ndisputed_balance,\"[10000.0,inf)\",-50\n";
        let fields = w.book.borrow().fields.clone();
        let band = |n: i64| Fixed::from_int(n);
        let draft = Scorecard {
            name: "segment card".into(),
            thresholds: Thresholds {
                aaa: band(620),
                aa: band(600),
                a: band(580),
                b: band(560),
            },
            minimum: Minimum::NONE,
            factors: Vec::new(),
            additive: Some(Additive::read(card, &fields).unwrap()),
            ..Scorecard::default()
        };
        let publish = |draft: Scorecard| w.run("cfo", Command::PublishScorecard { draft });

        // Bound to a field the form lacks: refused with its place, nothing published.
        let mut bad = draft.clone();
        bad.additive.as_mut().unwrap().bindings[0].source = Some(Source::Custom {
            key: "channel".into(),
            numeric: false,
        });
        let version = w.book.borrow().model.version;
        match publish(bad) {
            Err(CommandError::Model(p)) => assert_eq!(
                p.iter()
                    .map(|p| format!("{} {}", p.code, p.at))
                    .collect::<Vec<_>>(),
                ["A-FIELD additive.bindings[0] (segment)"]
            ),
            other => panic!("expected A-FIELD, got {:?}", other.map(|r| r.state)),
        }
        assert_eq!(w.book.borrow().model.version, version);

        // A full run of the rules keeps each customer's grade and score (on the weighted scale).
        block_on(creditdesk_app::monitoring::run_rules(
            &w.store,
            &w.book,
            1_800_000_100_000,
            None,
        ))
        .unwrap();
        assert!(w.book.borrow().monitor.previous.contains_key(&w.ours));
        publish(draft).unwrap();
        // Under the new model the last scores are read again: no "score fell" from the scale,
        // and so after a restart too.
        {
            let b = w.book.borrow();
            assert_eq!(b.monitor.previous[&w.ours].1, b.rated[&w.ours].score);
            let stored = block_on(creditdesk_storage::settings::PREVIOUS.read(&w.store))
                .unwrap()
                .unwrap();
            assert_eq!(stored[&w.ours], b.monitor.previous[&w.ours]);
        }
        let grade = |w: &World| {
            let r = w.book.borrow().rated[&w.ours];
            (r.score, r.grade)
        };
        // No segment yet: its missing bin (-20), no disputed balance (0).
        assert_eq!(grade(&w), (band(580), Grade::A));
        let form = |pairs: &[(&str, &str)]| CustomerInput {
            custom: values(pairs),
            ..input("Ours Ltd", "rep-1")
        };
        edit(&w, "rep-1", form(&[("segment", "retail")])).unwrap();
        assert_eq!(grade(&w), (band(620), Grade::AAA));
        edit(
            &w,
            "rep-1",
            form(&[("segment", "retail"), ("disputed_balance", "12000")]),
        )
        .unwrap();
        assert_eq!(grade(&w), (band(570), Grade::B));
        let explained = w.book.borrow().explain(w.ours).unwrap();
        let reasons: Vec<(String, String)> = explained
            .reasons
            .iter()
            .map(|r| (r.code.clone(), r.below.display()))
            .collect();
        assert_eq!(reasons, [("disputed_balance".into(), "50".into())]);
        // A reload grades the same from the store.
        let (reloaded, _) = block_on(creditdesk_app::load::whole_book(
            &w.store,
            d(TODAY),
            DeviceId::from_u128(7),
            users,
        ))
        .unwrap();
        assert_eq!(reloaded.rated[&w.ours].grade, Grade::B);
    }

    #[test]
    fn a_field_hidden_from_reps_keeps_its_value_and_a_read_only_one_refuses_their_change() {
        use creditdesk_domain::access::{Access, Grant};
        use creditdesk_domain::approval::Role;
        let w = World::new();
        let grant = |field: &str, role: Role, access: Access| Grant {
            field: field.into(),
            role,
            access,
        };
        // Hiding the name, or a rating input from a role that edits scorecards, or naming a
        // field the form lacks: refused, all at once.
        let mut bad = disputed_and_segment();
        bad.access = vec![
            grant("name", Role::SalesRep, Access::Hidden),
            grant(
                "registered_capital",
                Role::FinanceSpecialist,
                Access::Hidden,
            ),
            grant("custom.nope", Role::SalesRep, Access::Read),
            grant("phone", Role::SalesRep, Access::Read),
            grant("phone", Role::SalesRep, Access::Edit),
            grant("region", Role::SalesRep, Access::Hidden),
            grant("custom.segment", Role::SalesRep, Access::Hidden),
        ];
        assert_eq!(
            problems(save_fields(&w, "admin", bad)),
            [
                "FD-ACCESS-HIDDEN permission 1 (name sales_rep)",
                "FD-ACCESS-HIDDEN permission 2 (registered_capital finance_specialist)",
                "FD-ACCESS-FIELD permission 3 (custom.nope sales_rep)",
                "FD-DUPLICATE permission 5 (phone sales_rep)",
                "FD-ACCESS-HIDDEN permission 6 (region sales_rep)",
                "FD-ACCESS-HIDDEN permission 7 (custom.segment sales_rep)",
            ]
        );
        let mut set = disputed_and_segment();
        set.access = vec![
            grant("custom.disputed_balance", Role::SalesRep, Access::Hidden),
            grant("email", Role::SalesRep, Access::Hidden),
            grant("phone", Role::SalesRep, Access::Read),
        ];
        save_fields(&w, "admin", set).unwrap();
        // A build older than permissions saves the fields without them: the grants stay.
        let saved = w.book.borrow().fields.clone();
        w.run(
            "admin",
            Command::SaveFields {
                fields: FieldSet {
                    access: Vec::new(),
                    ..saved
                },
                why: "an old desk".into(),
                with_access: false,
            },
        )
        .unwrap();
        assert_eq!(w.book.borrow().fields.access.len(), 3);
        // Finance fills them in.
        let full = CustomerInput {
            phone: "13800000000".into(),
            email: "ap@ours.example".into(),
            custom: values(&[("disputed_balance", "12000"), ("segment", "retail")]),
            ..input("Ours Ltd", "rep-1")
        };
        edit(&w, "fs", full).unwrap();
        let held = |w: &World| w.book.borrow().customer(w.ours).unwrap().clone();

        // The rep's form, as their device holds the customer: no disputed balance, no e-mail.
        let rep = who("rep-1");
        let (snapshot, _) = w.book.borrow().snapshot_for(&rep, 1).unwrap();
        let theirs = snapshot
            .customers
            .iter()
            .find(|c| c.id == w.ours)
            .unwrap()
            .clone();
        assert_eq!(theirs.custom.get("disputed_balance"), None);
        assert_eq!(theirs.email, "");
        assert_eq!(theirs.phone, "13800000000", "read-only is not hidden");
        let mut form = CustomerInput::from_customer(&theirs);
        form.contact_person = "Li Lei".into();
        edit(&w, "rep-1", form.clone()).unwrap();
        let c = held(&w);
        assert_eq!(c.contact_person, "Li Lei");
        assert_eq!(
            c.custom["disputed_balance"], "12000.00",
            "kept, not cleared"
        );
        assert_eq!(c.email, "ap@ours.example");
        // A value sent for a hidden field is ignored too: the rep's device never had it.
        let mut forged = form.clone();
        forged.custom = values(&[("disputed_balance", "0"), ("segment", "retail")]);
        forged.email = "me@rep.example".into();
        edit(&w, "rep-1", forged).unwrap();
        assert_eq!(held(&w).custom["disputed_balance"], "12000.00");
        assert_eq!(held(&w).email, "ap@ours.example");
        // The read-only phone: refused at its field; the same number written otherwise is no change.
        let mut phone = form.clone();
        phone.phone = "13900000000".into();
        assert_eq!(problems(edit(&w, "rep-1", phone)), ["phone E-READ-ONLY"]);
        let mut same = form.clone();
        same.phone = " 13800000000 ".into();
        edit(&w, "rep-1", same).unwrap();
        // A new customer of the rep: its form is filled, the read-only phone too; the hidden
        // fields stay empty.
        let fresh = CustomerInput {
            phone: "13700000000".into(),
            email: "new@new.example".into(),
            custom: values(&[("segment", "retail"), ("disputed_balance", "5")]),
            ..input("New Ltd", "rep-1")
        };
        let new_id = CustomerId::from_u128(4242);
        w.run(
            "rep-1",
            Command::SaveCustomer {
                id: new_id,
                create: true,
                input: fresh,
                why: String::new(),
            },
        )
        .unwrap();
        let c = w.book.borrow().customer(new_id).unwrap().clone();
        assert_eq!((c.phone.as_str(), c.email.as_str()), ("13700000000", ""));
        assert_eq!(c.custom.get("disputed_balance"), None);
        // The same from an import, which names every field: the hidden ones are refused.
        let mut imported = c.clone();
        imported.id = CustomerId::from_u128(4343);
        imported.name = "Imported Ltd".into();
        imported.email = "x@imported.example".into();
        let r = w.run(
            "rep-1",
            Command::ImportBatch {
                kind: creditdesk_domain::import::Kind::Customers,
                file: "customers.csv".into(),
                rows_total: 1,
                skipped: 0,
                records: creditdesk_domain::import::Records {
                    customers: vec![imported],
                    rows: vec![2],
                    ..Default::default()
                },
                blocked: creditdesk_app::imports::Blocked::Hold,
            },
        );
        match r {
            Err(CommandError::Rows(why)) => assert_eq!(
                why,
                ["customer Imported Ltd: email may not be filled by your roles"]
            ),
            other => panic!("expected a refusal, got {:?}", other.map(|r| r.state)),
        }
        // Finance, whose roles have no grant, sees and edits everything as before.
        let fs = who("fs");
        let (snapshot, _) = w.book.borrow().snapshot_for(&fs, 2).unwrap();
        let all = snapshot.customers.iter().find(|c| c.id == w.ours).unwrap();
        assert_eq!(all.custom["disputed_balance"], "12000.00");
        assert_eq!(all.email, "ap@ours.example");
    }

    #[test]
    fn a_warning_rule_uses_a_custom_amount_and_a_choice() {
        use creditdesk_app::monitoring::run_rules;
        use creditdesk_domain::monitor::{Actions, Metric, Op, Rule};
        let w = World::new();
        save_fields(&w, "admin", disputed_and_segment()).unwrap();
        let add_rules = |rules: Vec<Rule>| {
            let mut set = w.book.borrow().rules.clone();
            set.rules.extend(rules);
            w.run(
                "admin",
                Command::SaveRules {
                    rules: set,
                    why: "disputes and segments".into(),
                },
            )
        };
        let rule = |code: &str, field: &str, op, threshold| Rule {
            code: code.into(),
            name: format!("{field} watch"),
            severity: creditdesk_domain::monitor::Severity::Warning,
            enabled: true,
            metric: Metric::CustomField,
            op,
            threshold,
            grades: vec![],
            regions: vec![],
            reps: vec![],
            actions: Actions {
                alert_rep: true,
                ..Actions::default()
            },
            auto_release: false,
            field: field.into(),
        };
        // A field the form does not have is refused, with the rule's code.
        match add_rules(vec![rule("W2001", "credit_insurer", Op::Ge, 100)]) {
            Err(CommandError::Rules(p)) => assert_eq!(
                p.iter()
                    .map(|p| format!("{} {}", p.code.code(), p.at))
                    .collect::<Vec<_>>(),
                ["RU007 W2001"]
            ),
            other => panic!("{:?}", other.map(|r| r.state)),
        }
        add_rules(vec![
            rule("W2001", "disputed_balance", Op::Gt, 1_000_000),
            rule("W2002", "segment=wholesale", Op::Ge, 100),
        ])
        .unwrap();
        edit(
            &w,
            "rep-1",
            CustomerInput {
                custom: values(&[("disputed_balance", "12000.50"), ("segment", "wholesale")]),
                ..input("Ours Ltd", "rep-1")
            },
        )
        .unwrap();
        let (_, fresh) = block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
        let mut got: Vec<(String, CustomerId, i64)> = fresh
            .iter()
            .filter(|a| a.rule.starts_with("W2"))
            .map(|a| (a.rule.clone(), a.customer, a.value))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("W2001".to_string(), w.ours, 1_200_050),
                ("W2002".to_string(), w.ours, 100),
            ]
        );
    }

    #[test]
    fn the_customer_list_filters_by_an_option_of_a_custom_field() {
        let w = World::new();
        save_fields(&w, "admin", disputed_and_segment()).unwrap();
        edit(
            &w,
            "rep-1",
            CustomerInput {
                custom: values(&[("segment", "wholesale")]),
                ..input("Ours Ltd", "rep-1")
            },
        )
        .unwrap();
        let book = w.book.borrow();
        let names = |reading: &str| {
            let f = ListFilter {
                custom: reading.into(),
                ..ListFilter::default()
            };
            book.customer_rows(&who("fs"), &f)
                .into_iter()
                .map(|i| book.customers[i].name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("segment=wholesale"), ["Ours Ltd"]);
        assert!(names("segment=retail").is_empty());
        assert_eq!(names("").len(), 2);
    }

    #[test]
    fn limits_are_not_hidden_from_a_role_the_approval_routes_name_nor_is_such_a_role_named() {
        use creditdesk_domain::access::{Access, Grant};
        use creditdesk_domain::approval::{Mode, Routes, Step};
        let hide = |role| FieldSet {
            access: vec![Grant {
                field: "limits".into(),
                role,
                access: Access::Hidden,
            }],
            ..FieldSet::default()
        };
        let with_rep_step = |mut routes: Routes| {
            routes.tiers[0].steps.push(Step {
                roles: vec![Role::SalesRep],
                mode: Mode::AllOf,
            });
            routes
        };
        let save_routes = |w: &World, routes: Routes| {
            w.run(
                "admin",
                Command::SaveRoutes {
                    routes,
                    why: "reps sign off small changes".into(),
                },
            )
        };
        // Hidden from reps first: a route that names them is refused, at the role.
        let w = World::new();
        save_fields(&w, "admin", hide(Role::SalesRep)).unwrap();
        let routes = with_rep_step(w.book.borrow().routes.clone());
        match save_routes(&w, routes) {
            Err(CommandError::Routes(p)) => {
                assert_eq!(p.len(), 1, "{p:?}");
                assert_eq!(
                    (p[0].code.code(), p[0].at.as_str()),
                    ("R012", "role sales_rep")
                );
            }
            r => panic!("{r:?}"),
        }
        // A route that names reps first: hiding the limits from them is refused.
        let w = World::new();
        let routes = with_rep_step(w.book.borrow().routes.clone());
        save_routes(&w, routes).unwrap();
        match save_fields(&w, "admin", hide(Role::SalesRep)) {
            Err(CommandError::Fields(p)) => {
                assert_eq!(p.len(), 1, "{p:?}");
                assert_eq!(p[0].code.code(), "FD-ACCESS-HIDDEN");
            }
            r => panic!("{r:?}"),
        }
    }
}

#[test]
fn kept_figures_come_back_at_the_next_start_only_while_no_write_happened_since() {
    use creditdesk_app::figures::{apply, encode};
    // Kept as the browser keeps them: with the unfiltered dashboard of the user signed in.
    let keep = |s: &MemStore, b: &Book| {
        let dash = creditdesk_app::reports::dashboard(b, &Default::default(), b.audit.len() as u64);
        block_on(s.put_derived(&encode(b, Some(&dash), None)))
    };
    let restore = |s: &MemStore, b: &mut Book| {
        let kept = block_on(s.derived())?;
        Ok::<bool, creditdesk_storage::StoreError>(kept.is_some_and(|k| apply(&k, b)))
    };
    let w = World::new();
    // The finance specialist's device: every customer is on the dashboard.
    w.book.borrow_mut().user = "fs".into();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    w.run("fs", w.invoice(w.theirs, "5000", None)).unwrap();
    let kept = |w: &World| {
        let b = w.book.borrow();
        (b.summaries.clone(), b.rated.clone())
    };
    let (summaries, rated) = kept(&w);
    assert!(summaries[&w.ours].overdue.is_positive());
    // The next start: the configuration and the customers, not yet the ledger.
    let start = |w: &World| {
        let b = w.book.borrow();
        let mut next = Book {
            as_of: b.as_of,
            model: b.model.clone(),
            policy: b.policy.clone(),
            user: b.user.clone(),
            ..Book::default()
        };
        let found = restore(&w.store, &mut next).unwrap();
        (found, next)
    };
    assert!(!start(&w).0, "nothing is kept before the first keep");
    keep(&w.store, &w.book.borrow()).unwrap();
    let (found, next) = start(&w);
    assert!(found);
    assert_eq!((next.summaries, next.rated), (summaries, rated.clone()));
    // The dashboard comes back as it was drawn: the overdue invoice is in its aging.
    let dash = next.kept_dashboard.expect("the dashboard is kept");
    let b = w.book.borrow();
    assert_eq!(
        dash,
        creditdesk_app::reports::dashboard(&b, &Default::default(), u64::MAX)
    );
    assert!(
        dash.now().aging[0] < dash.now().open_ar,
        "something is overdue"
    );
    drop(b);
    // Folding the tail into chunks changes no data: the figures stay valid.
    assert!(block_on(w.store.compact()).unwrap() > 0);
    assert!(start(&w).0, "compaction keeps them");
    // So does a commit of settings alone (a sync's bookkeeping: what the server refused).
    block_on(w.store.commit(&Batch {
        settings: vec![("sync_refused".into(), "[]".into())],
        ..Batch::default()
    }))
    .unwrap();
    assert!(start(&w).0, "a commit of settings alone keeps them");
    // Another day, or another policy, does not use them.
    let mut other_day = Book {
        as_of: d("2026-12-01"),
        ..Book::default()
    };
    other_day.model = w.book.borrow().model.clone();
    other_day.policy = w.book.borrow().policy.clone();
    assert!(!restore(&w.store, &mut other_day).unwrap());
    assert!(other_day.summaries.is_empty());
    // A payment is a write of data: what was kept is stale and not used.
    w.run("fs", w.payment(w.ours, "20000", None)).unwrap();
    let (found, next) = start(&w);
    assert!(!found, "a write since makes them stale");
    assert!(next.summaries.is_empty() && next.rated.is_empty());
    // Kept again after the write, they come back with the payment in them.
    keep(&w.store, &w.book.borrow()).unwrap();
    let (found, next) = start(&w);
    assert!(found);
    assert!(next.summaries[&w.ours].overdue.is_zero());
    // A restore of a backup is a write of data; the backup carries no kept figures.
    let dump = block_on(w.store.dump()).unwrap();
    let file = String::from_utf8({
        let mut out = Vec::new();
        creditdesk_storage::backup::write_json(&dump, &mut out).unwrap();
        out
    })
    .unwrap();
    assert!(!file.contains("\"derived\"") && !file.contains("\"data_rev\""));
    block_on(w.store.restore(&dump)).unwrap();
    assert!(!start(&w).0, "a restore makes them stale");
}

#[test]
fn a_timeline_whose_customers_shrink_between_slices_still_steps_to_its_end() {
    // The page drops such a builder (the data's revision moved); its next step must not fail
    // first.
    use creditdesk_app::reports::TimelineBuilder;
    let w = World::new();
    w.run("fs", w.invoice(w.theirs, "5000", None)).unwrap();
    w.run("fs", w.invoice(w.ours, "700", None)).unwrap();
    let as_of = w.book.borrow().as_of;
    let mut t = TimelineBuilder::new(&w.book.borrow(), 7, as_of);
    assert!(!t.step(&w.book.borrow(), 1));
    w.book.borrow_mut().customers.clear();
    let mut steps = 0;
    while !t.step(&w.book.borrow(), 1) {
        steps += 1;
        assert!(steps < 10, "it ends");
    }
}

#[test]
fn a_timeline_computed_a_slice_at_a_time_is_the_one_computed_at_once() {
    use creditdesk_app::reports::{dashboard, kept_timeline, timeline, TimelineBuilder};
    let w = World::new();
    // Theirs first: its book comes before ours, which comes first by name.
    w.run("fs", old_invoice(&w, w.theirs, "700.10", 200))
        .unwrap();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    w.run("fs", w.invoice(w.theirs, "5000", None)).unwrap();
    w.run("fs", w.payment(w.ours, "1234.56", None)).unwrap();
    let b = w.book.borrow();
    let n = b.customers.len();
    assert!(n >= 2);
    let whole = timeline(&b, 1, b.as_of);
    // Each customer's figures in its own place (the pass visits them in the books' order).
    for (i, c) in b.customers.iter().enumerate() {
        assert_eq!(
            whole.points(i),
            b.ledger.per_customer(&[c.id], &whole.ends)[0],
            "{}",
            c.name
        );
        assert_eq!(
            whole.sales(i),
            b.ledger.sales_in_periods([c.id], &whole.look),
            "{}",
            c.name
        );
    }
    for slice in [1, 2, n + 5] {
        let mut t = TimelineBuilder::new(&b, 100 + slice as u64, b.as_of);
        let mut steps = 1;
        while !t.step(&b, slice) {
            steps += 1;
        }
        assert_eq!(steps, n.div_ceil(slice).max(1), "slices of {slice}");
        let sliced = t.finish();
        assert!(
            kept_timeline(100 + slice as u64, b.as_of).is_some(),
            "it is kept"
        );
        assert_eq!(sliced.ends, whole.ends);
        for i in 0..n {
            assert_eq!(
                sliced.points(i),
                whole.points(i),
                "customer {i}, slices of {slice}"
            );
            assert_eq!(
                sliced.sales(i),
                whole.sales(i),
                "customer {i}, slices of {slice}"
            );
        }
        // The dashboard drawn from it is the same.
        assert_eq!(
            dashboard(&b, &Default::default(), 100 + slice as u64),
            dashboard(&b, &Default::default(), 1_000 + slice as u64)
        );
    }
    assert!(whole
        .points(0)
        .iter()
        .chain(whole.points(1))
        .any(|p| p.open_ar.is_positive()));
}

#[test]
fn an_invoice_typed_while_an_import_is_written_is_never_doubled_by_the_import() {
    use creditdesk_domain::import::{Kind, Records};
    let w = World::new();
    // The file holds INV-RACE; while its import gives the page a turn, a rep types INV-RACE.
    let typed = Command::RecordInvoice {
        id: InvoiceId::from_u128(w.next()),
        customer: w.ours,
        input: InvoiceInput {
            number: "INV-RACE".into(),
            issue_date: TODAY.into(),
            term_days: "30".into(),
            amount: "500".into(),
            order: None,
        },
    };
    let file_invoice = |n: &str| Invoice {
        id: InvoiceId::from_u128(w.next()),
        meta: Meta::new(DeviceId::from_u128(7), Timestamp(0)),
        customer: w.ours,
        order: None,
        number: DocNo::parse(n).unwrap(),
        issue_date: d(TODAY),
        due_date: d(TODAY).add_days(30),
        amount: Money::from_units(1_000),
    };
    let records = Records {
        invoices: vec![file_invoice("INV-FILE-1"), file_invoice("INV-RACE")],
        ..Records::default()
    };
    let typed_ctx = w.ctx("fs");
    let store = Turning::at(&w.store, 1, || {
        block_on(execute(&w.store, &w.book, &typed_ctx, typed, Vec::new())).unwrap();
    });
    let imported = block_on(execute(
        &store,
        &w.book,
        &w.ctx("fs"),
        import(Kind::Invoices, records),
        Vec::new(),
    ));
    // Planned again on what the typed invoice left: its number is taken now.
    let Err(CommandError::Rows(refused)) = imported else {
        panic!("the import was written over the typed invoice: {imported:?}")
    };
    assert!(
        refused
            .iter()
            .any(|r| r.contains("INV-RACE") && r.contains("taken")),
        "{refused:?}"
    );
    let stored = block_on(w.store.load()).unwrap();
    let race: Vec<_> = stored
        .rows
        .invoices
        .iter()
        .filter(|i| i.number.as_str() == "INV-RACE")
        .collect();
    assert_eq!(race.len(), 1, "one INV-RACE, the typed one");
    assert!(stored
        .rows
        .invoices
        .iter()
        .all(|i| i.number.as_str() != "INV-FILE-1"));
    assert_eq!(
        block_on(w.store.load_audit()).unwrap().len(),
        w.book.borrow().audit.len(),
        "the book's trail is the store's"
    );
}

#[test]
fn a_restore_in_any_of_an_imports_turns_leaves_the_import_chained_to_the_restored_trail() {
    // The import gives the page a turn after it made the file's sets for its ledger rules
    // (1), one after those rules (2), one after its plan (3) and one after its record, before
    // its write (4): a restore in one of them is found at the next turn that looks at the trail
    // (2, 3 or 4). A record of more rows than are written between two turns gives turns of its
    // own, after which the turn before the write finds the trail moved.
    for (turn, rows, turns) in [
        (1, 1, 2),
        (2, 1, 2),
        (3, 1, 3),
        (4, 1, 4),
        (4, 5_001, 5),
        (5, 5_001, 5),
    ] {
        restore_in_an_imports_turn(turn, rows, turns);
    }
}

/// A restore in the import's turn `turn` (of a file of `rows` rows): the import is planned
/// again without turns after `turns` turns.
fn restore_in_an_imports_turn(turn: usize, rows: u32, turns: usize) {
    use creditdesk_domain::import::{Kind, Records};
    use creditdesk_storage::backup;
    let w = World::new();
    let typed = |n: &str| Command::RecordInvoice {
        id: InvoiceId::from_u128(w.next()),
        customer: w.ours,
        input: InvoiceInput {
            number: n.into(),
            issue_date: TODAY.into(),
            term_days: "30".into(),
            amount: "500".into(),
            order: None,
        },
    };
    // A backup, then two more audited commands: the restore in the import's turn takes the
    // trail back behind the head the import was planned on, and frees its next numbers.
    let file = backup::to_json(&block_on(w.store.dump()).unwrap());
    let restored = backup::parse(&file).unwrap();
    w.run("fs", typed("INV-AFTER-1")).unwrap();
    w.run("fs", typed("INV-AFTER-2")).unwrap();
    let records = Records {
        invoices: (1..=rows)
            .map(|n| Invoice {
                id: InvoiceId::from_u128(w.next()),
                meta: Meta::new(DeviceId::from_u128(7), Timestamp(0)),
                customer: w.ours,
                order: None,
                number: DocNo::parse(&format!("INV-FILE-{n}")).unwrap(),
                issue_date: d(TODAY),
                due_date: d(TODAY).add_days(30),
                amount: Money::from_units(1_000),
            })
            .collect(),
        ..Records::default()
    };
    let store = Turning {
        inner: &w.store,
        at_turn: RefCell::new(Some(Box::new(|| {
            block_on(creditdesk_app::admin::restore(
                &w.store,
                &who("admin"),
                9_000,
                restored.clone(),
                false,
                "b.json",
                "0",
            ))
            .unwrap();
            // The page loads the restored book, as after any restore.
            let (reloaded, _) = block_on(creditdesk_app::load::whole_book(
                &w.store,
                d(TODAY),
                DeviceId::from_u128(7),
                users,
            ))
            .unwrap();
            *w.book.borrow_mut() = reloaded;
        }))),
        turn,
        turns: Default::default(),
        every: RefCell::new(None),
        in_commits: false,
    };
    block_on(execute(
        &store,
        &w.book,
        &w.ctx("fs"),
        import(Kind::Invoices, records),
        Vec::new(),
    ))
    .unwrap();
    let trail = block_on(w.store.load_audit()).unwrap();
    assert_eq!(
        verify(&trail),
        Ok(()),
        "the stored trail chains (turn {turn})"
    );
    assert_eq!(
        store.turns.get(),
        turns,
        "planned again, without turns, after turn {turns} (the restore in turn {turn})"
    );
    assert_eq!(trail.last().unwrap().what, "data.imported");
    assert_eq!(
        trail,
        w.book.borrow().audit,
        "the book's trail is the store's"
    );
    // Its record, written in turns or not, is the command's canonical JSON.
    let outbox = block_on(w.store.outbox()).unwrap();
    let rec = outbox.last().unwrap();
    let env: Envelope = rec.payload.read().unwrap();
    assert_eq!(
        rec.payload.text(),
        serde_json::to_value(&env).unwrap().to_string()
    );
}

#[test]
fn a_draft_published_or_dropped_leaves_no_record_of_it_in_the_store() {
    let w = World::new();
    let keys = || {
        block_on(w.store.docs(creditdesk_storage::Docs::Models))
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
    };
    let draft = w.book.borrow().model.clone();
    let save = |d: Option<rating::Scorecard>| w.run("cfo", Command::SaveDraft { draft: d });
    save(Some(draft.clone())).unwrap();
    assert!(keys().iter().any(|k| k == "draft"), "{:?}", keys());
    w.run(
        "cfo",
        Command::PublishScorecard {
            draft: draft.clone(),
        },
    )
    .unwrap();
    assert!(!keys().iter().any(|k| k == "draft"), "{:?}", keys());
    save(Some(draft)).unwrap();
    save(None).unwrap();
    assert!(!keys().iter().any(|k| k == "draft"), "{:?}", keys());
}

#[test]
fn a_start_parses_many_requests_with_a_turn_for_the_page_every_hundred_newest_first() {
    use creditdesk_domain::request::{from_stored, Request};
    use creditdesk_storage::Docs;
    let w = World::new();
    let first = w.file(
        "rep-1",
        RequestKind::TemporaryLimit {
            amount: Money::from_units(150_000),
            start: d(TODAY),
            end: d("2026-12-31"),
        },
        "Busy season",
    );
    let stored = block_on(w.store.docs(Docs::Requests)).unwrap();
    let r: Request = from_stored(&stored[0].1).unwrap();
    assert_eq!(r.id, first);
    // 249 more of it, each updated a moment later than the one before.
    for k in 1..250u128 {
        let mut copy = r.clone();
        copy.id = RequestId::from_u128(1_000_000 + k);
        copy.meta.updated_at = Timestamp(r.meta.updated_at.0 + k as i64);
        let json = serde_json::to_string(&copy).unwrap();
        block_on(
            w.store
                .put_doc(Docs::Requests, &copy.id.to_string(), &json, None),
        )
        .unwrap();
    }
    let store = Turning::counting(&w.store);
    let (config, warnings) = block_on(load::configuration(&store, d(TODAY), users)).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.requests.len(), 250);
    assert_eq!(store.turns.get(), 2, "a turn after the 100th and the 200th");
    assert_eq!(config.requests[0].id, RequestId::from_u128(1_000_249));
    assert_eq!(config.requests[249].id, first);
}

/// A world whose customer with an invoice 60 days overdue (20,000) is among 2,500 more with no
/// limit (nothing for the rules to say about them), named with `prefix` to come before or after
/// it: enough for a run over everyone to take turns between its facts' steps.
fn world_of_many(prefix: &str) -> World {
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    add_copies_of_theirs(&w, 50_000, 2_500, |c, k| {
        c.limits = Limits::default();
        c.name = format!("{prefix} Filler {k:04}");
    });
    w
}

/// Adds `n` copies of the other customer to the book, with ids from `first` on, each changed by
/// `change` (with its number), then keeps the book's order and figures.
fn add_copies_of_theirs(w: &World, first: u128, n: u128, change: impl Fn(&mut Customer, u128)) {
    let mut b = w.book.borrow_mut();
    let theirs = b.customer(w.theirs).unwrap().clone();
    for k in 0..n {
        let mut c = theirs.clone();
        c.id = CustomerId::from_u128(first + k);
        change(&mut c, k);
        b.customers.push(c);
    }
    b.customers.sort_by(|x, y| x.name.cmp(&y.name));
    b.reindex();
    b.summarise_all();
}

#[test]
fn a_run_over_everyone_in_steps_sees_the_customers_of_every_step() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_many("Aa");
    assert!(!w.book.borrow().customers[..2_000]
        .iter()
        .any(|c| c.id == w.ours));
    let store = Turning::counting(&w.store);
    let (report, _) = block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(
        report.held.contains(&w.ours),
        "the overdue customer of the second step"
    );
    // A turn after the first 2,000 customers' facts, one after the rules' run over the first
    // 2,500, and the one before the run's write.
    assert_eq!(store.turns.get(), 3);
}

#[test]
fn a_payment_recorded_between_the_runs_steps_has_the_customers_after_it_run_on_their_facts_as_they_are_then(
) {
    // Ours comes after the first 2,500 customers; in the turn after the rules ran over them, its
    // overdue invoice is paid in full: the facts made before the run are stale then.
    let (w, turns) = paid_in_a_runs_turn("Aa", 2);
    assert_eq!(turns, 3);
    assert!(w.book.borrow().monitor.held(w.ours).is_empty());
}

/// Runs the rules over everyone on [`world_of_many`]`(prefix)`, the overdue invoice of ours paid
/// in full in the run's `turn`th turn; checks that the run neither held ours nor raised an
/// alert on it; the world and how many turns the run took.
fn paid_in_a_runs_turn(prefix: &str, turn: usize) -> (World, usize) {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_many(prefix);
    let before_ours = |n: usize| {
        w.book.borrow().customers[..n]
            .iter()
            .any(|c| c.id == w.ours)
    };
    assert_eq!(
        (before_ours(2_000), before_ours(2_500)),
        (prefix == "Zz", prefix == "Zz")
    );
    let pay = w.payment(w.ours, "20000", None);
    let pay_ctx = w.ctx("fs");
    let store = Turning::at(&w.store, turn, || {
        block_on(execute(&w.store, &w.book, &pay_ctx, pay, Vec::new())).unwrap();
    });
    let (report, fresh) = block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(w.book.borrow().summary(w.ours).overdue.is_zero());
    assert!(!report.held.contains(&w.ours), "held on what was paid");
    assert!(
        fresh.iter().all(|a| a.customer != w.ours),
        "an alert on what was paid"
    );
    let turns = store.turns.get();
    drop(store);
    (w, turns)
}

#[test]
fn the_grades_a_run_keeps_are_stored_when_a_payment_between_its_steps_changes_one() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_many("Aa");
    block_on(run_rules(&w.store, &w.book, 1_800_000_100_000, None)).unwrap();
    let kept = |w: &World| {
        block_on(creditdesk_storage::settings::PREVIOUS.read(&w.store))
            .unwrap()
            .unwrap_or_default()
    };
    assert_eq!(kept(&w), w.book.borrow().monitor.previous);
    let before = w.book.borrow().monitor.previous[&w.ours];
    // The next run's facts are made as they were kept; between its steps the overdue invoice of
    // a customer after the first 2,500 is paid in full, which changes its score.
    let pay = w.payment(w.ours, "20000", None);
    let pay_ctx = w.ctx("fs");
    let store = Turning::at(&w.store, 2, || {
        block_on(execute(&w.store, &w.book, &pay_ctx, pay, Vec::new())).unwrap();
    });
    block_on(run_rules(&store, &w.book, 1_800_000_200_000, None)).unwrap();
    let after = w.book.borrow().monitor.previous[&w.ours];
    assert_ne!(after, before, "the payment changed the score the run kept");
    assert_eq!(kept(&w), w.book.borrow().monitor.previous, "as stored");
}

#[test]
fn a_run_stops_at_a_book_put_in_its_place_between_its_steps_and_leaves_it_alone() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_many("Aa");
    let store = Turning::at(&w.store, 2, || replace_book_as_a_start_does(&w));
    let (report, fresh) = block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(report.is_empty() && fresh.is_empty());
    let book = w.book.borrow();
    assert!(
        book.monitor.previous.is_empty() && book.monitor.alerts.is_empty(),
        "the run went on over the book put in place"
    );
    assert_eq!(book.rules_runs, 0);
    assert!(block_on(w.store.docs(creditdesk_storage::Docs::Alerts))
        .unwrap()
        .is_empty());
}

#[test]
fn a_run_over_everyone_makes_its_facts_again_when_a_payment_lands_in_its_turn() {
    // Ours is among the first 2,000 customers; in the run's first turn its overdue invoice is
    // paid in full: its facts are stale then.
    let (_, turns) = paid_in_a_runs_turn("Zz", 1);
    // A turn after the first 2,000 customers (the facts then made again at once), one after the
    // rules' run over the first 2,500, and the one before the run's write.
    assert_eq!(turns, 3);
}

/// Puts a new book in the world's place as a start does: the same customers, trail and day, and
/// a ledger not (yet) read.
fn replace_book_as_a_start_does(w: &World) {
    let mut b = w.book.borrow_mut();
    let mut fresh = Book {
        as_of: b.as_of,
        device: b.device,
        users: b.users.clone(),
        routes: b.routes.clone(),
        customers: b.customers.clone(),
        audit: b.audit.clone(),
        ..Book::default()
    };
    fresh.reindex();
    fresh.summarise_all();
    *b = fresh;
}

#[test]
fn a_run_over_everyone_makes_its_facts_again_when_the_book_is_replaced_in_its_turn() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_many("Zz");
    // In the run's first turn, the book is put in its place as a start does: the same
    // customers, trail and day, and a ledger in which the overdue invoice is not (yet) read.
    let store = Turning::at(&w.store, 1, || replace_book_as_a_start_does(&w));
    let (report, _) = block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    // A turn after the first 2,000 customers (the facts then made again at once on the book
    // put in place), one after the rules' run over the first 2,500, and the one before the
    // run's write.
    assert_eq!(store.turns.get(), 3);
    assert!(w.book.borrow().summary(w.ours).overdue.is_zero());
    assert!(
        !report.held.contains(&w.ours),
        "held on the book the run began on"
    );
}

/// A world with `n` more customers like the one with the limit, each with an invoice 60 days
/// overdue (20,000): a run over everyone holds each of them, thousands of trail entries.
fn world_of_held(n: u128) -> World {
    let w = World::new();
    add_copies_of_theirs(&w, 70_000, n, |c, k| c.name = format!("Held {k:04}"));
    for k in 0..n {
        w.run(
            "fs",
            old_invoice(&w, CustomerId::from_u128(70_000 + k), "20000", 60),
        )
        .unwrap();
    }
    w
}

#[test]
fn a_run_with_thousands_of_trail_entries_chains_them_in_steps_into_one_verified_trail() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_held(1_100);
    let trail_before = w.book.borrow().audit.len();
    let store = Turning::counting(&w.store);
    let (report, _) = block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert!(report.held.len() >= 1_100, "{}", report.held.len());
    let book = w.book.borrow();
    let added = book.audit.len() - trail_before;
    assert!(added > 1_000, "{added} entries: more than a step's");
    // The turn before the write, and one between each thousand entries chained.
    assert_eq!(store.turns.get(), 1 + added.div_ceil(1_000) - 1);
    assert_eq!(verify(&book.audit), Ok(()));
    let stored = block_on(w.store.load_audit()).unwrap();
    assert_eq!(stored, book.audit, "the store's trail is the book's");
}

#[test]
fn a_run_with_thousands_of_records_makes_them_in_steps_and_stores_each_as_the_book_holds_it() {
    use creditdesk_app::monitoring::{load, run_rules};
    let w = world_of_held(2_100);
    let trail_before = w.book.borrow().audit.len();
    let store = Turning::counting(&w.store);
    block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    let book = w.book.borrow();
    let (_, stored, _) = block_on(load(&w.store)).unwrap();
    let records = stored.alerts.len() + stored.tasks.len();
    assert!(records > 4_000, "{records} records: more than a step's");
    let added = book.audit.len() - trail_before;
    // One between each 2,000 customers' facts, the turn before the records, one between each
    // 4,000 records made and each thousand entries chained.
    let customers = book.customers.len();
    assert_eq!(
        store.turns.get(),
        (customers.div_ceil(2_000) - 1)
            + 1
            + (records.div_ceil(4_000) - 1)
            + (added.div_ceil(1_000) - 1)
    );
    // Every record stored as the book holds it (the store reads them back in the order of their
    // keys).
    fn sorted<T: serde::Serialize>(records: &[T]) -> Vec<String> {
        let mut v: Vec<String> = records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect();
        v.sort();
        v
    }
    assert!(sorted(&stored.alerts) == sorted(&book.monitor.alerts));
    assert!(sorted(&stored.tasks) == sorted(&book.monitor.tasks));
}

#[test]
fn an_alert_acknowledged_while_a_large_runs_records_are_made_stays_acknowledged() {
    let w = world_of_held(2_100);
    // The third turn (after the one between the customers' facts and the one before the
    // records) is the first between two steps of the records.
    acknowledged_in_a_runs_turn(&w, 3, "fs", |_| true);
}

#[test]
fn an_alert_acknowledged_while_a_large_runs_trail_is_chained_stays_acknowledged() {
    let w = world_of_held(1_100);
    let trail_before = w.book.borrow().audit.len();
    // The second turn is the first between two steps of the trail's chaining.
    acknowledged_in_a_runs_turn(&w, 2, "fs", |_| true);
    // The acknowledgement's entry comes first, the run's after it, one chain.
    let book = w.book.borrow();
    assert_eq!(book.audit[trail_before].what, "alert.acknowledged");
    assert_eq!(verify(&book.audit), Ok(()));
    assert_eq!(block_on(w.store.load_audit()).unwrap(), book.audit);
}

#[test]
fn a_runs_write_waits_for_a_write_begun_while_the_store_made_its_values() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_of_held(10);
    // The run's turn before its records (1), then the store's while it makes the write's values
    // (2): a command's write begins there and ends in the next turn (3). The run's write is made
    // again after it, the store taking its turn again (4).
    let store = Turning::every(&w.store, |n| match n {
        2 => w.book.borrow_mut().writing += 1,
        3 => w.book.borrow_mut().writing -= 1,
        _ => {}
    })
    .with_turns_in_commits();
    let (report, _) = block_on(run_rules(&store, &w.book, 1_800_000_100_000, None)).unwrap();
    assert_eq!(
        store.turns.get(),
        4,
        "written while another write was under way"
    );
    assert!(report.raised.len() >= 10);
    let stored = block_on(w.store.docs(creditdesk_storage::Docs::Alerts)).unwrap();
    assert_eq!(stored.len(), w.book.borrow().monitor.alerts.len());
}

#[test]
fn an_alert_acknowledged_while_the_store_makes_the_runs_write_stays_acknowledged() {
    let w = world_of_held(10);
    // The run's turn before its records, then the store's while it makes the write's values.
    acknowledged_in_a_runs_turn_of(&w, 2, "fs", |_| true, true);
}

#[test]
fn reviews_are_proposed_again_when_a_request_is_filed_in_a_turn_before_their_write() {
    // The run's turn before its write, then the proposals' turns: before their trail's entries
    // are chained, and before their write.
    for turn in [2, 3] {
        reviews_proposed_again_when_a_request_is_filed_in_turn(turn, false);
    }
}

#[test]
fn reviews_are_proposed_again_when_a_request_is_filed_while_the_store_makes_their_write() {
    // The run's turns before its write and in it, the proposals' before their trail's entries
    // are chained and before their write, then the store's while it makes their write's values.
    reviews_proposed_again_when_a_request_is_filed_in_turn(5, true);
}

/// In the `turn`th turn of the rules' watch the rep files a request on the customer about to be
/// reviewed: the reviews are proposed again, without that customer's. `in_commits`: the store
/// takes a turn in each write that checks the book first (as a browser's, making a large write's
/// values with turns).
fn reviews_proposed_again_when_a_request_is_filed_in_turn(turn: usize, in_commits: bool) {
    let w = world_unused_for_seven_months();
    let system = system_user();
    let mut ids = 5_000u128..;
    let mut next = || ids.next().unwrap();
    let mut store = Turning::at(&w.store, turn, || {
        w.file(
            "rep-1",
            RequestKind::PermanentChange {
                before: Money::from_units(100_000),
                after: Money::from_units(60_000),
                expires: None,
                review: None,
            },
            "Buying less",
        );
    });
    if in_commits {
        store = store.with_turns_in_commits();
    }
    let watched = watch_as_system(&store, &w.book, 1_800_000_100_000, None, &mut next);
    // With turns in the writes: the run's write, the proposals', and theirs made again.
    assert_eq!(store.turns.get(), if in_commits { 6 } else { 3 });
    // The other customer's review only: ours has a limit change open now.
    assert_eq!(watched.reviews, Ok(1), "filed in turn {turn}");
    let book = w.book.borrow();
    let ours: Vec<_> = book
        .requests
        .iter()
        .filter(|r| r.customer == w.ours)
        .collect();
    assert_eq!(ours.len(), 1, "filed in turn {turn}: {ours:?}");
    assert_eq!(ours[0].flow.requester, "rep-1");
    // Newest first: the review filed after the rep's request.
    assert_eq!(book.requests[0].flow.requester, system.id);
    // One trail, the review's entry after the rep's, as stored.
    assert_eq!(verify(&book.audit), Ok(()));
    assert_eq!(block_on(w.store.load_audit()).unwrap(), book.audit);
    assert_eq!(
        block_on(w.store.docs(creditdesk_storage::Docs::Requests))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn reviews_proposed_again_after_a_run_of_the_rules_in_their_turn_are_on_the_trail_as_filed() {
    use creditdesk_app::monitoring::run_rules;
    let w = world_unused_for_seven_months();
    let mut ids = 5_000u128..;
    let mut next = || ids.next().unwrap();
    // After the proposals' entries are chained, a run of the rules over nobody: nothing on the
    // trail, but the book moved, so the reviews are proposed again (under new ids) and their
    // entries made again with them.
    let store = Turning::at(&w.store, 3, || {
        block_on(run_rules(
            &w.store,
            &w.book,
            1_800_000_100_500,
            Some(vec![]),
        ))
        .unwrap();
    });
    let watched = watch_as_system(&store, &w.book, 1_800_000_100_000, None, &mut next);
    assert_eq!(watched.reviews, Ok(2));
    let book = w.book.borrow();
    for r in book
        .requests
        .iter()
        .filter(|r| r.flow.requester == "system")
    {
        let id = r.id.to_string();
        assert!(
            book.audit.iter().any(|e| e.subject.contains(&id)),
            "the review {id} is on the trail"
        );
    }
    assert_eq!(verify(&book.audit), Ok(()));
}

#[test]
fn no_review_is_proposed_on_a_book_put_in_place_in_the_proposals_turns() {
    // The run's turn before its write; then the proposals' turns, before their entries are
    // chained and before their write: a start puts its book in place (a ledger not read yet:
    // no sales, no grade), on which no limit is to be proposed.
    for turn in [2, 3] {
        let w = world_unused_for_seven_months();
        let mut ids = 5_000u128..;
        let mut next = || ids.next().unwrap();
        let store = Turning::at(&w.store, turn, || replace_book_as_a_start_does(&w));
        let watched = watch_as_system(&store, &w.book, 1_800_000_100_000, None, &mut next);
        assert_eq!(watched.reviews, Ok(0), "replaced in turn {turn}");
        let stored = block_on(w.store.docs(creditdesk_storage::Docs::Requests)).unwrap();
        assert!(stored.is_empty(), "replaced in turn {turn}: {stored:?}");
    }
}

#[test]
fn a_run_writes_after_a_write_under_way_in_its_turn_has_landed_and_keeps_what_it_changed() {
    use creditdesk_domain::monitor::AlertStatus;
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    // In the run's turn before its write a command's transaction begins (a rep acknowledging the
    // alert the run has just raised) and ends two turns later: only then is its change in the
    // book. The run waits for it and makes its records from the book after it.
    let acknowledged = RefCell::new(None);
    let store = Turning::every(&w.store, |turn| match turn {
        1 => w.book.borrow_mut().writing += 1,
        3 => {
            w.book.borrow_mut().writing -= 1;
            let id = acknowledge_open(&w, "rep-1", |a| a.customer == w.ours);
            *acknowledged.borrow_mut() = Some(id);
        }
        _ => {}
    });
    let (report, _) = block_on(creditdesk_app::monitoring::run_rules(
        &store,
        &w.book,
        1_800_000_100_000,
        None,
    ))
    .unwrap();
    assert!(report.held.contains(&w.ours));
    assert_eq!(
        store.turns.get(),
        3,
        "the turn before the write, two more while it was under way"
    );
    let id = acknowledged
        .take()
        .expect("acknowledged as the write under way ended");
    let (_, stored, _) = block_on(creditdesk_app::monitoring::load(&w.store)).unwrap();
    let status = stored.alerts.iter().find(|a| a.id == id).map(|a| a.status);
    assert_eq!(status, Some(AlertStatus::Acknowledged), "not written over");
}

#[test]
fn a_run_whose_book_is_replaced_before_its_write_writes_nothing() {
    let w = World::new();
    w.run("fs", old_invoice(&w, w.ours, "20000", 60)).unwrap();
    let alerts_before = block_on(w.store.docs(creditdesk_storage::Docs::Alerts))
        .unwrap()
        .len();
    let trail_before = block_on(w.store.load_audit()).unwrap().len();
    // In the run's turn before its write, a start puts a book in this one's place.
    let store = Turning::at(&w.store, 1, || replace_book_as_a_start_does(&w));
    let (report, fresh) = block_on(creditdesk_app::monitoring::run_rules(
        &store,
        &w.book,
        1_800_000_100_000,
        None,
    ))
    .unwrap();
    assert!(report.held.is_empty() && fresh.is_empty(), "{report:?}");
    assert_eq!(
        block_on(w.store.docs(creditdesk_storage::Docs::Alerts))
            .unwrap()
            .len(),
        alerts_before
    );
    assert_eq!(block_on(w.store.load_audit()).unwrap().len(), trail_before);
}
