//! Commands: every write a user can make, as a value that can be stored, sent and replayed.

use crate::imports::Blocked;
use creditdesk_domain::approval::{Routes, User};
use creditdesk_domain::contact::ContactInput;
use creditdesk_domain::credit::Policy;
use creditdesk_domain::dispute::{DisputeInput, Resolve};
use creditdesk_domain::document::DocumentInput;
use creditdesk_domain::import::{Kind as ImportKind, Records};
use creditdesk_domain::ledger::{CreditNoteInput, InvoiceInput, OrderInput, PaymentInput};
use creditdesk_domain::monitor::{AlertStatus, RuleSet, TaskStatus};
use creditdesk_domain::rating::Scorecard;
use creditdesk_domain::request::{Attachment, RequestKind};
use creditdesk_domain::*;
use serde::{Deserialize, Serialize};

/// Where an order goes by hand. Invoicing goes through [`Command::RecordInvoice`]; a held order
/// goes on only through an approved release, or is cancelled with [`Command::CancelHeld`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderMove {
    /// Delivered: the credit check runs again on today's state (a prepaid order: it must be
    /// paid, and is then invoiced already).
    Ship,
    Cancel,
}

creditdesk_domain::tagged_enum! {
    tag = "type", name = "Command", twin = CommandDef, expecting = "a command";
    /// Every write, by name. New records' ids are chosen by the caller and travel inside the
    /// command, so that replaying it (on a server, after a retry) makes the same records. Read
    /// through its twin `CommandDef` ([`creditdesk_domain::tagged`]).
    // A command is made once and moved into the executor: the size of its largest variant (a
    // scorecard) costs nothing worth boxing for.
    #[allow(clippy::large_enum_variant)]
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub enum Command {
        /// Creates (`create`) or edits a customer's master data and external profile. Limits, the
        /// freeze and a grade override never change here. `why` is required when the external
        /// profile (the rating inputs) changes.
        SaveCustomer {
            id: CustomerId,
            create: bool,
            input: CustomerInput,
            #[serde(default)]
            why: String,
        },
        /// Takes an order after the credit check: blocked, it is stored held; `prepaid` (payment
        /// before delivery), it is stored awaiting payment and uses no credit.
        RecordOrder {
            id: OrderId,
            customer: CustomerId,
            input: OrderInput,
            prepaid: bool,
        },
        MoveOrder {
            order: OrderId,
            to: OrderMove,
        },
        /// Cancels a held order outright, with a reason; open releases of it close with it.
        CancelHeld {
            order: OrderId,
            reason: String,
        },
        RecordInvoice {
            id: InvoiceId,
            customer: CustomerId,
            input: InvoiceInput,
        },
        RecordPayment {
            id: PaymentId,
            customer: CustomerId,
            input: PaymentInput,
        },
        /// Records a credit note against one of the customer's invoices.
        RecordCreditNote {
            id: CreditNoteId,
            customer: CustomerId,
            input: CreditNoteInput,
        },
        /// Corrects the ledger as of today: voids a document or reallocates a payment, with a
        /// reason (required for a void). The document stays in history; see [`Correction`].
        Correct {
            id: CorrectionId,
            customer: CustomerId,
            fix: Fix,
            #[serde(default)]
            reason: String,
        },
        /// Opens a dispute of one of the customer's invoices (or part of it), `id` chosen by the
        /// caller (unique within the customer).
        OpenDispute {
            customer: CustomerId,
            id: String,
            input: DisputeInput,
        },
        /// Resolves an open dispute: a credit note, a write-off request, or upheld; `note` says why
        /// (required for a write-off: it is the request's reason).
        ResolveDispute {
            customer: CustomerId,
            dispute: String,
            resolve: Resolve,
            #[serde(default)]
            note: String,
        },
        /// Records a call, visit, e-mail or message with the customer on its file.
        LogContact {
            customer: CustomerId,
            id: String,
            input: ContactInput,
        },
        /// Adds a contract, guarantee, credit insurance or other paper to the customer's file (the
        /// file's bytes travel beside the command, as a request's attachments do).
        AddDocument {
            customer: CustomerId,
            id: String,
            input: DocumentInput,
            file: Attachment,
        },
        /// Files a request of the approval workflow (attachment bytes travel beside the command).
        FileRequest {
            id: RequestId,
            customer: CustomerId,
            kind: RequestKind,
            reason: String,
            #[serde(default)]
            attachments: Vec<Attachment>,
        },
        /// Approves or rejects the step of a request waiting on the actor.
        Decide {
            request: RequestId,
            approve: bool,
            #[serde(default)]
            comment: String,
        },
        /// The requester takes a request back.
        Withdraw {
            request: RequestId,
        },
        /// Expires every open request past its time (run by the system user).
        ExpireDue,
        /// Keeps the scorecard draft being edited (`None`: no draft).
        SaveDraft {
            draft: Option<Scorecard>,
        },
        /// Publishes a draft as the next version and regrades every customer.
        PublishScorecard {
            draft: Scorecard,
        },
        /// Saves the credit policy as its next version; a better grade with stricter rules needs
        /// `confirmed`.
        SavePolicy {
            policy: Policy,
            confirmed: bool,
        },
        /// Saves the approval routes as their next version (requests under way keep their route).
        SaveRoutes {
            routes: Routes,
            #[serde(default)]
            why: String,
        },
        /// Replaces the user directory (administrators only).
        SaveUsers {
            users: Vec<User>,
        },
        /// Saves the custom fields of the customer form as their next version (administrators
        /// only): a saved field is retired, never removed, and keeps its kind.
        SaveFields {
            fields: creditdesk_domain::fields::FieldSet,
            #[serde(default)]
            why: String,
            /// The field permissions are part of `fields` (false from a build older than them: the
            /// grants in force are kept rather than cleared by a form that never showed them).
            #[serde(default)]
            with_access: bool,
        },
        /// Saves the warning rules as their next version.
        SaveRules {
            rules: RuleSet,
            #[serde(default)]
            why: String,
        },
        /// Saves who is told what and how as its next version: an administrator saves all of it;
        /// anyone else only their own contact (address, webhook, language, channels), not their
        /// manager.
        SaveNotices {
            settings: creditdesk_domain::notice::Settings,
        },
        /// Records that a reminder about its open invoices went to a customer (the server sends
        /// it): to whom, and its subject, on the customer's trail and, as an e-mail contact with
        /// the id `id`, on its file (so the rep's device shows it on the timeline). An empty `id`
        /// (a command stored before reminders reached the file) records the trail entry only.
        ReminderSent {
            customer: CustomerId,
            to: String,
            subject: String,
            #[serde(default)]
            id: String,
        },
        /// Writes the checked rows of an import file in one transaction: imported orders pass the
        /// credit check (`blocked` says what becomes of those it stops), invoices move their orders
        /// on as a typed invoice does, and every record must be of a customer the actor sees.
        ImportBatch {
            kind: ImportKind,
            file: String,
            /// Data rows in the file, and how many of them were skipped as wrong.
            rows_total: usize,
            skipped: usize,
            records: Records,
            blocked: Blocked,
        },
        /// Acknowledges or resolves an alert.
        SetAlert {
            alert: String,
            status: AlertStatus,
        },
        /// Sets credit aside on a customer for the acting user until a day (at most 14 days): the
        /// headroom a sales rep takes into the field. Only what is available may be reserved.
        ReserveCredit {
            id: String,
            customer: CustomerId,
            amount: Money,
            until: Date,
        },
        /// Gives a reservation back (its holder, or whoever may edit the policy).
        ReleaseReservation {
            id: String,
        },
        /// Records what was done on a collection task: a note and its new status.
        UpdateTask {
            task: String,
            status: TaskStatus,
            note: String,
        },
    }
}

