//! The approval workflow: roles and what each may do, routes as data, the request state machine
//! with separation of duties, deadlines, the inbox, and a hash-chained audit trail. Pure: the time
//! of every action (milliseconds since the epoch) is handed in.

use crate::money::Money;
use crate::rating::Grade;
use serde::{Deserialize, Serialize};

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

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

impl Role {
    pub const ALL: [Role; 7] = [
        Role::SalesRep,
        Role::SalesManager,
        Role::FinanceSpecialist,
        Role::FinanceManager,
        Role::Cfo,
        Role::GeneralManager,
        Role::Admin,
    ];

    /// A stable code, used in stored data and in the route editor.
    pub fn code(self) -> &'static str {
        match self {
            Role::SalesRep => "sales_rep",
            Role::SalesManager => "sales_manager",
            Role::FinanceSpecialist => "finance_specialist",
            Role::FinanceManager => "finance_manager",
            Role::Cfo => "cfo",
            Role::GeneralManager => "general_manager",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Who hears of a step that is late past its second deadline.
    pub fn next_level(self) -> Option<Role> {
        match self {
            Role::SalesRep => Some(Role::SalesManager),
            Role::SalesManager => Some(Role::GeneralManager),
            Role::FinanceSpecialist => Some(Role::FinanceManager),
            Role::FinanceManager => Some(Role::Cfo),
            Role::Cfo => Some(Role::GeneralManager),
            Role::GeneralManager | Role::Admin => None,
        }
    }

    pub fn grants(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::SalesRep => matches!(
                p,
                EditCustomers | RecordOrders | FileRequests | CancelHeldOrders | HandleDisputes
            ),
            Role::SalesManager => matches!(
                p,
                SeeAllCustomers
                    | HandleDisputes
                    | EditCustomers
                    | RecordOrders
                    | FileRequests
                    | CancelHeldOrders
                    | ViewAudit
            ),
            Role::FinanceSpecialist => matches!(
                p,
                SeeAllCustomers
                    | EditCustomers
                    | RecordOrders
                    | RecordReceivables
                    | CorrectLedger
                    | HandleDisputes
                    | FileRequests
                    | CancelHeldOrders
                    | EditScorecard
                    | ViewAudit
            ),
            Role::FinanceManager | Role::Cfo => !matches!(p, ManageUsers | EditFields | ResetData),
            Role::GeneralManager => matches!(p, SeeAllCustomers | FileRequests | ViewAudit),
            Role::Admin => true,
        }
    }
}

/// What a user may do. Approving is not a permission: it follows from the route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Otherwise a user sees the customers whose sales rep they are.
    SeeAllCustomers,
    EditCustomers,
    RecordOrders,
    /// Invoices, payments and credit notes.
    RecordReceivables,
    /// Void an invoice, a payment or a credit note, and reallocate a payment.
    CorrectLedger,
    /// Open a dispute, and resolve one as upheld or by a write-off request (a credit note needs
    /// `RecordReceivables` too).
    HandleDisputes,
    FileRequests,
    CancelHeldOrders,
    EditScorecard,
    PublishScorecard,
    EditPolicy,
    EditRoutes,
    ManageUsers,
    /// Define the custom fields of the customer form.
    EditFields,
    ViewAudit,
    /// Replace the data with the demo set or an empty start.
    ResetData,
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
    pub fn may(&self, p: Permission) -> bool {
        self.roles.iter().any(|r| r.grants(p))
    }
    /// Whether the user sees a customer whose sales rep is `sales_rep` (a user's id): their own,
    /// or every customer when their roles say so. Never by name: two people may share one.
    pub fn sees(&self, sales_rep: &str) -> bool {
        self.may(Permission::SeeAllCustomers) || self.id == sales_rep
    }
}

/// Problems of a user directory, each with a stable code and where.
pub fn directory_problems(users: &[User]) -> Vec<RouteProblem> {
    let mut out = Vec::new();
    for (i, u) in users.iter().enumerate() {
        let at = format!("user {}", i + 1);
        if u.name.trim().is_empty() {
            out.push(RouteProblem::new(
                RouteCode::UserNoName,
                &at,
                "a user needs a name",
            ));
        }
        if u.roles.is_empty() {
            out.push(RouteProblem::new(
                RouteCode::UserNoRole,
                &at,
                "a user needs at least one role",
            ));
        }
        if users[..i].iter().any(|o| o.id == u.id || o.name == u.name) {
            out.push(RouteProblem::new(
                RouteCode::UserTwice,
                &at,
                "two users share a name",
            ));
        }
    }
    if !users.iter().any(|u| u.has(Role::Admin)) {
        out.push(RouteProblem::new(
            RouteCode::NoAdmin,
            "directory",
            "someone must keep the admin role",
        ));
    }
    out
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
}

