//! Every list as a CSV table: the rows the page lists for the user (the same read models, so the
//! file and the page agree), every row (no page size), exact amounts as plain decimals and dates
//! as ISO days, headers in the user's language. [`Table::csv`] writes what Excel opens.

use crate::book::Book;
use crate::monitoring::{alerts_for, tasks_for};
use creditdesk_domain::approval::{Inbox, User};
use creditdesk_domain::credit::Reason;
use creditdesk_domain::monitor::{alert_sentence, rule_name, AlertStatus, TaskStatus};
use creditdesk_domain::notice::request_text_of;
use creditdesk_domain::*;

/// The lists that export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Alerts,
    Tasks,
    /// The inbox: what waits on the user, then their own requests.
    Inbox,
    HeldOrders,
    /// Customer 360's tables.
    Invoices(CustomerId),
    Payments(CustomerId),
    Orders(CustomerId),
    CreditNotes(CustomerId),
    /// The audit trail (for those who may read it).
    Audit,
}

/// A list as a table: a file name (without `.csv`), headers and rows of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The CSV file (UTF-8 with a byte-order mark, CRLF, formula-safe cells).
    pub fn csv(&self) -> Vec<u8> {
        creditdesk_domain::reports::csv_bytes(&self.headers, &self.rows)
    }
}

fn alert_status(zh: bool, s: AlertStatus) -> &'static str {
    match (s, zh) {
        (AlertStatus::Open, true) => "未处理",
        (AlertStatus::Open, false) => "open",
        (AlertStatus::Acknowledged, true) => "已确认",
        (AlertStatus::Acknowledged, false) => "acknowledged",
        (AlertStatus::Resolved, true) => "已解决",
        (AlertStatus::Resolved, false) => "resolved",
    }
}

fn task_status(zh: bool, s: &TaskStatus) -> String {
    match (s, zh) {
        (TaskStatus::Open, true) => "待处理".into(),
        (TaskStatus::Open, false) => "open".into(),
        (TaskStatus::Contacted, true) => "已联系".into(),
        (TaskStatus::Contacted, false) => "contacted".into(),
        (TaskStatus::Promised { date, amount }, true) => {
            format!("承诺 {} 付款 {}", date.iso(), amount.to_plain())
        }
        (TaskStatus::Promised { date, amount }, false) => {
            format!("promised {} by {}", amount.to_plain(), date.iso())
        }
        (TaskStatus::Paid, true) => "已付款".into(),
        (TaskStatus::Paid, false) => "paid".into(),
        (TaskStatus::Escalated, true) => "已升级".into(),
        (TaskStatus::Escalated, false) => "escalated".into(),
    }
}

/// Milliseconds since 1970 as a UTC time, `2026-06-15T02:00:00Z`.
fn stamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Date::from_days(days as i32).iso(),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn plain(m: Money) -> String {
    m.to_plain()
}

fn day(d: Option<Date>) -> String {
    d.map(|d| d.iso()).unwrap_or_default()
}

