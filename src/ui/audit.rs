//! The audit trail told in sentences, in the user's language: "王伟 approved step 2 of 4:
//! permanent limit ¥2,890,000 → ¥4,345,000". An entry keeps its stable code and the values as
//! recorded (they are what its hash covers, and what the export carries); this module reads them
//! back for people. An entry it does not know is shown as recorded.

use crate::ui::i18n::{Lang, T};
use crate::ui::pages::monitor::{metric_label, rule_name};
use crate::ui::pages::requests::{kind_text, role_label};
use crate::ui::state::Data;
use creditdesk_domain::approval::{AuditEntry, Role};
use creditdesk_domain::credit::Limits;
use creditdesk_domain::monitor::Metric;
use creditdesk_domain::request::read_limits_text;
use creditdesk_domain::{CustomerId, Money, RequestId};

/// Who did it: the user's name, or "System" / "系统" for the rules and deadlines.
pub fn who(lang: Lang, d: &Data, id: &str) -> String {
    if id == "system" {
        lang.t(T::System).to_string()
    } else {
        d.user_name(id)
    }
}

/// Limits in words: `permanent ¥2,890,000.00; temporary ¥5,000.00 (1 Jan 2026 – 1 Feb 2026); frozen`.
pub fn limits_words(lang: Lang, l: &Limits) -> String {
    let mut parts = vec![format!(
        "{} {}",
        lang.t(T::PermanentLimit),
        l.permanent.format_cny()
    )];
    for t in &l.temporary {
        let (open, close) = if lang == Lang::Zh {
            ("（", "）")
        } else {
            (" (", ")")
        };
        parts.push(format!(
            "{} {}{open}{} – {}{close}",
            lang.t(T::TemporaryLimit),
            t.amount.format_cny(),
            lang.date(t.start),
            lang.date(t.end)
        ));
    }
    if l.frozen {
        parts.push(lang.t(T::Frozen).to_string());
    }
    parts.join(if lang == Lang::Zh { "；" } else { "; " })
}

/// A rule's alert as the system wrote it into a review request's reason (`W1004 Limit unused
/// for 6 months: months_unused = 11`), in words: `额度连续 6 个月未使用：未使用月数 11`.
pub fn rule_reason(lang: Lang, why: &str) -> Option<String> {
    let (head, value) = why.split_once(": ")?;
    let (code, name) = head.split_once(' ')?;
    let (metric, v) = value.split_once(" = ")?;
    let metric = Metric::from_code(metric)?;
    let v: i64 = v.parse().ok()?;
    if metric == Metric::MonthsUnused {
        return Some(match lang {
            Lang::Zh => format!("{}：已连续 {v} 个月未使用", rule_name(lang, code, name)),
            Lang::En => format!("{}: unused for {v} months", rule_name(lang, code, name)),
        });
    }
    Some(format!(
        "{}{}{}",
        rule_name(lang, code, name),
        if lang == Lang::Zh { "：" } else { ": " },
        format_args!(
            "{} {}",
            lang.t(metric_label(metric)),
            crate::ui::pages::monitor::fmt_value(metric, v)
        )
    ))
}

fn colon(lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        "："
    } else {
        ": "
    }
}

fn customer_of(d: &Data, subject: &str) -> Option<String> {
    let id = CustomerId::parse(subject.strip_prefix("customer:")?)?;
    d.customer(id).map(|c| c.name.clone())
}

/// `step 2 (sales_manager)` -> (2, role).
fn step_of(before: &str) -> Option<(u32, Option<Role>)> {
    let rest = before.strip_prefix("step ")?;
    let (n, role) = rest.split_once(' ')?;
    let role = role.trim_start_matches('(').trim_end_matches(')');
    Some((n.parse().ok()?, Role::from_code(role)))
}

/// An order status as recorded (`Open`, `Shipped`, `held`, …) in words.
fn order_status(lang: Lang, s: &str) -> String {
    let t = match s.to_ascii_lowercase().as_str() {
        "open" => T::StatusOpen,
        "shipped" => T::StatusShipped,
        "invoiced" => T::StatusInvoiced,
        "cancelled" => T::StatusCancelled,
        "held" => T::StatusHeld,
        "awaitingpayment" | "awaiting_payment" => T::StatusAwaitingPayment,
        _ => return s.to_string(),
    };
    lang.t(t).to_string()
}

