//! Customers: master data, the external profile, custom fields, and form validation.

use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::id::{CustomerId, Meta};
use crate::money::Money;
use crate::text::text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-letter
/// alphabet, the last one a check character over the first 17.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc([u8; 18]);

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

impl Uscc {
    pub fn parse(input: &str) -> Result<Uscc, Problem> {
        // The stored form (18 capitals and digits) as it is: every stored customer holds one, and
        // a start reads ten thousand; the copy, trim and upper-casing below are for what was typed.
        if let Ok(bytes) = <[u8; 18]>::try_from(input.as_bytes()) {
            if bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                return Uscc::checked(bytes);
            }
        }
        let s: String = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        if s.chars().count() != 18 {
            return Err(Problem::UsccLength);
        }
        // Eighteen characters, one of them not ASCII (a full-width digit): none is in the
        // alphabet.
        let Ok(bytes) = <[u8; 18]>::try_from(s.as_bytes()) else {
            return Err(Problem::UsccCharacter);
        };
        Uscc::checked(bytes)
    }

    /// 18 ASCII characters, upper case: each in the alphabet, the last the check character.
    fn checked(bytes: [u8; 18]) -> Result<Uscc, Problem> {
        let mut values = [0u32; 18];
        for (i, b) in bytes.iter().enumerate() {
            values[i] = USCC_ALPHABET
                .iter()
                .position(|a| a == b)
                .ok_or(Problem::UsccCharacter)? as u32;
        }
        if check_char(&values[..17]) != bytes[17] {
            return Err(Problem::UsccCheckDigit);
        }
        Ok(Uscc(bytes))
    }

    /// Completes 17 characters with their check character (the demo generator uses this).
    pub fn with_check_char(first17: &str) -> Option<Uscc> {
        let bytes = first17.as_bytes();
        if bytes.len() != 17 {
            return None;
        }
        let mut values = [0u32; 17];
        for (i, b) in bytes.iter().enumerate() {
            values[i] = USCC_ALPHABET.iter().position(|a| a == b)? as u32;
        }
        let mut out = [0u8; 18];
        out[..17].copy_from_slice(bytes);
        out[17] = check_char(&values);
        Some(Uscc(out))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

fn check_char(values17: &[u32]) -> u8 {
    let sum: u32 = values17.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    let c = (31 - sum % 31) % 31;
    USCC_ALPHABET[c as usize]
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.as_str())
    }
}
impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Uscc, D::Error> {
        crate::text::from_text(d, "a unified social credit code", |s| {
            Uscc::parse(s).map_err(|p| p.code().to_string())
        })
    }
}

/// Where a customer stands in its industry (external data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndustryPosition {
    Leader,
    Major,
    Average,
    Small,
}

impl IndustryPosition {
    pub const ALL: [IndustryPosition; 4] = [
        IndustryPosition::Leader,
        IndustryPosition::Major,
        IndustryPosition::Average,
        IndustryPosition::Small,
    ];
    pub fn key(self) -> &'static str {
        match self {
            IndustryPosition::Leader => "leader",
            IndustryPosition::Major => "major",
            IndustryPosition::Average => "average",
            IndustryPosition::Small => "small",
        }
    }
    pub fn from_key(k: &str) -> Option<IndustryPosition> {
        IndustryPosition::ALL.into_iter().find(|p| p.key() == k)
    }
}

/// One shareholder and its share in basis points (10000 = 100%).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shareholder {
    pub name: String,
    pub share_bp: u32,
}

/// What is known about a customer from outside the company. `None` is "not recorded": missing
/// data for the scorecard, never a good value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExternalProfile {
    pub registered_capital: Option<Money>,
    pub founded: Option<Date>,
    pub shareholders: Vec<Shareholder>,
    /// Litigation cases on record; `None` when litigation was not looked up (unknown, which is
    /// not zero cases). A stored record without the field reads as `None`; a written `0` stays
    /// `Some(0)`.
    #[serde(default)]
    pub litigation_count: Option<u32>,
    /// The amount at stake in open cases; `None` when not recorded (see
    /// [`ExternalProfile::litigation_open`]). Absent in a stored record reads as `None`.
    #[serde(default)]
    pub litigation_open_amount: Option<Money>,
    pub industry_position: Option<IndustryPosition>,
    /// A third-party credit report score, 0 to 100, with the date of the report.
    pub report_score: Option<u8>,
    pub report_date: Option<Date>,
}

