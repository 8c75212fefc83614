//! A customer's sales rep is a user's id: what a rep sees never depends on a name, a customer's
//! rep is chosen from the directory, and data stored when reps were names is linked once.

use creditdesk_app::reps::{link_reps, LINKED};
use creditdesk_app::*;
use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::monitor::{RuleSet, Task, TaskStatus};
use creditdesk_domain::*;
use creditdesk_storage::mem::MemStore;
use creditdesk_storage::{settings, Batch, Docs, Store};
use std::cell::RefCell;
mod common;
use common::{block_on, user};

const TODAY: &str = "2026-11-30";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// Two reps with the same name, a manager and a rep who left (no longer in the directory).
fn directory() -> Vec<User> {
    vec![
        user("rep-1", "Li Wei", Role::SalesRep),
        user("rep-9", "Li Wei", Role::SalesRep),
        user("rep-2", "Wang Fang", Role::SalesRep),
        user("sm", "Zhou Ting", Role::SalesManager),
        user("fs", "Sun Yue", Role::FinanceSpecialist),
    ]
}

fn customer(n: u128, name: &str, rep: &str) -> Customer {
    CustomerInput {
        name: name.into(),
        sales_rep: rep.into(),
        region: "East".into(),
        industry: "Steel".into(),
        first_cooperation: "2020-01-15".into(),
        ..CustomerInput::default()
    }
    .validate(
        CustomerId::from_u128(n),
        Meta::new(DeviceId::from_u128(1), Timestamp(0)),
        Default::default(),
        d(TODAY),
    )
    .unwrap()
}

fn book_of(customers: Vec<Customer>) -> Book {
    let mut b = Book {
        as_of: d(TODAY),
        users: directory(),
        ..Book::default()
    };
    for c in customers {
        b.put_customer(c);
    }
    b
}

fn ctx(actor: &str) -> Ctx {
    Ctx {
        actor: directory().into_iter().find(|u| u.id == actor).unwrap(),
        device: DeviceId::from_u128(1),
        now: Timestamp(1_800_000_000_000),
        as_of: d(TODAY),
        command_id: format!("cmd-{actor}"),
    }
}

#[test]
fn a_rep_sees_the_customers_given_to_their_id_not_those_of_a_namesake() {
    let book = book_of(vec![
        customer(1, "Mine Ltd", "rep-1"),
        customer(2, "Namesake's Ltd", "rep-9"),
        // Stored by name (before reps were ids) and not linked: seen by nobody but managers.
        customer(3, "By Name Ltd", "Li Wei"),
    ]);
    let rep = &directory()[0];
    let seen: Vec<&str> = book
        .customers
        .iter()
        .filter(|c| book.visible(rep, c.id))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(seen, ["Mine Ltd"]);
    let manager = &directory()[3];
    assert_eq!(
        book.customers
            .iter()
            .filter(|c| book.visible(manager, c.id))
            .count(),
        3
    );
}

#[test]
fn a_customers_rep_is_chosen_from_the_directory_and_a_name_is_refused() {
    let check = |actor: &str, rep: &str, expected: &str| {
        let store = MemStore::new();
        let book = RefCell::new(book_of(Vec::new()));
        let cmd = Command::SaveCustomer {
            id: CustomerId::from_u128(5),
            create: true,
            input: CustomerInput {
                name: "New Ltd".into(),
                sales_rep: rep.into(),
                region: "East".into(),
                industry: "Steel".into(),
                first_cooperation: "2020-01-15".into(),
                ..CustomerInput::default()
            },
            why: String::new(),
        };
        let got = match block_on(execute(&store, &book, &ctx(actor), cmd, Vec::new())) {
            Ok(_) => "ok".to_string(),
            Err(CommandError::Invalid(e)) => format!("{} {}", e[0].field, e[0].problem.code()),
            Err(e) => e.code().as_str().to_string(),
        };
        assert_eq!(got, expected, "{actor} gives a customer to {rep:?}");
    };
    check("sm", "rep-2", "ok");
    check("sm", "Wang Fang", "sales_rep E-UNKNOWN-USER");
    check("sm", "rep-gone", "sales_rep E-UNKNOWN-USER");
    check("rep-1", "rep-1", "ok");
    check("rep-1", "rep-2", "CMD-NOT-YOURS");
}

#[test]
fn the_rep_form_offers_a_manager_the_sales_people_and_a_rep_only_themselves() {
    let book = book_of(vec![customer(1, "Old Ltd", "rep-left")]);
    let names = |v: Vec<(String, String)>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    // Sorted by name (one who left shows as their id); the rep who left stays on offer for
    // their customer until someone is chosen.
    assert_eq!(
        names(book.rep_candidates(&directory()[3], "rep-left")),
        ["rep-1", "rep-9", "rep-2", "sm", "rep-left"]
    );
    assert_eq!(names(book.rep_candidates(&directory()[0], "")), ["rep-1"]);
}

