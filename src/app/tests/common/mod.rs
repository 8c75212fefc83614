//! Helpers the app crate's test files share.

use creditdesk_domain::approval::{Role, User};
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future of the in-memory store to the end (its futures never wait).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A user of the directory with one role.
pub fn user(id: &str, name: &str, role: Role) -> User {
    User {
        id: id.into(),
        name: name.into(),
        roles: vec![role],
        region: String::new(),
    }
}

/// A store that, at an import's first turn for the page, lets another command in (a rep typing
/// an invoice while the import is written): in a browser the page runs between the import's
/// steps; here the other command runs in that turn, on the same book and store. Not every test
/// file uses it.
#[allow(dead_code)]
pub struct Turning<'a> {
    pub inner: &'a creditdesk_storage::mem::MemStore,
    pub at_turn: RefCell<Option<Box<dyn FnOnce() + 'a>>>,
    /// Which of the import's turns the other command runs in, and the turns so far.
    pub turn: usize,
    pub turns: std::cell::Cell<usize>,
    /// Run at every turn, with its number (1 for the first).
    pub every: RefCell<Option<EveryTurn<'a>>>,
    /// Whether a write asked to check the book first (`Store::commit_when`) takes a turn before
    /// the check, as a browser's store that makes a large write's values with turns does.
    pub in_commits: bool,
}

/// What a [`Turning`] store runs at every turn.
pub type EveryTurn<'a> = Box<dyn FnMut(usize) + 'a>;

#[allow(dead_code)]
impl<'a> Turning<'a> {
    /// A store over `inner` that runs `each` in every turn, with the turn's number.
    pub fn every(
        inner: &'a creditdesk_storage::mem::MemStore,
        each: impl FnMut(usize) + 'a,
    ) -> Turning<'a> {
        Turning {
            every: RefCell::new(Some(Box::new(each))),
            ..Turning::counting(inner)
        }
    }

    /// A store over `inner` that runs `then` in its `turn`th turn.
    pub fn at(
        inner: &'a creditdesk_storage::mem::MemStore,
        turn: usize,
        then: impl FnOnce() + 'a,
    ) -> Turning<'a> {
        Turning {
            inner,
            at_turn: RefCell::new(Some(Box::new(then))),
            turn,
            turns: Default::default(),
            every: RefCell::new(None),
            in_commits: false,
        }
    }

    /// This store, taking a turn in each write asked to check the book first (see
    /// [`Turning::in_commits`]).
    pub fn with_turns_in_commits(self) -> Turning<'a> {
        Turning {
            in_commits: true,
            ..self
        }
    }

    /// A store over `inner` that only counts its turns.
    pub fn counting(inner: &'a creditdesk_storage::mem::MemStore) -> Turning<'a> {
        Turning {
            inner,
            at_turn: RefCell::new(None),
            turn: 0,
            turns: Default::default(),
            every: RefCell::new(None),
            in_commits: false,
        }
    }
}

impl creditdesk_storage::Store for Turning<'_> {
    async fn load_customers(
        &self,
    ) -> Result<Vec<creditdesk_domain::Customer>, creditdesk_storage::StoreError> {
        self.inner.load_customers().await
    }
    async fn load_ledger(
        &self,
    ) -> Result<creditdesk_storage::RawLedger, creditdesk_storage::StoreError> {
        self.inner.load_ledger().await
    }
    async fn commit(
        &self,
        batch: &creditdesk_storage::Batch,
    ) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.commit(batch).await
    }
    async fn commit_when(
        &self,
        batch: &creditdesk_storage::Batch,
        still: &dyn Fn() -> bool,
    ) -> Result<bool, creditdesk_storage::StoreError> {
        if self.in_commits {
            self.breathe().await;
        }
        if !still() {
            return Ok(false);
        }
        self.inner.commit(batch).await.map(|()| true)
    }
    async fn load_audit(
        &self,
    ) -> Result<Vec<creditdesk_domain::approval::AuditEntry>, creditdesk_storage::StoreError> {
        self.inner.load_audit().await
    }
    async fn last_audit(
        &self,
    ) -> Result<Option<creditdesk_domain::approval::AuditEntry>, creditdesk_storage::StoreError>
    {
        self.inner.last_audit().await
    }
    async fn attachment(
        &self,
        id: &str,
    ) -> Result<Option<Vec<u8>>, creditdesk_storage::StoreError> {
        self.inner.attachment(id).await
    }
    async fn compact(&self) -> Result<usize, creditdesk_storage::StoreError> {
        self.inner.compact().await
    }
    async fn replace_all(
        &self,
        customers: &[creditdesk_domain::Customer],
        rows: &creditdesk_storage::Rows,
    ) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.replace_all(customers, rows).await
    }
    async fn docs(
        &self,
        which: creditdesk_storage::Docs,
    ) -> Result<Vec<(String, String)>, creditdesk_storage::StoreError> {
        self.inner.docs(which).await
    }
    async fn put_docs(
        &self,
        which: creditdesk_storage::Docs,
        docs: &[(&str, &str)],
        outbox: &[creditdesk_storage::OutboxEntry],
    ) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.put_docs(which, docs, outbox).await
    }
    async fn dump(
        &self,
    ) -> Result<creditdesk_storage::backup::Dump, creditdesk_storage::StoreError> {
        self.inner.dump().await
    }
    async fn restore(
        &self,
        dump: &creditdesk_storage::backup::Dump,
    ) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.restore(dump).await
    }
    async fn import(
        &self,
        customers: &[creditdesk_domain::Customer],
        rows: &creditdesk_storage::Rows,
        outbox: &[creditdesk_storage::OutboxEntry],
        audit: &[creditdesk_domain::approval::AuditEntry],
    ) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.import(customers, rows, outbox, audit).await
    }
    async fn setting(&self, key: &str) -> Result<Option<String>, creditdesk_storage::StoreError> {
        self.inner.setting(key).await
    }
    async fn set_setting(
        &self,
        key: &str,
        value: &str,
    ) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.set_setting(key, value).await
    }
    async fn outbox(
        &self,
    ) -> Result<Vec<creditdesk_storage::OutboxEntry>, creditdesk_storage::StoreError> {
        self.inner.outbox().await
    }
    async fn acknowledge(&self, answered: &[String]) -> Result<(), creditdesk_storage::StoreError> {
        self.inner.acknowledge(answered).await
    }
    async fn stats(&self) -> Result<creditdesk_storage::Stats, creditdesk_storage::StoreError> {
        self.inner.stats().await
    }
    async fn breathe(&self) {
        // The other command runs in the turn numbered `turn` (1 for the first).
        let n = self.turns.get() + 1;
        self.turns.set(n);
        if let Some(each) = self.every.borrow_mut().as_mut() {
            each(n);
        }
        if n != self.turn {
            return;
        }
        let turn = self.at_turn.borrow_mut().take();
        if let Some(turn) = turn {
            turn();
        }
    }
}