/// A tier of the routes: applies to amounts up to `up_to` (inclusive; `None`: any amount) of
/// customers of `grades` (empty: any grade).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub up_to: Option<Money>,
    #[serde(default)]
    pub grades: Vec<Grade>,
    pub steps: Vec<Step>,
    /// Hours each step has before its approvers are reminded.
    pub due_hours: u32,
    /// Hours after which a step still waiting is escalated to the next level up.
    pub escalate_hours: u32,
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
    /// Writing off a disputed amount.
    WriteOff,
}

/// The routes, as data. Versioned: every saved change is a new version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routes {
    pub version: u32,
    pub tiers: Vec<Tier>,
    /// AAA customers skip the last step of their tier (never below one step).
    pub aaa_simplified: bool,
    /// A freeze: finance alone.
    pub freeze: Tier,
    /// A request still open this many days after submission expires.
    pub expire_days: u32,
}

/// The steps a request takes, with their deadlines; copied into the request when it is
/// submitted, so that editing the routes later does not move requests under way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub steps: Vec<Step>,
    pub due_hours: u32,
    pub escalate_hours: u32,
    /// Which tier: 1-based; 0 for the freeze route.
    pub tier: usize,
    pub simplified: bool,
}

impl Route {
    /// When a request submitted at `at` must have its first step decided.
    pub fn first_due(&self, at: i64) -> i64 {
        at + self.due_hours as i64 * HOUR_MS
    }
}

/// Who of `users` may act in a step that needs one of `roles`: never the requester (no one
/// approves their own request).
pub fn approvers<'a>(users: &'a [User], roles: &[Role], requester: &str) -> Vec<&'a User> {
    users
        .iter()
        .filter(|u| u.id != requester && roles.iter().any(|r| u.has(*r)))
        .collect()
}

fn step(roles: &[Role], mode: Mode) -> Step {
    Step {
        roles: roles.to_vec(),
        mode,
    }
}

impl Default for Routes {
    /// Our practice: under 50,000 sales manager + finance specialist; 50,000 to 200,000 adds the
    /// finance manager; over 200,000 adds the CFO or the general manager.
    fn default() -> Self {
        use Role::*;
        let base = vec![
            step(&[SalesManager], Mode::AllOf),
            step(&[FinanceSpecialist], Mode::AllOf),
        ];
        let mid = [base.clone(), vec![step(&[FinanceManager], Mode::AllOf)]].concat();
        let top = [mid.clone(), vec![step(&[Cfo, GeneralManager], Mode::AnyOf)]].concat();
        let tier = |up_to, steps, due_hours| Tier {
            up_to,
            grades: Vec::new(),
            steps,
            due_hours,
            escalate_hours: 2 * due_hours,
        };
        Routes {
            version: 1,
            tiers: vec![
                tier(
                    Some(Money::from_units(49_999) + Money::from_minor(99)),
                    base,
                    24,
                ),
                tier(Some(Money::from_units(200_000)), mid, 24),
                tier(None, top, 48),
            ],
            aaa_simplified: true,
            freeze: tier(
                None,
                vec![step(&[FinanceSpecialist, FinanceManager], Mode::AnyOf)],
                8,
            ),
            expire_days: 14,
        }
    }
}