impl ExternalProfile {
    /// The open litigation amount: as recorded, or zero when no case is on record (zero cases
    /// leave nothing open); `None` when unknown.
    pub fn litigation_open(&self) -> Option<Money> {
        self.litigation_open_amount
            .or((self.litigation_count == Some(0)).then_some(Money::ZERO))
    }
}

/// A customer's master data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub meta: Meta,
    pub name: String,
    pub uscc: Option<Uscc>,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub region: String,
    pub industry: String,
    /// The id of the user (in the directory) who is this customer's sales rep: what a rep sees
    /// is decided by it ([`crate::approval::User::sees`]), never by a name.
    pub sales_rep: String,
    pub first_cooperation: Date,
    pub profile: ExternalProfile,
    /// Values of user-defined fields, keyed by the field's key.
    pub custom: BTreeMap<String, String>,
    /// The language the customer is written to in (reminders), zh-CN unless set.
    #[serde(default)]
    pub lang: crate::notice::Lang,
    /// Credit limits and freeze. They change only through the limit workflow, never the form.
    #[serde(default)]
    pub limits: crate::credit::Limits,
    /// A grade set by an approved override, in place of the scorecard's.
    #[serde(default)]
    pub grade_override: Option<crate::request::GradeOverride>,
    /// Disputed invoices, open and resolved (see [`crate::dispute`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disputes: Vec<crate::dispute::Dispute>,
    /// Calls, visits, e-mails and messages recorded on the customer's file (see
    /// [`crate::contact`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<crate::contact::Contact>,
    /// Contracts, guarantees, credit insurance and other papers (see [`crate::document`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<crate::document::Document>,
    /// Only in a copy made for a user from whom rating inputs are hidden: their part of the
    /// score, worked out by the server (see [`crate::rating::sealed`]). Never in the server's
    /// own record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<crate::rating::Sealed>,
}

/// The customer form as typed: every field is text, validated together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInput {
    pub name: String,
    pub uscc: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub region: String,
    pub industry: String,
    /// A user's id, chosen from the directory (the app checks that the user exists).
    pub sales_rep: String,
    pub first_cooperation: String,
    pub registered_capital: String,
    pub founded: String,
    /// One shareholder a line: `name: percent` (for example `Zhang San: 60`).
    pub shareholders: String,
    pub litigation_count: String,
    pub litigation_open_amount: String,
    pub industry_position: String,
    pub report_score: String,
    pub report_date: String,
    /// `zh` or `en` (empty: `zh`): the language of reminders to the customer.
    #[serde(default)]
    pub lang: String,
    /// The custom fields' values as typed, by key (see [`crate::fields::check_values`]). `None`
    /// (a form from before custom fields) keeps the customer's values as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<BTreeMap<String, String>>,
}

/// The field names used in errors; the UI maps them to its inputs.
pub mod field {
    pub const NAME: &str = "name";
    pub const USCC: &str = "uscc";
    pub const CONTACT_PERSON: &str = "contact_person";
    pub const PHONE: &str = "phone";
    pub const EMAIL: &str = "email";
    pub const ADDRESS: &str = "address";
    pub const REGION: &str = "region";
    pub const INDUSTRY: &str = "industry";
    pub const SALES_REP: &str = "sales_rep";
    pub const FIRST_COOPERATION: &str = "first_cooperation";
    pub const REGISTERED_CAPITAL: &str = "registered_capital";
    pub const FOUNDED: &str = "founded";
    pub const SHAREHOLDERS: &str = "shareholders";
    pub const LITIGATION_COUNT: &str = "litigation_count";
    pub const LITIGATION_OPEN_AMOUNT: &str = "litigation_open_amount";
    pub const INDUSTRY_POSITION: &str = "industry_position";
    pub const REPORT_SCORE: &str = "report_score";
    pub const REPORT_DATE: &str = "report_date";
    pub const LANG: &str = "lang";
    /// Not a field of the form: the customer's credit limits (permanent and temporary amounts),
    /// which change only through approved requests. Named so that a grant may hide them (see
    /// [`crate::access`]).
    pub const LIMITS: &str = "limits";
}

