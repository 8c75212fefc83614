//! A value per customer, found by id, kept in rows in the order they were put: the book's
//! metrics and grades ([`crate::Book::metrics`], [`crate::Book::rated`]).
//!
//! A pass over every customer (the rating's metrics, the grades made of them) fills the rows in
//! the book's order of customers ([`PerCustomer::refill`]). When the customers are those of the
//! pass before, in the same order (the usual case: another day, another model, the same
//! customers), their index is kept and only the rows are written, front to back. Between passes
//! the order may differ (grades kept between starts come back in the order of their ids; a
//! customer added since the last pass has its row last): the next pass then makes the index
//! again, once. A hash map of the values themselves had to place each 300-byte row of metrics at
//! a random slot of a table larger than the rows, on every pass.

use creditdesk_domain::id::IdMap;
use creditdesk_domain::CustomerId;

/// Values by customer id, in rows kept in the order put (see the module's docs). Like a map: one
/// value per id, a later put of the same id replacing the value in its row.
#[derive(Clone, Debug)]
pub struct PerCustomer<T> {
    ids: Vec<CustomerId>,
    at: IdMap<CustomerId, u32>,
    rows: Vec<T>,
}

impl<T> Default for PerCustomer<T> {
    fn default() -> Self {
        PerCustomer {
            ids: Vec::new(),
            at: IdMap::default(),
            rows: Vec::new(),
        }
    }
}

impl<T> PerCustomer<T> {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, id: &CustomerId) -> Option<&T> {
        self.at.get(id).map(|&i| &self.rows[i as usize])
    }

    pub fn get_mut(&mut self, id: &CustomerId) -> Option<&mut T> {
        self.at.get(id).map(|&i| &mut self.rows[i as usize])
    }

    pub fn contains_key(&self, id: &CustomerId) -> bool {
        self.at.contains_key(id)
    }

    /// Puts `id`'s value: in its row if it has one (the old value returned), else in a new row
    /// after the others.
    pub fn insert(&mut self, id: CustomerId, value: T) -> Option<T> {
        match self.at.get(&id) {
            Some(&i) => Some(std::mem::replace(&mut self.rows[i as usize], value)),
            None => {
                self.at.insert(id, self.rows.len() as u32);
                self.ids.push(id);
                self.rows.push(value);
                None
            }
        }
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.at.clear();
        self.rows.clear();
    }

    /// The ids, in the rows' order.
    pub fn keys(&self) -> std::slice::Iter<'_, CustomerId> {
        self.ids.iter()
    }

    /// The values, in the rows' order.
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.rows.iter()
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.rows.iter_mut()
    }

    /// Each id with its value, in the rows' order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&CustomerId, &T)> {
        self.ids.iter().zip(&self.rows)
    }

    /// Replaces every value: afterwards it holds exactly `ids` with `values`, paired in order
    /// (as a map would after `clear` and `extend` of the pairs: the shorter of the two ends
    /// them; an id given twice keeps its last value). When `ids` are those it holds, in the same
    /// order, the index is kept and the rows are written in place. Both iterators are read to
    /// their end.
    pub fn refill(
        &mut self,
        ids: impl IntoIterator<Item = CustomerId>,
        values: impl IntoIterator<Item = T>,
    ) {
        // The ids are copied once (160 KB at 10,000 customers) to compare them with those held.
        let ids: Vec<CustomerId> = ids.into_iter().collect();
        self.rows.clear();
        self.rows.extend(values);
        if ids == self.ids && self.rows.len() == ids.len() {
            return;
        }
        let rows = std::mem::take(&mut self.rows);
        self.clear();
        self.extend(ids.into_iter().zip(rows));
    }
}

impl<T> Extend<(CustomerId, T)> for PerCustomer<T> {
    fn extend<I: IntoIterator<Item = (CustomerId, T)>>(&mut self, pairs: I) {
        for (id, value) in pairs {
            self.insert(id, value);
        }
    }
}

impl<T> FromIterator<(CustomerId, T)> for PerCustomer<T> {
    fn from_iter<I: IntoIterator<Item = (CustomerId, T)>>(pairs: I) -> Self {
        let mut out = PerCustomer::default();
        out.extend(pairs);
        out
    }
}

impl<T> std::ops::Index<&CustomerId> for PerCustomer<T> {
    type Output = T;
    fn index(&self, id: &CustomerId) -> &T {
        self.get(id).expect("a value for the customer")
    }
}