/// What is wrong with the approval routes (`R…`) or the user directory (`U…`).
/// [`RouteCode::code`] is the stable code the UI shows and tests match on; it is also how the
/// code is serialised, so a [`RouteProblem`] as JSON reads `"code":"R001"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum RouteCode {
    /// `R000`: the user's role may not change the routes (raised by the app's command).
    NotAllowed,
    /// `R001`: there is no tier.
    NoTier,
    /// `R002`: a tier (or the freeze route) has no step.
    NoStep,
    /// `R003`: a step names no role.
    NoRole,
    /// `R004`: a step lists a role twice.
    RoleTwice,
    /// `R005`: a due time is outside 1 to 720 hours.
    DueHours,
    /// `R006`: an escalation time is not after the due time, or is over 1,440 hours.
    EscalateHours,
    /// `R007`: the amounts of the tiers that apply to every grade do not rise from tier to tier.
    AmountsNotRising,
    /// `R008`: no tier takes any amount of any grade (the last one must).
    NoCatchAll,
    /// `R009`: the days after which requests expire are outside 1 to 365.
    ExpireDays,
    /// `R010`: a tier's amount is negative.
    NegativeAmount,
    /// `R011`: a number in the route editor, as typed, is not a number (raised by the UI).
    NotANumber,
    /// `R012`: a step names a role from whom the credit limits are hidden (raised by the app's
    /// command): an approver decides knowing the limit.
    HiddenLimits,
    /// `R-STORE`: the routes could not be saved for another reason, such as the database
    /// (raised by the UI).
    Store,
    /// `U000`: only an admin may change the user directory (raised by the app's command).
    DirectoryNotAllowed,
    /// `U001`: a user has no name.
    UserNoName,
    /// `U002`: a user has no role.
    UserNoRole,
    /// `U003`: two users share a name (or an id).
    UserTwice,
    /// `U004`: nobody keeps the admin role.
    NoAdmin,
    /// `U005`: a user to be removed is still some customers' sales rep (raised by the app's
    /// command, which knows the customers).
    UserStillRep,
    /// `U-STORE`: the user directory could not be saved for another reason, such as the database
    /// (raised by the UI).
    DirectoryStore,
}

impl RouteCode {
    /// Every code.
    pub const ALL: [RouteCode; 20] = [
        RouteCode::NotAllowed,
        RouteCode::NoTier,
        RouteCode::NoStep,
        RouteCode::NoRole,
        RouteCode::RoleTwice,
        RouteCode::DueHours,
        RouteCode::EscalateHours,
        RouteCode::AmountsNotRising,
        RouteCode::NoCatchAll,
        RouteCode::ExpireDays,
        RouteCode::NegativeAmount,
        RouteCode::NotANumber,
        RouteCode::Store,
        RouteCode::DirectoryNotAllowed,
        RouteCode::UserNoName,
        RouteCode::UserNoRole,
        RouteCode::UserTwice,
        RouteCode::NoAdmin,
        RouteCode::UserStillRep,
        RouteCode::DirectoryStore,
    ];

    /// The stable code, e.g. `R001`.
    pub fn code(self) -> &'static str {
        match self {
            RouteCode::NotAllowed => "R000",
            RouteCode::NoTier => "R001",
            RouteCode::NoStep => "R002",
            RouteCode::NoRole => "R003",
            RouteCode::RoleTwice => "R004",
            RouteCode::DueHours => "R005",
            RouteCode::EscalateHours => "R006",
            RouteCode::AmountsNotRising => "R007",
            RouteCode::NoCatchAll => "R008",
            RouteCode::ExpireDays => "R009",
            RouteCode::NegativeAmount => "R010",
            RouteCode::NotANumber => "R011",
            RouteCode::HiddenLimits => "R012",
            RouteCode::Store => "R-STORE",
            RouteCode::DirectoryNotAllowed => "U000",
            RouteCode::UserNoName => "U001",
            RouteCode::UserNoRole => "U002",
            RouteCode::UserTwice => "U003",
            RouteCode::NoAdmin => "U004",
            RouteCode::UserStillRep => "U005",
            RouteCode::DirectoryStore => "U-STORE",
        }
    }

    pub fn from_code(code: &str) -> Option<RouteCode> {
        RouteCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

impl std::fmt::Display for RouteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<RouteCode> for &'static str {
    fn from(c: RouteCode) -> &'static str {
        c.code()
    }
}

impl TryFrom<String> for RouteCode {
    type Error = String;
    fn try_from(s: String) -> Result<RouteCode, String> {
        RouteCode::from_code(&s).ok_or_else(|| format!("unknown route problem code {s:?}"))
    }
}

/// A problem of the routes (or of the user directory), with a stable code and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteProblem {
    pub code: RouteCode,
    pub at: String,
    pub detail: String,
}

impl RouteProblem {
    fn new(code: RouteCode, at: &str, detail: &str) -> RouteProblem {
        RouteProblem {
            code,
            at: at.into(),
            detail: detail.into(),
        }
    }
}

