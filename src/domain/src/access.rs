//! Field-level permissions: per role and customer field (fixed or custom), hidden, read-only or
//! editable.
//!
//! - **Where they live.** The grants are part of the custom fields' document
//!   ([`FieldSet::access`]): one versioned, audited document configures the form, saved by
//!   administrators, synced and backed up with it.
//! - **Defaults keep the behaviour from before grants.** A field no grant names is editable by
//!   the roles that edit customers and read-only for the rest; a rating input (the external
//!   profile, and custom fields placed with it) is editable only by the profile's editors (the
//!   policy's `profile_editors`, finance by default).
//! - **A user with several roles** gets the most open of them (editable over read-only over
//!   hidden).
//! - **Grants only restrict.** A field a user may not edit by default (a rating input for one
//!   who is not a profile editor, anything for one who edits no customer) is never made editable
//!   by a grant: the commands would refuse the change anyway.
//! - **Hidden only from a role that reads no audit trail** ([`hideable_from`]): the trail keeps
//!   the before and after values of every change and is sent whole to the roles that may read
//!   it (its entries are hash-chained, so they are not redacted per user). Of the built-in roles
//!   that is the sales rep.
//! - **What cannot be hidden** ([`hideable`]): the fields every customer needs (name, region,
//!   industry, sales rep, first cooperation date, the language reminders are written in, a
//!   required custom field: a form without them could not be saved or a reminder written). They
//!   can be read-only.
//! - **Limits** ([`field::LIMITS`]) are not fields of the form: they change only through
//!   approved requests, so they are never editable by a grant. They can be hidden, but only from
//!   a role that reads no audit trail (the trail holds every limit change) and so approves
//!   nothing (see [`hideable_from`]): in the default roles, the sales rep. A user from whom they
//!   are hidden holds each customer's limits without their amounts (`Limits::hidden`, dates and
//!   the freeze kept), and so no figure made from them: the device's order check leaves the
//!   limit to the server (`credit::Reason::LimitUnchecked`), which holds or passes the order when
//!   it arrives; the rules on utilisation, unused limits and reviews are left to the server; limit
//!   requests come without the limits the user did not propose themselves
//!   (`Request::without_limits`); credit cannot be reserved (a reservation answers with what is
//!   available). What remains visible: whether an order passed, the freeze, the limit's dates,
//!   the tier a request is routed by, and the policy's limits per grade.
//! - **Rating inputs can be hidden** (the external profile, a custom field a model reads): the
//!   server then sends, in their place, their part of the customer's score (a sealed part, see
//!   [`crate::rating::sealed`]), so the device grades as the server does without holding them.
//!   Not from a role that edits scorecards ([`hideable_from`]): a model's what-if and back-test
//!   read every input.
//! - **Read-only protects what is saved.** Creating a customer fills its form, read-only fields
//!   included; after that a read-only field stays as saved. A hidden field stays empty in a new
//!   customer.
//! - **Enforcement.** A command that writes a field the user may not edit is refused at that
//!   field with `E-READ-ONLY` ([`locked`]). A hidden field keeps its saved value whatever a form
//!   sends ([`keep_hidden`]): the user's device never had it. The server strips hidden fields
//!   from the customers of a user's snapshot ([`strip`]) before anything is hashed or sent, so
//!   the value never reaches the device.

use crate::approval::{Permission, Role, User};
use crate::error::{FieldError, Problem};
use crate::fields::{FieldSet, Section};
use crate::party::{field, Customer, CustomerInput};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What a role may do with a field, least first.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Hidden,
    #[default]
    Read,
    Edit,
}

impl Access {
    pub const ALL: [Access; 3] = [Access::Hidden, Access::Read, Access::Edit];
    pub fn code(self) -> &'static str {
        match self {
            Access::Hidden => "hidden",
            Access::Read => "read",
            Access::Edit => "edit",
        }
    }
    pub fn from_code(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// One role's access to one field, in place of the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// A fixed field's name ([`FIXED`]) or `custom.<key>`.
    pub field: String,
    pub role: Role,
    pub access: Access,
}

