//! The ledger's rules for a plan's records, checked again when they are written: a device's
//! import is checked here, on the server, not trusted.
//!
//! Over a ledger of a million invoices the costly part is one pass over the stored invoices for
//! the numbers and ids the file brings again, each asked of a [`Sieve`] before its set
//! ([`crate::sieve`]). [`Recheck`] makes that pass a range at a time, for a caller that gives the
//! page a turn between (the browser: a pass of 60-80 ms in one task); [`recheck`] in one go.

use super::validate::Records;
use crate::date::Date;
use crate::id::{CustomerId, IdMap, InvoiceId};
use crate::ledger::{Allocation, Ledger};
use crate::money::Money;
use crate::sieve::{among, Sieve};
use crate::text::DocNo;
use foldhash::{HashSet, HashSetExt};

/// Adds to `refused` (one line each, in English: the command's error) every record of `r` that
/// breaks a rule a typed one meets: positive amounts, a due date not before the issue date, no
/// id or document number twice (in the ledger or the file), and payments and credit notes
/// allocated within what is open (all of a customer's in the file together).
pub fn recheck(ledger: &Ledger, r: &Records, refused: &mut Vec<String>) {
    Recheck::new(r).finish(ledger, refused);
}

/// [`recheck`] in steps: [`Recheck::new`] makes the file's sets, [`Recheck::scan`] goes over
/// the next stored invoices, [`Recheck::finish`] scans what is left (invoices added meanwhile
/// too) and checks the rest. A ledger that changed otherwise between the steps (an invoice
/// voided, a payment) is the caller's to notice: the answer is then that of no one state.
pub struct Recheck<'r> {
    r: &'r Records,
    /// The file's invoice numbers and ids, each list's set and sieve.
    numbers: HashSet<DocNo>,
    ids: HashSet<InvoiceId>,
    sieves: Option<(Sieve, Sieve)>,
    /// What the stored invoices scanned so far hold of them.
    stored: HashSet<DocNo>,
    stored_ids: HashSet<InvoiceId>,
    /// The next stored invoice to scan.
    next: usize,
}

