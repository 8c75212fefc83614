//! Imported orders pass the same credit check as typed ones: no row bypasses it.
//!
//! The rows are checked in file order, each on today's figures plus what the rows before it
//! (of the same customer) add, so a file cannot slip many small orders under a limit that one
//! large order would break. A row the check blocks is imported as held, with its reasons, or
//! left out: the person importing chooses ([`Blocked`]).

use crate::book::Book;
use creditdesk_domain::credit::{self, Outcome, Reason};
use creditdesk_domain::id::IdMap;
use creditdesk_domain::*;
use serde::{Deserialize, Serialize};

/// What an import does with an order the credit check blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocked {
    /// Imported as held, waiting for a release like a typed order.
    #[default]
    Hold,
    /// Left out of the import.
    Refuse,
}

/// An imported order the credit check blocks, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedOrder {
    pub order: OrderId,
    pub number: DocNo,
    pub customer: CustomerId,
    pub amount: Money,
    pub reasons: Vec<Reason>,
}

/// The orders of a file that the credit check blocks. Only orders that would use credit are
/// checked (open or shipped); cancelled and invoiced ones are history.
pub fn check_imported_orders(book: &Book, orders: &[Order]) -> Vec<BlockedOrder> {
    let mut added: IdMap<CustomerId, Money> = IdMap::default();
    let mut out = Vec::new();
    for o in orders.iter().filter(|o| o.status.is_open_value()) {
        let extra = added.get(&o.customer).copied().unwrap_or_default();
        let result = book.check_input(o.customer).map(|mut input| {
            input.exposure.open_orders += extra;
            credit::check(&book.policy, &input, o.amount, false, book.as_of)
        });
        match result {
            Some(r) if r.outcome != Outcome::Block => {
                *added.entry(o.customer).or_default() += o.amount;
            }
            r => out.push(BlockedOrder {
                order: o.id,
                number: o.number,
                customer: o.customer,
                amount: o.amount,
                reasons: r.map(|r| r.reasons).unwrap_or_default(),
            }),
        }
    }
    out
}

/// Applies the choice to the orders to import: blocked ones become held, or are left out.
pub fn settle_blocked(orders: &mut Vec<Order>, blocked: &[BlockedOrder], choice: Blocked) {
    let is_blocked = |id: OrderId| blocked.iter().any(|b| b.order == id);
    match choice {
        Blocked::Hold => {
            for o in orders.iter_mut().filter(|o| is_blocked(o.id)) {
                o.status = OrderStatus::Held;
            }
        }
        Blocked::Refuse => orders.retain(|o| !is_blocked(o.id)),
    }
}