/// The customer form's fixed fields, in the form's order: the names errors and grants use.
pub const FIXED: [&str; 19] = [
    field::NAME,
    field::USCC,
    field::CONTACT_PERSON,
    field::PHONE,
    field::EMAIL,
    field::ADDRESS,
    field::REGION,
    field::INDUSTRY,
    field::SALES_REP,
    field::FIRST_COOPERATION,
    field::LANG,
    field::REGISTERED_CAPITAL,
    field::FOUNDED,
    field::SHAREHOLDERS,
    field::LITIGATION_COUNT,
    field::LITIGATION_OPEN_AMOUNT,
    field::INDUSTRY_POSITION,
    field::REPORT_SCORE,
    field::REPORT_DATE,
];

/// The external profile's fields: the last eight of [`FIXED`].
pub fn profile() -> &'static [&'static str] {
    &FIXED[FIXED.len() - 8..]
}

/// Whether a field is a rating input only the profile's editors change by default: the external
/// profile (the last eight of [`FIXED`]), or a custom field placed with it.
fn is_profile(set: &FieldSet, name: &str) -> bool {
    profile().contains(&name)
        || name
            .strip_prefix("custom.")
            .and_then(|k| set.get(k))
            .is_some_and(|d| d.section == Section::Profile)
}

/// Whether a field may be hidden from a role (see the module docs).
pub fn hideable(set: &FieldSet, name: &str) -> bool {
    hideable_field(set, name)
}

/// Whether a field may be hidden from this role: only from a role that reads no audit trail
/// (the trail keeps every change's values, and is sent whole to those who read it); a hideable
/// field; no rating input from a role that edits scorecards (a draft's what-if and back-test
/// read every input); limits not from a role that sees every customer or edits the policy.
pub fn hideable_from(set: &FieldSet, name: &str, role: Role) -> bool {
    // The audit trail keeps every change's values, and reaches every role that may read it:
    // a field hidden from such a role would reach its devices there.
    if role.grants(Permission::ViewAudit) {
        return false;
    }
    if name == field::LIMITS {
        return !role.grants(Permission::EditPolicy) && !role.grants(Permission::SeeAllCustomers);
    }
    hideable_field(set, name)
        && !(rating_input(set, name) && role.grants(Permission::EditScorecard))
}

/// Whether a field is one a model may read: the external profile, or a custom field of any kind
/// but a date or several of a list.
pub fn rating_input(set: &FieldSet, name: &str) -> bool {
    is_profile(set, name)
        || name
            .strip_prefix("custom.")
            .and_then(|k| set.get(k))
            .is_some_and(|d| {
                !matches!(
                    d.kind,
                    crate::fields::FieldKind::Date | crate::fields::FieldKind::Multi
                )
            })
}

fn hideable_field(set: &FieldSet, name: &str) -> bool {
    let required_custom = name
        .strip_prefix("custom.")
        .and_then(|k| set.get(k))
        .is_some_and(|d| d.required);
    !matches!(
        name,
        field::NAME
            | field::REGION
            | field::INDUSTRY
            | field::SALES_REP
            | field::FIRST_COOPERATION
            | field::LANG
    ) && !required_custom
}

/// Whether a grant names a field of the form (a fixed one, or a custom field, retired or not),
/// or the limits.
pub fn known(set: &FieldSet, name: &str) -> bool {
    FIXED.contains(&name)
        || name == field::LIMITS
        || name
            .strip_prefix("custom.")
            .is_some_and(|k| set.get(k).is_some())
}

/// The access of someone with these roles when no grant names the field: editable when they
/// edit customers and, for a rating input, are one of the profile's editors; else read-only.
fn default_for(set: &FieldSet, roles: &[Role], name: &str, profile_editors: &[Role]) -> Access {
    let edits = User {
        id: String::new(),
        name: String::new(),
        roles: roles.to_vec(),
        region: String::new(),
    }
    .may(Permission::EditCustomers);
    let profile_ok = !is_profile(set, name) || roles.iter().any(|r| profile_editors.contains(r));
    // Limits change only through approved requests.
    if edits && profile_ok && name != field::LIMITS {
        Access::Edit
    } else {
        Access::Read
    }
}

