//! Custom fields: the fields an administrator adds to the customer form without code.
//!
//! A [`FieldSet`] is one versioned document holding every definition, retired ones included: a
//! field is retired, never deleted, so the values customers hold stay readable and exported.
//! Each [`FieldDef`] says how a value is typed ([`FieldKind`]), whether it is required, its
//! limits (a length for text, a value for numbers and money, a day for dates, a count for a
//! multiple choice) and an optional pattern for text, and where it appears (a [`Section`] of the
//! form and an order in it).
//!
//! Values live on the customer as text in one canonical form per kind (`Customer::custom`), so
//! the document, the backup and the sync carry them as they are: a number `1234.5`, money
//! `1234.50` (yuan), a day `2026-03-31`, yes/no `yes` or `no`, a choice its option's key, a
//! multiple choice its keys joined by commas in the options' order. [`FieldDef::parse`] turns
//! what a person typed into that form or says what is wrong with it; [`check_values`] does it for
//! a whole form, collecting every problem under the field's name `custom.<key>`.
//!
//! [`FieldSet::problems`] checks a set of definitions as a whole, and against the set it
//! replaces ([`FieldSet::changes_from`]): a key stays, a field's kind never changes, a field is
//! not removed (retire it), an option is not removed (retire it). Every problem carries a
//! stable code and where it is, all of them at once.

use crate::date::Date;
use crate::error::{FieldError, Problem};
use crate::money::Money;
use crate::rating::Fixed;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// How a field's value is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// A number with at most two decimals.
    Number,
    /// An amount in yuan, to the fen.
    Money,
    Date,
    YesNo,
    /// One of the field's options.
    Choice,
    /// Any number of the field's options.
    Multi,
}

impl FieldKind {
    pub const ALL: [FieldKind; 7] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Money,
        FieldKind::Date,
        FieldKind::YesNo,
        FieldKind::Choice,
        FieldKind::Multi,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Money => "money",
            FieldKind::Date => "date",
            FieldKind::YesNo => "yes_no",
            FieldKind::Choice => "choice",
            FieldKind::Multi => "multi",
        }
    }
    pub fn from_code(code: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.code() == code)
    }
    /// Whether values are options of the field.
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Choice | FieldKind::Multi)
    }
    /// Whether the kind's values compare as numbers (rules and the scorecard read them so).
    pub fn is_numeric(self) -> bool {
        matches!(self, FieldKind::Number | FieldKind::Money)
    }
}

