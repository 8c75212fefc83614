//! Notices: who hears of an alert or a request, when, by which channel, and in which shape.

use creditdesk_domain::approval::{Role, Routes, User, HOUR_MS};
use creditdesk_domain::credit::Limits;
use creditdesk_domain::id::{DeviceId, Meta, RequestId, Timestamp};
use creditdesk_domain::monitor::*;
use creditdesk_domain::notice::*;
use creditdesk_domain::rating::{Fixed, Grade};
use creditdesk_domain::request::{draft, Request, RequestKind};
use creditdesk_domain::*;
use std::collections::BTreeMap;

const C: CustomerId = CustomerId::from_u128(1);
const TODAY: &str = "2026-11-28";
/// 2026-11-28 10:00 in Beijing.
const NOW: i64 = 1_795_831_200_000;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn user(id: &str, roles: &[Role]) -> User {
    User {
        id: id.into(),
        name: format!("Name of {id}"),
        roles: roles.to_vec(),
        region: String::new(),
    }
}

fn directory() -> Vec<User> {
    use Role::*;
    vec![
        user("rep-1", &[SalesRep]),
        user("rep-2", &[SalesRep]),
        user("sm-1", &[SalesManager]),
        user("sm-2", &[SalesManager]),
        user("fs-1", &[FinanceSpecialist]),
        user("fm-1", &[FinanceManager]),
        user("gm-1", &[GeneralManager]),
    ]
}

fn customer() -> Customer {
    let mut c = demo::generate(&demo::DemoSpec {
        customers: 1,
        ..demo::DemoSpec::demo(d(TODAY), demo::DemoLang::En)
    })
    .customers
    .remove(0);
    c.id = C;
    c.name = "Acme Trading".into();
    c.sales_rep = "rep-1".into();
    c.limits = Limits {
        permanent: Money::from_units(50_000),
        ..Limits::default()
    };
    c
}

/// The alerts the built-in rules raise for a customer owing `units` overdue, raised at NOW.
fn alerts_owing(units: i64) -> Vec<Alert> {
    let c = customer();
    let s = CustomerSummary {
        overdue: Money::from_units(units),
        open_ar: Money::from_units(units),
        ..CustomerSummary::default()
    };
    let f = facts(&c, &s, s.open_ar, Grade::A, Fixed(7000), None, d(TODAY));
    let mut state = MonitorState::default();
    state.run(&RuleSet::default(), &[f], d(TODAY), NOW);
    state.alerts
}

fn with_contact(s: &mut Settings, id: &str, f: impl FnOnce(&mut Contact)) {
    f(s.contacts.entry(id.into()).or_default())
}

fn recipients(alerts: &[Alert], settings: &Settings) -> Vec<(String, String)> {
    let c = customer();
    alert_notices(
        alerts,
        |_| Some((c.name.as_str(), c.sales_rep.as_str())),
        &directory(),
        settings,
        NOW,
        |_, _| false,
    )
    .into_iter()
    .map(|n| (n.user, n.subject))
    .collect()
}

#[test]
fn overdue_above_ten_thousand_tells_the_reps_manager_and_finance_not_every_sales_manager() {
    let alerts = alerts_owing(20_000);
    let w1003: Vec<Alert> = alerts.into_iter().filter(|a| a.rule == "W1003").collect();
    assert_eq!(w1003.len(), 1);
    let mut settings = Settings::default();
    // Without a manager named, every sales manager hears of it.
    let everyone: Vec<String> = recipients(&w1003, &settings)
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    // The rep owns the collection task the alert speaks for, so hears of it too.
    assert_eq!(everyone, ["rep-1", "sm-1", "sm-2", "fs-1"]);
    with_contact(&mut settings, "rep-1", |c| c.manager = Some("sm-2".into()));
    let told = recipients(&w1003, &settings);
    let users: Vec<&str> = told.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(users, ["rep-1", "sm-2", "fs-1"]);
    assert_eq!(
        told[0].1,
        "【CreditDesk】Acme Trading：逾期金额超过 ¥10,000"
    );
}

