//! Typed documents of the `meta` store: each setting has one key and one type, read and written
//! as JSON here and nowhere else, so that no caller picks a key or parses a setting by hand.

use crate::{Batch, Store, StoreError};
use creditdesk_domain::approval::{Routes, User};
use creditdesk_domain::credit::Policy;
use creditdesk_domain::monitor::{Hold, RuleSet};
use creditdesk_domain::rating::{Fixed, Grade};
use creditdesk_domain::{CustomerId, Date};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A setting: its key in the `meta` store and the type of its value.
pub struct Setting<T> {
    pub key: &'static str,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Setting<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Setting<T> {}

impl<T: Serialize + DeserializeOwned> Setting<T> {
    pub const fn new(key: &'static str) -> Setting<T> {
        Setting {
            key,
            _type: PhantomData,
        }
    }
    /// The stored value; `None` when there is none (or it was emptied). A value that does not
    /// read as its type is an error that names the setting.
    pub async fn read<S: Store>(self, store: &S) -> Result<Option<T>, StoreError> {
        match store.setting(self.key).await? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| StoreError::corrupt(format!("setting {}", self.key), e)),
        }
    }
    /// Adds the write of this setting to a batch (written with it, in one transaction).
    pub fn put(self, batch: &mut Batch, value: &T) {
        batch.settings.push((
            self.key.to_string(),
            serde_json::to_string(value).expect("settings serialise"),
        ));
    }
    /// Stores the value at once (its own transaction).
    pub async fn write<S: Store>(self, store: &S, value: &T) -> Result<(), StoreError> {
        let (key, json) = self.entry(value);
        store.set_setting(&key, &json).await
    }
    /// The stored form of a value: `(key, json)`.
    pub fn entry(self, value: &T) -> (String, String) {
        (
            self.key.to_string(),
            serde_json::to_string(value).expect("settings serialise"),
        )
    }
    /// The write that empties this setting (it then reads as `None`).
    pub fn clear(self) -> (String, String) {
        (self.key.to_string(), String::new())
    }
}

/// What monitoring keeps between runs besides its alerts and tasks: the id counter and the day
/// of the last run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorCounter {
    pub seq: u64,
    pub last_run: Option<Date>,
}

/// Each customer's grade and score at the last full run of the rules.
pub type Previous = BTreeMap<CustomerId, (Grade, Fixed)>;
/// Holds on ordering by customer.
pub type Holds = BTreeMap<CustomerId, Vec<Hold>>;

pub const POLICY: Setting<Policy> = Setting::new("policy");
pub const ROUTES: Setting<Routes> = Setting::new("routes");
pub const USERS: Setting<Vec<User>> = Setting::new("users");
pub const RULES: Setting<RuleSet> = Setting::new("rules");
/// The custom fields of the customer form (see [`creditdesk_domain::fields`]).
pub const FIELDS: Setting<creditdesk_domain::fields::FieldSet> = Setting::new("fields");
pub const MONITOR: Setting<MonitorCounter> = Setting::new("monitor");
pub const HOLDS: Setting<Holds> = Setting::new("holds");
pub const PREVIOUS: Setting<Previous> = Setting::new("previous");
/// Who is told what and how (`creditdesk_domain::notice`): the server delivers notices by it.
pub const NOTICES: Setting<creditdesk_domain::notice::Settings> = Setting::new("notices");
/// The columns a user hid in each report on this device: report name -> column ids.
pub const REPORT_COLUMNS: Setting<std::collections::BTreeMap<String, Vec<String>>> =
    Setting::new("report_columns");
/// Credit reserved for users in the field.
pub const RESERVATIONS: Setting<Vec<creditdesk_domain::credit::Reservation>> =
    Setting::new("reservations");

/// A setting of this device kept as plain text (not JSON), as these were written before settings
/// were typed: the language, the device's id, the acting user of a local-only app, and whether
/// the first start's data was written.
#[derive(Clone, Copy, Debug)]
pub struct Text {
    pub key: &'static str,
}

impl Text {
    /// The stored text; `None` when there is none (or it was emptied).
    pub async fn read<S: Store>(self, store: &S) -> Result<Option<String>, StoreError> {
        Ok(store.setting(self.key).await?.filter(|s| !s.is_empty()))
    }
    /// Adds the write of this text to a batch (written with it, in one transaction).
    pub fn put(self, batch: &mut Batch, value: &str) {
        batch
            .settings
            .push((self.key.to_string(), value.to_string()));
    }
    /// Stores the text at once (its own transaction).
    pub async fn write<S: Store>(self, store: &S, value: &str) -> Result<(), StoreError> {
        store.set_setting(self.key, value).await
    }
}

/// The language the user chose (`zh` or `en`).
pub const LANG: Text = Text { key: "lang" };
/// This device's id (made once; a restore keeps it: [`crate::backup::DEVICE_KEY`]).
pub const DEVICE: Text = Text {
    key: crate::backup::DEVICE_KEY,
};
/// Who acts in a local-only app (a synced app acts as its signed-in user).
pub const USER: Text = Text { key: "user" };
/// Set once the first start wrote its data (demo or empty), so that it is not written again.
pub const INITIALIZED: Text = Text { key: "initialized" };