/// The part of the customer form a field appears in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// With the name, region and industry.
    Basic,
    /// With the contact person, phone and address.
    Contact,
    /// With the external profile (the rating inputs).
    Profile,
    /// A section of its own after the others.
    #[default]
    More,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Basic,
        Section::Contact,
        Section::Profile,
        Section::More,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Section::Basic => "basic",
            Section::Contact => "contact",
            Section::Profile => "profile",
            Section::More => "more",
        }
    }
    pub fn from_code(code: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One option of a choice field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOption {
    /// What is stored: `[a-z0-9_-]`, 1 to 40 characters.
    pub key: String,
    pub zh: String,
    pub en: String,
    /// No longer offered; customers holding it keep it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// One custom field of the customer form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// What the value is stored under: a lower-case letter, then `[a-z0-9_]`, at most 40.
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// Text: the fewest characters; number and money: the least value; a day: as `yyyymmdd`
    /// hundredths (see [`FieldDef::date_limit`]); multi: the fewest options chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Fixed>,
    /// As `min`, the most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Fixed>,
    /// Text only: a regular expression the whole value must match.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pattern: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FieldOption>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help_zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help_en: String,
    #[serde(default)]
    pub section: Section,
    /// Place within the section, smallest first (then by key).
    #[serde(default)]
    pub order: i32,
    /// No longer on the form; the values customers hold stay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// A typed value of a custom field (what rules and the scorecard read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    /// A number or an amount (yuan, in hundredths: the fen).
    Number(Fixed),
    Date(Date),
    YesNo(bool),
    /// The keys chosen (one for a choice).
    Options(Vec<String>),
}

/// The longest text a text field holds.
pub const TEXT_MAX: usize = 500;
/// The most fields a set holds (retired ones count).
pub const FIELDS_MAX: usize = 200;
/// The most options a choice field offers.
pub const OPTIONS_MAX: usize = 200;

impl FieldDef {
    /// A field with its key, labels and kind, and nothing else: optional, no limits, no help, in
    /// the "More details" section.
    pub fn new(key: &str, label_zh: &str, label_en: &str, kind: FieldKind) -> FieldDef {
        FieldDef {
            key: key.into(),
            label_zh: label_zh.into(),
            label_en: label_en.into(),
            kind,
            required: false,
            min: None,
            max: None,
            pattern: String::new(),
            options: Vec::new(),
            help_zh: String::new(),
            help_en: String::new(),
            section: Section::More,
            order: 0,
            retired: false,
        }
    }

    /// The name a form's errors give this field.
    pub fn error_name(&self) -> Cow<'static, str> {
        Cow::Owned(format!("custom.{}", self.key))
    }

    /// The label in a language (`en`, else zh-CN).
    pub fn label(&self, en: bool) -> &str {
        if en && !self.label_en.trim().is_empty() {
            &self.label_en
        } else {
            &self.label_zh
        }
    }

    /// The help text in a language (`en`, else zh-CN), falling back to the other.
    pub fn help(&self, en: bool) -> &str {
        match (
            en,
            self.help_en.trim().is_empty(),
            self.help_zh.trim().is_empty(),
        ) {
            (true, false, _) | (false, false, true) => &self.help_en,
            _ => &self.help_zh,
        }
    }

    /// A date limit (`min`/`max` of a date field) as a day: `20260331` stored as hundredths.
    pub fn date_limit(v: Fixed) -> Option<Date> {
        if v.0 % 100 != 0 {
            return None;
        }
        let n = v.0 / 100;
        Date::from_ymd(
            (n / 10_000) as i32,
            ((n / 100) % 100) as u32,
            (n % 100) as u32,
        )
    }

    /// A day as a date limit (the inverse of [`FieldDef::date_limit`]).
    pub fn date_as_limit(d: Date) -> Fixed {
        let (y, m, day) = d.ymd();
        Fixed::from_int(y as i64 * 10_000 + m as i64 * 100 + day as i64)
    }

    /// The options still offered, in order.
    pub fn offered(&self) -> impl Iterator<Item = &FieldOption> {
        self.options.iter().filter(|o| !o.retired)
    }

    /// What a person typed, in the field's stored form; `None` for an empty value. For a choice,
    /// an option's key or its label in either language is accepted; for a multiple choice, keys
    /// or labels separated by commas (`,`, `，`), semicolons or new lines.
    pub fn parse(&self, raw: &str) -> Result<Option<String>, Problem> {
        let s = raw.trim();
        if s.is_empty() {
            return if self.required {
                Err(Problem::Required)
            } else {
                Ok(None)
            };
        }
        let v = match self.kind {
            FieldKind::Text => {
                let n = s.chars().count();
                if s.chars().any(|c| c.is_control() && c != '\n') {
                    return Err(Problem::Pattern);
                }
                if n > TEXT_MAX {
                    return Err(Problem::TooLong {
                        max: TEXT_MAX as u32,
                    });
                }
                if let Some(max) = self.max {
                    if n as i64 * 100 > max.0 {
                        return Err(Problem::TooLong {
                            max: (max.0 / 100) as u32,
                        });
                    }
                }
                if let Some(min) = self.min {
                    if (n as i64 * 100) < min.0 {
                        return Err(Problem::TooShort {
                            min: (min.0 / 100) as u32,
                        });
                    }
                }
                if !self.pattern.is_empty() && !whole_match(&self.pattern, s) {
                    return Err(Problem::Pattern);
                }
                s.to_string()
            }
            FieldKind::Number => {
                let v = Fixed::parse(s).map_err(|p| match p {
                    Problem::TooManyDecimals => p,
                    _ => Problem::NotANumber,
                })?;
                self.bounds(v)?;
                v.to_string()
            }
            FieldKind::Money => {
                let m = Money::parse(s)?;
                self.bounds(Fixed(m.minor()))?;
                m.to_plain()
            }
            FieldKind::Date => {
                let d = Date::parse(s)?;
                if let Some(min) = self.min.and_then(FieldDef::date_limit).filter(|m| d < *m) {
                    return Err(Problem::DateBefore { min });
                }
                if let Some(max) = self.max.and_then(FieldDef::date_limit).filter(|m| d > *m) {
                    return Err(Problem::DateAfter { max });
                }
                d.to_string()
            }
            FieldKind::YesNo => match s.to_lowercase().as_str() {
                "yes" | "y" | "true" | "1" | "是" => "yes".to_string(),
                "no" | "n" | "false" | "0" | "否" => "no".to_string(),
                _ => return Err(Problem::NotAChoice),
            },
            FieldKind::Choice => self.option_key(s)?.to_string(),
            FieldKind::Multi => {
                let mut chosen: Vec<&str> = Vec::new();
                for part in s
                    .split([',', '，', ';', '；', '\n'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    let k = self.option_key(part)?;
                    if !chosen.contains(&k) {
                        chosen.push(k);
                    }
                }
                let n = chosen.len() as i64 * 100;
                if let Some(min) = self.min.filter(|m| n < m.0) {
                    return Err(Problem::BelowMin { min: min.0 });
                }
                if let Some(max) = self.max.filter(|m| n > m.0) {
                    return Err(Problem::AboveMax { max: max.0 });
                }
                // In the options' order, whatever order they were typed in.
                self.options
                    .iter()
                    .filter(|o| chosen.contains(&o.key.as_str()))
                    .map(|o| o.key.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        Ok(Some(v))
    }

    fn bounds(&self, v: Fixed) -> Result<(), Problem> {
        if let Some(min) = self.min.filter(|m| v < *m) {
            return Err(Problem::BelowMin { min: min.0 });
        }
        if let Some(max) = self.max.filter(|m| v > *m) {
            return Err(Problem::AboveMax { max: max.0 });
        }
        Ok(())
    }

    /// The key of the offered option a person named by key or label.
    fn option_key(&self, s: &str) -> Result<&str, Problem> {
        self.offered()
            .find(|o| o.key == s || o.zh.trim() == s || o.en.trim().eq_ignore_ascii_case(s))
            .map(|o| o.key.as_str())
            .ok_or(Problem::NotAChoice)
    }

    /// A stored value as a CSV export writes it: amounts, numbers and days exact (`1234.50`,
    /// `2026-03-31`), yes/no and options in words of the language.
    pub fn export(&self, stored: &str, en: bool) -> String {
        match self.kind {
            FieldKind::Text | FieldKind::Number | FieldKind::Money | FieldKind::Date => {
                stored.to_string()
            }
            FieldKind::YesNo | FieldKind::Choice | FieldKind::Multi => self.display(stored, en),
        }
    }

    /// A stored value, typed; `None` when it does not read as the field's kind (a value stored
    /// before the field changed, or edited by hand).
    pub fn value(&self, stored: &str) -> Option<FieldValue> {
        let s = stored.trim();
        if s.is_empty() {
            return None;
        }
        Some(match self.kind {
            FieldKind::Text => FieldValue::Text(s.to_string()),
            FieldKind::Number => FieldValue::Number(Fixed::parse(s).ok()?),
            FieldKind::Money => FieldValue::Number(Fixed(Money::parse(s).ok()?.minor())),
            FieldKind::Date => FieldValue::Date(Date::parse(s).ok()?),
            FieldKind::YesNo => FieldValue::YesNo(match s {
                "yes" => true,
                "no" => false,
                _ => return None,
            }),
            FieldKind::Choice | FieldKind::Multi => {
                FieldValue::Options(s.split(',').map(str::to_string).collect())
            }
        })
    }

    /// A stored value as a person reads it, in a language: options by their labels, yes/no
    /// as words, money grouped with the yuan sign.
    pub fn display(&self, stored: &str, en: bool) -> String {
        match self.value(stored) {
            None => stored.to_string(),
            Some(FieldValue::Text(t)) => t,
            Some(FieldValue::Number(v)) if self.kind == FieldKind::Money => {
                Money::from_minor(v.0).format_cny()
            }
            Some(FieldValue::Number(v)) => v.display(),
            Some(FieldValue::Date(d)) => d.to_string(),
            Some(FieldValue::YesNo(b)) => match (b, en) {
                (true, true) => "Yes".into(),
                (false, true) => "No".into(),
                (true, false) => "是".into(),
                (false, false) => "否".into(),
            },
            Some(FieldValue::Options(keys)) => keys
                .iter()
                .map(|k| {
                    self.options
                        .iter()
                        .find(|o| o.key == *k)
                        .map(|o| if en && !o.en.is_empty() { &o.en } else { &o.zh })
                        .cloned()
                        .unwrap_or_else(|| k.clone())
                })
                .collect::<Vec<_>>()
                .join(if en { ", " } else { "、" }),
        }
    }
}

/// Whether `pattern` matches the whole of `s`. A pattern that does not compile matches nothing
/// (the set's check refuses it before it is saved).
fn whole_match(pattern: &str, s: &str) -> bool {
    regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(s))
}

/// Every custom field, versioned as one document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSet {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// Who may see and change each field, where it differs from the default (see
    /// [`crate::access`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<crate::access::Grant>,
}

/// Which rule a set of field definitions breaks; [`FieldCode::code`] is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldCode {
    /// `FD-KEY`: a key that is empty, too long, or not a lower-case letter then `[a-z0-9_]`.
    Key,
    /// `FD-DUPLICATE`: two fields with one key, or two options with one key.
    Duplicate,
    /// `FD-LABEL`: a label missing in zh-CN or English, or longer than 60 characters.
    Label,
    /// `FD-OPTIONS`: a choice field without an option offered, options on another kind, or an
    /// option's key or labels wrong.
    Options,
    /// `FD-LIMITS`: a minimum above the maximum, a limit the kind has not (yes/no, choice), a
    /// negative length, or a date limit that is not a day.
    Limits,
    /// `FD-PATTERN`: a pattern that is not a regular expression, or one on a field other than
    /// text.
    Pattern,
    /// `FD-REMOVED`: a field (or option) that was saved before is missing: retire it instead.
    Removed,
    /// `FD-KIND-CHANGED`: a saved field's kind changed (its values would no longer read).
    KindChanged,
    /// `FD-TOO-MANY`: more than [`FIELDS_MAX`] fields or [`OPTIONS_MAX`] options.
    TooMany,
    /// `FD-HELP`: a help text longer than 300 characters.
    Help,
    /// `FD-NOT-ALLOWED`: the user may not change the fields.
    NotAllowed,
    /// `FD-PROFILE-REQUIRED`: a field with the external profile is required: the roles that may
    /// not change the profile could then save no customer.
    ProfileRequired,
    /// `FD-ACCESS-FIELD`: a permission names a field the form has not.
    AccessField,
    /// `FD-ACCESS-HIDDEN`: a field that cannot be hidden (the name, the sales rep, a required
    /// field; any field from a role that reads the audit trail; a rating input from a role that
    /// edits scorecards; the limits from a role that approves) is hidden from a role; make it
    /// read-only instead.
    AccessHidden,
}

impl FieldCode {
    pub fn code(self) -> &'static str {
        match self {
            FieldCode::Key => "FD-KEY",
            FieldCode::Duplicate => "FD-DUPLICATE",
            FieldCode::Label => "FD-LABEL",
            FieldCode::Options => "FD-OPTIONS",
            FieldCode::Limits => "FD-LIMITS",
            FieldCode::Pattern => "FD-PATTERN",
            FieldCode::Removed => "FD-REMOVED",
            FieldCode::KindChanged => "FD-KIND-CHANGED",
            FieldCode::TooMany => "FD-TOO-MANY",
            FieldCode::Help => "FD-HELP",
            FieldCode::NotAllowed => "FD-NOT-ALLOWED",
            FieldCode::ProfileRequired => "FD-PROFILE-REQUIRED",
            FieldCode::AccessField => "FD-ACCESS-FIELD",
            FieldCode::AccessHidden => "FD-ACCESS-HIDDEN",
        }
    }
}

