//! The dashboard: headline figures from the ledger as of today (charts come with the dashboards
//! issue).

use crate::ui::i18n::T;
use crate::ui::rating::GradeBadge;
use crate::ui::state::AppState;
use crate::ui::widgets::{Tile, WhenLedger};
use creditdesk_domain::money::percent_1dp_round_half_away;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::Money;
use leptos::prelude::*;
use leptos_router::components::A;

#[derive(Clone, PartialEq)]
struct Figures {
    total: Money,
    overdue: Money,
    overdue_pct: Option<String>,
    customers: usize,
    customers_overdue: usize,
    open_orders: Money,
    top: Vec<(String, String, Money, i32)>,
    grades: [u32; 5],
}

fn figures(state: &AppState) -> Figures {
    state.data(|d| {
        // A sales rep's dashboard covers their own customers.
        let me = d.me();
        let visible: Vec<&creditdesk_domain::Customer> = d
            .customers
            .iter()
            .filter(|c| me.sees(&c.sales_rep))
            .collect();
        let mut total = Money::ZERO;
        let mut overdue = Money::ZERO;
        let mut open_orders = Money::ZERO;
        let mut customers_overdue = 0;
        for s in visible.iter().map(|c| d.summary(c.id)) {
            total += s.open_ar;
            overdue += s.overdue;
            open_orders += s.open_orders;
            if s.overdue.is_positive() {
                customers_overdue += 1;
            }
        }
        let mut top: Vec<_> = visible
            .iter()
            .map(|c| (c, d.summary(c.id)))
            .filter(|(_, s)| s.overdue.is_positive())
            .map(|(c, s)| {
                (
                    c.id.to_string(),
                    c.name.clone(),
                    s.overdue,
                    s.max_days_overdue,
                )
            })
            .collect();
        top.sort_by_key(|t| std::cmp::Reverse(t.2));
        top.truncate(5);
        let mut grades = [0u32; 5];
        for c in &visible {
            if let Some((_, g)) = d.rated.get(&c.id) {
                grades[*g as usize] += 1;
            }
        }
        Figures {
            grades,
            total,
            overdue,
            overdue_pct: percent_1dp_round_half_away(overdue, total),
            customers: visible.len(),
            customers_overdue,
            open_orders,
            top,
        }
    })
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="page">
            <h1>{move || state.t(T::NavDashboard)}
                <span class="as-of">{move || format!("{} {}", state.t(T::AsOf), state.lang.get().date(state.today.get()))}</span>
            </h1>
            <WhenLedger>
                {move || {
                    let f = figures(&state);
                    let pct = f.overdue_pct.clone().unwrap_or_else(|| "—".into());
                    view! {
                        <div class="tiles">
                            <Tile label=Signal::derive(move || state.t(T::TotalAr).to_string()) value=f.total.format_cny() testid="kpi-total-ar" />
                            <Tile label=Signal::derive(move || state.t(T::OverdueAr).to_string()) value=f.overdue.format_cny() tone="warn" testid="kpi-overdue" />
                            <Tile label=Signal::derive(move || state.t(T::OverdueShare).to_string()) value=pct tone="warn" />
                            <Tile label=Signal::derive(move || state.t(T::CustomersCount).to_string()) value=f.customers.to_string() testid="kpi-customers" />
                            <Tile label=Signal::derive(move || state.t(T::CustomersOverdue).to_string()) value=f.customers_overdue.to_string() tone="warn" />
                            <Tile label=Signal::derive(move || state.t(T::OpenOrders).to_string()) value=f.open_orders.format_cny() />
                        </div>
                        <h2>{state.t(T::GradeDistribution)}</h2>
                        <div class="grade-counts" data-testid="dashboard-grades">
                            {Grade::ALL.iter().map(|g| view! {
                                <A href="/customers" attr:class="grade-count"><GradeBadge grade=*g />" "{f.grades[*g as usize]}</A>
                            }).collect_view()}
                        </div>
                        <h2>{state.t(T::TopOverdue)}</h2>
                        <ol class="rank">
                            {f.top.into_iter().map(|(id, name, overdue, days)| view! {
                                <li>
                                    <A href=format!("/customers/{id}")>{name}</A>
                                    <span class="num warn">{overdue.format_cny()}</span>
                                    <span class="muted">{state.lang.get().days(days as i64)}</span>
                                </li>
                            }).collect_view()}
                        </ol>
                    }
                }}
            </WhenLedger>
        </section>
    }
}