fn optional<T>(s: &str, parse: impl Fn(&str) -> Result<T, Problem>) -> Result<Option<T>, Problem> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

fn not_after(d: Date, as_of: Date) -> Result<Date, Problem> {
    if d > as_of {
        Err(Problem::InFuture)
    } else {
        Ok(d)
    }
}

fn int_in(s: &str, min: i64, max: i64) -> Result<i64, Problem> {
    let v: i64 = s.trim().parse().map_err(|_| Problem::NotANumber)?;
    if v < min || v > max {
        Err(Problem::OutOfRange { min, max })
    } else {
        Ok(v)
    }
}

fn parse_shareholders(s: &str) -> Result<Vec<Shareholder>, Problem> {
    let mut out = Vec::new();
    let mut total = 0u32;
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, pct) = line
            .rsplit_once(':')
            .or_else(|| line.rsplit_once('：'))
            .ok_or(Problem::NotANumber)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Problem::Required);
        }
        let pct = pct.trim().trim_end_matches('%');
        // Percent with up to two decimals, read exactly as basis points.
        let bp = Money::parse(pct).map_err(|_| Problem::NotANumber)?.minor();
        if !(0..=10_000).contains(&bp) {
            return Err(Problem::OutOfRange { min: 0, max: 100 });
        }
        total += bp as u32;
        out.push(Shareholder {
            name: name.to_string(),
            share_bp: bp as u32,
        });
    }
    if total > 10_000 {
        return Err(Problem::SharesOver100);
    }
    Ok(out)
}

fn email(s: &str) -> Result<String, Problem> {
    let s = text(s, false, 120)?;
    if s.is_empty() {
        return Ok(s);
    }
    match s.split_once('@') {
        Some((user, host))
            if !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !s.contains(' ') =>
        {
            Ok(s)
        }
        _ => Err(Problem::BadEmail),
    }
}

fn phone(s: &str) -> Result<String, Problem> {
    let s = text(s, false, 30)?;
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if s.is_empty() || (digits >= 5 && s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)))
    {
        Ok(s)
    } else {
        Err(Problem::BadPhone)
    }
}

