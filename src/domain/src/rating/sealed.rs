//! A grade worked out from inputs the user may not see.
//!
//! An administrator may hide rating inputs from a role: the external profile's fields, or a
//! custom field a model reads. The user's device then never holds their values, yet it grades
//! the customer itself (offline, after each payment it records). So the party that sees every
//! input (the server) works out the hidden inputs' part of the score and sends that in their
//! place: a [`Sealed`] part.
//!
//! - **What a sealed part tells.** Only sums over the hidden inputs the published model reads,
//!   all together: the weighted points and the weight they count for (the weighted mode), or the
//!   points (the additive mode), and how many of them have data. Never a value. With one such
//!   input (or one with data) the sum is that input's points, which tell its bin.
//! - **How the device uses it.** The inputs the [`Mask`] names are left out of its own sum and
//!   the sealed part is added in their place ([`Prepared::rate_sealed`]); the rest (the ledger's
//!   metrics, the visible fields) it computes as always. The total, and so the grade, is exactly
//!   the one the server computes from every input (tested over every demo customer).
//! - **Tied to a model version.** A part worked out under another model than the one published
//!   counts for nothing: the hidden inputs then read as missing until the next pull brings a new
//!   part with the new model.
//! - **As of the day it was worked out.** The report score's age and the years since founding
//!   change with the day; a device offline past the day the report goes stale, or a year since
//!   founding turns, keeps counting them as they were until its next pull.
//!
//! [`Prepared::rate_sealed`]: super::scorecard::Prepared::rate_sealed

use super::analyst::Source;
use super::metrics::FactorKey;
use crate::party::field;
use serde::{Deserialize, Serialize};

/// The model inputs hidden from a user: built-in metrics that read a hidden field of the
/// external profile, and hidden custom fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mask {
    /// One bit per [`FactorKey`], in its order.
    metrics: u32,
    /// Custom fields' keys, sorted.
    custom: Vec<String>,
}

/// The metrics that read a field of the form (the external profile's; the rest read none that
/// may be hidden).
fn metrics_of(name: &str) -> &'static [FactorKey] {
    use FactorKey::*;
    match name {
        field::REGISTERED_CAPITAL => &[RegisteredCapital],
        field::FOUNDED => &[YearsSinceFounding],
        field::SHAREHOLDERS => &[LargestShareholder],
        // Zero cases on record make the open amount zero: the amount reads the count too.
        field::LITIGATION_COUNT => &[LitigationCount, LitigationOpenAmount],
        field::LITIGATION_OPEN_AMOUNT => &[LitigationOpenAmount],
        field::INDUSTRY_POSITION => &[IndustryPosition],
        // The report's date decides whether its score is too old to count.
        field::REPORT_SCORE | field::REPORT_DATE => &[ReportScore],
        _ => &[],
    }
}

impl Mask {
    /// The mask of the fields hidden from a user (fixed names and `custom.<key>`, as
    /// [`crate::access::hidden`] gives them).
    pub fn of<S: AsRef<str>>(hidden: &[S]) -> Mask {
        let mut m = Mask::default();
        for f in hidden {
            let f = f.as_ref();
            match f.strip_prefix("custom.") {
                Some(k) => m.custom.push(k.to_string()),
                None => {
                    for k in metrics_of(f) {
                        m.metrics |= 1 << *k as u32;
                    }
                }
            }
        }
        m.custom.sort();
        m.custom.dedup();
        m
    }

    /// Only the inputs `model` reads: a user from whom only other fields are hidden gets no
    /// sealed part.
    pub fn read_by(&self, model: &super::Scorecard) -> Mask {
        let mut m = Mask::default();
        match &model.additive {
            Some(a) => {
                for b in &a.bindings {
                    match &b.source {
                        Some(Source::Metric(k)) if self.hides_metric(*k) => {
                            m.metrics |= 1 << *k as u32
                        }
                        Some(Source::Custom { key, .. }) if self.custom.contains(key) => {
                            m.custom.push(key.clone())
                        }
                        _ => {}
                    }
                }
            }
            None => {
                for k in model
                    .factors
                    .iter()
                    .filter_map(|f| FactorKey::from_key(&f.key))
                {
                    if self.hides_metric(k) {
                        m.metrics |= 1 << k as u32;
                    }
                }
            }
        }
        m.custom.sort();
        m.custom.dedup();
        m
    }

    /// Whether nothing a model could read is hidden.
    pub fn is_empty(&self) -> bool {
        self.metrics == 0 && self.custom.is_empty()
    }

    pub fn hides_metric(&self, k: FactorKey) -> bool {
        self.metrics & (1 << k as u32) != 0
    }

    /// Whether an additive model's variable reads a hidden input.
    pub fn hides(&self, source: Option<&Source>) -> bool {
        match source {
            Some(Source::Metric(k)) => self.hides_metric(*k),
            Some(Source::Custom { key, .. }) => self.custom.iter().any(|c| c == key),
            None => false,
        }
    }
}

/// The hidden inputs' part of one customer's score under one model version (see the module
/// docs). Every figure is a sum over all the hidden inputs together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sealed {
    /// The model version it was worked out under.
    pub model: u32,
    /// Which inputs it stands for (the [`Mask`]): the metrics, one bit each, and the custom
    /// fields' keys. A device reads the mask from here, not from its own idea of who is signed
    /// in.
    #[serde(default)]
    pub metrics: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<String>,
    /// The weighted mode: points × weight × 100 over the hidden factors with data.
    #[serde(default)]
    pub sum: i64,
    /// The weighted mode: the hidden factors' weight the score is divided by (those with data;
    /// all of them when the model counts missing data as zero points).
    #[serde(default)]
    pub denom: i64,
    /// The weighted mode: the hidden factors' weight that has data (the coverage's share).
    #[serde(default)]
    pub with: i64,
    /// The additive mode: the hidden characteristics' points, millionths.
    #[serde(default)]
    pub points: i64,
    /// The additive mode: how many hidden characteristics had a value a bin takes.
    #[serde(default)]
    pub present: u32,
}

impl Sealed {
    /// The inputs this part stands for.
    pub fn mask(&self) -> Mask {
        Mask {
            metrics: self.metrics,
            custom: self.custom.clone(),
        }
    }

    /// Whether it stands for exactly these inputs.
    pub fn covers(&self, mask: &Mask) -> bool {
        self.metrics == mask.metrics && self.custom == mask.custom
    }

    /// An empty part for `mask` under a model version.
    pub(crate) fn empty(model: u32, mask: &Mask) -> Sealed {
        Sealed {
            model,
            metrics: mask.metrics,
            custom: mask.custom.clone(),
            ..Sealed::default()
        }
    }
}
