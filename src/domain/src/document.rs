//! Documents on the customer's file: a contract, a guarantee, credit insurance or another paper,
//! the file itself (its bytes stored apart, as a request's attachments are) and, for a paper that
//! lapses, its expiry. A document lives on the customer record
//! ([`crate::party::Customer::documents`]) and is never changed or deleted: a renewal is a new
//! document of the same kind, and the latest expiry of a kind is the one that counts.
//!
//! The warning rules read [`days_to_expiry`] as the metric `days_to_document_expiry`: the
//! built-in rule W1007 warns 30 days before a contract, guarantee or credit insurance lapses.

use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::request::Attachment;
use crate::text::text;
use serde::{Deserialize, Serialize};

/// Field names of the document form (errors are reported at these).
pub mod field {
    pub const KIND: &str = "kind";
    pub const TITLE: &str = "title";
    pub const EXPIRES: &str = "expires";
    pub const FILE: &str = "file";
}

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Contract,
    Guarantee,
    CreditInsurance,
    Other,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [
        DocKind::Contract,
        DocKind::Guarantee,
        DocKind::CreditInsurance,
        DocKind::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            DocKind::Contract => "contract",
            DocKind::Guarantee => "guarantee",
            DocKind::CreditInsurance => "credit_insurance",
            DocKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Result<DocKind, Problem> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        DocKind::ALL
            .into_iter()
            .find(|k| k.key() == s)
            .ok_or(Problem::NotAChoice)
    }
}

/// One document of a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Unique within the customer (the command that adds it chooses it).
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    /// The file (its bytes are stored under `file.id`).
    pub file: Attachment,
    /// The day it lapses, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    pub added_on: Date,
    pub by: String,
}

impl Document {
    pub const TITLE_MAX: usize = 120;
}

/// The document form as typed (the file travels beside it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInput {
    pub kind: String,
    pub title: String,
    /// Empty: it does not lapse.
    #[serde(default)]
    pub expires: String,
}

impl DocumentInput {
    /// Checks the form and its file (present, not empty, at most 5 MiB): every problem at its
    /// field. An expiry may lie in the past (a lapsed paper kept for the record).
    pub fn validate(
        &self,
        id: &str,
        file: Option<&Attachment>,
        by: &str,
        as_of: Date,
    ) -> Result<Document, Vec<FieldError>> {
        let mut e = Errors::default();
        let kind = e.take(field::KIND, DocKind::parse(&self.kind));
        let title = e.take(field::TITLE, text(&self.title, true, Document::TITLE_MAX));
        let expires = if self.expires.trim().is_empty() {
            Some(None)
        } else {
            e.take(field::EXPIRES, Date::parse(&self.expires).map(Some))
        };
        match file {
            None => e.push(field::FILE, Problem::Required),
            Some(f) => {
                if crate::request::check_attachments(std::slice::from_ref(f)).is_err() {
                    e.push(
                        field::FILE,
                        Problem::FileSize {
                            max_mib: (crate::request::MAX_ATTACHMENT_BYTES >> 20) as u32,
                        },
                    );
                }
            }
        }
        e.finish(|| Document {
            id: id.to_string(),
            kind: kind.expect("checked"),
            title: title.expect("checked"),
            file: file.cloned().expect("checked"),
            expires: expires.expect("checked"),
            added_on: as_of,
            by: by.to_string(),
        })
    }
}

/// Days until the customer's first paper lapses (negative: lapsed). For each kind, the latest
/// expiry of that kind is the one that counts (a renewal supersedes the paper it renews); a kind
/// with a document that does not lapse never counts; documents of kind "other" never count.
/// `None`: nothing lapses.
pub fn days_to_expiry(docs: &[Document], as_of: Date) -> Option<i64> {
    [
        DocKind::Contract,
        DocKind::Guarantee,
        DocKind::CreditInsurance,
    ]
    .into_iter()
    .filter_map(|k| {
        let of_kind: Vec<&Document> = docs.iter().filter(|d| d.kind == k).collect();
        if of_kind.is_empty() || of_kind.iter().any(|d| d.expires.is_none()) {
            return None;
        }
        of_kind.iter().filter_map(|d| d.expires).max()
    })
    .map(|d| d.days_since(as_of) as i64)
    .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: DocKind, expires: Option<&str>) -> Document {
        Document {
            id: "d".into(),
            kind,
            title: "t".into(),
            file: Attachment {
                id: "f".into(),
                name: "f.pdf".into(),
                mime: "application/pdf".into(),
                size: 10,
            },
            expires: expires.map(|s| Date::parse(s).unwrap()),
            added_on: Date::parse("2026-01-01").unwrap(),
            by: "fs".into(),
        }
    }

    #[test]
    fn the_soonest_latest_expiry_per_kind_counts_and_a_renewal_supersedes() {
        use DocKind::*;
        let today = Date::parse("2026-06-15").unwrap();
        let check = |docs: Vec<Document>, expected: Option<i64>| {
            assert_eq!(days_to_expiry(&docs, today), expected, "{docs:?}");
        };
        check(vec![], None);
        check(vec![doc(Other, Some("2026-06-20"))], None);
        check(vec![doc(Contract, Some("2026-07-15"))], Some(30));
        check(vec![doc(Contract, Some("2026-06-01"))], Some(-14));
        // Renewed: the new contract's expiry counts, not the lapsed one's.
        check(
            vec![
                doc(Contract, Some("2026-06-01")),
                doc(Contract, Some("2027-06-01")),
            ],
            Some(351),
        );
        // The soonest kind: the guarantee lapses before the contract.
        check(
            vec![
                doc(Contract, Some("2027-06-01")),
                doc(Guarantee, Some("2026-07-01")),
            ],
            Some(16),
        );
        // A contract without an end never lapses.
        check(
            vec![doc(Contract, Some("2026-06-01")), doc(Contract, None)],
            None,
        );
    }
}