impl CustomerInput {
    /// Validates every field, collecting all problems. `existing` keeps the id and bumps the
    /// version of an edited customer; `as_of` is today (dates may not lie in the future).
    pub fn validate(
        &self,
        id: CustomerId,
        meta: Meta,
        custom: BTreeMap<String, String>,
        as_of: Date,
    ) -> Result<Customer, Vec<FieldError>> {
        use field::*;
        let mut e = Errors::default();
        let name = e.take(NAME, text(&self.name, true, 100));
        let uscc = e.take(USCC, optional(&self.uscc, Uscc::parse));
        let contact_person = e.take(CONTACT_PERSON, text(&self.contact_person, false, 60));
        let phone = e.take(PHONE, phone(&self.phone));
        let email = e.take(EMAIL, email(&self.email));
        let address = e.take(ADDRESS, text(&self.address, false, 200));
        let region = e.take(REGION, text(&self.region, true, 40));
        let industry = e.take(INDUSTRY, text(&self.industry, true, 40));
        let sales_rep = e.take(SALES_REP, text(&self.sales_rep, true, 60));
        let first_cooperation = e.take(
            FIRST_COOPERATION,
            Date::parse(&self.first_cooperation).and_then(|d| not_after(d, as_of)),
        );
        let registered_capital = e.take(
            REGISTERED_CAPITAL,
            optional(&self.registered_capital, Money::parse_non_negative),
        );
        let founded = e.take(
            FOUNDED,
            optional(&self.founded, |s| {
                Date::parse(s).and_then(|d| not_after(d, as_of))
            }),
        );
        let shareholders = e.take(SHAREHOLDERS, parse_shareholders(&self.shareholders));
        let litigation_count = e.take(
            LITIGATION_COUNT,
            optional(&self.litigation_count, |s| int_in(s, 0, 10_000)).map(|o| o.map(|v| v as u32)),
        );
        let litigation_open_amount = e.take(
            LITIGATION_OPEN_AMOUNT,
            optional(&self.litigation_open_amount, Money::parse_non_negative),
        );
        let industry_position = e.take(
            INDUSTRY_POSITION,
            optional(&self.industry_position, |s| {
                IndustryPosition::from_key(s.trim()).ok_or(Problem::NotANumber)
            }),
        );
        let report_score = e.take(
            REPORT_SCORE,
            optional(&self.report_score, |s| int_in(s, 0, 100)).map(|o| o.map(|v| v as u8)),
        );
        let report_date = e.take(
            REPORT_DATE,
            optional(&self.report_date, |s| {
                Date::parse(s).and_then(|d| not_after(d, as_of))
            }),
        );
        let lang = e.take(
            LANG,
            crate::notice::Lang::from_code(&self.lang).ok_or(Problem::NotAChoice),
        );
        if let (Some(Some(_)), Some(None)) = (&report_score, &report_date) {
            e.push(REPORT_DATE, Problem::Required);
        }
        e.finish(|| Customer {
            sealed: None,
            id,
            meta,
            name: name.unwrap(),
            uscc: uscc.unwrap(),
            contact_person: contact_person.unwrap(),
            phone: phone.unwrap(),
            email: email.unwrap(),
            address: address.unwrap(),
            region: region.unwrap(),
            industry: industry.unwrap(),
            sales_rep: sales_rep.unwrap(),
            first_cooperation: first_cooperation.unwrap(),
            profile: ExternalProfile {
                registered_capital: registered_capital.unwrap(),
                founded: founded.unwrap(),
                shareholders: shareholders.unwrap(),
                litigation_count: litigation_count.unwrap(),
                litigation_open_amount: litigation_open_amount.unwrap(),
                industry_position: industry_position.unwrap(),
                report_score: report_score.unwrap(),
                report_date: report_date.unwrap(),
            },
            custom,
            lang: lang.unwrap(),
            limits: crate::credit::Limits::default(),
            grade_override: None,
            disputes: Vec::new(),
            contacts: Vec::new(),
            documents: Vec::new(),
        })
    }

