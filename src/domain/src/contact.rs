//! Contacts: a call, a visit, an e-mail or a message with the customer that a person records
//! on the customer's file (not only on a collection task), with whom and what was said. A
//! contact lives on the customer record ([`crate::party::Customer::contacts`]) and is never
//! changed or deleted; Customer 360's history shows it beside alerts, tasks and payments.

use crate::date::Date;
use crate::error::{Errors, FieldError, Problem};
use crate::text::text;
use serde::{Deserialize, Serialize};

/// Field names of the contact form (errors are reported at these).
pub mod field {
    pub const CHANNEL: &str = "channel";
    pub const WITH: &str = "with";
    pub const NOTE: &str = "note";
}

/// How the customer was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Call,
    Visit,
    Email,
    Message,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Call,
        Channel::Visit,
        Channel::Email,
        Channel::Message,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Visit => "visit",
            Channel::Email => "email",
            Channel::Message => "message",
        }
    }
    pub fn parse(s: &str) -> Result<Channel, Problem> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Problem::Required);
        }
        Channel::ALL
            .into_iter()
            .find(|c| c.key() == s)
            .ok_or(Problem::NotAChoice)
    }
}

/// One contact with the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Unique within the customer (the command that records it chooses it).
    pub id: String,
    /// The business day, and when it was recorded (milliseconds).
    pub on: Date,
    pub at: i64,
    /// The user who recorded it.
    pub by: String,
    pub channel: Channel,
    /// Whom they spoke with (may be empty).
    #[serde(default)]
    pub with: String,
    pub note: String,
}

impl Contact {
    pub const NOTE_MAX: usize = 500;
    pub const WITH_MAX: usize = 80;
}

/// The contact form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub channel: String,
    #[serde(default)]
    pub with: String,
    pub note: String,
}

impl ContactInput {
    /// Checks the form: every problem at its field.
    pub fn validate(
        &self,
        id: &str,
        by: &str,
        on: Date,
        at: i64,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut e = Errors::default();
        let channel = e.take(field::CHANNEL, Channel::parse(&self.channel));
        let with = e.take(field::WITH, text(&self.with, false, Contact::WITH_MAX));
        let note = e.take(field::NOTE, text(&self.note, true, Contact::NOTE_MAX));
        e.finish(|| Contact {
            id: id.to_string(),
            on,
            at,
            by: by.to_string(),
            channel: channel.expect("checked"),
            with: with.expect("checked"),
            note: note.expect("checked"),
        })
    }
}