impl fmt::Display for FieldCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem of a set of field definitions: its code, where (`field 3 (segment)`, `field 3
/// (segment) option 2`), and a plain English detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub code: FieldCode,
    pub at: String,
    pub detail: String,
}

fn key_ok(k: &str, first_letter: bool) -> bool {
    !k.is_empty()
        && k.len() <= 40
        && k.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_lowercase()
                || (!(first_letter && i == 0)
                    && (b.is_ascii_digit() || b == b'_' || (!first_letter && b == b'-')))
        })
}

impl FieldSet {
    /// The field with a key (retired or not).
    pub fn get(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The fields on the form, by section and order.
    pub fn active(&self) -> Vec<&FieldDef> {
        let mut v: Vec<&FieldDef> = self.fields.iter().filter(|f| !f.retired).collect();
        crate::sort::by(&mut v, |a, b| {
            (a.section, a.order, &a.key).cmp(&(b.section, b.order, &b.key))
        });
        v
    }

    /// The fields of a section on the form, in order.
    pub fn in_section(&self, s: Section) -> Vec<&FieldDef> {
        self.active()
            .into_iter()
            .filter(|f| f.section == s)
            .collect()
    }

    /// Every problem of the set on its own (see [`FieldCode`]).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut push = |code, at: &str, detail: String| {
            out.push(FieldProblem {
                code,
                at: at.to_string(),
                detail,
            })
        };
        if self.fields.len() > FIELDS_MAX {
            push(
                FieldCode::TooMany,
                "fields",
                format!("{} fields: at most {FIELDS_MAX}", self.fields.len()),
            );
        }
        for (i, f) in self.fields.iter().enumerate() {
            let at = format!("field {} ({})", i + 1, f.key);
            if !key_ok(&f.key, true) {
                push(
                    FieldCode::Key,
                    &at,
                    "a key is a lower-case letter, then lower-case letters, digits or _, at most 40"
                        .into(),
                );
            }
            if self.fields[..i].iter().any(|o| o.key == f.key) {
                push(
                    FieldCode::Duplicate,
                    &at,
                    format!("the key {} is used twice", f.key),
                );
            }
            for (lang, l) in [("zh-CN", &f.label_zh), ("English", &f.label_en)] {
                let n = l.trim().chars().count();
                if n == 0 || n > 60 {
                    push(
                        FieldCode::Label,
                        &at,
                        format!("the {lang} label needs 1 to 60 characters"),
                    );
                }
            }
            if f.required && f.section == Section::Profile {
                push(
                    FieldCode::ProfileRequired,
                    &at,
                    "a field with the external profile cannot be required (not every role may fill it)"
                        .into(),
                );
            }
            if f.help_zh.chars().count() > 300 || f.help_en.chars().count() > 300 {
                push(
                    FieldCode::Help,
                    &at,
                    "a help text is at most 300 characters".into(),
                );
            }
            // Options.
            if f.kind.has_options() {
                if f.options.len() > OPTIONS_MAX {
                    push(
                        FieldCode::TooMany,
                        &at,
                        format!("{} options: at most {OPTIONS_MAX}", f.options.len()),
                    );
                }
                if f.offered().next().is_none() {
                    push(
                        FieldCode::Options,
                        &at,
                        "a choice needs an option to offer".into(),
                    );
                }
                for (j, o) in f.options.iter().enumerate() {
                    let oat = format!("{at} option {}", j + 1);
                    if !key_ok(&o.key, false) {
                        push(
                            FieldCode::Options,
                            &oat,
                            "an option's key is lower-case letters, digits, _ or -, at most 40"
                                .into(),
                        );
                    }
                    if o.zh.trim().is_empty() || o.en.trim().is_empty() {
                        push(
                            FieldCode::Options,
                            &oat,
                            "an option needs a label in zh-CN and in English".into(),
                        );
                    }
                    if f.options[..j].iter().any(|p| p.key == o.key) {
                        push(
                            FieldCode::Duplicate,
                            &oat,
                            format!("the option {} is there twice", o.key),
                        );
                    }
                }
            } else if !f.options.is_empty() {
                push(
                    FieldCode::Options,
                    &at,
                    format!("a {} field has no options", f.kind.code()),
                );
            }
            // Limits.
            let limited = f.min.is_some() || f.max.is_some();
            match f.kind {
                FieldKind::YesNo | FieldKind::Choice if limited => push(
                    FieldCode::Limits,
                    &at,
                    format!("a {} field has no minimum or maximum", f.kind.code()),
                ),
                FieldKind::Text | FieldKind::Multi
                    if [f.min, f.max]
                        .iter()
                        .flatten()
                        .any(|v| v.0 < 0 || v.0 % 100 != 0) =>
                {
                    push(
                        FieldCode::Limits,
                        &at,
                        "a length or a count is a whole number, not negative".into(),
                    )
                }
                FieldKind::Date
                    if [f.min, f.max]
                        .iter()
                        .flatten()
                        .any(|v| FieldDef::date_limit(*v).is_none()) =>
                {
                    push(FieldCode::Limits, &at, "a date limit is a day".into())
                }
                _ => {}
            }
            if let (Some(lo), Some(hi)) = (f.min, f.max) {
                if lo > hi {
                    push(
                        FieldCode::Limits,
                        &at,
                        "the minimum is above the maximum".into(),
                    );
                }
            }
            if !f.pattern.is_empty() {
                if f.kind != FieldKind::Text {
                    push(
                        FieldCode::Pattern,
                        &at,
                        "only a text field has a pattern".into(),
                    );
                } else if f.pattern.len() > 200 {
                    push(
                        FieldCode::Pattern,
                        &at,
                        "a pattern is at most 200 characters".into(),
                    );
                } else if let Err(e) = regex_lite::Regex::new(&f.pattern) {
                    push(
                        FieldCode::Pattern,
                        &at,
                        format!("not a regular expression: {e}"),
                    );
                }
            }
        }
        for (i, g) in self.access.iter().enumerate() {
            let at = format!("permission {} ({} {})", i + 1, g.field, g.role.code());
            if !crate::access::known(self, &g.field) {
                push(
                    FieldCode::AccessField,
                    &at,
                    format!("no field {:?}", g.field),
                );
            } else if g.access == crate::access::Access::Hidden
                && !crate::access::hideable(self, &g.field)
            {
                push(
                    FieldCode::AccessHidden,
                    &at,
                    "the name, region, industry, sales rep, first cooperation date, language and required fields cannot be hidden".into(),
                );
            } else if g.access == crate::access::Access::Hidden
                && g.role.grants(crate::approval::Permission::ViewAudit)
            {
                push(
                    FieldCode::AccessHidden,
                    &at,
                    "a field can be hidden only from a role that reads no audit trail (the trail keeps every change's values)".into(),
                );
            } else if g.access == crate::access::Access::Hidden
                && g.field == crate::party::field::LIMITS
                && !crate::access::hideable_from(self, &g.field, g.role)
            {
                push(
                    FieldCode::AccessHidden,
                    &at,
                    "limits can be hidden only from a role that reads no audit trail (it holds every limit change) and approves nothing".into(),
                );
            } else if g.access == crate::access::Access::Hidden
                && !crate::access::hideable_from(self, &g.field, g.role)
            {
                push(
                    FieldCode::AccessHidden,
                    &at,
                    "a rating input cannot be hidden from a role that edits scorecards (a what-if reads every input)".into(),
                );
            }
            if self.access[..i]
                .iter()
                .any(|o| o.field == g.field && o.role == g.role)
            {
                push(FieldCode::Duplicate, &at, "the role is named twice".into());
            }
        }
        out
    }

    /// Every problem of this set as the successor of `prior` (the set saved now): its own
    /// problems and those of the change (see the module docs).
    pub fn changes_from(&self, prior: &FieldSet) -> Vec<FieldProblem> {
        let mut out = self.problems();
        for p in &prior.fields {
            let Some(f) = self.get(&p.key) else {
                out.push(FieldProblem {
                    code: FieldCode::Removed,
                    at: format!("field {}", p.key),
                    detail: format!(
                        "the field {} was saved before: retire it instead of removing it",
                        p.key
                    ),
                });
                continue;
            };
            if f.kind != p.kind {
                out.push(FieldProblem {
                    code: FieldCode::KindChanged,
                    at: format!("field {}", p.key),
                    detail: format!(
                        "the field {} is {}: its kind cannot change to {} (retire it and add another)",
                        p.key,
                        p.kind.code(),
                        f.kind.code()
                    ),
                });
            }
            for o in &p.options {
                if !f.options.iter().any(|n| n.key == o.key) {
                    out.push(FieldProblem {
                        code: FieldCode::Removed,
                        at: format!("field {} option {}", p.key, o.key),
                        detail: format!(
                            "the option {} was saved before: retire it instead of removing it",
                            o.key
                        ),
                    });
                }
            }
        }
        out
    }
}

