//! Text in the order a person of the user's language expects: through the browser's
//! `Intl.Collator`, so that Chinese names sort by pinyin (北京 before 上海), not by code point.
//! The sort runs inside JavaScript (one call for the whole list); the result is a rank per text,
//! cached by the texts, so a list re-sorts by rank without asking the browser again.

use crate::ui::i18n::Lang;
use creditdesk_domain::sort;
use foldhash::fast::FixedState;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasher;
use wasm_bindgen::{JsCast, JsValue};

/// Ranks computed for a language and a hash of the texts.
type Cached = ((Lang, u64), Vec<u32>);

thread_local! {
    /// The last ranks computed.
    static LAST: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// The cache's key: the language and a hash of the texts. Foldhash with a fixed seed (the same
/// texts hash the same in the whole session); SipHash over the large book's 10,000 names was
/// about 7 ms at each sort by name.
fn key(lang: Lang, texts: &[&str]) -> (Lang, u64) {
    // The count too: a hash alone that matched other texts could hand back ranks of another
    // length.
    (
        lang,
        FixedState::with_seed(0).hash_one((texts.len(), texts)),
    )
}

/// The ranks of these texts if they are the last ones ranked (or seeded).
pub fn cached(lang: Lang, texts: &[&str]) -> Option<Vec<u32>> {
    let key = key(lang, texts);
    LAST.with_borrow(|l| {
        l.as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, r)| r.clone())
    })
}

/// Takes ranks computed before (kept with the figures of the last start) as the ranks of these
/// texts, so that the first sort by name asks the browser nothing. `ranks` has one per text.
pub fn seed(lang: Lang, texts: &[&str], ranks: Vec<u32>) {
    if ranks.len() == texts.len() {
        let key = key(lang, texts);
        LAST.with_borrow_mut(|l| *l = Some((key, ranks)));
    }
}

/// The rank of each text in the language's collation order: equal texts have equal ranks.
/// Falls back to code-point order where `Intl.Collator` is missing.
pub fn ranks(lang: Lang, texts: &[&str]) -> Vec<u32> {
    if let Some(r) = cached(lang, texts) {
        return r;
    }
    let out = ranks_of(lang, texts);
    LAST.with_borrow_mut(|l| *l = Some((key(lang, texts), out.clone())));
    out
}

/// A few items (a filter's choices: regions, sales reps) in the language's order of their
/// texts, ties as they came; not cached, so the list's ranks of every name stay.
pub fn in_order<T>(lang: Lang, items: Vec<T>, text: impl Fn(&T) -> &str) -> Vec<T> {
    let rank = ranks_of(lang, &items.iter().map(&text).collect::<Vec<_>>());
    let mut ranked: Vec<(u32, T)> = rank.into_iter().zip(items).collect();
    sort::by_key(&mut ranked, |(r, _)| *r);
    ranked.into_iter().map(|(_, t)| t).collect()
}

/// [`ranks`] without the cache.
fn ranks_of(lang: Lang, texts: &[&str]) -> Vec<u32> {
    // Nothing to order: no collator (making one for Chinese was a task of about 18 ms while
    // the page mounted, its list still empty).
    if texts.len() < 2 {
        return vec![0; texts.len()];
    }
    let mut unique: Vec<&str> = texts.to_vec();
    sort::natural(&mut unique);
    unique.dedup();
    let order =
        collated(lang, &unique).unwrap_or_else(|| unique.iter().map(|s| s.to_string()).collect());
    let mut rank: HashMap<&str, u32, FixedState> =
        HashMap::with_capacity_and_hasher(order.len(), FixedState::with_seed(0));
    rank.extend(
        order
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32)),
    );
    texts
        .iter()
        .map(|t| rank.get(t).copied().unwrap_or(u32::MAX))
        .collect()
}

/// What [`collated`] joins the texts with to hand them over in one string: a character no name
/// holds (a text that does is handed over alone).
const SEP: &str = "\0";