impl Routes {
    /// Every role a step of a tier or of the freeze route names.
    pub fn approver_roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .tiers
            .iter()
            .chain(std::iter::once(&self.freeze))
            .flat_map(|t| t.steps.iter().flat_map(|s| s.roles.iter().copied()))
            .collect();
        crate::sort::by_key(&mut roles, |r| r.code());
        roles.dedup();
        roles
    }

    /// The route a request takes. Unfreezing is routed like a change of the customer's limit.
    pub fn route(&self, kind: Kind, amount: Money, grade: Grade) -> Route {
        if kind == Kind::Freeze {
            return Route {
                steps: self.freeze.steps.clone(),
                due_hours: self.freeze.due_hours,
                escalate_hours: self.freeze.escalate_hours,
                tier: 0,
                simplified: false,
            };
        }
        let fits = |t: &&Tier| t.grades.is_empty() || t.grades.contains(&grade);
        let found = self
            .tiers
            .iter()
            .enumerate()
            .find(|(_, t)| fits(t) && t.up_to.is_none_or(|u| amount <= u))
            .or_else(|| self.tiers.iter().enumerate().rfind(|(_, t)| fits(t)));
        let Some((i, t)) = found else {
            return Route {
                steps: Vec::new(),
                due_hours: 24,
                escalate_hours: 48,
                tier: 0,
                simplified: false,
            };
        };
        let mut steps = t.steps.clone();
        let simplified = self.aaa_simplified && grade == Grade::AAA && steps.len() > 1;
        if simplified {
            steps.pop();
        }
        Route {
            steps,
            due_hours: t.due_hours,
            escalate_hours: t.escalate_hours,
            tier: i + 1,
            simplified,
        }
    }

    /// Every problem of the routes; empty when they may be saved.
    pub fn problems(&self) -> Vec<RouteProblem> {
        let mut out = Vec::new();
        let check_tier = |t: &Tier, at: &str, out: &mut Vec<RouteProblem>| {
            if t.steps.is_empty() {
                out.push(RouteProblem::new(
                    RouteCode::NoStep,
                    at,
                    "a tier needs at least one step",
                ));
            }
            for (k, s) in t.steps.iter().enumerate() {
                let at = format!("{at}, step {}", k + 1);
                if s.roles.is_empty() {
                    out.push(RouteProblem::new(
                        RouteCode::NoRole,
                        &at,
                        "a step needs a role",
                    ));
                }
                if s.roles
                    .iter()
                    .enumerate()
                    .any(|(i, r)| s.roles[..i].contains(r))
                {
                    out.push(RouteProblem::new(
                        RouteCode::RoleTwice,
                        &at,
                        "a role is listed twice",
                    ));
                }
            }
            if !(1..=720).contains(&t.due_hours) {
                out.push(RouteProblem::new(
                    RouteCode::DueHours,
                    at,
                    "the due time must be 1 to 720 hours",
                ));
            }
            if t.escalate_hours <= t.due_hours || t.escalate_hours > 1440 {
                out.push(RouteProblem::new(
                    RouteCode::EscalateHours,
                    at,
                    "escalation must come after the due time, within 1,440 hours",
                ));
            }
        };
        if self.tiers.is_empty() {
            out.push(RouteProblem::new(
                RouteCode::NoTier,
                "routes",
                "there is no tier",
            ));
        }
        let mut last: Option<Money> = None;
        for (i, t) in self.tiers.iter().enumerate() {
            let at = format!("tier {}", i + 1);
            check_tier(t, &at, &mut out);
            if t.grades.is_empty() {
                if let (Some(prev), Some(up)) = (last, t.up_to) {
                    if up <= prev {
                        out.push(RouteProblem::new(
                            RouteCode::AmountsNotRising,
                            &at,
                            "amounts must rise from tier to tier",
                        ));
                    }
                }
                if t.up_to.is_some() {
                    last = t.up_to;
                }
                if t.up_to.is_some_and(|u| u.is_negative()) {
                    out.push(RouteProblem::new(
                        RouteCode::NegativeAmount,
                        &at,
                        "an amount cannot be negative",
                    ));
                }
            }
        }
        if !self
            .tiers
            .iter()
            .any(|t| t.grades.is_empty() && t.up_to.is_none())
        {
            out.push(RouteProblem::new(
                RouteCode::NoCatchAll,
                "routes",
                "the last tier must take any amount of any grade",
            ));
        }
        check_tier(&self.freeze, "freeze", &mut out);
        if !(1..=365).contains(&self.expire_days) {
            out.push(RouteProblem::new(
                RouteCode::ExpireDays,
                "routes",
                "requests must expire after 1 to 365 days",
            ));
        }
        out
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

impl State {
    pub fn is_open(self) -> bool {
        matches!(self, State::Draft | State::InStep(_))
    }
    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::InStep(_) => "in_step",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::Expired => "expired",
        }
    }
}

