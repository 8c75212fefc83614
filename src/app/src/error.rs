//! Why a command was refused. Nothing is written when a command fails.

use creditdesk_domain::approval::{ApprovalError, RouteProblem};
use creditdesk_domain::credit::PolicyProblem;
use creditdesk_domain::credit::Reason;
use creditdesk_domain::monitor::RuleProblem;
use creditdesk_domain::rating::ModelProblem;
use creditdesk_domain::{FieldError, Money};

/// The stable code of a refusal (`CMD-…`; the workflow's own refusals keep their `A-…` codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    NotPermitted,
    NotYours,
    Unknown,
    Invalid,
    Workflow,
    CreditBlocked,
    NotPaid,
    WrongState,
    Model,
    Config,
    Rows,
    Store,
    Reservation,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NotPermitted => "CMD-NOT-PERMITTED",
            Code::NotYours => "CMD-NOT-YOURS",
            Code::Unknown => "CMD-UNKNOWN",
            Code::Invalid => "CMD-INVALID",
            Code::Workflow => "CMD-WORKFLOW",
            Code::CreditBlocked => "CMD-CREDIT-BLOCKED",
            Code::NotPaid => "CMD-NOT-PAID",
            Code::WrongState => "CMD-WRONG-STATE",
            Code::Model => "CMD-MODEL",
            Code::Config => "CMD-CONFIG",
            Code::Rows => "CMD-ROWS",
            Code::Store => "CMD-STORE",
            Code::Reservation => "CMD-RESERVATION",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum CommandError {
    /// The actor's roles do not allow it.
    NotPermitted(&'static str),
    /// The customer is another sales rep's (the data is not shown either).
    NotYours,
    /// No such record: `what` names the kind (`customer`, `order`, `request`).
    Unknown(&'static str),
    /// Field by field, as the form shows them.
    Invalid(Vec<FieldError>),
    /// The approval workflow refused (own request, wrong role, closed...).
    Workflow(ApprovalError),
    /// The credit check blocks moving the order on, for these reasons.
    CreditBlocked(Vec<Reason>),
    /// A prepaid order ships only when what is paid on it covers it.
    NotPaid { paid: Money, needed: Money },
    /// The record is not in a state that allows this (`detail` says which).
    WrongState(&'static str),
    /// The scorecard breaks these rules.
    Model(Vec<ModelProblem>),
    /// The policy has these problems (some may only need confirming).
    Policy(Vec<PolicyProblem>),
    /// The routes or the user directory have these problems.
    Routes(Vec<RouteProblem>),
    /// The warning rules have these problems.
    Rules(Vec<RuleProblem>),
    /// The custom field definitions have these problems.
    Fields(Vec<creditdesk_domain::fields::FieldProblem>),
    /// The notice settings have these problems.
    Notices(Vec<creditdesk_domain::notice::Problem>),
    /// Rows of an import that may not be written, each said in a sentence naming its record.
    Rows(Vec<String>),
    /// The store failed; nothing was written.
    Store(String),
    /// A reservation of credit that may not be made as asked (amount, end day).
    Reservation(&'static str),
}

impl CommandError {
    pub fn code(&self) -> Code {
        match self {
            CommandError::NotPermitted(_) => Code::NotPermitted,
            CommandError::NotYours => Code::NotYours,
            CommandError::Unknown(_) => Code::Unknown,
            CommandError::Invalid(_) => Code::Invalid,
            CommandError::Workflow(_) => Code::Workflow,
            CommandError::CreditBlocked(_) => Code::CreditBlocked,
            CommandError::NotPaid { .. } => Code::NotPaid,
            CommandError::WrongState(_) => Code::WrongState,
            CommandError::Model(_) => Code::Model,
            CommandError::Policy(_)
            | CommandError::Routes(_)
            | CommandError::Rules(_)
            | CommandError::Fields(_)
            | CommandError::Notices(_) => Code::Config,
            CommandError::Rows(_) => Code::Rows,
            CommandError::Store(_) => Code::Store,
            CommandError::Reservation(_) => Code::Reservation,
        }
    }
}

impl From<ApprovalError> for CommandError {
    fn from(e: ApprovalError) -> Self {
        match e {
            ApprovalError::NotPermitted => CommandError::NotPermitted("file requests"),
            e => CommandError::Workflow(e),
        }
    }
}

impl From<creditdesk_storage::StoreError> for CommandError {
    fn from(e: creditdesk_storage::StoreError) -> Self {
        CommandError::Store(e.to_string())
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = self.code().as_str();
        match self {
            CommandError::NotPermitted(what) => write!(f, "{code}: your role may not {what}"),
            CommandError::NotYours => write!(f, "{code}: this customer is not yours"),
            CommandError::Unknown(what) => write!(f, "{code}: no such {what}"),
            CommandError::Invalid(errs) => {
                write!(f, "{code}: ")?;
                for (i, e) in errs.iter().enumerate() {
                    write!(
                        f,
                        "{}{}: {:?}",
                        if i > 0 { "; " } else { "" },
                        e.field,
                        e.problem
                    )?;
                }
                Ok(())
            }
            CommandError::Workflow(a) => write!(f, "{}: the workflow refused", a.code()),
            CommandError::CreditBlocked(r) => {
                write!(f, "{code}: the credit check blocks it ({r:?})")
            }
            CommandError::NotPaid { paid, needed } => write!(
                f,
                "{code}: paid {} of {}",
                paid.format_cny(),
                needed.format_cny()
            ),
            CommandError::WrongState(s) => write!(f, "{code}: {s}"),
            CommandError::Model(p) => write!(f, "{code}: {} problems", p.len()),
            CommandError::Policy(p) => write!(f, "{code}: {} problems in the policy", p.len()),
            CommandError::Routes(p) => write!(f, "{code}: {} problems in the routes", p.len()),
            CommandError::Rules(p) => write!(f, "{code}: {} problems in the rules", p.len()),
            CommandError::Fields(p) => write!(
                f,
                "{code}: {}",
                p.iter()
                    .map(|p| format!("{} {}: {}", p.code, p.at, p.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            CommandError::Notices(p) => write!(
                f,
                "{code}: {}",
                p.iter()
                    .map(|p| format!("{} {}: {}", p.code, p.at, p.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            CommandError::Rows(rows) => write!(f, "{code}: {}", rows.join("; ")),
            CommandError::Store(s) => write!(f, "{code}: {s}"),
            CommandError::Reservation(s) => write!(f, "{code}: {s}"),
        }
    }
}