/// A role's access to a field when no grant names it (what the matrix shows in brackets).
pub fn default_access(set: &FieldSet, role: Role, name: &str, profile_editors: &[Role]) -> Access {
    default_for(set, &[role], name, profile_editors)
}

/// A user's access to a field. With no grant on it for any of their roles, the user's default
/// (what their roles together may do). Otherwise the most open of their roles, each by its grant
/// or its own default, and never more than the user's default (grants only restrict).
pub fn access(set: &FieldSet, user: &User, name: &str, profile_editors: &[Role]) -> Access {
    let default = default_for(set, &user.roles, name, profile_editors);
    let grant = |r: &Role| {
        set.access
            .iter()
            .find(|g| g.role == *r && g.field == name)
            .map(|g| g.access)
    };
    if !user.roles.iter().any(|r| grant(r).is_some()) {
        return default;
    }
    user.roles
        .iter()
        .map(|r| grant(r).unwrap_or_else(|| default_for(set, &[*r], name, profile_editors)))
        .max()
        .unwrap_or(Access::Hidden)
        .min(default)
}

/// The names of every field a grant may name: the form's (fixed, then the custom ones, retired
/// too), then the limits.
fn all_fields(set: &FieldSet) -> impl Iterator<Item = Cow<'static, str>> + '_ {
    FIXED
        .iter()
        .map(|f| Cow::Borrowed(*f))
        .chain(set.fields.iter().map(|d| d.error_name()))
        .chain(std::iter::once(Cow::Borrowed(field::LIMITS)))
}

/// Whether a grant of the set hides the credit limits from `role` (what the approval routes may
/// not name).
pub fn hides_limits_from(set: &FieldSet, role: Role) -> bool {
    set.access
        .iter()
        .any(|g| g.role == role && g.field == field::LIMITS && g.access == Access::Hidden)
}

/// Whether the limits are among the hidden fields (as [`hidden`] names them).
pub fn hides_limits<S: AsRef<str>>(hidden: &[S]) -> bool {
    hidden.iter().any(|h| h.as_ref() == field::LIMITS)
}

/// The fields hidden from a user.
pub fn hidden(set: &FieldSet, user: &User, profile_editors: &[Role]) -> Vec<Cow<'static, str>> {
    // Without a grant nothing is hidden: skip the walk.
    if set.access.iter().all(|g| g.access != Access::Hidden) {
        return Vec::new();
    }
    all_fields(set)
        .filter(|f| access(set, user, f, profile_editors) == Access::Hidden)
        .collect()
}

