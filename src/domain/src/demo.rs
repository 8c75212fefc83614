//! A deterministic demo data set: the same seed always gives the same customers and ledger.
//!
//! Behaviour is realistic enough to exercise every screen: good payers, slow payers, a few that
//! default, dormant customers with no recent orders, new customers, seasonal ordering (a dip at
//! the Spring Festival, peaks before summer and in autumn), partial payments and credit notes.
//! The same generator makes the 10k-customer / 1M-invoice data set of the benchmarks.

use crate::date::Date;
use crate::id::{
    CreditNoteId, CustomerId, DeviceId, InvoiceId, Meta, OrderId, PaymentId, Timestamp,
};
use crate::ledger::{Allocation, CreditNote, Invoice, Order, OrderStatus, Payment};
use crate::money::Money;
use crate::party::{Customer, ExternalProfile, IndustryPosition, Shareholder, Uscc};
use crate::rng::Rng;
use crate::text::DocNo;
use std::collections::BTreeMap;

/// Which language the demo's names are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoLang {
    Zh,
    En,
}

#[derive(Clone, Debug)]
pub struct DemoSpec {
    pub seed: u64,
    pub customers: u32,
    /// The last day of history (usually today).
    pub as_of: Date,
    pub months: u32,
    /// Average invoices per customer and month, times 100.
    pub invoices_per_month_x100: u32,
    /// Whether invoiced history also gets its (invoiced) orders. Open orders are always made.
    pub orders_for_history: bool,
    pub lang: DemoLang,
    /// How the customers pay and how their limits are set.
    pub mix: Mix,
}

/// The book's temper. `Calm` is a company on a normal day, what a newcomer should see first:
/// about 15% of customers with something overdue, 5-10% above 90% of their limit, a few over it
/// (the defaulters), tens of alerts. `Stressed` is the benchmark's large book, kept as it was
/// measured (about a third overdue or near the limit, thousands of alerts), so that its figures
/// stay comparable from run to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    Calm,
    Stressed,
}