impl Command {
    /// The files whose bytes travel beside the command (a request's attachments, a document).
    pub fn attachments(&self) -> &[Attachment] {
        match self {
            Command::FileRequest { attachments, .. } => attachments,
            Command::AddDocument { file, .. } => std::slice::from_ref(file),
            _ => &[],
        }
    }

    /// The command's name, as the outbox and the server's answers show it.
    pub fn name(&self) -> &'static str {
        match self {
            Command::SaveCustomer { .. } => "save_customer",
            Command::RecordOrder { .. } => "record_order",
            Command::MoveOrder { .. } => "move_order",
            Command::CancelHeld { .. } => "cancel_held",
            Command::RecordInvoice { .. } => "record_invoice",
            Command::RecordPayment { .. } => "record_payment",
            Command::RecordCreditNote { .. } => "record_credit_note",
            Command::Correct { .. } => "correct",
            Command::OpenDispute { .. } => "open_dispute",
            Command::ResolveDispute { .. } => "resolve_dispute",
            Command::LogContact { .. } => "log_contact",
            Command::AddDocument { .. } => "add_document",
            Command::FileRequest { .. } => "file_request",
            Command::Decide { .. } => "decide",
            Command::Withdraw { .. } => "withdraw",
            Command::ExpireDue => "expire_due",
            Command::SaveDraft { .. } => "save_draft",
            Command::PublishScorecard { .. } => "publish_scorecard",
            Command::SavePolicy { .. } => "save_policy",
            Command::SaveRoutes { .. } => "save_routes",
            Command::SaveUsers { .. } => "save_users",
            Command::SaveRules { .. } => "save_rules",
            Command::SaveFields { .. } => "save_fields",
            Command::SaveNotices { .. } => "save_notices",
            Command::ReminderSent { .. } => "reminder_sent",
            Command::ImportBatch { .. } => "import_batch",
            Command::SetAlert { .. } => "set_alert",
            Command::UpdateTask { .. } => "update_task",
            Command::ReserveCredit { .. } => "reserve_credit",
            Command::ReleaseReservation { .. } => "release_reservation",
        }
    }
}