/// A customer as a user may hold it: every field hidden from them emptied.
pub fn strip(c: &mut Customer, hidden: &[Cow<'static, str>]) {
    for f in hidden {
        match f.strip_prefix("custom.") {
            Some(k) => {
                c.custom.remove(k);
            }
            None => match f.as_ref() {
                field::USCC => c.uscc = None,
                field::CONTACT_PERSON => c.contact_person.clear(),
                field::PHONE => c.phone.clear(),
                field::ADDRESS => c.address.clear(),
                field::REGION => c.region.clear(),
                field::INDUSTRY => c.industry.clear(),
                field::EMAIL => {
                    c.email.clear();
                    // A reminder e-mailed to the customer records the address it went to.
                    for k in &mut c.contacts {
                        if k.channel == crate::contact::Channel::Email && k.with.contains('@') {
                            k.with.clear();
                        }
                    }
                }
                // The external profile: its part of the score comes sealed instead.
                field::REGISTERED_CAPITAL => c.profile.registered_capital = None,
                field::FOUNDED => c.profile.founded = None,
                field::SHAREHOLDERS => c.profile.shareholders.clear(),
                field::LITIGATION_COUNT => c.profile.litigation_count = None,
                field::LITIGATION_OPEN_AMOUNT => c.profile.litigation_open_amount = None,
                field::INDUSTRY_POSITION => c.profile.industry_position = None,
                field::REPORT_SCORE => c.profile.report_score = None,
                field::REPORT_DATE => c.profile.report_date = None,
                // The amounts go; the dates and the freeze stay (a rep must know an account
                // is frozen, and when its limit lapses).
                field::LIMITS => c.limits = c.limits.without_amounts(),
                // The rest cannot be hidden (see `hideable`).
                _ => {}
            },
        }
    }
}

/// A form's text of a fixed field.
fn text_mut<'a>(input: &'a mut CustomerInput, name: &str) -> Option<&'a mut String> {
    Some(match name {
        field::NAME => &mut input.name,
        field::USCC => &mut input.uscc,
        field::CONTACT_PERSON => &mut input.contact_person,
        field::PHONE => &mut input.phone,
        field::EMAIL => &mut input.email,
        field::ADDRESS => &mut input.address,
        field::REGION => &mut input.region,
        field::INDUSTRY => &mut input.industry,
        field::SALES_REP => &mut input.sales_rep,
        field::FIRST_COOPERATION => &mut input.first_cooperation,
        field::LANG => &mut input.lang,
        field::REGISTERED_CAPITAL => &mut input.registered_capital,
        field::FOUNDED => &mut input.founded,
        field::SHAREHOLDERS => &mut input.shareholders,
        field::LITIGATION_COUNT => &mut input.litigation_count,
        field::LITIGATION_OPEN_AMOUNT => &mut input.litigation_open_amount,
        field::INDUSTRY_POSITION => &mut input.industry_position,
        field::REPORT_SCORE => &mut input.report_score,
        field::REPORT_DATE => &mut input.report_date,
        _ => return None,
    })
}

fn text(input: &CustomerInput, name: &str) -> String {
    let mut i = input.clone();
    text_mut(&mut i, name).cloned().unwrap_or_default()
}