/// What the warning rules read of a customer's custom values as of a day, by reading name, all
/// in hundredths so that a rule's threshold is typed as a decimal: a number or an amount (yuan)
/// as it is; a day as the days from `as_of` to it (negative: past); yes as 1, no as 0; for a
/// choice, each option `key=option` as 1 when chosen, else 0. A text, an empty value or a value
/// that no longer reads gives nothing (a rule on it does not fire).
pub fn readings(
    set: &FieldSet,
    custom: &BTreeMap<String, String>,
    as_of: Date,
) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for f in &set.fields {
        let Some(v) = custom.get(&f.key).and_then(|s| f.value(s)) else {
            continue;
        };
        match v {
            FieldValue::Number(n) => {
                out.insert(f.key.clone(), n.0);
            }
            FieldValue::Date(d) => {
                out.insert(f.key.clone(), d.days_since(as_of) as i64 * 100);
            }
            FieldValue::YesNo(b) => {
                out.insert(f.key.clone(), if b { 100 } else { 0 });
            }
            FieldValue::Options(chosen) => {
                for o in &f.options {
                    let on = chosen.contains(&o.key);
                    out.insert(format!("{}={}", f.key, o.key), if on { 100 } else { 0 });
                }
            }
            FieldValue::Text(_) => {}
        }
    }
    out
}

