//! The report pages' queries over a small book: which customers and invoices each report lists,
//! for whom, and how its narrowing filters read.

use creditdesk_app::reports::{self, Filter, InvoiceFilter, UtilisationFilter};
use creditdesk_app::*;
use creditdesk_domain::approval::{Role, User};
use creditdesk_domain::credit::Limits;
use creditdesk_domain::ledger::{InvoiceInput, PaymentInput};
use creditdesk_domain::reports::{utilisation_bin, Bucket};
use creditdesk_domain::*;
use creditdesk_storage::mem::MemStore;
use std::cell::RefCell;
mod common;
use common::{block_on, user};

const TODAY: &str = "2026-11-30";

fn users() -> Vec<User> {
    vec![
        user("rep-1", "Rep One", Role::SalesRep),
        user("rep-2", "Rep Two", Role::SalesRep),
        user("fs", "Finance", Role::FinanceSpecialist),
    ]
}

/// Three customers: Alpha (rep-1, limit 100,000) owes 40,000 not yet due after paying 10,000 of
/// an invoice 10 days old; Beta (rep-1, limit 10,000, frozen) owes 9,500 15 days overdue; Gamma
/// (rep-2, no limit) owes 1,000 70 days overdue.
fn book(viewer: &str) -> Book {
    let today = Date::parse(TODAY).unwrap();
    let store = MemStore::new();
    let mut b = Book {
        as_of: today,
        users: users(),
        user: "fs".into(),
        ..Book::default()
    };
    let specs = [
        (1, "Alpha", "rep-1", 100_000, false),
        (2, "Beta", "rep-1", 10_000, true),
        (3, "Gamma", "rep-2", 0, false),
    ];
    for (n, name, rep, limit, frozen) in specs {
        let mut c = CustomerInput {
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
            today,
        )
        .unwrap();
        c.limits = Limits {
            permanent: Money::from_units(limit),
            frozen,
            ..Limits::default()
        };
        b.put_customer(c);
    }
    b.summarise_all();
    let book = RefCell::new(b);
    let run = |id: &str, cmd: Command| {
        let ctx = Ctx {
            actor: users()[2].clone(),
            device: DeviceId::from_u128(1),
            now: Timestamp(1_795_000_000_000),
            as_of: today,
            command_id: id.into(),
        };
        block_on(execute(&store, &book, &ctx, cmd, vec![])).unwrap_or_else(|e| panic!("{e}"));
    };
    for (n, customer, days_ago, amount) in
        [(1, 1, 10, "50000"), (2, 2, 45, "9500"), (3, 3, 100, "1000")]
    {
        run(
            &format!("i{n}"),
            Command::RecordInvoice {
                id: InvoiceId::from_u128(n),
                customer: CustomerId::from_u128(customer),
                input: InvoiceInput {
                    number: format!("INV-{n}"),
                    issue_date: today.add_days(-days_ago).iso(),
                    term_days: "30".into(),
                    amount: amount.into(),
                    order: None,
                },
            },
        );
    }
    run(
        "p1",
        Command::RecordPayment {
            id: PaymentId::from_u128(1),
            customer: CustomerId::from_u128(1),
            input: PaymentInput {
                reference: "wire".into(),
                date: TODAY.into(),
                amount: "10000".into(),
                invoice: None,
            },
        },
    );
    let mut b = book.into_inner();
    b.user = viewer.into();
    b
}

