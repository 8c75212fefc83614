//! Approval workflow (groundwork for the approval issue): roles, routes as data, the request
//! state machine with separation of duties, and a hash-chained audit trail. Pure: the time of an
//! action is handed in.

use crate::money::Money;
use crate::rating::Grade;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SalesRep,
    SalesManager,
    FinanceSpecialist,
    FinanceManager,
    Cfo,
    GeneralManager,
    Admin,
}

/// A person of the local user directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub region: String,
}

impl User {
    pub fn has(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }
}

/// How many of a step's roles must act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One approval from each listed role.
    AllOf,
    /// One approval from any listed role.
    AnyOf,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub roles: Vec<Role>,
    pub mode: Mode,
    /// Hours to act before a reminder; twice that escalates.
    pub due_hours: u32,
}

/// A tier of the route: applies to amounts up to `up_to` (inclusive; `None`: any amount).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub up_to: Option<Money>,
    pub steps: Vec<Step>,
}

/// What a request asks for, as far as routing cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    FirstApplication,
    PermanentChange,
    TemporaryLimit,
    Freeze,
    Unfreeze,
    GradeOverride,
    ReleaseHeldOrder,
}

/// The routes, as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routes {
    pub tiers: Vec<Tier>,
    /// AAA customers skip the last step of their tier (never below one step).
    pub aaa_simplified: bool,
    /// A freeze needs finance alone.
    pub freeze: Vec<Step>,
}

fn step(roles: &[Role], mode: Mode, due_hours: u32) -> Step {
    Step {
        roles: roles.to_vec(),
        mode,
        due_hours,
    }
}

impl Default for Routes {
    /// Our practice: under 50,000 sales manager + finance specialist; 50,000 to 200,000 adds the
    /// finance manager; over 200,000 adds the CFO or the general manager.
    fn default() -> Self {
        use Role::*;
        let base = vec![
            step(&[SalesManager], Mode::AllOf, 24),
            step(&[FinanceSpecialist], Mode::AllOf, 24),
        ];
        let mid = [base.clone(), vec![step(&[FinanceManager], Mode::AllOf, 48)]].concat();
        let top = [
            mid.clone(),
            vec![step(&[Cfo, GeneralManager], Mode::AnyOf, 72)],
        ]
        .concat();
        Routes {
            tiers: vec![
                Tier {
                    up_to: Some(Money::from_units(49_999) + Money::from_minor(99)),
                    steps: base,
                },
                Tier {
                    up_to: Some(Money::from_units(200_000)),
                    steps: mid,
                },
                Tier {
                    up_to: None,
                    steps: top,
                },
            ],
            aaa_simplified: true,
            freeze: vec![step(&[FinanceSpecialist, FinanceManager], Mode::AnyOf, 24)],
        }
    }
}

impl Routes {
    /// The steps a request takes. Unfreezing is routed like a change of the customer's limit.
    pub fn route(&self, kind: Kind, amount: Money, grade: Grade) -> Vec<Step> {
        if kind == Kind::Freeze {
            return self.freeze.clone();
        }
        let tier = self
            .tiers
            .iter()
            .find(|t| t.up_to.is_none_or(|u| amount <= u))
            .or(self.tiers.last());
        let mut steps = tier.map(|t| t.steps.clone()).unwrap_or_default();
        if self.aaa_simplified && grade == Grade::AAA && steps.len() > 1 {
            steps.pop();
        }
        steps
    }
}

/// Where a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    /// Waiting at step `k` (0-based).
    InStep(usize),
    Approved,
    Rejected,
    Withdrawn,
    Expired,
}

/// One decision recorded on a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub step: usize,
    pub user: String,
    pub role: Role,
    pub approve: bool,
    pub comment: String,
    /// Milliseconds since the epoch, handed in.
    pub at: i64,
}

/// A request moving through its route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub requester: String,
    pub steps: Vec<Step>,
    pub state: State,
    pub decisions: Vec<Decision>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalError {
    NotOpen,
    OwnRequest,
    AlreadyActed,
    WrongRole,
    CommentRequired,
    NotRequester,
    NoSteps,
}

impl Flow {
    pub fn new(requester: &str, steps: Vec<Step>) -> Flow {
        Flow {
            requester: requester.into(),
            steps,
            state: State::Draft,
            decisions: Vec::new(),
        }
    }

    pub fn submit(&mut self, user: &User) -> Result<(), ApprovalError> {
        if user.id != self.requester {
            return Err(ApprovalError::NotRequester);
        }
        if self.state != State::Draft {
            return Err(ApprovalError::NotOpen);
        }
        if self.steps.is_empty() {
            return Err(ApprovalError::NoSteps);
        }
        self.state = State::InStep(0);
        Ok(())
    }