/// Whether a customer's custom values hold a yes/no reading (`key`: the field says yes) or an
/// option (`key=option`: chosen): what the customer list's filter by a custom field asks.
pub fn holds(custom: &BTreeMap<String, String>, reading: &str) -> bool {
    match reading.split_once('=') {
        Some((key, option)) => custom
            .get(key)
            .is_some_and(|v| v.split(',').any(|x| x == option)),
        None => custom.get(reading).is_some_and(|v| v == "yes"),
    }
}

/// What the customer list filters by ([`holds`]), as `(reading, field, option)`: each offered
/// option of a list field on the form, and each yes/no field's yes.
pub fn filter_readings(set: &FieldSet) -> Vec<(String, &FieldDef, Option<&FieldOption>)> {
    reading_names(set)
        .into_iter()
        .filter(|(_, f, o)| {
            !f.retired
                && matches!(
                    f.kind,
                    FieldKind::YesNo | FieldKind::Choice | FieldKind::Multi
                )
                && o.is_none_or(|o| !o.retired)
        })
        .collect()
}

/// The readings a rule may name, as `(reading, field, option)`: every field that gives one
/// (not a text), and each option of a choice.
pub fn reading_names(set: &FieldSet) -> Vec<(String, &FieldDef, Option<&FieldOption>)> {
    let mut out = Vec::new();
    for f in set.fields.iter().filter(|f| f.kind != FieldKind::Text) {
        if f.kind.has_options() {
            for o in &f.options {
                out.push((format!("{}={}", f.key, o.key), f, Some(o)));
            }
        } else {
            out.push((f.key.clone(), f, None));
        }
    }
    out
}