/// An audit entry as a sentence in `lang`.
pub fn sentence(lang: Lang, d: &Data, e: &AuditEntry) -> String {
    let zh = lang == Lang::Zh;
    let who = who(lang, d, &e.who);
    let t = |k: T| lang.t(k);
    let request = e
        .subject
        .strip_prefix("request:")
        .and_then(RequestId::parse)
        .and_then(|id| d.request(id));
    // What a request asks, with its customer: "华为 · permanent limit ¥1 → ¥2".
    let asks = || {
        request.map(|r| {
            let name = d
                .customer(r.customer)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            format!("{name} · {}", kind_text(lang, &r.kind))
        })
    };
    let customer = customer_of(d, &e.subject).unwrap_or_default();
    let money = |s: &str| {
        // Recorded amounts are plain (`1234.50`) or formatted (`¥1,234.50`): formatted here.
        Money::parse(s.trim_start_matches('¥').replace(',', "").as_str())
            .map(Money::format_cny)
            .unwrap_or_else(|_| s.to_string())
    };
    match e.what.as_str() {
        "request.submitted" => {
            let route: Vec<String> = e
                .after
                .split(" > ")
                .filter(|s| !s.is_empty())
                .map(|step| {
                    let roles: Vec<&str> = step
                        .split('|')
                        .map(|r| Role::from_code(r).map_or(r, |r| t(role_label(r))))
                        .collect();
                    roles.join("/")
                })
                .collect();
            let asks = asks().unwrap_or_else(|| e.before.clone());
            let route = if route.is_empty() {
                String::new()
            } else if zh {
                format!("；审批路线：{}", route.join(" → "))
            } else {
                format!("; route: {}", route.join(" → "))
            };
            if zh {
                format!("{who} 提交了申请：{asks}{route}")
            } else {
                format!("{who} submitted a request: {asks}{route}")
            }
        }
        "request.step_approved" | "request.approved" | "request.rejected" => {
            let (n, role) = step_of(&e.before).unwrap_or((0, None));
            let of = request.map_or(0, |r| r.flow.route.steps.len());
            let role = role.map(|r| t(role_label(r))).unwrap_or_default();
            let step = match (zh, of) {
                (true, 0) => format!("第 {n} 步（{role}）"),
                (true, _) => format!("第 {n}/{of} 步（{role}）"),
                (false, 0) => format!("step {n} ({role})"),
                (false, _) => format!("step {n} of {of} ({role})"),
            };
            let asks = asks()
                .map(|a| format!("{}{a}", colon(lang)))
                .unwrap_or_default();
            match (e.what.as_str(), zh) {
                ("request.step_approved", true) => format!("{who} 批准了{step}{asks}"),
                ("request.step_approved", false) => format!("{who} approved {step}{asks}"),
                ("request.approved", true) => format!("{who} 终审批准（{step}）{asks}"),
                ("request.approved", false) => {
                    format!("{who} gave the final approval at {step}{asks}")
                }
                (_, true) => format!("{who} 在{step}驳回了申请{asks}"),
                (_, false) => format!("{who} rejected the request at {step}{asks}"),
            }
        }
        "request.withdrawn" => {
            let asks = asks()
                .map(|a| format!("{}{a}", colon(lang)))
                .unwrap_or_default();
            if zh {
                format!("{who} 撤回了申请{asks}")
            } else {
                format!("{who} withdrew the request{asks}")
            }
        }
        "request.expired" => {
            let asks = asks()
                .map(|a| format!("{}{a}", colon(lang)))
                .unwrap_or_default();
            let because = if e.why == "order cancelled" {
                t(T::BecauseOrderCancelled)
            } else {
                t(T::BecauseDeadline)
            };
            if zh {
                format!("申请已失效（{because}）{asks}")
            } else {
                format!("The request lapsed ({because}){asks}")
            }
        }
        "limits.changed" => {
            let words = |s: &str| {
                read_limits_text(s).map_or_else(|| s.to_string(), |l| limits_words(lang, &l))
            };
            if zh {
                format!(
                    "{who} 调整了 {customer} 的额度：{} → {}",
                    words(&e.before),
                    words(&e.after)
                )
            } else {
                format!(
                    "{who} changed the limits of {customer}: {} → {}",
                    words(&e.before),
                    words(&e.after)
                )
            }
        }
        "grade.overridden" => {
            if zh {
                format!("{who} 调整了 {customer} 的评级：{} → {}", e.before, e.after)
            } else {
                format!(
                    "{who} overrode the grade of {customer}: {} → {}",
                    e.before, e.after
                )
            }
        }
        "customer.created" => {
            if zh {
                format!("{who} 新建了客户 {customer}")
            } else {
                format!("{who} created the customer {customer}")
            }
        }
        "customer.changed" => {
            let fields: Vec<String> =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&e.after)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
            let fields = lang.list(&fields);
            if zh {
                format!("{who} 修改了客户 {customer}：{fields}")
            } else {
                format!("{who} changed the customer {customer}: {fields}")
            }
        }
        "order.recorded" | "order.held" | "order.awaiting_payment" => {
            let (number, amount) = e.after.split_once(' ').unwrap_or((&e.after, ""));
            let amount = money(amount);
            match (e.what.as_str(), zh) {
                ("order.recorded", true) => format!("{who} 录入了订单 {number}（{amount}）"),
                ("order.recorded", false) => {
                    format!("{who} recorded the order {number} ({amount})")
                }
                ("order.held", true) => {
                    format!("{who} 录入了订单 {number}（{amount}），信用检查未通过，订单暂扣")
                }
                ("order.held", false) => format!(
                    "{who} recorded the order {number} ({amount}); the credit check held it"
                ),
                (_, true) => format!("{who} 录入了订单 {number}（{amount}），待款到发货"),
                (_, false) => {
                    format!("{who} recorded the order {number} ({amount}), to ship once paid")
                }
            }
        }
        "order.shipped" | "order.cancelled" | "order.invoiced" | "order.released" => {
            let (a, b) = (order_status(lang, &e.before), order_status(lang, &e.after));
            if zh {
                format!("{who} 更改了订单状态：{a} → {b}")
            } else {
                format!("{who} moved an order from {a} to {b}")
            }
        }
        "invoice.recorded" => {
            let (number, amount) = e.after.split_once(' ').unwrap_or((&e.after, ""));
            if zh {
                format!("{who} 开具了发票 {number}（{}）", money(amount))
            } else {
                format!("{who} recorded the invoice {number} ({})", money(amount))
            }
        }
        "payment.recorded" => {
            if zh {
                format!("{who} 登记了回款 {}", money(&e.after))
            } else {
                format!("{who} recorded a payment of {}", money(&e.after))
            }
        }
        "credit.reserved" => {
            let (amount, until) = e.after.split_once(" until ").unwrap_or((&e.after, ""));
            let until = creditdesk_domain::Date::parse(until)
                .map(|d| lang.date(d))
                .unwrap_or_default();
            if zh {
                format!(
                    "{who} 为 {customer} 预留了额度 {}，至 {until}",
                    money(amount)
                )
            } else {
                format!(
                    "{who} reserved {} of {customer}'s credit until {until}",
                    money(amount)
                )
            }
        }
        "credit.reservation_released" => {
            if zh {
                format!("{who} 释放了 {customer} 的预留额度 {}", money(&e.before))
            } else {
                format!(
                    "{who} released a reservation of {} for {customer}",
                    money(&e.before)
                )
            }
        }
        "scorecard.published" => {
            if zh {
                format!("{who} 发布了评分卡“{}”", e.why)
            } else {
                format!("{who} published the scorecard “{}”", e.why)
            }
        }
        "policy.changed" | "routes.changed" | "users.changed" | "rules.changed"
        | "fields.changed" => {
            let what = t(match e.what.as_str() {
                "policy.changed" => T::CreditPolicy,
                "routes.changed" => T::Routes,
                "users.changed" => T::Users,
                "fields.changed" => T::CustomFields,
                _ => T::Rules,
            });
            if zh {
                format!("{who} 修改了{what}")
            } else {
                format!("{who} changed the {}", what.to_lowercase())
            }
        }
        "alert.acknowledged" | "alert.resolved" | "alert.reopened" => {
            let did = t(match e.what.as_str() {
                "alert.acknowledged" => T::DidAcknowledge,
                "alert.resolved" => T::DidResolve,
                _ => T::DidReopen,
            });
            if zh {
                format!("{who} {did}了一条预警")
            } else {
                format!("{who} {did} an alert")
            }
        }
        "task.updated" => {
            if zh {
                format!("{who} 更新了催收任务")
            } else {
                format!("{who} updated a collection task")
            }
        }
        "hold.set" => {
            let rules = lang.list(
                &e.after
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>(),
            );
            if zh {
                format!("{who} 暂停了 {customer} 的赊销下单（规则 {rules}）")
            } else {
                format!("{who} held ordering for {customer} (rules {rules})")
            }
        }
        "hold.released" => {
            if zh {
                format!("{who} 解除了 {customer} 的下单暂停")
            } else {
                format!("{who} lifted the hold on {customer}'s ordering")
            }
        }
        "data.imported" => {
            let what = imported(lang, &e.after).unwrap_or_else(|| e.after.clone());
            if zh {
                format!("{who} 导入了 {}：{what}", e.why)
            } else {
                format!("{who} imported {}: {what}", e.why)
            }
        }
        "data.merged" | "data.restored" | "data.replaced" => {
            let did = t(match e.what.as_str() {
                "data.merged" => T::DidMerge,
                "data.restored" => T::DidRestore,
                _ => T::DidReplace,
            });
            if zh {
                format!("{who} {did}数据：{}", e.after)
            } else {
                format!("{who} {did} the data: {}", e.after)
            }
        }
        "invoice.voided" | "payment.voided" | "credit_note.voided" => {
            let doc = match (e.what.as_str(), zh) {
                ("invoice.voided", true) => "发票",
                ("invoice.voided", false) => "the invoice",
                ("payment.voided", true) => "回款",
                ("payment.voided", false) => "the payment",
                (_, true) => "红字发票",
                (_, false) => "the credit note",
            };
            if zh {
                format!("{who} 作废了{doc} {}，原因：{}", e.before, e.why)
            } else {
                format!("{who} voided {doc} {}: {}", e.before, e.why)
            }
        }
        "payment.reallocated" | "credit_note.applied" => {
            let payment = e.what == "payment.reallocated";
            if zh {
                let doc = if payment { "回款" } else { "红字发票" };
                format!(
                    "{who} 重新核销了{doc} {} → {}",
                    zh_terms(&e.before),
                    zh_terms(&e.after)
                )
            } else {
                let (did, doc) = if payment {
                    ("reallocated", "payment")
                } else {
                    ("applied", "credit note")
                };
                format!("{who} {did} the {doc} {} → {}", e.before, e.after)
            }
        }
        "credit_note.recorded" => {
            if zh {
                format!("{who} 开具了红字发票 {}", zh_terms(&e.after))
            } else {
                format!("{who} recorded the credit note {}", e.after)
            }
        }
        what @ ("limit.expiry_set" | "limit.review_set") => {
            // A day of the limit's calendar, before → after; an empty side is no expiry / no
            // review date.
            let expiry = what == "limit.expiry_set";
            let day = |s: &str| {
                creditdesk_domain::Date::parse(s)
                    .map(|d| lang.date(d))
                    .unwrap_or_else(|_| match (expiry, zh) {
                        (true, true) => "不到期".into(),
                        (true, false) => "never".into(),
                        (false, _) => "—".into(),
                    })
            };
            let (before, after) = (day(&e.before), day(&e.after));
            match (expiry, zh) {
                (true, true) => format!("{customer} 的额度到期日：{before} → {after}"),
                (true, false) => format!("{customer}'s limit expires: {before} → {after}"),
                (false, true) => format!("{customer} 的额度下次复核日：{before} → {after}"),
                (false, false) => format!("{customer}'s next limit review: {before} → {after}"),
            }
        }
        "limit.temporary_ended" => {
            let words = |s: &str| {
                read_limits_text(&format!("permanent 0; {s}"))
                    .and_then(|l| l.temporary.first().cloned())
                    .map(|t| {
                        format!(
                            "{} ({} – {})",
                            t.amount.format_cny_whole(),
                            lang.date(t.start),
                            lang.date(t.end)
                        )
                    })
                    .unwrap_or_else(|| s.to_string())
            };
            if zh {
                format!("{customer} 的临时额度已到期：{}", words(&e.before))
            } else {
                format!("{customer}'s temporary limit ended: {}", words(&e.before))
            }
        }
        _ => format!("{who}{}{}", colon(lang), e.what),
    }
}