    /// The form prefilled from a stored customer (for editing).
    pub fn from_customer(c: &Customer) -> CustomerInput {
        let p = &c.profile;
        CustomerInput {
            name: c.name.clone(),
            uscc: c.uscc.map(|u| u.to_string()).unwrap_or_default(),
            contact_person: c.contact_person.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            address: c.address.clone(),
            region: c.region.clone(),
            industry: c.industry.clone(),
            sales_rep: c.sales_rep.clone(),
            first_cooperation: c.first_cooperation.iso(),
            registered_capital: p
                .registered_capital
                .map(Money::to_plain)
                .unwrap_or_default(),
            founded: p.founded.map(Date::iso).unwrap_or_default(),
            shareholders: p
                .shareholders
                .iter()
                .map(|s| {
                    format!(
                        "{}: {}",
                        s.name,
                        Money::from_minor(s.share_bp as i64).to_plain()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            litigation_count: p
                .litigation_count
                .map(|n| n.to_string())
                .unwrap_or_default(),
            litigation_open_amount: p
                .litigation_open_amount
                .map(Money::to_plain)
                .unwrap_or_default(),
            industry_position: p
                .industry_position
                .map(|i| i.key().to_string())
                .unwrap_or_default(),
            report_score: p.report_score.map(|s| s.to_string()).unwrap_or_default(),
            report_date: p.report_date.map(Date::iso).unwrap_or_default(),
            lang: c.lang.code().into(),
            custom: Some(c.custom.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{DeviceId, Timestamp};

    #[test]
    fn a_published_example_code_passes_its_check() {
        // Example codes printed on Chinese business licences.
        for code in ["91350100M000100Y43", "91110000600037341L"] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            Uscc::parse("91350100m000100y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn a_wrong_code_says_what_is_wrong() {
        let cases = [
            ("91350100M000100Y44", Problem::UsccCheckDigit),
            ("91350100M000100Y4", Problem::UsccLength),
            ("91350100M000100I43", Problem::UsccCharacter),
            ("", Problem::Required),
        ];
        for (input, p) in cases {
            assert_eq!(Uscc::parse(input), Err(p), "{input}");
        }
    }

    #[test]
    fn a_code_as_stored_and_as_typed_read_alike() {
        let typed =
            |s: &str| serde_json::from_str::<Uscc>(&format!("{s:?}")).map_err(|e| e.to_string());
        let code = Uscc::parse("91350100M000100Y43").unwrap();
        for input in [
            "91350100M000100Y43",
            " 91350100m000100y43 ",
            "91350100M000100Y43\t",
        ] {
            assert_eq!(Uscc::parse(input), Ok(code), "{input:?}");
        }
        assert_eq!(typed("91350100m000100y43"), Ok(code));
        // Eighteen bytes that are not eighteen characters: a length problem, as typed.
        assert_eq!(Uscc::parse("9135010中M000100Y"), Err(Problem::UsccLength));
        // Eighteen characters that are not eighteen bytes: a character not in the alphabet.
        for input in [
            "91350100M000100Y4３",
            "９1350100M000100Y43",
            "91350100M000100中43",
        ] {
            assert_eq!(Uscc::parse(input), Err(Problem::UsccCharacter), "{input}");
        }
        let refused = typed("91350100M000100Y44").unwrap_err();
        assert!(
            refused.contains(Problem::UsccCheckDigit.code()),
            "{refused}"
        );
    }

    #[test]
    fn the_check_character_is_computed_for_seventeen_characters() {
        assert_eq!(
            Uscc::with_check_char("91350100M000100Y4").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    fn valid_input() -> CustomerInput {
        CustomerInput {
            name: "杭州华信机械有限公司".into(),
            uscc: "91350100M000100Y43".into(),
            region: "East".into(),
            industry: "Machinery".into(),
            sales_rep: "Li Wei".into(),
            first_cooperation: "2020-03-01".into(),
            shareholders: "Zhang San: 60\nLi Si：40".into(),
            report_score: "82".into(),
            report_date: "2026-06-30".into(),
            ..Default::default()
        }
    }

    fn validate(i: &CustomerInput) -> Result<Customer, Vec<FieldError>> {
        let as_of = Date::parse("2026-11-28").unwrap();
        i.validate(
            CustomerId::from_u128(1),
            Meta::new(DeviceId::from_u128(2), Timestamp(0)),
            BTreeMap::new(),
            as_of,
        )
    }

    #[test]
    fn a_complete_form_becomes_a_customer() {
        let c = validate(&valid_input()).unwrap();
        assert_eq!(c.profile.shareholders.len(), 2);
        assert_eq!(c.profile.shareholders[1].share_bp, 4000);
        assert_eq!(c.profile.report_score, Some(82));
        assert_eq!(CustomerInput::from_customer(&c).uscc, "91350100M000100Y43");
    }

    #[test]
    fn every_problem_of_a_form_is_reported_at_its_field() {
        let input = CustomerInput {
            name: " ".into(),
            uscc: "123".into(),
            email: "nobody".into(),
            first_cooperation: "2030-01-01".into(),
            shareholders: "A: 70\nB: 40".into(),
            report_score: "101".into(),
            ..valid_input()
        };
        let errors = validate(&input).unwrap_err();
        let got: Vec<(&str, Problem)> = errors
            .iter()
            .map(|e| (e.field.as_ref(), e.problem))
            .collect();
        assert_eq!(
            got,
            vec![
                (field::NAME, Problem::Required),
                (field::USCC, Problem::UsccLength),
                (field::EMAIL, Problem::BadEmail),
                (field::FIRST_COOPERATION, Problem::InFuture),
                (field::SHAREHOLDERS, Problem::SharesOver100),
                (
                    field::REPORT_SCORE,
                    Problem::OutOfRange { min: 0, max: 100 }
                ),
            ]
        );
    }

    #[test]
    fn a_report_score_needs_its_date() {
        let input = CustomerInput {
            report_date: String::new(),
            ..valid_input()
        };
        let errors = validate(&input).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new(field::REPORT_DATE, Problem::Required)]
        );
    }

    #[test]
    fn editing_round_trips_through_the_form() {
        let c = validate(&valid_input()).unwrap();
        let again = validate(&CustomerInput::from_customer(&c)).unwrap();
        assert_eq!(c, again);
    }
}