#[test]
fn reps_stored_by_name_are_linked_to_users_once_and_a_name_no_one_has_is_reported() {
    let store = MemStore::new();
    let mut batch = Batch::default();
    settings::USERS.put(&mut batch, &directory());
    batch.customers = vec![
        customer(1, "A Ltd", "Wang Fang"),
        customer(2, "B Ltd", "rep-1"),
        customer(3, "C Ltd", "Li Wei"),
        customer(4, "D Ltd", "Nobody Here"),
    ];
    let mut rules = RuleSet::default();
    rules.rules[0].reps = vec!["Wang Fang".into()];
    settings::RULES.put(&mut batch, &rules);
    let task = Task {
        id: "T1".into(),
        customer: CustomerId::from_u128(1),
        owner: "Wang Fang".into(),
        rule: "W1002".into(),
        opened_on: d(TODAY),
        due: d(TODAY),
        status: TaskStatus::Open,
        notes: Vec::new(),
        closed_on: None,
        promise_broken: false,
    };
    batch.docs.push((
        Docs::Tasks,
        "T1".into(),
        serde_json::to_string(&task).unwrap(),
    ));
    block_on(store.commit(&batch)).unwrap();
    let outbox = block_on(store.outbox()).unwrap().len();

    let warnings = block_on(link_reps(&store)).unwrap();
    // "Li Wei" is two users: left as it was, and said so; so is a name no user has.
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("Li Wei") && warnings[1].contains("Nobody Here"));
    let reps: Vec<String> = block_on(store.load_customers())
        .unwrap()
        .into_iter()
        .map(|c| c.sales_rep)
        .collect();
    assert_eq!(reps, ["rep-2", "rep-1", "Li Wei", "Nobody Here"]);
    let rules = block_on(settings::RULES.read(&store)).unwrap().unwrap();
    assert_eq!(rules.rules[0].reps, ["rep-2"]);
    let (_, json) = block_on(store.docs(Docs::Tasks)).unwrap().remove(0);
    assert_eq!(serde_json::from_str::<Task>(&json).unwrap().owner, "rep-2");
    // Nothing to sync: a format's upgrade, not a user's change.
    assert_eq!(block_on(store.outbox()).unwrap().len(), outbox);
    // Once: the flag is set, and a second start reads no customer.
    assert!(block_on(store.setting(LINKED)).unwrap().is_some());
    block_on(store.commit(&Batch::customer(customer(5, "E Ltd", "Wang Fang")))).unwrap();
    assert!(block_on(link_reps(&store)).unwrap().is_empty());
    assert_eq!(
        block_on(store.load_customers()).unwrap()[4].sales_rep,
        "Wang Fang"
    );
}

#[test]
fn a_user_who_is_still_some_customers_rep_is_not_removed_until_they_are_given_away() {
    let admin = user("admin", "Admin", Role::Admin);
    let mut staff: Vec<User> = directory()
        .into_iter()
        .filter(|u| u.id != "rep-9")
        .collect();
    staff.push(admin.clone());
    let mut b = book_of(vec![customer(1, "Old Ltd", "rep-2")]);
    b.users = staff.clone();
    let book = RefCell::new(b);
    let store = MemStore::new();
    let without_rep_2: Vec<User> = staff.iter().filter(|u| u.id != "rep-2").cloned().collect();
    let run = |book: &RefCell<Book>| {
        let ctx = Ctx {
            actor: admin.clone(),
            ..ctx("sm")
        };
        block_on(execute(
            &store,
            book,
            &ctx,
            Command::SaveUsers {
                users: without_rep_2.clone(),
            },
            Vec::new(),
        ))
    };
    match run(&book) {
        Err(CommandError::Routes(p)) => {
            assert_eq!(
                p.iter().map(|p| p.code.code()).collect::<Vec<_>>(),
                vec!["U005"]
            );
            assert!(p[0].detail.contains("1 customer"), "{}", p[0].detail);
        }
        other => panic!("removed while still a rep: {other:?}"),
    }
    assert_eq!(book.borrow().users.len(), staff.len(), "nothing changed");
    // Once the customer has another rep, the user may go.
    let mut c = book.borrow().customers[0].clone();
    c.sales_rep = "rep-1".into();
    book.borrow_mut().put_customer(c);
    run(&book).unwrap_or_else(|e| panic!("{e}"));
    assert!(!book.borrow().users.iter().any(|u| u.id == "rep-2"));
}