/// An import's outcome as recorded (`5 records (7 rows, 2 skipped; 1 orders blocked by the credit
/// check, held)`) in words.
fn imported(lang: Lang, after: &str) -> Option<String> {
    let (written, rest) = after.split_once(" records (")?;
    let (rows, rest) = rest.split_once(" rows, ")?;
    let (skipped, rest) = rest.split_once(" skipped; ")?;
    let (blocked, how) = rest.split_once(" orders blocked by the credit check, ")?;
    let held = how.trim_end_matches(')') == "held";
    let n = |s: &str| s.parse::<u64>().ok();
    let (written, rows, skipped, blocked) = (n(written)?, n(rows)?, n(skipped)?, n(blocked)?);
    Some(match (lang, blocked) {
        (Lang::Zh, 0) => format!("写入 {written} 条（文件 {rows} 行，跳过 {skipped} 行）"),
        (Lang::Zh, _) => format!(
            "写入 {written} 条（文件 {rows} 行，跳过 {skipped} 行；信用检查拦截订单 {blocked} 笔，{}）",
            if held { "已暂扣" } else { "未导入" }
        ),
        (Lang::En, 0) => format!("{written} written ({rows} rows in the file, {skipped} skipped)"),
        (Lang::En, _) => format!(
            "{written} written ({rows} rows in the file, {skipped} skipped; {blocked} orders blocked by the credit check, {})",
            if held { "held" } else { "left out" }
        ),
    })
}