/// The texts sorted by `Intl.Collator(lang)` inside JavaScript. Handed over joined in one
/// string and split there, and back the same way: one by one, the first start's 10,000 names
/// were some 15 ms of strings made and read across, beside the sort itself.
fn collated(lang: Lang, texts: &[&str]) -> Option<Vec<String>> {
    let locales = js_sys::Array::of1(&JsValue::from_str(lang.code()));
    let collator = js_sys::Intl::Collator::new(&locales, &js_sys::Object::new());
    let compare = collator.compare();
    let joined = !texts.iter().any(|t| t.contains(SEP));
    let arr: js_sys::Array = if joined {
        js_sys::JsString::from(texts.join(SEP)).split(SEP)
    } else {
        texts.iter().map(|s| JsValue::from_str(s)).collect()
    };
    let sort: js_sys::Function = js_sys::Reflect::get(&arr, &JsValue::from_str("sort"))
        .ok()?
        .dyn_into()
        .ok()?;
    sort.call1(&arr, &compare).ok()?;
    if joined {
        let back = String::from(arr.join(SEP));
        return Some(back.split(SEP).map(str::to_string).collect());
    }
    arr.iter().map(|v| v.as_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn seeded_ranks_are_answered_for_the_same_texts_only() {
        let names = ["甲", "乙", "丙"];
        seed(Lang::En, &names, vec![9, 8, 7]);
        assert_eq!(cached(Lang::En, &names), Some(vec![9, 8, 7]));
        assert_eq!(ranks(Lang::En, &names), vec![9, 8, 7]);
        assert_eq!(cached(Lang::Zh, &names), None, "another language");
        assert_eq!(cached(Lang::En, &names[..2]), None, "other texts");
        // Ranks that do not fit the texts are not taken.
        seed(Lang::En, &names[..2], vec![1]);
        assert_eq!(cached(Lang::En, &names[..2]), None);
    }

    #[test]
    fn texts_handed_over_joined_or_alone_come_back_each_in_its_place() {
        // Empty ones, characters of every width, and (handed over alone) one holding the
        // character the others are joined with.
        check(Lang::En, &["b", "", "a", "c 🧾", "a"], vec![2, 0, 1, 3, 1]);
        check(Lang::En, &["b", "a\u{0}x", "", "a"], vec![3, 2, 0, 1]);
    }

    fn check(lang: Lang, texts: &[&str], expected: Vec<u32>) {
        LAST.with_borrow_mut(|l| *l = None);
        assert_eq!(ranks(lang, texts), expected, "{texts:?}");
    }

    #[test]
    fn a_filters_choices_come_in_the_languages_order_and_leave_the_lists_ranks_cached() {
        let names = ["乙", "甲"];
        seed(Lang::Zh, &names, vec![1, 0]);
        let reps = vec![
            ("u3", "张强"),
            ("u1", "黄敏"),
            ("u2", "李娜"),
            ("u4", "黄敏"),
        ];
        let ordered = in_order(Lang::Zh, reps, |(_, name)| name);
        // Huáng, Lǐ, Zhāng; the two of one name as they came.
        assert_eq!(
            ordered.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            ["u1", "u4", "u2", "u3"]
        );
        let regions = in_order(Lang::En, vec!["south", "East", "north"], |r| r);
        assert_eq!(regions, ["East", "north", "south"], "not by code point");
        assert_eq!(cached(Lang::Zh, &names), Some(vec![1, 0]));
    }

    #[test]
    fn chinese_names_sort_by_pinyin_and_equal_names_share_a_rank() {
        let names = ["上海华联", "北京同仁", "广州白云", "北京同仁"];
        let r = ranks(Lang::Zh, &names);
        // Běijīng, Guǎngzhōu, Shànghǎi.
        assert_eq!(r, vec![2, 0, 1, 0]);
        assert!(
            r[1] < r[0],
            "北京 before 上海 (code point order would put 上 first)"
        );
    }
}