#[test]
fn an_alert_raised_before_notices_began_or_no_longer_open_tells_nobody() {
    let mut alerts = alerts_owing(20_000);
    let c = customer();
    let count = |alerts: &[Alert], since: i64| {
        alert_notices(
            alerts,
            |_| Some((c.name.as_str(), c.sales_rep.as_str())),
            &directory(),
            &Settings::default(),
            since,
            |_, _| false,
        )
        .len()
    };
    // W1003 to four people; W1004 (no invoice for months: a review) to the rep.
    assert_eq!(count(&alerts, NOW), 5, "{alerts:?}");
    assert_eq!(count(&alerts, NOW + 1), 0);
    for a in &mut alerts {
        a.status = AlertStatus::Acknowledged;
    }
    assert_eq!(count(&alerts, NOW), 0);
}

#[test]
fn the_notice_reads_like_the_app_in_the_recipients_language() {
    let alerts: Vec<Alert> = alerts_owing(20_000)
        .into_iter()
        .filter(|a| a.rule == "W1003")
        .collect();
    let mut settings = Settings::default();
    with_contact(&mut settings, "fs-1", |c| c.lang = Lang::En);
    let c = customer();
    let notices = alert_notices(
        &alerts,
        |_| Some((c.name.as_str(), "rep-1")),
        &directory(),
        &settings,
        NOW,
        |_, _| false,
    );
    let en = notices.iter().find(|n| n.user == "fs-1").unwrap();
    assert_eq!(
        en.subject,
        "[CreditDesk] Acme Trading: Overdue above ¥10,000"
    );
    assert!(
        en.body.starts_with("Overdue above ¥10,000: overdue amount ¥20,000.00, above the threshold of ¥10,000.00.\n"),
        "{}",
        en.body
    );
    assert!(en.body.contains("Sales rep: Name of rep-1"), "{}", en.body);
    let zh = notices.iter().find(|n| n.user == "sm-1").unwrap();
    assert!(
        zh.body
            .starts_with("逾期金额超过 ¥10,000：逾期金额 ¥20,000.00，超过阈值 ¥10,000.00。"),
        "{}",
        zh.body
    );
    assert_eq!(en.key, format!("alert:{}:fs-1", alerts[0].id));
}

#[test]
fn channels_come_from_the_users_choice_else_the_defaults_and_need_an_address() {
    let mut settings = Settings::default();
    let notice = |user: &str, kind| Notice {
        key: "k".into(),
        kind,
        user: user.into(),
        customer: None,
        subject: "s".into(),
        body: "b".into(),
        at: 0,
    };
    // Defaults: inbox and e-mail; no address, no e-mail.
    assert_eq!(
        deliveries(&notice("fs-1", Kind::Alert), &settings),
        [(Channel::Inbox, String::new())]
    );
    with_contact(&mut settings, "fs-1", |c| {
        c.email = "fs1@example.com".into();
        c.hook = Some(Hook {
            flavour: Flavour::WeCom,
            url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x".into(),
        });
        c.channels = BTreeMap::from([(Kind::Approval, vec![Channel::Webhook])]);
    });
    assert_eq!(
        deliveries(&notice("fs-1", Kind::Alert), &settings),
        [
            (Channel::Inbox, String::new()),
            (Channel::Email, "fs1@example.com".into())
        ]
    );
    assert_eq!(
        deliveries(&notice("fs-1", Kind::Approval), &settings),
        [(
            Channel::Webhook,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x".into()
        )]
    );
}

#[test]
fn webhooks_get_the_shape_their_robot_accepts() {
    let n = Notice {
        key: "k".into(),
        kind: Kind::Alert,
        user: "fs-1".into(),
        customer: None,
        subject: "Subject".into(),
        body: "Body".into(),
        at: 5,
    };
    let check = |f, expected: serde_json::Value| assert_eq!(webhook_payload(f, &n), expected);
    check(
        Flavour::WeCom,
        serde_json::json!({"msgtype": "text", "text": {"content": "Subject\n\nBody"}}),
    );
    check(
        Flavour::DingTalk,
        serde_json::json!({"msgtype": "text", "text": {"content": "Subject\n\nBody"}}),
    );
    check(
        Flavour::Slack,
        serde_json::json!({"text": "*Subject*\nBody"}),
    );
    assert_eq!(webhook_payload(Flavour::Json, &n)["kind"], "alert");
}