/// One decision recorded on a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub step: usize,
    pub user: String,
    pub role: Role,
    pub approve: bool,
    pub comment: String,
    pub at: i64,
}

/// A request moving through its route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub requester: String,
    pub route: Route,
    pub state: State,
    pub decisions: Vec<Decision>,
    /// When it was submitted, and when the current step was reached (0 while a draft).
    pub submitted_at: i64,
    pub step_since: i64,
    /// When it was closed (approved, rejected, withdrawn or expired).
    pub closed_at: Option<i64>,
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
    NotPermitted,
}

impl ApprovalError {
    pub fn code(self) -> &'static str {
        match self {
            ApprovalError::NotOpen => "A-NOT-OPEN",
            ApprovalError::OwnRequest => "A-OWN-REQUEST",
            ApprovalError::AlreadyActed => "A-ALREADY-ACTED",
            ApprovalError::WrongRole => "A-WRONG-ROLE",
            ApprovalError::CommentRequired => "A-COMMENT",
            ApprovalError::NotRequester => "A-NOT-REQUESTER",
            ApprovalError::NoSteps => "A-NO-STEPS",
            ApprovalError::NotPermitted => "A-NOT-PERMITTED",
        }
    }
}

/// How late a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escalation {
    Reminder,
    NextLevel,
}

impl Flow {
    pub fn new(requester: &str, route: Route) -> Flow {
        Flow {
            requester: requester.into(),
            route,
            state: State::Draft,
            decisions: Vec::new(),
            submitted_at: 0,
            step_since: 0,
            closed_at: None,
        }
    }

    pub fn submit(&mut self, user: &User, at: i64) -> Result<(), ApprovalError> {
        if user.id != self.requester {
            return Err(ApprovalError::NotRequester);
        }
        if !user.may(Permission::FileRequests) {
            return Err(ApprovalError::NotPermitted);
        }
        if self.state != State::Draft {
            return Err(ApprovalError::NotOpen);
        }
        if self.route.steps.is_empty() {
            return Err(ApprovalError::NoSteps);
        }
        self.state = State::InStep(0);
        self.submitted_at = at;
        self.step_since = at;
        Ok(())
    }

    pub fn withdraw(&mut self, user: &User, at: i64) -> Result<(), ApprovalError> {
        if user.id != self.requester {
            return Err(ApprovalError::NotRequester);
        }
        if !self.state.is_open() {
            return Err(ApprovalError::NotOpen);
        }
        self.state = State::Withdrawn;
        self.closed_at = Some(at);
        Ok(())
    }

    /// Closes a request still open; the caller decides when (see `Request::expires`).
    pub fn expire(&mut self, at: i64) -> Result<(), ApprovalError> {
        if !self.state.is_open() {
            return Err(ApprovalError::NotOpen);
        }
        self.state = State::Expired;
        self.closed_at = Some(at);
        Ok(())
    }

    /// Roles of the current step that still have to act.
    pub fn missing_roles(&self) -> Vec<Role> {
        let State::InStep(k) = self.state else {
            return Vec::new();
        };
        let step = &self.route.steps[k];
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

    /// The role in which `user` may act on the current step, if any.
    pub fn can_act(&self, user: &User) -> Option<Role> {
        if user.id == self.requester || self.decisions.iter().any(|d| d.user == user.id) {
            return None;
        }
        self.missing_roles().into_iter().find(|r| user.has(*r))
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
        } else if k + 1 < self.route.steps.len() {
            self.step_since = at;
            State::InStep(k + 1)
        } else {
            State::Approved
        };
        if !self.state.is_open() {
            self.closed_at = Some(at);
        }
        Ok(self.state)
    }

    /// When the current step is due, and when it escalates.
    pub fn deadlines(&self) -> Option<(i64, i64)> {
        matches!(self.state, State::InStep(_)).then(|| {
            (
                self.step_since + self.route.due_hours as i64 * HOUR_MS,
                self.step_since + self.route.escalate_hours as i64 * HOUR_MS,
            )
        })
    }

    /// Whether the current step is late at `now`.
    pub fn overdue(&self, now: i64) -> Option<Escalation> {
        let (due, escalate) = self.deadlines()?;
        if now >= escalate {
            Some(Escalation::NextLevel)
        } else if now >= due {
            Some(Escalation::Reminder)
        } else {
            None
        }
    }