/// A form with every field hidden from its sender set to the saved value (none for a new
/// customer): what the sender's device never had, it cannot change or clear.
pub fn keep_hidden(
    input: &mut CustomerInput,
    prior: Option<&Customer>,
    hidden: &[Cow<'static, str>],
) {
    if hidden.is_empty() {
        return;
    }
    let saved = prior.map(CustomerInput::from_customer).unwrap_or_default();
    for f in hidden {
        match f.strip_prefix("custom.") {
            Some(k) => {
                if let Some(values) = input.custom.as_mut() {
                    match prior.and_then(|p| p.custom.get(k)) {
                        Some(v) => values.insert(k.to_string(), v.clone()),
                        None => values.remove(k),
                    };
                }
            }
            None => {
                if let Some(t) = text_mut(input, f) {
                    *t = text(&saved, f);
                }
            }
        }
    }
}

/// The fields a user changed that they may only read, each as an `E-READ-ONLY` error at the
/// field. For a saved customer, a read-only or hidden field's value must stay as it is
/// (compared as saved, so `12,000` for `12000.00` is no change). For a new one, only a hidden
/// field must be left empty (an import names every field; the form clears them first).
pub fn locked(
    set: &FieldSet,
    user: &User,
    profile_editors: &[Role],
    input: &CustomerInput,
    before: Option<&Customer>,
    after: &Customer,
) -> Vec<FieldError> {
    let (old, new) = (
        before.map(CustomerInput::from_customer),
        CustomerInput::from_customer(after),
    );
    let mut out = Vec::new();
    for f in all_fields(set) {
        let a = access(set, user, &f, profile_editors);
        if a == Access::Edit || (before.is_none() && a == Access::Read) {
            continue;
        }
        let changed = match (f.strip_prefix("custom."), &old) {
            (Some(k), Some(_)) => before.and_then(|b| b.custom.get(k)) != after.custom.get(k),
            (Some(k), None) => after.custom.get(k).is_some_and(|v| !v.is_empty()),
            (None, Some(old)) => text(old, &f) != text(&new, &f),
            (None, None) => !text(input, &f).trim().is_empty(),
        };
        if changed {
            out.push(FieldError {
                field: f,
                problem: Problem::ReadOnly,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> User {
        User {
            id: "u".into(),
            name: "U".into(),
            roles: roles.to_vec(),
            region: String::new(),
        }
    }

    fn grant(field: &str, role: Role, access: Access) -> Grant {
        Grant {
            field: field.into(),
            role,
            access,
        }
    }

    #[test]
    fn a_user_with_several_roles_gets_the_most_open_of_them_never_more_than_their_default() {
        use Role::*;
        let editors = [FinanceSpecialist];
        let set = FieldSet {
            access: vec![
                grant("phone", SalesRep, Access::Hidden),
                grant("registered_capital", FinanceSpecialist, Access::Read),
            ],
            ..FieldSet::default()
        };
        let check = |roles: &[Role], field: &str, want: Access| {
            assert_eq!(
                access(&set, &user(roles), field, &editors),
                want,
                "{roles:?} {field}"
            );
        };
        // A hidden phone, and a role that may only read it: read-only, not editable.
        check(&[SalesRep, GeneralManager], "phone", Access::Read);
        check(&[SalesRep], "phone", Access::Hidden);
        // The profile read-only for finance; a sales manager may not edit it anyway.
        check(
            &[SalesManager, FinanceSpecialist],
            "registered_capital",
            Access::Read,
        );
        // No grant on the field: what the roles together may do (a rep who is a profile editor).
        check(&[SalesRep, FinanceSpecialist], "founded", Access::Edit);
        check(&[GeneralManager], "address", Access::Read);
        // A grant never opens more than the default.
        let open = FieldSet {
            access: vec![grant("founded", SalesRep, Access::Edit)],
            ..FieldSet::default()
        };
        assert_eq!(
            access(&open, &user(&[SalesRep]), "founded", &editors),
            Access::Read
        );
    }

    #[test]
    fn limits_are_never_editable_by_a_grant_and_can_be_hidden_only_from_a_role_that_reads_no_trail()
    {
        use Role::*;
        let set = FieldSet::default();
        let check = |role: Role, hideable: bool| {
            assert_eq!(
                hideable_from(&set, field::LIMITS, role),
                hideable,
                "{role:?}"
            );
        };
        check(SalesRep, true);
        for role in [
            SalesManager,
            FinanceSpecialist,
            FinanceManager,
            Cfo,
            GeneralManager,
            Admin,
        ] {
            check(role, false);
        }
        // Read-only by default, for everyone: limits change through requests.
        let editors = [FinanceSpecialist];
        for role in Role::ALL {
            assert_eq!(
                access(&set, &user(&[role]), field::LIMITS, &editors),
                Access::Read
            );
        }
        let hidden_from_reps = FieldSet {
            access: vec![grant(field::LIMITS, SalesRep, Access::Hidden)],
            ..FieldSet::default()
        };
        assert!(hides_limits(&hidden(
            &hidden_from_reps,
            &user(&[SalesRep]),
            &editors
        )));
        // A rep who is also a sales manager reads them.
        assert!(!hides_limits(&hidden(
            &hidden_from_reps,
            &user(&[SalesRep, SalesManager]),
            &editors
        )));
        assert!(hidden_from_reps.problems().is_empty());
        let from_finance = FieldSet {
            access: vec![grant(field::LIMITS, FinanceSpecialist, Access::Hidden)],
            ..FieldSet::default()
        };
        let problems = from_finance.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code.code(), "FD-ACCESS-HIDDEN");
    }

    #[test]
    fn no_field_is_hidden_from_a_role_that_reads_the_audit_trail_which_keeps_every_value() {
        use Role::*;
        let set = FieldSet::default();
        for role in Role::ALL {
            let reads_trail = role.grants(Permission::ViewAudit);
            for f in ["phone", "email", "address", field::LIMITS] {
                assert_eq!(
                    hideable_from(&set, f, role),
                    !reads_trail,
                    "{f} from {role:?}"
                );
            }
        }
        // The phone hidden from the sales manager, who reads the trail: refused at the grant.
        let problems = FieldSet {
            access: vec![grant("phone", SalesManager, Access::Hidden)],
            ..FieldSet::default()
        }
        .problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code.code(), "FD-ACCESS-HIDDEN");
        assert!(problems[0].detail.contains("audit trail"), "{problems:?}");
    }
}