/// Equal when they hold the same ids with equal values, in whatever order, as maps are.
impl<T: PartialEq> PartialEq for PerCustomer<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(id, v)| other.get(id) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn id(n: u128) -> CustomerId {
        CustomerId::from_u128(n)
    }

    fn as_map(p: &PerCustomer<u32>) -> BTreeMap<CustomerId, u32> {
        assert_eq!(p.keys().len(), p.len(), "an id for every row");
        p.iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// `refill` against a map cleared and extended with the same pairs, from a table holding
    /// `before` (ids 1..), for `ids` and as many values as `values`.
    fn check(before: &[u128], ids: &[u128], values: usize) {
        let mut p: PerCustomer<u32> = before.iter().map(|&n| (id(n), 0)).collect();
        let pairs = || ids.iter().map(|&n| id(n)).zip(100..100 + values as u32);
        p.refill(ids.iter().map(|&n| id(n)), 100..100 + values as u32);
        let map: BTreeMap<CustomerId, u32> = pairs().collect();
        assert_eq!(
            as_map(&p),
            map,
            "from {before:?}, refilled with {ids:?} and {values} values"
        );
        for (k, v) in &map {
            assert_eq!(p[k], *v);
        }
        // Every id held before, or given, or neither: found exactly as in the map.
        for n in before.iter().chain(ids).chain(&[99]) {
            let k = id(*n);
            assert_eq!(p.get(&k), map.get(&k), "id {n}");
            assert_eq!(p.contains_key(&k), map.contains_key(&k), "id {n}");
        }
    }

    #[test]
    fn a_refill_holds_what_a_map_cleared_and_extended_with_the_same_pairs_holds() {
        check(&[], &[], 0);
        check(&[], &[1, 2, 3], 3);
        check(&[1, 2, 3], &[1, 2, 3], 3); // the same customers: the index kept
        check(&[1, 2, 3], &[1, 2], 2); // one gone from the end
        check(&[1, 2, 3], &[1, 3], 2); // one gone from the middle
        check(&[1, 2, 3], &[1, 2, 3, 4], 4); // one more
        check(&[1, 2, 3], &[3, 2, 1], 3); // another order
        check(&[1, 2, 3], &[1, 2, 3], 2); // fewer values than ids
        check(&[1, 2, 3], &[1, 2], 3); // more values than ids
        check(&[1, 2, 3], &[1, 2, 1], 3); // an id twice: its last value
        check(&[1, 2, 3], &[], 0);
    }

    #[test]
    fn refilled_rows_are_in_the_order_of_the_ids_given() {
        let mut p: PerCustomer<u32> = [(id(1), 1), (id(2), 2)].into_iter().collect();
        p.refill([id(2), id(1), id(3)], [20, 10, 30]);
        assert_eq!(p.keys().copied().collect::<Vec<_>>(), [id(2), id(1), id(3)]);
        assert_eq!(p.values().copied().collect::<Vec<_>>(), [20, 10, 30]);
        p.refill([id(2), id(1), id(3)], [21, 11, 31]);
        assert_eq!(p.values().copied().collect::<Vec<_>>(), [21, 11, 31]);
    }

    #[test]
    fn a_put_replaces_the_value_in_its_row_and_a_new_id_goes_last() {
        let mut p = PerCustomer::default();
        assert_eq!(p.insert(id(1), "a"), None);
        assert_eq!(p.insert(id(2), "b"), None);
        assert_eq!(p.insert(id(1), "c"), Some("a"));
        assert_eq!(
            p.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [(id(1), "c"), (id(2), "b")]
        );
        *p.get_mut(&id(2)).unwrap() = "d";
        assert_eq!(p[&id(2)], "d");
        p.clear();
        assert!(p.is_empty() && p.get(&id(1)).is_none());
    }

    #[test]
    fn tables_with_the_same_values_by_id_are_equal_in_any_order() {
        let a: PerCustomer<u32> = [(id(1), 1), (id(2), 2)].into_iter().collect();
        let b: PerCustomer<u32> = [(id(2), 2), (id(1), 1)].into_iter().collect();
        let c: PerCustomer<u32> = [(id(2), 2), (id(1), 3)].into_iter().collect();
        let d: PerCustomer<u32> = [(id(1), 1)].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_ne!(d, a);
    }
}