impl<'r> Recheck<'r> {
    pub fn new(r: &'r Records) -> Recheck<'r> {
        let (mut numbers, mut ids) = (
            HashSet::with_capacity(r.invoices.len()),
            HashSet::with_capacity(r.invoices.len()),
        );
        numbers.extend(r.invoices.iter().map(|i| i.number));
        ids.extend(r.invoices.iter().map(|i| i.id));
        let sieves =
            (!r.invoices.is_empty()).then(|| (Sieve::new(numbers.iter()), Sieve::new(ids.iter())));
        Recheck {
            r,
            numbers,
            ids,
            sieves,
            stored: HashSet::new(),
            stored_ids: HashSet::new(),
            next: 0,
        }
    }

    /// Scans up to `rows` more of the ledger's invoices; true once every one is scanned.
    pub fn scan(&mut self, ledger: &Ledger, rows: usize) -> bool {
        if self.sieves.is_none() {
            // No invoice in the file: nothing to look for among the stored ones.
            self.next = ledger.invoice_count();
            return true;
        }
        let end = ledger.invoice_count().min(self.next.saturating_add(rows));
        if let Some((by_number, by_id)) = &self.sieves {
            for (n, id) in ledger.invoice_keys(self.next..end) {
                if by_number.may_hold(&n) && self.numbers.contains(&n) {
                    self.stored.insert(n);
                }
                if by_id.may_hold(&id) && self.ids.contains(&id) {
                    self.stored_ids.insert(id);
                }
            }
        }
        self.next = end;
        end == ledger.invoice_count()
    }

    /// Scans the invoices left, then adds to `refused` what [`recheck`] would.
    pub fn finish(mut self, ledger: &Ledger, refused: &mut Vec<String>) {
        self.scan(ledger, usize::MAX);
        let r = self.r;
        // Document numbers are unique across the ledger, as the file's check has it: the
        // stored numbers the file uses, then each of the file's numbers once (a file whose set
        // of numbers is as long as its list holds each once: only the stored ones are looked
        // for then).
        let mut unique =
            |stored: &HashSet<DocNo>, file: &HashSet<DocNo>, numbers: &[DocNo], what| {
                if stored.is_empty() && file.len() == numbers.len() {
                    return;
                }
                let mut seen = HashSet::with_capacity(numbers.len());
                for &n in numbers {
                    if stored.contains(&n) || !seen.insert(n) {
                        refused.push(format!("{what} {n}: the number is taken"));
                    }
                }
            };
        let file = |numbers: &[DocNo]| {
            let mut set = HashSet::with_capacity(numbers.len());
            set.extend(numbers.iter().copied());
            set
        };
        let orders: Vec<DocNo> = r.orders.iter().map(|o| o.number).collect();
        let wanted = file(&orders);
        let stored = among(ledger.orders().iter().map(|o| o.number), &wanted);
        unique(&stored, &wanted, &orders, "order");
        let invoices: Vec<DocNo> = r.invoices.iter().map(|i| i.number).collect();
        unique(&self.stored, &self.numbers, &invoices, "invoice");
        let notes: Vec<DocNo> = r.credit_notes.iter().map(|c| c.number).collect();
        let wanted = file(&notes);
        let stored = among(ledger.credit_notes().iter().map(|c| c.number), &wanted);
        unique(&stored, &wanted, &notes, "credit note");
        let stored_ids = &self.stored_ids;
        for o in &r.orders {
            if !o.amount.is_positive() {
                refused.push(format!(
                    "order {}: the amount must be more than zero",
                    o.number
                ));
            }
            if ledger.order(o.id).is_some() {
                refused.push(format!("order {}: its id exists", o.number));
            }
        }
        for i in &r.invoices {
            let what = || format!("invoice {}", i.number);
            if !i.amount.is_positive() {
                refused.push(format!("{}: the amount must be more than zero", what()));
            }
            if i.due_date < i.issue_date {
                refused.push(format!("{}: due before it was issued", what()));
            }
            if stored_ids.contains(&i.id) {
                refused.push(format!("{}: its id exists", what()));
            }
        }
        // Each payment on its own, then every allocation of a customer's together (two payments of
        // one file may not settle the same invoice twice).
        // Each is checked as of its own date (what a correction freed is open from the
        // correction's day); the file's allocations of a customer together as of its latest row.
        let mut by_customer: IdMap<CustomerId, (Money, Vec<Allocation>, Date)> = IdMap::default();
        let mut allocated = |customer: CustomerId,
                             amount: Money,
                             allocations: &[Allocation],
                             date: Date,
                             what: &dyn Fn() -> String| {
            if let Err(e) = ledger.check_allocations_on(customer, amount, allocations, date) {
                refused.push(format!("{}: {e:?}", what()));
            }
            let entry = by_customer
                .entry(customer)
                .or_insert((Money::ZERO, Vec::new(), date));
            entry.0 += amount;
            entry.1.extend_from_slice(allocations);
            entry.2 = entry.2.max(date);
        };
        for p in &r.payments {
            let what = || {
                format!(
                    "payment {}",
                    p.reference.map(|x| x.to_string()).unwrap_or_default()
                )
            };
            allocated(p.customer, p.amount, &p.allocations, p.date, &what);
        }
        for c in &r.credit_notes {
            // One on account settles nothing.
            let allocations: Vec<Allocation> = c
                .invoice
                .map(|invoice| Allocation {
                    invoice,
                    amount: c.amount,
                })
                .into_iter()
                .collect();
            let what = || format!("credit note {}", c.number);
            allocated(c.customer, c.amount, &allocations, c.date, &what);
        }
        for (customer, (amount, allocations, date)) in by_customer {
            if let Err(e) = ledger.check_allocations_on(customer, amount, &allocations, date) {
                refused.push(format!(
                    "the file's payments of one customer together: {e:?}"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoLang, DemoSpec};
    use crate::ledger::Invoice;

    /// The demo's ledger, and a file of `n` new invoices of its customers (fresh ids and
    /// numbers).
    fn book_and_file(n: u128) -> (Ledger, Vec<Invoice>, Records) {
        let d = generate(&DemoSpec::demo(
            Date::parse("2026-11-28").expect("a date"),
            DemoLang::En,
        ));
        let ledger = Ledger::from_entries(
            d.orders,
            d.invoices.clone(),
            d.payments,
            d.credit_notes,
            Vec::new(),
        );
        let invoices: Vec<Invoice> = (0..n)
            .map(|k| Invoice {
                id: InvoiceId::from_u128(u128::MAX - k),
                number: DocNo::parse(&format!("NEW-{k:05}")).expect("a number"),
                order: None,
                ..d.invoices[k as usize]
            })
            .collect();
        let records = Records {
            rows: (0..n as u64).collect(),
            invoices: invoices.clone(),
            ..Records::default()
        };
        (ledger, d.invoices, records)
    }

    fn refused_in_steps(ledger: &Ledger, r: &Records, rows: usize) -> Vec<String> {
        let mut check = Recheck::new(r);
        while !check.scan(ledger, rows) {}
        let mut refused = Vec::new();
        check.finish(ledger, &mut refused);
        refused
    }

    #[test]
    fn a_file_of_new_invoices_is_refused_nothing_in_one_go_or_in_steps() {
        let (ledger, _, r) = book_and_file(50);
        let mut refused = Vec::new();
        recheck(&ledger, &r, &mut refused);
        assert_eq!(refused, Vec::<String>::new());
        assert_eq!(refused_in_steps(&ledger, &r, 7), Vec::<String>::new());
    }

    #[test]
    fn stored_numbers_and_ids_are_found_wherever_the_steps_cut_the_ledger() {
        let (ledger, stored, mut r) = book_and_file(50);
        // One row takes a stored invoice's number, another a stored id (first and last rows).
        r.invoices[3].number = stored[0].number;
        r.invoices[9].id = stored[stored.len() - 1].id;
        let mut whole = Vec::new();
        recheck(&ledger, &r, &mut whole);
        assert_eq!(whole.len(), 2, "{whole:?}");
        assert!(whole[0].ends_with("the number is taken"), "{whole:?}");
        assert!(whole[1].ends_with("its id exists"), "{whole:?}");
        for rows in [1, 97, 1_000, usize::MAX] {
            assert_eq!(
                refused_in_steps(&ledger, &r, rows),
                whole,
                "{rows} rows a step"
            );
        }
    }

    #[test]
    fn invoices_stored_after_the_scan_began_are_scanned_by_finish() {
        let (mut ledger, _, r) = book_and_file(50);
        let mut check = Recheck::new(&r);
        while !check.scan(&ledger, 10_000) {}
        // Meanwhile the file's first invoice was stored (another tab's write).
        ledger.add_invoices(&r.invoices[..1]).expect("added");
        let mut refused = Vec::new();
        check.finish(&ledger, &mut refused);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused[0].starts_with("invoice NEW-00000: the number is taken"),
            "{refused:?}"
        );
        assert!(
            refused[1].starts_with("invoice NEW-00000: its id exists"),
            "{refused:?}"
        );
    }
}
