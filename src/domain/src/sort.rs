//! Stable sorting with one copy of the sorting code in the program.
//!
//! The standard library's sort is compiled anew for every element type and every comparison:
//! in the browser's wasm, about 4.5 KB each. The app had about 80 of them, 366 KB of its 6.5 MB
//! before wasm-opt (`twiggy monos`, 2026-12-05), every one downloaded by a phone's first visit.
//! Here the comparison is called through a `&mut dyn FnMut` on positions, so one sort serves
//! every call; the elements are then moved into place, following the permutation's cycles.
//! Equal elements keep their order, as with `slice::sort_by`.
//!
//! For the lists a page or a command sorts: customers, report rows, a customer's documents, a
//! form's choices. What sorts once per invoice, per imported row or per rule hit keeps the
//! standard sort, whose comparison is inlined: allocation, aging, the import's check and the
//! customers it touched, the forecast's apportioning, the rules' hits, the demo generator.
//! The one exception is `FieldSet::active`, run for every row an import checks: its few fields
//! sort without allocating (below).

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably.
pub fn by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    // A short list (a form's fields, checked for every row of an import) sorts without
    // allocating.
    let mut small = [0usize; 32];
    let mut large = Vec::new();
    let order: &mut [usize] = if v.len() <= small.len() {
        &mut small[..v.len()]
    } else {
        large.resize(v.len(), 0);
        &mut large
    };
    {
        let v = &*v;
        positions(order, &mut |a, b| cmp(&v[a], &v[b]));
    }
    permute(v, order);
}

/// Sorts `v` by the key `key` gives each element, stably (the key is computed at every
/// comparison, as with `slice::sort_by_key`).
pub fn by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in its type's order.
pub fn natural<T: Ord>(v: &mut [T]) {
    by(v, T::cmp);
}

/// Fills `order` with the positions `0..order.len()` in the order `cmp` gives them: the one
/// place that sorts.
#[inline(never)]
fn positions(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Moves the element at `order[i]` to position `i`, for every `i`, by swaps along each cycle
/// (`order` is used up).
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    const DONE: usize = usize::MAX;
    for start in 0..v.len() {
        let mut at = start;
        // Each position of the cycle through `start` gets its element; the last one already has
        // it when the cycle closes.
        loop {
            let from = std::mem::replace(&mut order[at], DONE);
            if from == DONE || from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &[(u8, u8)], expected: &[(u8, u8)]) {
        let mut v = input.to_vec();
        by_key(&mut v, |p| p.0);
        assert_eq!(v, expected, "sorting {input:?} by the first of each pair");
    }

    #[test]
    fn a_list_is_sorted_by_its_key_and_equal_keys_keep_their_order() {
        check(&[], &[]);
        check(&[(1, 0)], &[(1, 0)]);
        check(&[(2, 0), (1, 0)], &[(1, 0), (2, 0)]);
        check(
            &[(3, 0), (1, 1), (2, 0), (1, 0), (3, 1), (0, 9)],
            &[(0, 9), (1, 1), (1, 0), (2, 0), (3, 0), (3, 1)],
        );
        // One long cycle and fixed points.
        check(
            &[(4, 0), (0, 0), (2, 0), (1, 0), (3, 0)],
            &[(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)],
        );
    }

    #[test]
    fn natural_order_and_a_comparison_sort_like_the_standard_library() {
        let mut words = vec!["pear", "apple", "fig", "apple"];
        natural(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "pear"]);
        let mut xs = vec![2.5_f64, -1.0, 10.0];
        by(&mut xs, |a, b| b.total_cmp(a));
        assert_eq!(xs, [10.0, 2.5, -1.0]);
    }

    proptest! {
        #[test]
        fn any_list_ends_as_the_standard_stable_sort_leaves_it(
            v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)
        ) {
            let mut ours = v.clone();
            by_key(&mut ours, |p| p.0);
            let mut std_sorted = v;
            std_sorted.sort_by_key(|p| p.0);
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