fn names<'a>(rows: impl IntoIterator<Item = &'a Customer>) -> Vec<&'a str> {
    rows.into_iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn the_aging_report_puts_each_open_amount_in_its_bucket_and_a_rep_sees_only_their_customers() {
    let b = book("fs");
    let rows = reports::aging(&b, &Filter::default());
    let got: Vec<(&str, [i64; 5])> = rows
        .iter()
        .map(|r| {
            (
                r.customer.name.as_str(),
                r.point.aging.map(|m| m.minor() / 100),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Alpha", [40_000, 0, 0, 0, 0]),
            ("Beta", [0, 9_500, 0, 0, 0]),
            ("Gamma", [0, 0, 0, 1_000, 0]),
        ]
    );
    let rep = book("rep-1");
    assert_eq!(
        names(
            reports::aging(&rep, &Filter::default())
                .iter()
                .map(|r| r.customer)
        ),
        vec!["Alpha", "Beta"]
    );
    let by_rep = Filter {
        rep: "rep-2".into(),
        ..Filter::default()
    };
    assert_eq!(
        names(reports::aging(&b, &by_rep).iter().map(|r| r.customer)),
        vec!["Gamma"]
    );
}

#[test]
fn the_open_invoices_narrow_by_customer_bucket_and_overdue() {
    let b = book("fs");
    let check = |by: InvoiceFilter, expected: &[&str]| {
        let got: Vec<String> = reports::open_invoices(&b, &Filter::default(), &by)
            .into_iter()
            .map(|(_, it, _)| it.number.to_string())
            .collect();
        assert_eq!(got, expected, "{by:?}");
    };
    // The longest overdue first.
    check(InvoiceFilter::default(), &["INV-3", "INV-2", "INV-1"]);
    check(
        InvoiceFilter {
            only_overdue: true,
            ..InvoiceFilter::default()
        },
        &["INV-3", "INV-2"],
    );
    check(
        InvoiceFilter {
            bucket: Some(Bucket::D61To90),
            ..InvoiceFilter::default()
        },
        &["INV-3"],
    );
    check(
        InvoiceFilter {
            customer: Some(CustomerId::from_u128(2)),
            ..InvoiceFilter::default()
        },
        &["INV-2"],
    );
    // A rep asking for another rep's customer gets nothing of it.
    let rep = book("rep-1");
    let theirs = InvoiceFilter {
        customer: Some(CustomerId::from_u128(3)),
        ..InvoiceFilter::default()
    };
    assert!(reports::open_invoices(&rep, &Filter::default(), &theirs).is_empty());
}

#[test]
fn utilisation_rows_narrow_by_band_least_utilisation_and_frozen() {
    let b = book("fs");
    let check = |by: UtilisationFilter, expected: &[&str]| {
        let rows = reports::utilisation_rows(&b, &Filter::default(), &by);
        assert_eq!(names(rows.iter().map(|r| r.customer)), expected, "{by:?}");
    };
    check(UtilisationFilter::default(), &["Alpha", "Beta", "Gamma"]);
    // Alpha 40% of its limit, Beta 95% of its; Gamma has none.
    check(
        UtilisationFilter {
            min_bp: Some(9_000),
            ..UtilisationFilter::default()
        },
        &["Beta"],
    );
    check(
        UtilisationFilter {
            bin: Some(utilisation_bin(4_000)),
            ..UtilisationFilter::default()
        },
        &["Alpha"],
    );
    check(
        UtilisationFilter {
            frozen_only: true,
            ..UtilisationFilter::default()
        },
        &["Beta"],
    );
    let rows = reports::utilisation_rows(&b, &Filter::default(), &UtilisationFilter::default());
    let beta = &rows[1];
    assert_eq!(
        (beta.bp, beta.available, beta.frozen),
        (Some(9_500), Money::from_units(500), true)
    );
    assert_eq!(rows[2].bp, None, "no limit, no utilisation");
}

#[test]
fn collections_rank_the_reps_and_days_to_pay_weigh_each_payment() {
    let b = book("fs");
    let (start, reps) = reports::collections(&b, &Filter::default(), 3);
    assert!(start < b.as_of);
    let got: Vec<(&str, u32, i64)> = reps
        .iter()
        .map(|r| (r.rep.as_str(), r.customers, r.collected.minor() / 100))
        .collect();
    assert_eq!(got, vec![("rep-1", 2, 10_000), ("rep-2", 1, 0)]);
    assert_eq!(reps[0].rank, 1);
    let pay = reports::days_to_pay(&b, &Filter::default());
    assert_eq!(
        pay.iter()
            .map(|r| r.days_to_pay.map(|t| t.0))
            .collect::<Vec<_>>(),
        vec![Some(100), None, None],
        "Alpha paid 10 days after the invoice (in tenths of a day)"
    );
}

#[test]
fn an_import_remembers_its_column_mapping_per_kind_and_headers_and_keeps_an_older_one() {
    use creditdesk_app::imports::{save_mapping, saved_mapping};
    use creditdesk_domain::import::{guess_mapping, Kind};
    use creditdesk_storage::Store;
    let store = MemStore::new();
    let headers: Vec<String> = ["单号", "客户", "日期", "金额"].map(String::from).to_vec();
    let mut m = guess_mapping(Kind::Invoices, &headers);
    m.date_format = creditdesk_domain::import::DateFormat::Dmy;
    assert_eq!(
        block_on(saved_mapping(&store, Kind::Invoices, &headers)).unwrap(),
        None
    );
    block_on(save_mapping(&store, &headers, &m)).unwrap();
    assert_eq!(
        block_on(saved_mapping(&store, Kind::Invoices, &headers)).unwrap(),
        Some(m.clone())
    );
    // Other headers, or another kind of file, are guessed again.
    let other: Vec<String> = vec!["No".into()];
    assert_eq!(
        block_on(saved_mapping(&store, Kind::Invoices, &other)).unwrap(),
        None
    );
    assert_eq!(
        block_on(saved_mapping(&store, Kind::Payments, &headers)).unwrap(),
        None
    );
    // A mapping saved by an older version (a setting per kind) is still found.
    let p = guess_mapping(Kind::Payments, &headers);
    let old = serde_json::json!({ "headers": headers, "mapping": p });
    block_on(store.set_setting("import_mapping:payments", &old.to_string())).unwrap();
    assert_eq!(
        block_on(saved_mapping(&store, Kind::Payments, &headers)).unwrap(),
        Some(p)
    );
}

#[test]
fn the_dashboards_movement_adds_up_and_grade_counts_cover_only_whom_a_user_sees() {
    let b = book("fs");
    let dash = reports::dashboard(&b, &Filter::default(), 1);
    let m = dash.movement();
    assert_eq!(
        m.opening.open_ar + m.sales - m.collected - m.credited,
        m.closing.open_ar,
        "{m:?}"
    );
    assert_eq!(m.closing.open_ar, Money::from_units(50_500));
    // Overdue 10,500 of 50,500 open: 20.8%.
    assert_eq!(dash.overdue_share().as_deref(), Some("20.8%"));
    let all: u32 = b.grade_counts(&users()[2]).iter().sum();
    let rep: u32 = book("rep-1").grade_counts(&users()[0]).iter().sum();
    assert_eq!((all, rep), (3, 2));
    // The what-if of a draft covers the same customers as the counts beside it.
    let model = b.model.clone();
    let total = |user: &User| -> u32 { b.what_if(user, &model).0.counts.iter().flatten().sum() };
    assert_eq!((total(&users()[2]), total(&users()[0])), (3, 2));
}

#[test]
fn the_trail_read_at_start_up_keeps_what_was_committed_in_memory_meanwhile() {
    let entry = |seq: u64| creditdesk_domain::approval::AuditEntry {
        seq,
        at: seq as i64,
        who: "fs".into(),
        what: "test".into(),
        subject: String::new(),
        before: String::new(),
        after: String::new(),
        why: String::new(),
        prev: String::new(),
        hash: format!("h{seq}"),
    };
    let seqs = |b: &Book| b.audit.iter().map(|e| e.seq).collect::<Vec<_>>();
    // In memory: the head read first (3) and an entry committed since (4).
    let mut b = Book {
        audit: vec![entry(3), entry(4)],
        ..Book::default()
    };
    b.take_trail((0..=3).map(entry).collect());
    assert_eq!(seqs(&b), vec![0, 1, 2, 3, 4]);
    // A trail that has it already: nothing twice.
    b.take_trail((0..=4).map(entry).collect());
    assert_eq!(seqs(&b), vec![0, 1, 2, 3, 4]);
}

#[test]
fn a_file_checked_as_a_rep_may_refer_only_to_their_own_customers() {
    use creditdesk_domain::import::{guess_mapping, read_table, Kind};
    let csv = "发票号码,客户名称,开票日期,到期日,金额\r\n\
               IMP-1,Alpha,2026-11-01,2026-12-01,100.00\r\n\
               IMP-2,Gamma,2026-11-01,2026-12-01,200.00\r\n";
    let table = read_table(csv, b',').unwrap();
    let mapping = guess_mapping(Kind::Invoices, &table.headers);
    let mut n = 1000u128;
    let mut id = || {
        n += 1;
        n
    };
    let check = |viewer: &str, user: usize, id: &mut dyn FnMut() -> u128| {
        let b = book(viewer);
        let plan = reports_check(&b, &users()[user], &table, &mapping, id);
        (plan.records.invoices.len(), plan.rows_in_error.len())
    };
    fn reports_check(
        b: &Book,
        u: &User,
        table: &creditdesk_domain::import::Table,
        mapping: &creditdesk_domain::import::Mapping,
        id: &mut dyn FnMut() -> u128,
    ) -> creditdesk_domain::import::Plan {
        creditdesk_app::imports::check_rows(b, u, Kind::Invoices, table, mapping, Timestamp(0), id)
    }
    // Finance sees both customers; rep-1 only Alpha: Gamma's row is an error for them.
    assert_eq!(check("fs", 2, &mut id), (2, 0));
    assert_eq!(check("rep-1", 0, &mut id), (1, 1));
}

#[test]
fn the_dashboard_marks_the_utilisation_bands_that_reach_the_policys_warning() {
    use creditdesk_app::reports::warning_band;
    let mut policy = creditdesk_domain::credit::Policy::default();
    let marked = |p: &creditdesk_domain::credit::Policy| -> Vec<usize> {
        (0..11).filter(|&b| warning_band(p, b)).collect()
    };
    assert_eq!(marked(&policy), vec![9, 10], "90% by default");
    policy.warn_over_bp = 8_500;
    assert_eq!(marked(&policy), vec![8, 9, 10]);
    policy.warn_over_bp = 10_000;
    assert_eq!(marked(&policy), vec![10]);
}

#[test]
fn the_rating_card_shows_the_grade_in_force_and_whether_an_override_set_it() {
    let mut b = book("fs");
    let id = CustomerId::from_u128(1);
    let v = b.rating_view(id).unwrap();
    assert_eq!((v.grade, v.overridden), (v.score.grade, false));
    assert!(v.requests.is_empty());
    // An approved override wins over the scorecard's grade.
    let other = creditdesk_domain::rating::Grade::ALL
        .into_iter()
        .find(|g| *g != v.score.grade)
        .unwrap();
    let mut c = b.customer(id).unwrap().clone();
    c.grade_override = Some(creditdesk_domain::request::GradeOverride {
        grade: other,
        request: RequestId::from_u128(9),
        since: b.as_of,
    });
    b.put_customer(c);
    b.rescore();
    let v = b.rating_view(id).unwrap();
    assert_eq!((v.grade, v.overridden), (other, true));
}

#[test]
fn the_back_test_covers_the_customers_the_user_sees_month_by_month() {
    use creditdesk_app::monitoring::backtest_year;
    use creditdesk_domain::monitor::RuleSet;
    let b = book("fs");
    let rules = RuleSet::default();
    let all = backtest_year(&b, &users()[2], &rules);
    let mine = backtest_year(&b, &users()[0], &rules);
    assert_eq!((all.len(), mine.len()), (12, 12), "one row per month end");
    // Gamma (rep-2) fell overdue months ago: finance's back-test raises its alerts, rep-1's not.
    let raised = |v: &[creditdesk_domain::monitor::BacktestMonth]| -> usize {
        v.iter().flat_map(|m| m.raised.values()).sum()
    };
    assert!(
        raised(&all) > raised(&mine),
        "{} / {}",
        raised(&all),
        raised(&mine)
    );
}

#[test]
fn the_back_test_and_the_what_if_list_export_what_their_pages_show() {
    use creditdesk_app::exports::{backtest_table, what_if_table};
    use creditdesk_app::monitoring::backtest_year;
    use creditdesk_domain::monitor::RuleSet;
    let b = book("fs");
    let months = backtest_year(&b, &users()[2], &RuleSet::default());
    let t = backtest_table(&months, b.as_of, false);
    assert_eq!(t.rows.len(), 12, "a row per month end");
    let total = t.headers.iter().position(|h| h == "Alerts raised").unwrap();
    for (row, m) in t.rows.iter().zip(&months) {
        assert_eq!(row[0], m.month_end.iso());
        // Each rule's column adds up to the month's total, which is what the page lists.
        let by_rule: usize = row[1..total]
            .iter()
            .map(|c| c.parse::<usize>().unwrap())
            .sum();
        assert_eq!(by_rule, m.raised.values().sum::<usize>());
        assert_eq!(row[total], by_rule.to_string());
        assert_eq!(row[total + 1], m.held.to_string());
        assert_eq!(row[total + 2], m.held_overdue.to_plain());
    }
    assert!(
        t.rows.iter().any(|r| r[total] != "0"),
        "something was raised in the year"
    );
    // A draft that lifts every threshold moves grades; the file lists every change.
    let mut draft = b.model.clone();
    use creditdesk_domain::rating::Fixed;
    draft.thresholds.b = Fixed(9_900);
    draft.thresholds.a = Fixed(9_901);
    draft.thresholds.aa = Fixed(9_902);
    draft.thresholds.aaa = Fixed(9_903);
    let (_, changes) = b.what_if(&users()[2], &draft);
    assert!(!changes.is_empty());
    let t = what_if_table(&changes, b.as_of, true);
    assert_eq!(t.headers[0], "客户");
    assert_eq!(t.rows.len(), changes.len());
    for (row, c) in t.rows.iter().zip(&changes) {
        assert_eq!((row[0].as_str(), row[2].as_str()), (c.1.as_str(), "C"));
        assert_eq!(row[5], c.6.to_plain());
    }
}

#[test]
fn the_forecast_covers_the_views_customers_and_sums_by_rep() {
    // One payment in the whole book (Alpha's, 20 days before its due date): too few for anyone's
    // own pattern. Alpha's rest, due in 20 days, has no pattern left to fit and is not late: on
    // its due date (week 3). Beta (15 days) and Gamma (70 days past due) are later than anyone
    // ever paid: at risk.
    let b = book("fs");
    let (f, back) = reports::forecast(&b, &Filter::default());
    let got: Vec<(&str, i64, i64)> = f
        .lines
        .iter()
        .map(|l| {
            (
                b.customer(l.customer).unwrap().name.as_str(),
                l.cash.weeks[2].minor() / 100,
                l.cash.at_risk.minor() / 100,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Alpha", 40_000, 0),
            ("Beta", 0, 9_500),
            ("Gamma", 0, 1_000)
        ]
    );
    assert!(f
        .lines
        .iter()
        .all(|l| l.basis == creditdesk_domain::forecast::Basis::Book));
    let by = reports::forecast_by_rep(&b, &f);
    assert_eq!(
        by.iter()
            .map(|(r, c, _)| (r.as_str(), c.open.minor() / 100))
            .collect::<Vec<_>>(),
        vec![("rep-1", 49_500), ("rep-2", 1_000)]
    );
    // 13 weeks ago only Gamma's invoice (100 days old) was open, and nothing has come in on it.
    assert_eq!(back.expected.open, Money::from_units(1_000));
    assert_eq!(back.collected_total(), Money::ZERO);
    // A rep forecasts their own customers only.
    let rep = book("rep-1");
    let (f, _) = reports::forecast(&rep, &Filter::default());
    assert_eq!(f.lines.len(), 2);
}

#[test]
fn metrics_and_grades_made_again_are_of_the_book_s_customers_and_no_others() {
    let mut b = book("fs");
    b.compute_metrics();
    b.rescore();
    let ids = |m: Vec<CustomerId>| {
        let mut m = m;
        m.sort();
        m
    };
    let all = ids(b.customers.iter().map(|c| c.id).collect());
    assert_eq!(ids(b.metrics.keys().copied().collect()), all);
    assert_eq!(ids(b.rated.keys().copied().collect()), all);
    // One customer gone from the book: the next pass leaves nothing of it behind.
    let gone = b.customers.remove(0).id;
    b.reindex();
    b.compute_metrics();
    b.rescore();
    let left = ids(b.customers.iter().map(|c| c.id).collect());
    assert_eq!(ids(b.metrics.keys().copied().collect()), left);
    assert_eq!(ids(b.rated.keys().copied().collect()), left);
    assert!(!b.metrics.contains_key(&gone) && !b.rated.contains_key(&gone));
}

#[test]
fn metrics_made_a_part_at_a_time_are_one_pass_s_unless_the_book_moved_meanwhile() {
    let mut b = book("fs");
    b.compute_metrics();
    let whole = b.metrics.clone();
    let parts = |b: &Book, ledger: &Ledger| {
        let mut p = MetricsParts::default();
        while !b.metrics_part(ledger, &mut p, 2) {}
        p
    };
    let ledger = b.ledger.clone();
    // As a start takes them: two customers a part, then with the ledger in the book.
    b.metrics = Default::default();
    b.take_metrics(parts(&b, &ledger), false);
    assert_eq!(b.metrics, whole);
    // Parts of another ledger stand while nothing says the book moved...
    let empty = Ledger::default();
    b.take_metrics(parts(&b, &empty), false);
    assert_ne!(b.metrics, whole);
    // ...and are made again from the book's own when it did.
    b.take_metrics(parts(&b, &empty), true);
    assert_eq!(b.metrics, whole);
    // A customer added meanwhile (the parts no longer the book's customers): made again.
    let stale = parts(&b, &empty);
    let mut c = b.customers[0].clone();
    c.id = CustomerId::from_u128(9);
    b.put_customer(c);
    b.take_metrics(stale, false);
    assert_eq!(b.metrics.len(), 4);
    assert_eq!(
        b.metrics[&CustomerId::from_u128(1)],
        whole[&CustomerId::from_u128(1)]
    );
    // As many customers, another one among them (a sync's rebase): made again.
    let stale = parts(&b, &ledger);
    b.customers[3].id = CustomerId::from_u128(10);
    b.take_metrics(stale, false);
    assert!(b.metrics.contains_key(&CustomerId::from_u128(10)));
}