/// The reason written with an entry, in words where the system wrote it (a rule's finding).
pub fn why(lang: Lang, e: &AuditEntry) -> String {
    match e.why.as_str() {
        "deadline passed" => lang.t(T::BecauseDeadline).to_string(),
        "order cancelled" => lang.t(T::BecauseOrderCancelled).to_string(),
        "condition cleared" => lang.t(T::BecauseCleared).to_string(),
        "unfreeze approved" => lang.t(T::BecauseUnfreeze).to_string(),
        w => rule_reason(lang, w).unwrap_or_else(|| w.to_string()),
    }
}

/// The two words of the ledger's trail entries that are not numbers or names ("unapplied", "on
/// account"), in Chinese.
fn zh_terms(text: &str) -> String {
    text.replace("unapplied", "未核销")
        .replace("on account", "挂账")
}

#[cfg(test)]
mod tests {
    use super::*;
    use creditdesk_domain::credit::TemporaryLimit;
    use creditdesk_domain::Date;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_rules_finding_reads_in_the_users_language() {
        let why = "W1004 Limit unused for 6 months: months_unused = 11";
        let zh = rule_reason(Lang::Zh, why).unwrap();
        assert_eq!(zh, "额度连续 6 个月未使用：已连续 11 个月未使用");
        assert!(!zh.contains("months_unused"), "{zh}");
        assert!(rule_reason(Lang::En, "Paid yesterday").is_none());
    }