/// A record version a command was computed against (for a server to detect that it moved on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    pub entity: String,
    pub id: String,
    pub version: u32,
}

/// The outbox record of a command: the command itself with who, where, when, and the versions
/// it was based on. A server replays it as the signed-in user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: String,
    pub actor: String,
    pub device: String,
    pub at: i64,
    pub as_of: Date,
    #[serde(default)]
    pub base: Vec<Base>,
    pub command: Command,
}

/// An [`Envelope`] borrowed, for writing it: the same JSON without a copy of the command (an
/// import's holds every row of its file).
#[derive(Serialize)]
pub(crate) struct EnvelopeRef<'a> {
    pub id: &'a str,
    pub actor: &'a str,
    pub device: &'a str,
    pub at: i64,
    pub as_of: Date,
    pub base: &'a [Base],
    pub command: &'a Command,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_written_borrowed_reads_back_as_the_envelope() {
        let env = Envelope {
            id: "c-1".into(),
            actor: "rep-1".into(),
            device: "d-1".into(),
            at: 1_700_000_000_000,
            as_of: Date::parse("2026-11-28").unwrap(),
            base: vec![Base {
                entity: "customer".into(),
                id: "x".into(),
                version: 3,
            }],
            command: Command::MoveOrder {
                order: creditdesk_domain::id::OrderId::from_u128(7),
                to: OrderMove::Ship,
            },
        };
        let borrowed = EnvelopeRef {
            id: &env.id,
            actor: &env.actor,
            device: &env.device,
            at: env.at,
            as_of: env.as_of,
            base: &env.base,
            command: &env.command,
        };
        // The same text, key for key in the same order.
        let json = serde_json::to_string(&borrowed).unwrap();
        assert_eq!(json, serde_json::to_string(&env).unwrap());
        assert_eq!(serde_json::from_str::<Envelope>(&json).unwrap(), env);
    }

    /// The text of `v` (an object) with `type` first, as serde writes it, and with its keys
    /// sorted, as the outbox keeps it.
    fn both_orders(v: &serde_json::Value) -> [String; 2] {
        let mut rest = v.as_object().unwrap().clone();
        let tag = rest.remove("type").unwrap();
        let mut first = format!(r#"{{"type":{tag}"#);
        for (k, v) in &rest {
            first.push_str(&format!(",{}:{v}", serde_json::Value::String(k.clone())));
        }
        first.push('}');
        [first, v.to_string()]
    }

    /// A command written by a build older than one of its fields (left out: its default) reads
    /// as that default, whether its tag comes first or last.
    #[test]
    fn a_command_without_its_defaulted_fields_reads_with_their_defaults() {
        let customer = CustomerId::from_u128(3);
        let commands = [
            Command::Decide {
                request: RequestId::from_u128(9),
                approve: true,
                comment: String::new(),
            },
            Command::SaveRoutes {
                routes: Routes::default(),
                why: String::new(),
            },
            Command::SaveFields {
                fields: Default::default(),
                why: String::new(),
                with_access: false,
            },
            Command::SaveRules {
                rules: RuleSet::default(),
                why: String::new(),
            },
            Command::ReminderSent {
                customer,
                to: "a@b.cn".into(),
                subject: "s".into(),
                id: String::new(),
            },
            Command::FileRequest {
                id: RequestId::from_u128(4),
                customer,
                kind: RequestKind::Freeze,
                reason: "r".into(),
                attachments: Vec::new(),
            },
            Command::ExpireDue,
            Command::CancelHeld {
                order: OrderId::from_u128(5),
                reason: "r".into(),
            },
        ];
        let defaults = [
            "comment",
            "why",
            "with_access",
            "id",
            "attachments",
            "note",
            "reason",
        ];
        for cmd in commands {
            let mut v = serde_json::to_value(&cmd).unwrap();
            let o = v.as_object_mut().unwrap();
            for k in defaults {
                let empty =
                    |x: &serde_json::Value| x == "" || x == false || x == &serde_json::json!([]);
                if o.get(k).is_some_and(empty) {
                    o.remove(k);
                }
            }
            for text in both_orders(&v) {
                assert_eq!(
                    serde_json::from_str::<Command>(&text).unwrap(),
                    cmd,
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn a_command_whose_tag_is_given_twice_is_refused() {
        for text in [
            r#"{"type":"expire_due","type":"expire_due"}"#,
            r#"{"order":"00000000-0000-0000-0000-000000000005","reason":"r","type":"cancel_held","type":"cancel_held"}"#,
        ] {
            let e = serde_json::from_str::<Command>(text)
                .unwrap_err()
                .to_string();
            assert!(e.contains("duplicate field `type`"), "{text}: {e}");
        }
    }
}
