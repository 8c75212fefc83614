//! CreditDesk's application layer, between the pure domain and storage below and the UI (or, next,
//! the server) above.
//!
//! - [`Book`] is the read model: everything loaded, in memory, with the figures derived from it
//!   (summaries, metrics, grades). Queries on it are plain methods.
//! - [`Command`] is every write a user can make, as a serialisable value. [`execute`] runs one:
//!   it **authorises** (the actor's role and the customer's visibility), **validates** with the
//!   domain, **computes the effects** without touching anything ([`plan`], pure and synchronous,
//!   so a server can run exactly the same code), then **commits** them in one transaction with
//!   their audit entries and one outbox record that *is* the command ([`Envelope`]: id, actor,
//!   device, time, the versions it was based on), and last applies them to the [`Book`].
//! - [`Ctx`] carries what the layer must not read for itself: the acting user, the device, the
//!   time (`now`) and the business day (`as_of`). New records' ids come inside the commands, so
//!   that replaying a command makes the same records.
//!
//! Nothing here knows Leptos, the browser or the clock; the crate is tested natively against
//! [`creditdesk_storage::mem::MemStore`].

pub mod admin;
mod book;
mod command;
pub mod deliveries;
mod error;
mod exec;
pub mod exports;
pub mod figures;
pub mod imports;
pub mod load;
pub mod monitoring;
mod per_customer;
mod queries;
pub mod reports;
pub mod reps;
pub mod sync;
mod views;

pub use book::{Book, GradeChange, Mark, MetricsParts};
pub use command::{Base, Command, Envelope, OrderMove};
pub use error::{Code, CommandError};
pub use exec::{
    execute, plan, system_user, ConfigChange, Effects, Receipt, ScorecardChange, SYSTEM,
};
pub use imports::{check_imported_orders, permission, settle_blocked, Blocked, BlockedOrder};
pub use per_customer::PerCustomer;
pub use queries::{ListFilter, ListSort};
pub use views::{
    Access, AuditLine, CreditCard, Customer360, Happened, HeldRow, InboxView, Moment, RatingView,
    RequestContext, ALL_REQUESTS_SHOWN,
};

use creditdesk_domain::approval::User;
use creditdesk_domain::{Date, DeviceId, Timestamp};

/// Who acts, where and when: the inputs a command may not read for itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Ctx {
    /// The signed-in user (on a server: the session's user, never the one a command claims).
    pub actor: User,
    pub device: DeviceId,
    /// The time of the action (audit entries, record versions).
    pub now: Timestamp,
    /// The business day the figures and checks are computed for.
    pub as_of: Date,
    /// The command's own id (unique per device; a replay with the same id is the same command).
    pub command_id: String,
}