    /// Why a request shows in `user`'s inbox, if it does.
    pub fn inbox_reason(&self, user: &User, now: i64) -> Option<Inbox> {
        if self.can_act(user).is_some() {
            return Some(match self.overdue(now) {
                Some(_) => Inbox::Overdue,
                None => Inbox::Waiting,
            });
        }
        if self.overdue(now) == Some(Escalation::NextLevel)
            && user.id != self.requester
            && self
                .missing_roles()
                .iter()
                .any(|r| r.next_level().is_some_and(|n| user.has(n)))
        {
            return Some(Inbox::Escalated);
        }
        (user.id == self.requester).then_some(Inbox::Mine)
    }
}

/// Why a request is in someone's inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Inbox {
    /// Late: the user must act, and the due time has passed (a reminder).
    Overdue,
    /// The user may act on it now.
    Waiting,
    /// Late past the second deadline; the user is the next level up of a role that must act.
    Escalated,
    /// The user filed it.
    Mine,
}

/// One entry of the append-only audit trail, chained to the one before by its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: i64,
    /// The user's id.
    pub who: String,
    /// What happened: a stable code such as `request.approved` or `limits.changed`.
    pub what: String,
    /// What it happened to, such as `customer:<id>` or `policy`.
    pub subject: String,
    pub before: String,
    pub after: String,
    pub why: String,
    /// Hex SHA-256 of the previous entry (all zeros for the first).
    pub prev: String,
    /// Hex SHA-256 of this entry's fields and `prev`.
    pub hash: String,
}

/// Hex SHA-256 of some bytes (a file's fingerprint in an audit entry).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut parts = Sha256Parts::default();
    parts.update(bytes);
    parts.hex()
}

/// The SHA-256 of bytes that come in parts (a file read a slice at a time): the same hex as
/// [`sha256_hex`] of them whole.
#[derive(Clone, Default)]
pub struct Sha256Parts(sha2::Sha256);

impl Sha256Parts {
    pub fn update(&mut self, part: &[u8]) {
        sha2::Digest::update(&mut self.0, part);
    }
    pub fn hex(self) -> String {
        sha2::Digest::finalize(self.0)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn digest(e: &AuditEntry) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        e.seq.to_string().as_str(),
        e.at.to_string().as_str(),
        &e.who,
        &e.what,
        &e.subject,
        &e.before,
        &e.after,
        &e.why,
        &e.prev,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What an audit entry records, before it is chained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub who: String,
    pub what: String,
    pub subject: String,
    pub before: String,
    pub after: String,
    pub why: String,
}

/// The `prev` of the trail's first entry: it follows no entry.
const NO_ENTRY: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether `entries` (as [`chain`] made them) chain on from `head`: the first names it as the
/// one before, or no entry when the trail is empty.
pub fn follows(entries: &[AuditEntry], head: Option<&AuditEntry>) -> bool {
    entries.first().is_none_or(|e| match head {
        Some(h) => e.seq == h.seq + 1 && e.prev == h.hash,
        None => e.seq == 0 && e.prev == NO_ENTRY,
    })
}

/// Chains events after `head` (the last entry of the trail, if any), all at `at`.
pub fn chain(head: Option<&AuditEntry>, at: i64, events: Vec<Event>) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = Vec::with_capacity(events.len());
    for ev in events {
        let last = out.last().or(head);
        let mut e = AuditEntry {
            seq: last.map_or(0, |l| l.seq + 1),
            at,
            who: ev.who,
            what: ev.what,
            subject: ev.subject,
            before: ev.before,
            after: ev.after,
            why: ev.why,
            prev: last.map_or_else(|| NO_ENTRY.to_string(), |l| l.hash.clone()),
            hash: String::new(),
        };
        e.hash = digest(&e);
        out.push(e);
    }
    out
}

/// Recomputes the chain; `Err(seq)` names the first entry that does not verify (a changed
/// field, a missing entry, or entries out of order).
pub fn verify(trail: &[AuditEntry]) -> Result<(), u64> {
    let mut prev = NO_ENTRY.to_string();
    for (i, e) in trail.iter().enumerate() {
        if e.seq != i as u64 || e.prev != prev || e.hash != digest(e) {
            return Err(i as u64);
        }
        prev = e.hash.clone();
    }
    Ok(())
}