impl Book {
    /// A list as `user` sees it, as a table in Chinese (`zh`) or English; `None` for a list the
    /// user may not see (another rep's customer, the audit trail without the right).
    pub fn export(&self, user: &User, list: List, zh: bool, now: i64) -> Option<Table> {
        let h = |pairs: &[(&str, &str)]| -> Vec<String> {
            pairs.iter().map(|p| pick(zh, *p)).collect()
        };
        let as_of = self.as_of.iso();
        let name = |stem: &str| format!("{stem}-{as_of}");
        let customer_name = |id: CustomerId| {
            self.customer(id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        };
        Some(match list {
            List::Alerts => Table {
                name: name("alerts"),
                headers: h(&[
                    ("客户", "Customer"),
                    ("规则", "Rule"),
                    ("规则名称", "Rule name"),
                    ("说明", "What"),
                    ("数值", "Value"),
                    ("阈值", "Threshold"),
                    ("触发日", "Raised on"),
                    ("状态", "Status"),
                    ("解除日", "Cleared on"),
                ]),
                rows: alerts_for(self, user, usize::MAX)
                    .into_iter()
                    .map(|(a, customer)| {
                        vec![
                            customer,
                            a.rule.clone(),
                            rule_name(zh, &a.rule, &a.name),
                            alert_sentence(zh, &a),
                            // A value read from a field hidden from the user is not theirs.
                            if a.redacted {
                                String::new()
                            } else {
                                a.metric.show(a.value)
                            },
                            a.metric.show(a.threshold),
                            a.raised_on.iso(),
                            alert_status(zh, a.status).to_string(),
                            day(a.cleared_on),
                        ]
                    })
                    .collect(),
            },
            List::Tasks => Table {
                name: name("tasks"),
                headers: h(&[
                    ("客户", "Customer"),
                    ("规则", "Rule"),
                    ("负责人", "Owner"),
                    ("创建日", "Opened on"),
                    ("到期日", "Due"),
                    ("状态", "Status"),
                    ("当前逾期", "Overdue today"),
                    ("最新记录", "Last note"),
                    ("关闭日", "Closed on"),
                ]),
                rows: tasks_for(self, user, usize::MAX)
                    .into_iter()
                    .map(|(t, customer, overdue)| {
                        vec![
                            customer,
                            t.rule.clone(),
                            self.user_name(&t.owner),
                            t.opened_on.iso(),
                            t.due.iso(),
                            task_status(zh, &t.status),
                            plain(overdue),
                            t.notes.last().map(|n| n.text.clone()).unwrap_or_default(),
                            day(t.closed_on),
                        ]
                    })
                    .collect(),
            },
            List::Inbox => {
                let v = self.inbox(user, now);
                let why = |x: Option<Inbox>| -> String {
                    match (x, zh) {
                        (Some(Inbox::Overdue), true) => "已超时，待您审批",
                        (Some(Inbox::Overdue), false) => "late, waiting on you",
                        (Some(Inbox::Waiting), true) => "待您审批",
                        (Some(Inbox::Waiting), false) => "waiting on you",
                        (Some(Inbox::Escalated), true) => "已升级至您",
                        (Some(Inbox::Escalated), false) => "escalated to you",
                        (_, true) => "我提交的",
                        (_, false) => "filed by you",
                    }
                    .to_string()
                };
                let row = |x: Option<Inbox>, r: &creditdesk_domain::request::Request| {
                    vec![
                        why(x),
                        customer_name(r.customer),
                        request_text_of(zh, r),
                        self.user_name(&r.requested_by),
                        r.requested_on.iso(),
                        r.state().code().to_string(),
                        r.reason.clone(),
                        r.id.to_string(),
                    ]
                };
                Table {
                    name: name("inbox"),
                    headers: h(&[
                        ("类别", "Why listed"),
                        ("客户", "Customer"),
                        ("申请", "Request"),
                        ("申请人", "Requested by"),
                        ("申请日", "Requested on"),
                        ("状态", "State"),
                        ("理由", "Reason"),
                        ("编号", "Id"),
                    ]),
                    rows: v
                        .waiting
                        .iter()
                        .map(|(x, r)| row(Some(*x), r))
                        .chain(v.mine.iter().map(|r| row(None, r)))
                        .collect(),
                }
            }
            List::HeldOrders => Table {
                name: name("held-orders"),
                headers: h(&[
                    ("订单号", "Order"),
                    ("客户", "Customer"),
                    ("金额", "Amount"),
                    ("日期", "Date"),
                    ("暂扣原因", "Held because"),
                    ("已申请放行", "Release requested"),
                ]),
                rows: self
                    .held_orders(user)
                    .into_iter()
                    .map(|r| {
                        vec![
                            r.order.number.to_string(),
                            r.customer,
                            plain(r.order.amount),
                            r.order.date.iso(),
                            r.reasons
                                .iter()
                                .map(Reason::code)
                                .collect::<Vec<_>>()
                                .join(" "),
                            if r.release_requested.is_some() {
                                "yes"
                            } else {
                                ""
                            }
                            .to_string(),
                        ]
                    })
                    .collect(),
            },
            List::Invoices(id) | List::Payments(id) | List::Orders(id) | List::CreditNotes(id) => {
                let v = self.customer_360(user, Some(id)).ok()?;
                let stem = |s: &str| name(&format!("{}-{s}", v.customer.name));
                let number =
                    |i: &InvoiceId| v.numbers.get(i).map(|n| n.to_string()).unwrap_or_default();
                let void = |c: Option<&Correction>| {
                    c.map(|c| format!("{} {}", c.date.iso(), c.reason))
                        .unwrap_or_default()
                };
                match list {
                    List::Invoices(_) => Table {
                        name: stem("invoices"),
                        headers: h(&[
                            ("发票号", "Invoice"),
                            ("开票日", "Issued"),
                            ("到期日", "Due"),
                            ("金额", "Amount"),
                            ("未结金额", "Open"),
                            ("逾期天数", "Days overdue"),
                            ("作废", "Void"),
                        ]),
                        rows: v
                            .items
                            .iter()
                            .map(|i| {
                                vec![
                                    i.number.to_string(),
                                    i.issue_date.iso(),
                                    i.due_date.iso(),
                                    plain(i.amount),
                                    plain(i.open),
                                    i.days_overdue.to_string(),
                                    String::new(),
                                ]
                            })
                            .chain(v.void_invoices.iter().map(|(i, c)| {
                                vec![
                                    i.number.to_string(),
                                    i.issue_date.iso(),
                                    i.due_date.iso(),
                                    plain(i.amount),
                                    plain(Money::ZERO),
                                    "0".into(),
                                    void(Some(c)),
                                ]
                            }))
                            .collect(),
                    },
                    List::Payments(_) => Table {
                        name: stem("payments"),
                        headers: h(&[
                            ("日期", "Date"),
                            ("金额", "Amount"),
                            ("银行流水号", "Reference"),
                            ("核销", "Allocations"),
                            ("未核销", "Unapplied"),
                            ("作废", "Void"),
                        ]),
                        rows: v
                            .payments
                            .iter()
                            .map(|p| {
                                vec![
                                    p.payment.date.iso(),
                                    plain(p.payment.amount),
                                    p.payment
                                        .reference
                                        .map(|r| r.to_string())
                                        .unwrap_or_default(),
                                    p.allocations
                                        .iter()
                                        .map(|a| {
                                            format!("{} {}", number(&a.invoice), plain(a.amount))
                                        })
                                        .collect::<Vec<_>>()
                                        .join("; "),
                                    plain(p.unapplied),
                                    void(p.void.as_ref()),
                                ]
                            })
                            .collect(),
                    },
                    List::Orders(_) => Table {
                        name: stem("orders"),
                        headers: h(&[
                            ("订单号", "Order"),
                            ("日期", "Date"),
                            ("金额", "Amount"),
                            ("状态", "Status"),
                            ("产品品类", "Category"),
                        ]),
                        rows: v
                            .orders
                            .iter()
                            .map(|o| {
                                vec![
                                    o.number.to_string(),
                                    o.date.iso(),
                                    plain(o.amount),
                                    format!("{:?}", o.status).to_lowercase(),
                                    o.category.map(|c| c.to_string()).unwrap_or_default(),
                                ]
                            })
                            .collect(),
                    },
                    _ => Table {
                        name: stem("credit-notes"),
                        headers: h(&[
                            ("红字发票号", "Credit note"),
                            ("日期", "Date"),
                            ("金额", "Amount"),
                            ("原发票", "Invoice"),
                            ("核销", "Applied to"),
                            ("未核销", "Unapplied"),
                            ("作废", "Void"),
                        ]),
                        rows: v
                            .credit_notes
                            .iter()
                            .map(|c| {
                                vec![
                                    c.note.number.to_string(),
                                    c.note.date.iso(),
                                    plain(c.note.amount),
                                    c.note.invoice.as_ref().map(number).unwrap_or_default(),
                                    c.allocations
                                        .iter()
                                        .map(|a| {
                                            format!("{} {}", number(&a.invoice), plain(a.amount))
                                        })
                                        .collect::<Vec<_>>()
                                        .join("; "),
                                    plain(c.unapplied),
                                    void(c.void.as_ref()),
                                ]
                            })
                            .collect(),
                    },
                }
            }
            List::Audit => {
                let (lines, _) = self.audit_page(user, usize::MAX)?;
                Table {
                    name: name("audit"),
                    headers: h(&[
                        ("时间", "At"),
                        ("人员", "Who"),
                        ("操作", "What"),
                        ("对象", "Subject"),
                        ("之前", "Before"),
                        ("之后", "After"),
                        ("原因", "Why"),
                        ("哈希", "Hash"),
                    ]),
                    rows: lines
                        .into_iter()
                        .map(|l| {
                            vec![
                                stamp(l.entry.at),
                                l.who,
                                l.entry.what.clone(),
                                l.subject,
                                l.entry.before.clone(),
                                l.entry.after.clone(),
                                l.entry.why.clone(),
                                l.entry.hash.clone(),
                            ]
                        })
                        .collect(),
                }
            }
        })
    }
}

/// The Chinese or the English of a pair of words.
fn pick(zh: bool, pair: (&str, &str)) -> String {
    if zh { pair.0 } else { pair.1 }.to_string()
}

/// The scorecard's what-if list as a table: every customer whose grade a draft would change
/// (the page shows the first hundred), largest exposure first, as [`Book::what_if`] gives them.
pub fn what_if_table(changes: &[crate::book::GradeChange], as_of: Date, zh: bool) -> Table {
    Table {
        name: format!("what-if-{}", as_of.iso()),
        headers: [
            ("客户", "Customer"),
            ("现评级", "Grade now"),
            ("新评级", "Grade under the draft"),
            ("现得分", "Score now"),
            ("新得分", "Score under the draft"),
            ("敞口", "Exposure"),
        ]
        .into_iter()
        .map(|p| pick(zh, p))
        .collect(),
        rows: changes
            .iter()
            .map(|(_, name, from, to, old, new, exposure)| {
                vec![
                    name.clone(),
                    from.label().to_string(),
                    to.label().to_string(),
                    old.to_string(),
                    new.to_string(),
                    plain(*exposure),
                ]
            })
            .collect(),
    }
}

/// The warning rules' back-test as a table: a row per month end, a column per rule that raised
/// anything in the year (alerts raised that month), then the total, the customers on hold at the
/// month's end and what they owed overdue.
pub fn backtest_table(
    months: &[creditdesk_domain::monitor::BacktestMonth],
    as_of: Date,
    zh: bool,
) -> Table {
    let codes: std::collections::BTreeSet<&String> =
        months.iter().flat_map(|m| m.raised.keys()).collect();
    let mut headers = vec![pick(zh, ("月末", "Month end"))];
    headers.extend(codes.iter().map(|c| c.to_string()));
    headers.extend(
        [
            ("预警合计", "Alerts raised"),
            ("暂扣客户", "Customers on hold"),
            ("暂扣客户逾期", "Their overdue"),
        ]
        .into_iter()
        .map(|p| pick(zh, p)),
    );
    Table {
        name: format!("rule-backtest-{}", as_of.iso()),
        headers,
        rows: months
            .iter()
            .map(|m| {
                let mut row = vec![m.month_end.iso()];
                row.extend(
                    codes
                        .iter()
                        .map(|c| m.raised.get(*c).copied().unwrap_or(0).to_string()),
                );
                row.push(m.raised.values().sum::<usize>().to_string());
                row.push(m.held.to_string());
                row.push(plain(m.held_overdue));
                row
            })
            .collect(),
    }
}