#[test]
fn every_problem_of_the_settings_is_named_with_its_code_and_place() {
    let mut s = Settings::default();
    s.defaults.insert(Kind::Escalation, vec![]);
    with_contact(&mut s, "rep-1", |c| {
        c.email = "not an address".into();
        c.manager = Some("rep-1".into());
    });
    with_contact(&mut s, "fs-1", |c| {
        c.hook = Some(Hook {
            flavour: Flavour::Slack,
            url: "ftp://example.com".into(),
        });
        c.channels = BTreeMap::from([(Kind::Alert, vec![Channel::Email])]);
    });
    with_contact(&mut s, "ghost", |_| {});
    let found: Vec<(String, String)> = s
        .problems(&directory())
        .into_iter()
        .map(|p| (p.code, p.at))
        .collect();
    let expected = [
        ("N006", "defaults: escalation"),
        ("N002", "user fs-1: webhook"),
        ("N005", "user fs-1: alert"),
        ("N004", "user ghost: user"),
        ("N001", "user rep-1: email"),
        ("N003", "user rep-1: manager"),
    ];
    assert_eq!(
        found,
        expected
            .iter()
            .map(|(c, a)| (c.to_string(), a.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(Settings::default().problems(&directory()).is_empty());
}

#[test]
fn an_addresses_check_is_table_driven() {
    for (s, ok) in [
        ("a@b.cn", true),
        ("li.na@example.com.cn", true),
        ("a@b", false),
        ("@b.cn", false),
        ("a b@c.cn", false),
        ("a@b.cn,c@d.cn", false),
        ("a@@b.cn", false),
        ("a@.cn", false),
    ] {
        assert_eq!(is_email(s), ok, "{s}");
    }
}

#[test]
fn a_user_changing_their_own_contact_cannot_change_their_manager_or_see_others() {
    let mut s = Settings::default();
    with_contact(&mut s, "rep-1", |c| c.manager = Some("sm-1".into()));
    with_contact(&mut s, "rep-2", |c| c.email = "rep2@example.com".into());
    let rep = user("rep-1", &[Role::SalesRep]);
    let seen = s.seen_by(&rep);
    assert_eq!(seen.contacts.keys().collect::<Vec<_>>(), ["rep-1"]);
    let next = s.with_own(
        "rep-1",
        Contact {
            email: "me@example.com".into(),
            manager: Some("sm-2".into()),
            ..Contact::default()
        },
    );
    assert_eq!(next.contacts["rep-1"].manager.as_deref(), Some("sm-1"));
    assert_eq!(next.contacts["rep-1"].email, "me@example.com");
    assert_eq!(next.contacts["rep-2"], s.contacts["rep-2"]);
}

/// A limit request submitted by rep-1 at `NOW`, waiting on its first step; with its directory
/// and its time to decide and to escalate.
fn submitted() -> (Request, Vec<User>, i64, i64) {
    let kind = RequestKind::PermanentChange {
        before: Money::from_units(50_000),
        after: Money::from_units(60_000),
        expires: None,
        review: None,
    };
    let users = directory();
    let route = workflow::route_for(&Routes::default(), &kind, Grade::A);
    let mut r = draft(
        RequestId::from_u128(9),
        Meta::new(DeviceId::from_u128(2), Timestamp(NOW)),
        C,
        kind,
        "Busy season".into(),
        "rep-1",
        route.clone(),
        d(TODAY),
    );
    r.flow.submit(&users[0], NOW).unwrap();
    let due = NOW + route.due_hours as i64 * HOUR_MS;
    let escalate = NOW + route.escalate_hours as i64 * HOUR_MS;
    (r, users, due, escalate)
}

/// The keys of the notices `r` owes at `now` to a round that last looked at `since`.
fn keys_owed(r: &Request, users: &[User], now: i64, since: i64) -> Vec<String> {
    request_notices(
        std::slice::from_ref(r),
        |_| Some("Acme Trading".into()),
        users,
        &Settings::default(),
        now,
        since,
    )
    .into_iter()
    .map(|n| n.key)
    .collect()
}

#[test]
fn a_request_tells_its_approvers_when_it_starts_and_when_late_then_the_next_level_up() {
    let (r, users, due, escalate) = submitted();
    let at = |now: i64| -> Vec<String> { keys_owed(&r, &users, now, NOW) };
    let first = at(NOW);
    assert!(!first.is_empty());
    assert!(first.iter().all(|k| k.contains(":waiting:")), "{first:?}");
    assert!(
        !first.iter().any(|k| k.ends_with(":rep-1")),
        "the requester is not asked"
    );
    let late = at(due);
    assert!(late.iter().any(|k| k.contains(":late:")), "{late:?}");
    assert!(late.iter().all(|k| !k.contains(":escalated:")));
    let escalated = at(escalate);
    let next: Vec<&String> = escalated
        .iter()
        .filter(|k| k.contains(":escalated:"))
        .collect();
    assert!(!next.is_empty(), "{escalated:?}");
    // The keys of earlier notices are still due: asking again sends nothing new.
    for k in &late {
        assert!(escalated.contains(k), "{k} is stable");
    }
    // Notices that began after the request started owe nothing for its start.
    let since_later = keys_owed(&r, &users, due, NOW + 1);
    assert!(since_later.iter().all(|k| !k.contains(":waiting:")));
}

#[test]
fn a_request_owes_the_notices_of_its_moments_since_the_last_round_and_no_others() {
    let (r, users, due, escalate) = submitted();
    // The kinds of notice owed at `now` to a round that last looked at `since`.
    let check = |now: i64, since: i64, expected: &[&str]| {
        let mut kinds: Vec<String> = keys_owed(&r, &users, now, since)
            .iter()
            .map(|k| k.split(':').nth(3).unwrap().to_string())
            .collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, expected, "now {now}, since {since}");
    };
    check(NOW, NOW, &["waiting"]);
    check(NOW + 1, NOW + 1, &[]);
    check(due - 1, NOW + 1, &[]);
    check(due, NOW + 1, &["late"]);
    check(due, due, &["late"]);
    check(due + 1, due + 1, &[]);
    check(escalate, NOW + 1, &["escalated", "late"]);
    check(escalate, due + 1, &["escalated"]);
    check(escalate + 1, escalate + 1, &[]);
    // A round after every moment makes none of the request's texts (the server asks every
    // round, of every open request): not even its customer's name is looked up.
    let asked = std::cell::Cell::new(0);
    let none = request_notices(
        std::slice::from_ref(&r),
        |_| {
            asked.set(asked.get() + 1);
            Some("Acme Trading".into())
        },
        &users,
        &Settings::default(),
        escalate + 1,
        escalate + 1,
    );
    assert!(none.is_empty());
    assert_eq!(asked.get(), 0);
}

#[test]
fn a_failed_delivery_waits_longer_each_time_up_to_a_day() {
    let waits: Vec<i64> = (1..=12).map(|n| retry_after_ms(n) / 60_000).collect();
    assert_eq!(
        waits,
        [1, 5, 15, 60, 120, 240, 480, 960, 1440, 1440, 1440, 1440]
    );
}

#[test]
fn an_alert_on_a_field_hidden_from_the_rep_tells_the_rep_it_fired_but_not_the_value() {
    use creditdesk_domain::monitor::{Metric, RuleSet};
    let mut a = alerts_owing(20_000).remove(0);
    a.metric = Metric::LitigationCount;
    a.value = 7;
    a.threshold = 1;
    a.op = creditdesk_domain::monitor::Op::Ge;
    // The alert's rule, made a rule on the litigation count.
    let mut rules = RuleSet::default();
    let rule = rules.rules.iter_mut().find(|r| r.code == a.rule).unwrap();
    rule.metric = Metric::LitigationCount;
    assert!(a.reads_hidden(&rules, &["litigation_count"]));
    assert!(!a.reads_hidden(&rules, &["phone"]));
    let c = customer();
    let notices = alert_notices(
        std::slice::from_ref(&a),
        |_| Some((c.name.as_str(), "rep-1")),
        &directory(),
        &Settings::default(),
        NOW,
        |a, user| user == "rep-1" && a.reads_hidden(&rules, &["litigation_count"]),
    );
    let body = |user: &str| {
        notices
            .iter()
            .find(|n| n.user == user)
            .unwrap_or_else(|| panic!("no notice to {user}: {notices:?}"))
            .body
            .clone()
    };
    let rep = body("rep-1");
    assert!(rep.contains("对您隐藏（规则：≥ 1）"), "{rep}");
    assert!(!rep.contains('7'), "{rep}");
    let others: Vec<&str> = notices
        .iter()
        .filter(|n| n.user != "rep-1")
        .map(|n| n.body.as_str())
        .collect();
    assert!(!others.is_empty());
    assert!(
        others
            .iter()
            .all(|b| b.contains('7') && !b.contains("隐藏")),
        "{others:?}"
    );
}
