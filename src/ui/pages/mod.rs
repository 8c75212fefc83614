pub mod credit;
pub mod customer;
pub mod customer_form;
pub mod customers;
pub mod dashboard;
pub mod ledger_forms;
pub mod scorecard;
pub mod settings;