    #[test]
    fn an_imports_outcome_reads_as_words() {
        let after = "5 records (7 rows, 2 skipped; 0 orders blocked by the credit check, held)";
        assert_eq!(
            imported(Lang::Zh, after).unwrap(),
            "写入 5 条（文件 7 行，跳过 2 行）"
        );
        let after = "3 records (3 rows, 0 skipped; 1 orders blocked by the credit check, left out)";
        assert_eq!(
            imported(Lang::En, after).unwrap(),
            "3 written (3 rows in the file, 0 skipped; 1 orders blocked by the credit check, left out)"
        );
        assert_eq!(imported(Lang::En, "something else"), None);
    }

    #[test]
    fn limits_read_as_words_with_money_formatted() {
        let l = Limits {
            permanent: Money::from_units(2_890_000),
            temporary: vec![TemporaryLimit {
                amount: Money::from_units(5_000),
                start: Date::parse("2026-01-01").unwrap(),
                end: Date::parse("2026-02-01").unwrap(),
            }],
            frozen: true,
            ..Limits::default()
        };
        assert_eq!(
            limits_words(Lang::Zh, &l),
            "固定额度 ¥2,890,000.00；临时额度 ¥5,000.00（2026/01/01 – 2026/02/01）；已冻结"
        );
        assert_eq!(
            step_of("step 2 (finance_manager)"),
            Some((2, Some(Role::FinanceManager)))
        );
    }
}