/// The custom values of a customer after a form is saved: the form's values (`input`, by key,
/// as typed) checked against the fields on the form, and the values of retired or unknown
/// fields kept from `prior` as they were. Every problem comes back at once, named
/// `custom.<key>`; a value for a field that is not on the form is refused
/// ([`Problem::UnknownField`]) unless it is the value the customer holds already (a form
/// prefilled from the customer sends it back unchanged). Likewise a value held already that no
/// longer meets its field (an option since retired, a limit since tightened) is kept as it is
/// when it comes back unchanged: saving a customer never loses what was saved.
pub fn check_values(
    set: &FieldSet,
    input: &BTreeMap<String, String>,
    prior: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let mut out: BTreeMap<String, String> = prior
        .iter()
        .filter(|(k, _)| set.get(k).is_none_or(|f| f.retired))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut errors = Vec::new();
    for f in set.active() {
        let raw = input.get(&f.key).map(String::as_str).unwrap_or("");
        match f.parse(raw) {
            Ok(Some(v)) => {
                out.insert(f.key.clone(), v);
            }
            Ok(None) => {}
            Err(_)
                if !raw.trim().is_empty() && prior.get(&f.key).map(String::as_str) == Some(raw) =>
            {
                out.insert(f.key.clone(), raw.to_string());
            }
            Err(problem) => errors.push(FieldError {
                field: f.error_name(),
                problem,
            }),
        }
    }
    for k in input.keys() {
        let off_form = set.get(k).is_none_or(|f| f.retired);
        if off_form && !input[k].trim().is_empty() && prior.get(k) != Some(&input[k]) {
            errors.push(FieldError {
                field: Cow::Owned(format!("custom.{k}")),
                problem: Problem::UnknownField,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(key: &str, kind: FieldKind) -> FieldDef {
        FieldDef::new(key, "字段", "Field", kind)
    }

    fn opt(key: &str, zh: &str, en: &str) -> FieldOption {
        FieldOption {
            key: key.into(),
            zh: zh.into(),
            en: en.into(),
            retired: false,
        }
    }

    fn segment() -> FieldDef {
        FieldDef {
            options: vec![
                opt("retail", "零售", "Retail"),
                opt("wholesale", "批发", "Wholesale"),
                opt("export", "出口", "Export"),
            ],
            ..def("segment", FieldKind::Choice)
        }
    }

    /// `check(field, typed, expected)`: the stored form, or the problem's code.
    fn check(f: &FieldDef, typed: &str, expected: &str) {
        let got = match f.parse(typed) {
            Ok(Some(v)) => v,
            Ok(None) => "(empty)".into(),
            Err(p) => p.code().into(),
        };
        assert_eq!(got, expected, "{:?} typed {typed:?}", f.kind);
    }

    #[test]
    fn each_kind_stores_what_was_typed_in_one_canonical_form() {
        let money = FieldDef {
            min: Some(Fixed::from_int(0)),
            ..def("disputed", FieldKind::Money)
        };
        check(&money, "¥1,234.5", "1234.50");
        check(&money, " 12 ", "12.00");
        check(&money, "-1", "E-BELOW-MIN");
        check(&money, "1.234", "E-DECIMALS");
        check(&money, "abc", "E-NOT-AMOUNT");
        check(&money, "", "(empty)");
        let number = FieldDef {
            min: Some(Fixed::from_int(1)),
            max: Some(Fixed::from_hundredths(1050)),
            ..def("staff", FieldKind::Number)
        };
        check(&number, "10.5", "10.5");
        check(&number, "10.51", "E-ABOVE-MAX");
        check(&number, "0.99", "E-BELOW-MIN");
        check(&number, "ten", "E-NOT-NUMBER");
        let date = FieldDef {
            min: Some(FieldDef::date_as_limit(Date::from_ymd(2000, 1, 1).unwrap())),
            ..def("audited", FieldKind::Date)
        };
        check(&date, "2026-03-31", "2026-03-31");
        check(&date, "1999-12-31", "E-DATE-BEFORE");
        check(&date, "2026-02-30", "E-NOT-DATE");
        let yes = def("listed", FieldKind::YesNo);
        check(&yes, "是", "yes");
        check(&yes, "No", "no");
        check(&yes, "maybe", "E-CHOICE");
        check(&segment(), "批发", "wholesale");
        check(&segment(), "export", "export");
        check(&segment(), "Retail", "retail");
        check(&segment(), "online", "E-CHOICE");
        let multi = FieldDef {
            kind: FieldKind::Multi,
            max: Some(Fixed::from_int(2)),
            ..segment()
        };
        check(&multi, "出口，retail", "retail,export");
        check(&multi, "retail, retail", "retail");
        check(&multi, "retail,wholesale,export", "E-ABOVE-MAX");
        let text = FieldDef {
            pattern: "[A-Z]{2}-[0-9]{4}".into(),
            max: Some(Fixed::from_int(7)),
            ..def("contract", FieldKind::Text)
        };
        check(&text, "SH-2026", "SH-2026");
        check(&text, "SH-20261", "E-TOO-LONG");
        check(&text, "sh-2026", "E-PATTERN");
        check(&text, "SH-202X", "E-PATTERN");
        let required = FieldDef {
            required: true,
            ..def("owner", FieldKind::Text)
        };
        check(&required, "  ", "E-REQUIRED");
    }

    #[test]
    fn a_value_held_already_that_no_longer_meets_its_field_is_kept_when_unchanged() {
        let mut f = segment();
        f.options[2].retired = true;
        let set = FieldSet {
            access: Vec::new(),
            version: 2,
            fields: vec![f],
        };
        let held: BTreeMap<String, String> = [("segment".to_string(), "export".to_string())].into();
        assert_eq!(check_values(&set, &held, &held), Ok(held.clone()));
        let fresh = BTreeMap::new();
        let errs = check_values(&set, &held, &fresh).unwrap_err();
        assert_eq!(
            errs[0].problem,
            Problem::NotAChoice,
            "a new value must be offered"
        );
    }

    #[test]
    fn a_filter_holds_for_an_option_chosen_or_a_yes() {
        let custom: BTreeMap<String, String> = [("channels", "retail,export"), ("listed", "yes")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (reading, expected) in [
            ("channels=export", true),
            ("channels=retail", true),
            ("channels=wholesale", false),
            ("channels=ex", false),
            ("listed", true),
            ("channels", false),
            ("nosuch=x", false),
        ] {
            assert_eq!(holds(&custom, reading), expected, "{reading}");
        }
    }

    #[test]
    fn a_retired_option_is_no_longer_chosen_but_still_reads() {
        let mut f = segment();
        f.options[2].retired = true;
        check(&f, "export", "E-CHOICE");
        assert_eq!(f.display("export", true), "Export");
        assert_eq!(
            f.value("retail,export"),
            Some(FieldValue::Options(vec!["retail".into(), "export".into()]))
        );
    }

    #[test]
    fn a_form_reports_every_wrong_field_and_keeps_retired_values() {
        let mut old = def("old", FieldKind::Text);
        old.retired = true;
        let set = FieldSet {
            access: Vec::new(),
            version: 1,
            fields: vec![
                segment(),
                FieldDef {
                    required: true,
                    ..def("disputed", FieldKind::Money)
                },
                old,
            ],
        };
        let input: BTreeMap<String, String> = [
            ("segment", "online"),
            ("disputed", ""),
            ("nosuch", "x"),
            ("old", "new"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let prior: BTreeMap<String, String> = [("old".to_string(), "kept".to_string())].into();
        let errs = check_values(&set, &input, &prior).unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_ref(), e.problem.code()))
            .collect();
        assert_eq!(
            got,
            [
                ("custom.disputed", "E-REQUIRED"),
                ("custom.segment", "E-CHOICE"),
                ("custom.nosuch", "E-UNKNOWN-FIELD"),
                ("custom.old", "E-UNKNOWN-FIELD"),
            ]
        );
        let ok: BTreeMap<String, String> = [("segment", "零售"), ("disputed", "12")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let saved = check_values(&set, &ok, &prior).unwrap();
        assert_eq!(
            saved.into_iter().collect::<Vec<_>>(),
            [
                ("disputed".to_string(), "12.00".to_string()),
                ("old".to_string(), "kept".to_string()),
                ("segment".to_string(), "retail".to_string()),
            ]
        );
    }

    fn codes(p: &[FieldProblem]) -> Vec<String> {
        p.iter().map(|p| format!("{} {}", p.code, p.at)).collect()
    }

    #[test]
    fn a_set_reports_every_problem_with_its_place() {
        let set = FieldSet {
            access: Vec::new(),
            version: 0,
            fields: vec![
                FieldDef {
                    label_en: String::new(),
                    ..def("Bad Key", FieldKind::Text)
                },
                FieldDef {
                    options: Vec::new(),
                    ..segment()
                },
                FieldDef {
                    pattern: "(".into(),
                    ..def("code", FieldKind::Text)
                },
                FieldDef {
                    pattern: "x".into(),
                    min: Some(Fixed::from_int(5)),
                    max: Some(Fixed::from_int(1)),
                    ..def("amount", FieldKind::Money)
                },
                FieldDef {
                    max: Some(Fixed::from_int(3)),
                    ..def("listed", FieldKind::YesNo)
                },
                def("code", FieldKind::Number),
                FieldDef {
                    required: true,
                    section: Section::Profile,
                    ..def("rating_note", FieldKind::Text)
                },
            ],
        };
        assert_eq!(
            codes(&set.problems()),
            [
                "FD-KEY field 1 (Bad Key)",
                "FD-LABEL field 1 (Bad Key)",
                "FD-OPTIONS field 2 (segment)",
                "FD-PATTERN field 3 (code)",
                "FD-LIMITS field 4 (amount)",
                "FD-PATTERN field 4 (amount)",
                "FD-LIMITS field 5 (listed)",
                "FD-DUPLICATE field 6 (code)",
                "FD-PROFILE-REQUIRED field 7 (rating_note)",
            ]
        );
    }

    #[test]
    fn a_saved_field_is_retired_never_removed_and_keeps_its_kind() {
        let prior = FieldSet {
            access: Vec::new(),
            version: 1,
            fields: vec![segment(), def("staff", FieldKind::Number)],
        };
        let mut next = prior.clone();
        next.fields[0].options.pop();
        next.fields[1].kind = FieldKind::Text;
        assert_eq!(
            codes(&next.changes_from(&prior)),
            [
                "FD-REMOVED field segment option export",
                "FD-KIND-CHANGED field staff"
            ]
        );
        let mut next = prior.clone();
        next.fields.remove(1);
        assert_eq!(
            codes(&next.changes_from(&prior)),
            ["FD-REMOVED field staff"]
        );
        let mut next = prior.clone();
        next.fields[1].retired = true;
        next.fields[0].options[2].retired = true;
        assert!(next.changes_from(&prior).is_empty());
    }
}
