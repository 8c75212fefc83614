//! Helpers the app crate's test files share.

use creditdesk_domain::approval::{Role, User};
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
