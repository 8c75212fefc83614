//! The dashboard's and the reports' filters in the URL, and how their figures read as text. The
//! figures themselves are the application crate's queries (`creditdesk_app::reports`).

pub use creditdesk_app::reports::*;
use creditdesk_domain::ledger::DaysTenths;
use creditdesk_domain::rating::Grade;
use creditdesk_domain::reports::Countback;
use creditdesk_domain::Date;

/// A view's filters as query parameters of its URL.
pub trait FilterUrl: Sized {
    /// Reads the filters from query parameters; unknown or malformed values are ignored.
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self;
    /// The query string (`?rep=…&grade=A`) of these filters plus `extra` pairs; empty values
    /// are left out.
    fn query(&self, extra: &[(&str, String)]) -> String;
}

impl FilterUrl for Filter {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Filter {
        let text = |k: &str| get(k).unwrap_or_default().trim().to_string();
        Filter {
            rep: text("rep"),
            region: text("region"),
            grade: get("grade").and_then(|g| Grade::ALL.into_iter().find(|x| x.label() == g)),
            industry: text("industry"),
            as_of: get("as_of").and_then(|d| Date::parse(&d).ok()),
        }
    }
    fn query(&self, extra: &[(&str, String)]) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("rep", self.rep.clone()),
            ("region", self.region.clone()),
            (
                "grade",
                self.grade
                    .map(|g| g.label().to_string())
                    .unwrap_or_default(),
            ),
            ("industry", self.industry.clone()),
            ("as_of", self.as_of.map(Date::iso).unwrap_or_default()),
        ];
        for (k, v) in extra {
            pairs.retain(|(p, _)| p != k);
            pairs.push((k, v.clone()));
        }
        let parts: Vec<String> = pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(&v))))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Days as text, `73.7`.
pub fn days_text(t: Option<DaysTenths>) -> String {
    t.map_or_else(|| "—".into(), |t| t.format())
}

/// Countback DSO as text: `73.7` or `> 365`.
pub fn countback_text(c: Option<Countback>) -> String {
    match c {
        Some(Countback::Days(t)) => t.format(),
        Some(Countback::MoreThan(n)) => format!("> {n}"),
        None => "—".into(),
    }
}

/// Basis points as a percentage with one decimal, rounded down (as utilisation is compared).
pub fn bp_text(bp: Option<i64>) -> String {
    bp.map_or_else(
        || "—".into(),
        |b| format!("{}.{}%", b / 100, (b % 100) / 10),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_filter_goes_to_the_url_and_back_unchanged() {
        let f = Filter {
            rep: "王磊".into(),
            region: "华东 & 沪".into(),
            grade: Some(Grade::AA),
            industry: String::new(),
            as_of: Date::parse("2026-06-30").ok(),
        };
        let q = f.query(&[]);
        assert_eq!(
            q,
            "?rep=%E7%8E%8B%E7%A3%8A&region=%E5%8D%8E%E4%B8%9C%20%26%20%E6%B2%AA&grade=AA&as_of=2026-06-30"
        );
        let pairs: Vec<(String, String)> = q[1..]
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (
                    k.to_string(),
                    js_sys::decode_uri_component(v).unwrap().into(),
                )
            })
            .collect();
        let back = Filter::from_query(|k| pairs.iter().find(|p| p.0 == k).map(|p| p.1.clone()));
        assert_eq!(back, f);
        assert_eq!(Filter::default().query(&[]), "");
        assert_eq!(
            Filter::default().query(&[("bucket", "90+".into())]),
            "?bucket=90%2B"
        );
    }

    #[test]
    fn malformed_filter_values_are_ignored() {
        let f = Filter::from_query(|k| match k {
            "grade" => Some("AAAA".into()),
            "as_of" => Some("2026-02-30".into()),
            "rep" => Some("  Li  ".into()),
            _ => None,
        });
        assert_eq!(f.grade, None);
        assert_eq!(f.as_of, None);
        assert_eq!(f.rep, "Li");
    }

    #[test]
    fn percentages_of_basis_points_round_down() {
        assert_eq!(bp_text(Some(8999)), "89.9%");
        assert_eq!(bp_text(Some(9000)), "90.0%");
        assert_eq!(bp_text(None), "—");
        assert_eq!(countback_text(Some(Countback::MoreThan(730))), "> 730");
    }
}