impl DemoSpec {
    /// The demo: 200 customers and 3 years of history.
    pub fn demo(as_of: Date, lang: DemoLang) -> DemoSpec {
        DemoSpec {
            seed: 2026,
            customers: 200,
            as_of,
            months: 36,
            invoices_per_month_x100: 300,
            orders_for_history: true,
            lang,
            mix: Mix::Calm,
        }
    }
    /// The benchmark's largest book, to find where a browser ends: 50,000 customers and about
    /// 5,000,000 invoices and payments (the large company's mix, five times the customers).
    pub fn huge(as_of: Date) -> DemoSpec {
        DemoSpec {
            seed: 5_000_000,
            customers: 50_000,
            ..DemoSpec::large(as_of)
        }
    }
    /// The benchmark's large company: 10,000 customers and about 1,000,000 invoices and payments.
    pub fn large(as_of: Date) -> DemoSpec {
        DemoSpec {
            seed: 1_000_000,
            customers: 10_000,
            as_of,
            months: 36,
            invoices_per_month_x100: 296,
            orders_for_history: false,
            lang: DemoLang::En,
            mix: Mix::Stressed,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    pub credit_notes: Vec<CreditNote>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Behaviour {
    Good,
    Slow,
    Defaulter,
    Dormant,
    New,
}

const CITIES: [(&str, &str, &str, u32); 20] = [
    ("上海", "Shanghai", "E", 310000),
    ("北京", "Beijing", "N", 110000),
    ("广州", "Guangzhou", "S", 440100),
    ("深圳", "Shenzhen", "S", 440300),
    ("杭州", "Hangzhou", "E", 330100),
    ("苏州", "Suzhou", "E", 320500),
    ("南京", "Nanjing", "E", 320100),
    ("成都", "Chengdu", "W", 510100),
    ("武汉", "Wuhan", "C", 420100),
    ("西安", "Xi'an", "W", 610100),
    ("天津", "Tianjin", "N", 120000),
    ("重庆", "Chongqing", "W", 500000),
    ("宁波", "Ningbo", "E", 330200),
    ("青岛", "Qingdao", "N", 370200),
    ("厦门", "Xiamen", "S", 350200),
    ("长沙", "Changsha", "C", 430100),
    ("郑州", "Zhengzhou", "C", 410100),
    ("合肥", "Hefei", "E", 340100),
    ("无锡", "Wuxi", "E", 320200),
    ("佛山", "Foshan", "S", 440600),
];

const CORES: [(&str, &str); 20] = [
    ("华信", "Huaxin"),
    ("恒通", "Hengtong"),
    ("宏达", "Hongda"),
    ("金泰", "Jintai"),
    ("瑞丰", "Ruifeng"),
    ("鼎盛", "Dingsheng"),
    ("永安", "Yong'an"),
    ("新世纪", "Xinshiji"),
    ("中诚", "Zhongcheng"),
    ("东方", "Dongfang"),
    ("远航", "Yuanhang"),
    ("博达", "Boda"),
    ("天成", "Tiancheng"),
    ("联创", "Lianchuang"),
    ("昌盛", "Changsheng"),
    ("海纳", "Haina"),
    ("正泰", "Zhengtai"),
    ("嘉禾", "Jiahe"),
    ("兴业", "Xingye"),
    ("润和", "Runhe"),
];

const INDUSTRIES: [(&str, &str); 10] = [
    ("机械", "Machinery"),
    ("电子", "Electronics"),
    ("化工", "Chemicals"),
    ("建材", "Building Materials"),
    ("食品", "Food"),
    ("纺织", "Textiles"),
    ("物流", "Logistics"),
    ("医药", "Pharmaceuticals"),
    ("汽车配件", "Auto Parts"),
    ("包装", "Packaging"),
];

const REPS: [(&str, &str); 8] = [
    ("王伟", "Wang Wei"),
    ("李娜", "Li Na"),
    ("张强", "Zhang Qiang"),
    ("刘洋", "Liu Yang"),
    ("陈静", "Chen Jing"),
    ("杨帆", "Yang Fan"),
    ("赵磊", "Zhao Lei"),
    ("黄敏", "Huang Min"),
];

const SURNAMES: [(&str, &str); 8] = [
    ("张", "Zhang"),
    ("李", "Li"),
    ("王", "Wang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("孙", "Sun"),
];

const CATEGORIES: [(&str, &str); 8] = [
    ("钢材", "STEEL"),
    ("电机", "MOTORS"),
    ("轴承", "BEARINGS"),
    ("液压件", "HYDRAULICS"),
    ("电子元件", "COMPONENTS"),
    ("包装材料", "PACKAGING"),
    ("化工原料", "CHEMICALS"),
    ("五金", "HARDWARE"),
];

/// Seasonal weight per calendar month, in percent (Spring Festival dip in February).
const SEASON: [u32; 12] = [90, 55, 105, 110, 115, 110, 95, 90, 110, 115, 110, 100];

fn region_name(code: &str, lang: DemoLang) -> &'static str {
    match (code, lang) {
        ("E", DemoLang::Zh) => "华东",
        ("N", DemoLang::Zh) => "华北",
        ("S", DemoLang::Zh) => "华南",
        ("W", DemoLang::Zh) => "西部",
        (_, DemoLang::Zh) => "华中",
        ("E", DemoLang::En) => "East",
        ("N", DemoLang::En) => "North",
        ("S", DemoLang::En) => "South",
        ("W", DemoLang::En) => "West",
        (_, DemoLang::En) => "Central",
    }
}

fn ts(d: Date) -> Timestamp {
    Timestamp(d.days() as i64 * 86_400_000 + 9 * 3_600_000)
}

/// Generates the data set described by `spec`.
pub fn generate(spec: &DemoSpec) -> Dataset {
    Generator::new(spec)
        .next_part(spec.customers)
        .unwrap_or_default()
}

/// The data set of a spec made a part at a time: the next customers with their whole history,
/// so that a book too large to hold twice (the benchmark's five million invoices) is written as
/// it is made. Every draw continues where the last part stopped, so the parts together hold the
/// customers, invoices, orders and disputes of [`generate`], in the same order; only the payments
/// are in date order within a part rather than across the book, and a part's rebates follow its
/// credit notes.
pub struct Generator {
    spec: DemoSpec,
    rng: Rng,
    disputes: Rng,
    rebates: Rng,
    names: std::collections::HashSet<String>,
    /// The last invoice, order, credit note and rebate numbers drawn.
    seqs: [u32; 4],
    /// The next customer's index.
    next: u32,
}

impl Generator {
    pub fn new(spec: &DemoSpec) -> Generator {
        Generator {
            spec: spec.clone(),
            rng: Rng::new(spec.seed),
            disputes: Rng::new(spec.seed ^ 0xD159_u64),
            rebates: Rng::new(spec.seed ^ 0x2EBA_7E00_u64),
            names: Default::default(),
            seqs: [0; 4],
            next: 0,
        }
    }

    /// Customers not made yet.
    pub fn remaining(&self) -> u32 {
        self.spec.customers - self.next
    }

    /// The next `n` customers (fewer at the end; at least one) and their history; `None` once
    /// all are made.
    pub fn next_part(&mut self, n: u32) -> Option<Dataset> {
        if self.remaining() == 0 {
            return None;
        }
        let to = self.next + n.clamp(1, self.remaining());
        let mut out = self.customers(self.next..to);
        self.next = to;
        // Payments are recorded in date order, as a bank statement would deliver them.
        out.payments.sort_by_key(|p| p.date);
        add_disputes(&self.spec, &mut self.disputes, &mut out);
        add_rebates(&self.spec, &mut self.rebates, &mut self.seqs[3], &mut out);
        Some(out)
    }

    fn customers(&mut self, range: std::ops::Range<u32>) -> Dataset {
        let spec = &self.spec;
        let rng = &mut self.rng;
        let names = &mut self.names;
        let [inv_seq, ord_seq, cn_seq, _] = &mut self.seqs;
        let device = DeviceId::from_u128(0xDE30_0000_0000_4000_8000_0000_0000_0001);
        let start = spec
            .as_of
            .add_months(-(spec.months as i32))
            .first_of_month();
        let zh = spec.lang == DemoLang::Zh;
        let calm = spec.mix == Mix::Calm;
        let mut out = Dataset::default();
        let alphabet = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

        for ci in range {
            let behaviour = match rng.below(100) {
                // The calm book has fewer slow payers.
                0..=54 => Behaviour::Good,
                55..=64 if calm => Behaviour::Good,
                55..=79 => Behaviour::Slow,
                // And fewer defaulters: a few, each frozen and far over its limit.
                83..=84 if calm => Behaviour::Good,
                80..=84 => Behaviour::Defaulter,
                85..=94 => Behaviour::Dormant,
                _ => Behaviour::New,
            };
            let city = *rng.pick(&CITIES);
            let core_ix = if ci < 200 {
                ci as usize * 7 + (ci as usize / 20)
            } else {
                ci as usize / 10
            };
            let industry = *rng.pick(&INDUSTRIES);
            let rep = *rng.pick(&REPS);
            let name_of = |core: (&str, &str), branch: u32| {
                if zh {
                    let b = if branch > 0 {
                        format!("第{}分公司", branch + 1)
                    } else {
                        String::new()
                    };
                    format!("{}{}{}有限公司{}", city.0, core.0, industry.0, b)
                } else {
                    let b = if branch > 0 {
                        format!(" (Branch {})", branch + 1)
                    } else {
                        String::new()
                    };
                    format!("{} {} {} Co., Ltd.{}", city.1, core.1, industry.1, b)
                }
            };
            // No two customers share a name (a person tells them apart by it, and an import finds
            // them by it): a name taken goes to the next trade name, then to a further branch. No
            // random draw is spent on it, so the rest of the data set does not move.
            let mut branch = ci / 4000;
            let (core, name) = 'unique: loop {
                for k in 0..CORES.len() {
                    let core = CORES[(core_ix + k) % CORES.len()];
                    let name = name_of(core, branch);
                    if !names.contains(&name) {
                        break 'unique (core, name);
                    }
                }
                branch += 1;
            };
            names.insert(name.clone());
            let mut org = String::new();
            for _ in 0..9 {
                org.push(alphabet[rng.below(31) as usize] as char);
            }
            let uscc = Uscc::with_check_char(&format!("91{:06}{}", city.3, org));
            let first_coop = match behaviour {
                Behaviour::New => spec.as_of.add_days(-(rng.range(60, 330) as i32)),
                _ => start.add_days(-(rng.range(0, 2000) as i32)),
            };
            let founded = first_coop.add_days(-(rng.range(365, 9000) as i32));
            let size = rng.range(30, 200); // percent of a typical customer's volume
            let typical_minor = rng.range(5_000, 150_000) * 100 * size / 100; // 5k..300k CNY
            let term = *rng.pick(&[30, 30, 45, 60, 60, 90]);
            let default_from = spec.as_of.add_days(-(rng.range(60, 300) as i32));
            let dormant_from = spec.as_of.add_months(-(rng.range(7, 14) as i32));
            let report_score = match behaviour {
                Behaviour::Good => rng.range(70, 95),
                Behaviour::Slow => rng.range(55, 80),
                Behaviour::Defaulter => rng.range(30, 60),
                _ => rng.range(50, 85),
            } as u8;
            let holders = rng.range(1, 3);
            let mut shareholders = Vec::new();
            let mut left = 10_000u32;
            for h in 0..holders {
                let share = if h == holders - 1 {
                    left
                } else {
                    (rng.range(30, 70) as u32 * left) / 100
                };
                left -= share;
                let s = *rng.pick(&SURNAMES);
                let given = if zh {
                    ["伟", "芳", "军", "敏"][h as usize % 4]
                } else {
                    ["Wei", "Fang", "Jun", "Min"][h as usize % 4]
                };
                shareholders.push(Shareholder {
                    name: if zh {
                        format!("{}{}", s.0, given)
                    } else {
                        format!("{} {}", s.1, given)
                    },
                    share_bp: share,
                });
            }
            let litigation_count = match behaviour {
                Behaviour::Defaulter => rng.range(1, 5) as u32,
                _ if rng.chance(80) => 1,
                _ => 0,
            };
            let id = CustomerId::from_u128(rng.uuid_v4());
            // Each customer buys from one to five product categories.
            let first_cat = rng.below(CATEGORIES.len() as u64) as usize;
            let cat_count = rng.range(1, 5) as usize;
            let categories: Vec<DocNo> = (0..cat_count)
                .map(|k| {
                    let c = CATEGORIES[(first_cat + k * 3) % CATEGORIES.len()];
                    DocNo::parse(if zh { c.0 } else { c.1 }).unwrap()
                })
                .collect();
            let person = rng.pick(&SURNAMES);
            // Limits: about one and a half terms of typical monthly sales, rounded to 10,000
            // yuan; new customers start small, defaulters are frozen, a few have a temporary
            // increase.
            let monthly_minor = typical_minor * spec.invoices_per_month_x100 as i64 / 100;
            let raw = if calm {
                // The term plus a month of headroom, and a quarter more.
                monthly_minor * (term as i64 + 30) / 30 * 11 / 10
            } else {
                monthly_minor * term as i64 / 30 * 3 / 2
            };
            let permanent = match behaviour {
                // A new customer's first limit: small in the stressed book; in the calm one sized
                // to what it buys, as an approver would have granted it.
                Behaviour::New if !calm => Money::from_units(50_000),
                _ => Money::from_minor((raw / 1_000_000).max(1) * 1_000_000),
            };
            let temporary = if rng.chance(80) {
                let start = spec.as_of.add_days(-(rng.range(0, 20) as i32));
                vec![crate::credit::TemporaryLimit {
                    amount: permanent.mul_ratio_round_half_away(3, 2),
                    start,
                    end: start.add_days(rng.range(20, 60) as i32),
                }]
            } else {
                Vec::new()
            };
            let limits = crate::credit::Limits {
                permanent,
                temporary,
                frozen: behaviour == Behaviour::Defaulter,
                // Reviews fall due across the coming year; a few are due already (they file their
                // review requests at the first start: a few, not a flood).
                review_due: Some(spec.as_of.add_days(rng.range(-5, 360) as i32)),
                expires: None,
                hidden: false,
            };
            let customer = Customer {
                limits,
                grade_override: None,
                disputes: Vec::new(),
                contacts: Vec::new(),
                documents: Vec::new(),
                sealed: None,
                id,
                meta: Meta::new(device, ts(first_coop)),
                name,
                uscc,
                contact_person: if zh {
                    format!("{}经理", person.0)
                } else {
                    format!("Mr. {}", person.1)
                },
                phone: format!("1{}{:09}", rng.range(3, 9), rng.below(1_000_000_000)),
                email: format!(
                    "finance{}@{}.example.cn",
                    ci + 1,
                    core.1.to_lowercase().replace('\'', "")
                ),
                address: if zh {
                    format!("{}市{}路{}号", city.0, core.0, rng.range(1, 999))
                } else {
                    format!("No. {} {} Road, {}", rng.range(1, 999), core.1, city.1)
                },
                region: region_name(city.2, spec.lang).to_string(),
                industry: if zh { industry.0 } else { industry.1 }.to_string(),
                // The rep is a user of the demo's directory (`users`): rep-1 … rep-8.
                sales_rep: format!(
                    "rep-{}",
                    REPS.iter().position(|r| *r == rep).unwrap_or(0) + 1
                ),
                first_cooperation: first_coop,
                // The English demo's customers are written to in English.
                lang: if zh {
                    crate::notice::Lang::Zh
                } else {
                    crate::notice::Lang::En
                },
                profile: ExternalProfile {
                    registered_capital: Some(Money::from_units(rng.range(100, 10_000) * 10_000)),
                    founded: Some(founded),
                    shareholders,
                    // Every demo customer has its litigation looked up (none is unknown).
                    litigation_count: Some(litigation_count),
                    litigation_open_amount: Some(if litigation_count > 0 {
                        Money::from_units(rng.range(10, 500) * 1_000)
                    } else {
                        Money::ZERO
                    }),
                    industry_position: Some(*rng.pick(&[
                        IndustryPosition::Leader,
                        IndustryPosition::Major,
                        IndustryPosition::Major,
                        IndustryPosition::Average,
                        IndustryPosition::Average,
                        IndustryPosition::Small,
                    ])),
                    report_score: Some(report_score),
                    report_date: Some(spec.as_of.add_days(-(rng.range(10, 700) as i32))),
                },
                custom: BTreeMap::new(),
            };

            // History, month by month.
            let mut month = start.max(first_coop.first_of_month());
            while month <= spec.as_of {
                let dormant = behaviour == Behaviour::Dormant && month >= dormant_from;
                let lambda_x100 = if dormant {
                    0
                } else {
                    spec.invoices_per_month_x100 * SEASON[month.month() as usize - 1] / 100
                };
                let count =
                    lambda_x100 / 100 + u32::from(rng.below(100) < (lambda_x100 % 100) as u64);
                let days_in_month = month.add_months(1).days_since(month);
                for _ in 0..count {
                    let issue = month.add_days(rng.range(0, days_in_month as i64 - 1) as i32);
                    if issue > spec.as_of || issue < first_coop {
                        continue;
                    }
                    let amount = Money::from_minor(
                        (typical_minor * rng.range(50, 150) / 100 / 100) * 100 + rng.range(0, 99),
                    );
                    let recent = spec.as_of.days_since(issue) < 21;
                    // The most recent orders are not invoiced yet: they count as open order value.
                    if recent && rng.chance(400) {
                        *ord_seq += 1;
                        out.orders.push(Order {
                            id: OrderId::from_u128(rng.uuid_v4()),
                            meta: Meta::new(device, ts(issue)),
                            customer: id,
                            number: DocNo::parse(&format!("SO-{}-{:07}", issue.year(), ord_seq))
                                .unwrap(),
                            date: issue,
                            amount,
                            category: Some(*rng.pick(&categories)),
                            status: if rng.chance(300) {
                                OrderStatus::Shipped
                            } else {
                                OrderStatus::Open
                            },
                        });
                        continue;
                    }
                    let order = if spec.orders_for_history {
                        *ord_seq += 1;
                        let oid = OrderId::from_u128(rng.uuid_v4());
                        let od = issue.add_days(-(rng.range(1, 10) as i32));
                        out.orders.push(Order {
                            id: oid,
                            meta: Meta {
                                version: 2,
                                updated_at: ts(issue),
                                device,
                            },
                            customer: id,
                            number: DocNo::parse(&format!("SO-{}-{:07}", od.year(), ord_seq))
                                .unwrap(),
                            date: od,
                            amount,
                            status: OrderStatus::Invoiced,
                            category: Some(*rng.pick(&categories)),
                        });
                        Some(oid)
                    } else {
                        None
                    };
                    *inv_seq += 1;
                    let inv = Invoice {
                        id: InvoiceId::from_u128(rng.uuid_v4()),
                        meta: Meta::new(device, ts(issue)),
                        customer: id,
                        order,
                        number: DocNo::parse(&format!("INV-{}-{:07}", issue.year(), inv_seq))
                            .unwrap(),
                        issue_date: issue,
                        due_date: issue.add_days(term),
                        amount,
                    };
                    out.invoices.push(inv);
                    let mut open = amount;
                    // About 1% get a credit note (returns, price corrections).
                    if rng.chance(10) {
                        let cn_amount = amount.mul_ratio_round_half_away(rng.range(2, 10), 100);
                        let cn_date = issue.add_days(rng.range(3, 20) as i32);
                        if cn_date <= spec.as_of && cn_amount.is_positive() {
                            *cn_seq += 1;
                            out.credit_notes.push(CreditNote {
                                id: CreditNoteId::from_u128(rng.uuid_v4()),
                                meta: Meta::new(device, ts(cn_date)),
                                customer: id,
                                invoice: Some(inv.id),
                                number: DocNo::parse(&format!(
                                    "CN-{}-{:06}",
                                    cn_date.year(),
                                    cn_seq
                                ))
                                .unwrap(),
                                date: cn_date,
                                amount: cn_amount,
                            });
                            open -= cn_amount;
                        }
                    }
                    let delay = match behaviour {
                        // Calm: good payers pay by the due date, slow ones up to a month late.
                        Behaviour::Good | Behaviour::New if calm => rng.range(-10, 0),
                        Behaviour::Slow if calm => rng.range(-5, 30),
                        Behaviour::Dormant if calm => rng.range(-5, 10),
                        Behaviour::Good | Behaviour::New => rng.range(-10, 5),
                        Behaviour::Slow => rng.range(5, 60),
                        Behaviour::Defaulter if issue >= default_from => 10_000,
                        Behaviour::Defaulter => rng.range(10, 90),
                        Behaviour::Dormant => rng.range(-5, 20),
                    } as i32;
                    let pay_date = inv.due_date.add_days(delay).max(issue.add_days(1));
                    // 5% are paid in two parts.
                    let parts: Vec<(Date, Money)> = if rng.chance(50) {
                        let first = open.mul_ratio_round_half_away(rng.range(30, 70), 100);
                        vec![
                            (
                                pay_date.add_days(-(rng.range(5, 20) as i32)).max(issue),
                                first,
                            ),
                            (pay_date, open - first),
                        ]
                    } else {
                        vec![(pay_date, open)]
                    };
                    for (d, m) in parts {
                        if d <= spec.as_of && m.is_positive() {
                            out.payments.push(Payment {
                                id: PaymentId::from_u128(rng.uuid_v4()),
                                meta: Meta::new(device, ts(d)),
                                customer: id,
                                reference: Some(
                                    DocNo::parse(&format!("BANK-{:08}", rng.below(100_000_000)))
                                        .unwrap(),
                                ),
                                date: d,
                                amount: m,
                                allocations: vec![Allocation {
                                    invoice: inv.id,
                                    amount: m,
                                }],
                            });
                        }
                    }
                }
                month = month.add_months(1);
            }
            out.customers.push(customer);
        }
        out
    }
}

/// A few customers (about one in thirty of those who bought in the last quarter) were granted a
/// volume rebate: a credit note on account, 1-3% of that quarter's sales, dated in the last six
/// weeks and not yet applied to any invoice. Drawn from a generator of its own, like the
/// disputes.
fn add_rebates(spec: &DemoSpec, rng: &mut Rng, seq: &mut u32, out: &mut Dataset) {
    let device = DeviceId::from_u128(0xDE30_0000_0000_4000_8000_0000_0000_0001);
    let since = spec.as_of.add_days(-90);
    let mut quarter: crate::id::IdMap<CustomerId, Money> = Default::default();
    for inv in out.invoices.iter().filter(|i| i.issue_date > since) {
        *quarter.entry(inv.customer).or_default() += inv.amount;
    }
    for c in &out.customers {
        let Some(&sales) = quarter.get(&c.id) else {
            continue;
        };
        if !rng.chance(33) {
            continue;
        }
        let amount = sales.mul_ratio_round_half_away(rng.range(1, 3), 100);
        let date = spec.as_of.add_days(-(rng.range(0, 42) as i32));
        if !amount.is_positive() || date < c.first_cooperation {
            continue;
        }
        *seq += 1;
        out.credit_notes.push(CreditNote {
            id: CreditNoteId::from_u128(rng.uuid_v4()),
            meta: Meta::new(device, ts(date)),
            customer: c.id,
            invoice: None,
            number: DocNo::parse(&format!("RB-{}-{seq:04}", date.year())).unwrap(),
            date,
            amount,
        });
    }
}

/// Some customers with an overdue invoice dispute it (about one in five of them, one invoice
/// each); a few of those disputes were already heard and upheld. Drawn from a generator of its
/// own, so that the rest of the data set is the same with or without them.
fn add_disputes(spec: &DemoSpec, rng: &mut Rng, out: &mut Dataset) {
    use crate::dispute::{Category, Dispute, Outcome, Resolution};
    let mut settled: crate::id::IdMap<InvoiceId, Money> = Default::default();
    for p in &out.payments {
        for a in &p.allocations {
            *settled.entry(a.invoice).or_default() += a.amount;
        }
    }
    for c in &out.credit_notes {
        if let Some(i) = c.invoice {
            *settled.entry(i).or_default() += c.amount;
        }
    }
    let zh = spec.lang == DemoLang::Zh;
    let reasons: [(Category, &str, &str); 5] = [
        (
            Category::Quality,
            "部分货物到货破损",
            "part of the goods arrived damaged",
        ),
        (
            Category::Price,
            "单价与合同不符",
            "unit price differs from the contract",
        ),
        (
            Category::Quantity,
            "到货数量少于发票",
            "fewer units delivered than invoiced",
        ),
        (
            Category::Delivery,
            "交货延迟，客户要求扣款",
            "late delivery: the customer claims a deduction",
        ),
        (
            Category::Billing,
            "发票抬头有误",
            "wrong name on the invoice",
        ),
    ];
    let mut first_overdue: crate::id::IdMap<CustomerId, &Invoice> = Default::default();
    for inv in &out.invoices {
        let open = inv.amount - settled.get(&inv.id).copied().unwrap_or_default();
        if open.is_positive() && inv.due_date < spec.as_of {
            first_overdue.entry(inv.customer).or_insert(inv);
        }
    }
    for c in &mut out.customers {
        let Some(inv) = first_overdue.get(&c.id) else {
            continue;
        };
        if !rng.chance(200) {
            continue;
        }
        let open = inv.amount - settled.get(&inv.id).copied().unwrap_or_default();
        let (category, zh_reason, en_reason) = *rng.pick(&reasons);
        // Raised when the goods or the invoice came in, or once reminded of the due date.
        let opened = inv
            .issue_date
            .add_days(rng.range(5, 45) as i32)
            .min(spec.as_of);
        // A part of the invoice, or all of it.
        let amount = if rng.chance(500) {
            open
        } else {
            open.mul_ratio_round_half_away(rng.range(20, 60), 100)
                .max(Money::from_minor(1))
        };
        let resolution =
            (rng.chance(250) && spec.as_of.days_since(opened) > 10).then(|| Resolution {
                on: opened.add_days(rng.range(3, spec.as_of.days_since(opened) as i64) as i32),
                by: c.sales_rep.clone(),
                outcome: Outcome::Upheld,
                note: if zh {
                    "客户已签收确认"
                } else {
                    "the customer signed the delivery note"
                }
                .into(),
            });
        c.disputes.push(Dispute {
            id: format!("{:032x}", rng.uuid_v4()),
            invoice: inv.id,
            number: inv.number,
            amount,
            category,
            reason: if zh { zh_reason } else { en_reason }.into(),
            owner: c.sales_rep.clone(),
            opened,
            opened_by: c.sales_rep.clone(),
            write_off: None,
            resolution,
        });
    }
}

/// The demo's user directory: the eight sales reps of the demo customers (so that each sees
/// their own), two sales managers, two finance specialists, a finance manager, a CFO, a general
/// manager and an administrator.
pub fn users(lang: DemoLang) -> Vec<crate::approval::User> {
    use crate::approval::{Role::*, User};
    let zh = lang == DemoLang::Zh;
    let pick = |p: (&str, &str)| if zh { p.0 } else { p.1 }.to_string();
    let user = |id: &str, name: (&str, &str), roles: &[crate::approval::Role], region: &str| User {
        id: id.into(),
        name: pick(name),
        roles: roles.to_vec(),
        region: region_name(region, lang).into(),
    };
    let mut out = vec![user("admin", ("系统管理员", "System Admin"), &[Admin], "E")];
    let regions = ["E", "N", "S", "W", "C", "E", "N", "S"];
    for (i, rep) in REPS.iter().enumerate() {
        out.push(user(
            &format!("rep-{}", i + 1),
            *rep,
            &[SalesRep],
            regions[i],
        ));
    }
    out.extend([
        user("sm-1", ("周婷", "Zhou Ting"), &[SalesManager], "E"),
        user("sm-2", ("吴刚", "Wu Gang"), &[SalesManager], "S"),
        user("fs-1", ("孙悦", "Sun Yue"), &[FinanceSpecialist], "E"),
        user("fs-2", ("郑洁", "Zheng Jie"), &[FinanceSpecialist], "N"),
        user("fm-1", ("钱程", "Qian Cheng"), &[FinanceManager], "E"),
        user("cfo-1", ("冯慧", "Feng Hui"), &[Cfo], "E"),
        user("gm-1", ("何军", "He Jun"), &[GeneralManager], "E"),
    ]);
    out
}

/// A few requests under way, so that the inboxes are not empty: one just filed, one late at its
/// second step, one escalated. They are made by the workflow itself, with their audit entries.
pub fn requests(
    customers: &[Customer],
    users: &[crate::approval::User],
    routes: &crate::approval::Routes,
    grade_of: &dyn Fn(CustomerId) -> crate::rating::Grade,
    now: i64,
    as_of: Date,
    lang: DemoLang,
) -> (
    Vec<crate::request::Request>,
    Vec<crate::approval::AuditEntry>,
) {
    let zh = lang == DemoLang::Zh;
    let say = |z: &'static str, e: &'static str| if zh { z } else { e };
    use crate::approval::{chain, Role, HOUR_MS};
    use crate::id::RequestId;
    use crate::request::{draft, RequestKind};
    use crate::workflow;
    let device = DeviceId::from_u128(0xDE30_0000_0000_4000_8000_0000_0000_0001);
    let (mut requests, mut trail) = (Vec::new(), Vec::new());
    let user = |id: &str| users.iter().find(|u| u.id == id);
    // Who files, and which approvers have acted (two hours apart).
    let plans: [(&str, &[&str]); 3] = [("rep-1", &[]), ("rep-2", &["sm-1"]), ("rep-3", &[])];
    for (i, (rep, approvers)) in plans.into_iter().enumerate() {
        let what = i;
        let Some(requester) = user(rep) else { continue };
        let Some(c) = customers
            .iter()
            .find(|c| c.sales_rep == requester.id && c.limits.permanent.is_positive())
        else {
            continue;
        };
        let p = c.limits.permanent;
        let (kind, reason) = match what {
            0 => (
                RequestKind::TemporaryLimit {
                    amount: p.mul_ratio_round_half_away(13, 10),
                    start: as_of,
                    end: as_of.add_days(45),
                },
                say(
                    "年末备货订单，全年按时回款",
                    "Year-end stocking order, paid on time all year",
                ),
            ),
            1 => (
                RequestKind::PermanentChange {
                    before: p,
                    after: p.mul_ratio_round_half_away(6, 5),
                    expires: None,
                    review: None,
                },
                say(
                    "今年订单增长 30%，新增两条产品线",
                    "Orders grew 30% this year; two new product lines",
                ),
            ),
            _ => (
                RequestKind::PermanentChange {
                    before: p,
                    after: Money::from_units(300_000).max(p.mul_ratio_round_half_away(2, 1)),
                    expires: None,
                    review: None,
                },
                say(
                    "新签三年框架合同",
                    "New three-year framework contract signed",
                ),
            ),
        };
        let route = workflow::route_for(routes, &kind, grade_of(c.id));
        // Just filed; late at its second step (a reminder); past its second deadline.
        let hours_ago = match what {
            0 => 2,
            1 => route.due_hours as i64 + 4,
            _ => route.escalate_hours as i64 + 4,
        };
        let submitted = now - hours_ago * HOUR_MS;
        let r = draft(
            RequestId::from_u128(0xDE30_0000_0000_4000_8000_0000_0001_0000 + i as u128),
            Meta::new(device, Timestamp(submitted)),
            c.id,
            kind,
            reason.into(),
            &requester.id,
            route,
            as_of,
        );
        let Ok(mut out) = workflow::submit(r, requester, submitted) else {
            continue;
        };
        trail.extend(chain(trail.last(), submitted, out.events));
        for (k, a) in approvers.iter().enumerate() {
            let at = submitted + (k as i64 + 1) * 2 * HOUR_MS;
            let Some(u) = user(a) else { continue };
            let role = out.request.flow.can_act(u).unwrap_or(Role::SalesManager);
            let Ok(next) = workflow::decide(
                out.request.clone(),
                &c.limits,
                u,
                role,
                true,
                say("已核对订单", "Checked the order book"),
                at,
                as_of,
            ) else {
                continue;
            };
            out = next;
            trail.extend(chain(trail.last(), at, out.events.clone()));
        }
        requests.push(out.request);
    }
    (requests, trail)
}

/// Up to `n` customer names, spread over the list, each one that no other customer has (a CSV
/// import refers to customers by name).
pub fn unique_names(customers: &[Customer], n: usize) -> Vec<String> {
    let mut count: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for c in customers {
        *count.entry(c.name.as_str()).or_default() += 1;
    }
    let unique: Vec<&Customer> = customers
        .iter()
        .filter(|c| count[c.name.as_str()] == 1)
        .collect();
    let step = (unique.len() / n.max(1)).max(1);
    unique
        .iter()
        .step_by(step)
        .take(n)
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Ledger;

    fn as_of() -> Date {
        Date::parse("2026-11-28").unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_data_set() {
        let a = generate(&DemoSpec::demo(as_of(), DemoLang::En));
        let b = generate(&DemoSpec::demo(as_of(), DemoLang::En));
        assert_eq!(a.customers, b.customers);
        assert_eq!(a.invoices, b.invoices);
        assert_eq!(a.payments, b.payments);
    }

    #[test]
    fn a_book_made_in_parts_holds_what_the_whole_book_holds() {
        let spec = DemoSpec {
            customers: 130,
            ..DemoSpec::large(as_of())
        };
        let whole = generate(&spec);
        let mut g = Generator::new(&spec);
        let mut parts = Dataset::default();
        let mut sizes = Vec::new();
        while let Some(p) = g.next_part(50) {
            sizes.push(p.customers.len());
            // Within a part, payments come in date order.
            assert!(p.payments.windows(2).all(|w| w[0].date <= w[1].date));
            parts.customers.extend(p.customers);
            parts.orders.extend(p.orders);
            parts.invoices.extend(p.invoices);
            parts.payments.extend(p.payments);
            parts.credit_notes.extend(p.credit_notes);
        }
        assert_eq!(sizes, [50, 50, 30]);
        assert_eq!(g.remaining(), 0);
        assert!(g.next_part(50).is_none());
        // A part of none still makes one customer: a loop over the parts ends.
        let mut g = Generator::new(&spec);
        assert_eq!(g.next_part(0).unwrap().customers.len(), 1);
        // Customers (with their disputes), orders and invoices in the same order; payments and
        // credit notes (rebates come after each part's) the same rows.
        assert_eq!(parts.customers, whole.customers);
        assert!(whole.customers.iter().any(|c| !c.disputes.is_empty()));
        assert_eq!(parts.orders, whole.orders);
        assert_eq!(parts.invoices, whole.invoices);
        let by_id = |mut v: Vec<Payment>| {
            v.sort_by_key(|p| p.id);
            v
        };
        assert_eq!(by_id(parts.payments), by_id(whole.payments.clone()));
        let notes = |mut v: Vec<CreditNote>| {
            v.sort_by_key(|c| c.id);
            v
        };
        assert!(whole.credit_notes.iter().any(|c| c.invoice.is_none()));
        assert_eq!(notes(parts.credit_notes), notes(whole.credit_notes));
    }

    #[test]
    fn the_demo_has_200_customers_three_years_and_every_kind_of_payer() {
        let d = generate(&DemoSpec::demo(as_of(), DemoLang::Zh));
        assert_eq!(d.customers.len(), 200);
        assert!(d.customers.iter().all(|c| c.name.ends_with("有限公司")));
        assert!(d.customers.iter().all(|c| c.uscc.is_some()));
        let first = d.invoices.iter().map(|i| i.issue_date).min().unwrap();
        assert!(
            as_of().days_since(first) > 3 * 365 - 31,
            "history starts {first}"
        );
        let ledger = Ledger::from_entries(
            d.orders.clone(),
            d.invoices.clone(),
            d.payments.clone(),
            d.credit_notes.clone(),
            Vec::new(),
        );
        let s = ledger.summaries(as_of());
        let overdue = s.values().filter(|s| s.max_days_overdue > 90).count();
        let clean = s.values().filter(|s| s.overdue.is_zero()).count();
        let dormant = d
            .customers
            .iter()
            .filter(|c| {
                s.get(&c.id)
                    .and_then(|s| s.last_invoice)
                    .is_none_or(|l| as_of().days_since(l) > 180)
            })
            .count();
        assert!(overdue >= 3, "defaulters: {overdue}");
        assert!(clean >= 50, "clean payers: {clean}");
        assert!(dormant >= 5, "dormant: {dormant}");
        assert!(!d.credit_notes.is_empty());
        assert!(d.orders.iter().any(|o| o.status.is_open_value()));
    }

    #[test]
    fn some_overdue_customers_dispute_an_invoice_within_what_is_open_on_it() {
        let d = generate(&DemoSpec::demo(as_of(), DemoLang::En));
        let ledger = Ledger::from_entries(
            d.orders.clone(),
            d.invoices.clone(),
            d.payments.clone(),
            d.credit_notes.clone(),
            Vec::new(),
        );
        let disputes: Vec<_> = d.customers.iter().flat_map(|c| &c.disputes).collect();
        let open = disputes.iter().filter(|x| x.is_open()).count();
        assert!((5..=30).contains(&open), "open disputes: {open}");
        assert!(disputes.len() > open, "some were upheld already");
        for c in &d.customers {
            for x in &c.disputes {
                let left = ledger.open_now(x.invoice).unwrap();
                assert!(x.amount.is_positive() && x.amount <= left, "{x:?}");
                assert!(x.opened <= as_of());
                assert!(x
                    .resolution
                    .as_ref()
                    .is_none_or(|r| r.on > x.opened && r.on <= as_of()));
                assert_eq!(x.owner, c.sales_rep);
            }
        }
    }

    #[test]
    fn a_few_customers_have_a_recent_rebate_on_account_that_lowers_nothing_yet() {
        let d = generate(&DemoSpec::demo(as_of(), DemoLang::En));
        let rebates: Vec<_> = d
            .credit_notes
            .iter()
            .filter(|c| c.invoice.is_none())
            .collect();
        assert!(
            (2..=15).contains(&rebates.len()),
            "rebates: {}",
            rebates.len()
        );
        let ledger = Ledger::from_entries(
            d.orders.clone(),
            d.invoices.clone(),
            d.payments.clone(),
            d.credit_notes.clone(),
            Vec::new(),
        );
        for c in rebates {
            assert!(c.number.as_str().starts_with("RB-"), "{c:?}");
            assert!(
                c.date <= as_of() && as_of().days_since(c.date) <= 42,
                "{c:?}"
            );
            assert_eq!(ledger.credit_unapplied(c.customer, c.id), c.amount);
        }
    }

    #[test]
    fn no_two_customers_share_a_name_in_the_demo_or_the_large_book() {
        for spec in [
            DemoSpec::demo(as_of(), DemoLang::Zh),
            DemoSpec::demo(as_of(), DemoLang::En),
            DemoSpec {
                months: 1,
                ..DemoSpec::large(as_of())
            },
        ] {
            let d = generate(&spec);
            let names: std::collections::HashSet<&str> =
                d.customers.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(
                names.len(),
                d.customers.len(),
                "{} customers",
                spec.customers
            );
        }
    }

    #[test]
    fn every_generated_payment_is_accepted_by_the_ledger_rules() {
        let d = generate(&DemoSpec {
            customers: 60,
            ..DemoSpec::demo(as_of(), DemoLang::En)
        });
        let mut ledger =
            Ledger::from_entries(d.orders, d.invoices, Vec::new(), Vec::new(), Vec::new());
        for c in d.credit_notes {
            ledger.add_credit_note(c).unwrap();
        }
        for p in d.payments {
            ledger.add_payment(p).unwrap();
        }
    }
}