    pub fn withdraw(&mut self, user: &User) -> Result<(), ApprovalError> {
        if user.id != self.requester {
            return Err(ApprovalError::NotRequester);
        }
        match self.state {
            State::Draft | State::InStep(_) => {
                self.state = State::Withdrawn;
                Ok(())
            }
            _ => Err(ApprovalError::NotOpen),
        }
    }

    /// Roles of the current step that still have to act.
    pub fn missing_roles(&self) -> Vec<Role> {
        let State::InStep(k) = self.state else {
            return Vec::new();
        };
        let step = &self.steps[k];
        let acted: Vec<Role> = self
            .decisions
            .iter()
            .filter(|d| d.step == k && d.approve)
            .map(|d| d.role)
            .collect();
        match step.mode {
            Mode::AnyOf if !acted.is_empty() => Vec::new(),
            Mode::AnyOf => step.roles.clone(),
            Mode::AllOf => step
                .roles
                .iter()
                .copied()
                .filter(|r| !acted.contains(r))
                .collect(),
        }
    }

    /// Approves or rejects the current step as `user` acting in `role`. Separation of duties:
    /// the requester never decides; a person decides at most one step; only the step's roles act;
    /// steps are taken in order; a rejection needs a comment.
    pub fn decide(
        &mut self,
        user: &User,
        role: Role,
        approve: bool,
        comment: &str,
        at: i64,
    ) -> Result<State, ApprovalError> {
        let State::InStep(k) = self.state else {
            return Err(ApprovalError::NotOpen);
        };
        if user.id == self.requester {
            return Err(ApprovalError::OwnRequest);
        }
        if self.decisions.iter().any(|d| d.user == user.id) {
            return Err(ApprovalError::AlreadyActed);
        }
        if !user.has(role) || !self.missing_roles().contains(&role) {
            return Err(ApprovalError::WrongRole);
        }
        if !approve && comment.trim().is_empty() {
            return Err(ApprovalError::CommentRequired);
        }
        self.decisions.push(Decision {
            step: k,
            user: user.id.clone(),
            role,
            approve,
            comment: comment.trim().into(),
            at,
        });
        self.state = if !approve {
            State::Rejected
        } else if !self.missing_roles().is_empty() {
            State::InStep(k)
        } else if k + 1 < self.steps.len() {
            State::InStep(k + 1)
        } else {
            State::Approved
        };
        Ok(self.state)
    }

    /// Whether the current step is past its due time (`since`: when the step was reached).
    pub fn overdue(&self, since: i64, now: i64) -> Option<Escalation> {
        let State::InStep(k) = self.state else {
            return None;
        };
        let due = self.steps[k].due_hours as i64 * 3_600_000;
        if now - since >= 2 * due {
            Some(Escalation::NextLevel)
        } else if now - since >= due {
            Some(Escalation::Reminder)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escalation {
    Reminder,
    NextLevel,
}

/// One entry of the append-only audit trail, chained to the one before by its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: i64,
    pub who: String,
    pub what: String,
    pub before: String,
    pub after: String,
    pub why: String,
    /// Hex SHA-256 of the previous entry (all zeros for the first).
    pub prev: String,
    /// Hex SHA-256 of this entry's fields and `prev`.
    pub hash: String,
}

fn digest(e: &AuditEntry) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        e.seq.to_string(),
        e.at.to_string(),
        e.who.clone(),
        e.what.clone(),
        e.before.clone(),
        e.after.clone(),
        e.why.clone(),
        e.prev.clone(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry to the trail, chaining it to the last.
pub fn append(
    trail: &mut Vec<AuditEntry>,
    at: i64,
    who: &str,
    what: &str,
    before: &str,
    after: &str,
    why: &str,
) {
    let prev = trail
        .last()
        .map_or_else(|| "0".repeat(64), |e| e.hash.clone());
    let mut e = AuditEntry {
        seq: trail.len() as u64,
        at,
        who: who.into(),
        what: what.into(),
        before: before.into(),
        after: after.into(),
        why: why.into(),
        prev,
        hash: String::new(),
    };
    e.hash = digest(&e);
    trail.push(e);
}

/// Recomputes the chain; `Err(seq)` names the first entry that does not verify.
pub fn verify(trail: &[AuditEntry]) -> Result<(), u64> {
    let mut prev = "0".repeat(64);
    for (i, e) in trail.iter().enumerate() {
        if e.seq != i as u64 || e.prev != prev || e.hash != digest(e) {
            return Err(i as u64);
        }
        prev = e.hash.clone();
    }
    Ok(())
}
