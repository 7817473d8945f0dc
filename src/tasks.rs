//! Abortable tasks: each runs until it finishes or its owner (a component effect, a feed) stops it. The work itself
//! is the feed's (`feed::leader`) and the hooks'.

use crate::state::Action;
use futures_util::future::{AbortHandle, Abortable};
use std::future::Future;
use yew::Callback;

/// Starts `fut`; the returned handle stops it (dropping its timers and requests).
pub fn spawn(fut: impl Future<Output = ()> + 'static) -> AbortHandle {
    spawn_boxed(Box::pin(fut))
}

/// One copy of the abortable wrapper and the executor glue for every task (a generic one per task type cost
/// several KB of wasm each).
#[inline(never)]
fn spawn_boxed(fut: futures_util::future::LocalBoxFuture<'static, ()>) -> AbortHandle {
    let (handle, reg) = AbortHandle::new_pair();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Abortable::new(fut, reg).await;
    });
    handle
}

/// Short tasks a component starts from events (a sign-in, a contact lookup, a note's wait for the host), all
/// aborted when it goes away. Only the newest are kept: older ones have long finished, and the list must not grow
/// for the life of the page.
#[derive(Default)]
pub struct Owned(Vec<AbortHandle>);

impl Owned {
    pub fn start(&mut self, fut: impl Future<Output = ()> + 'static) {
        if self.0.len() >= 16 {
            self.0.remove(0);
        }
        self.0.push(spawn(fut));
    }

    pub fn abort_all(&mut self) {
        for t in self.0.drain(..) {
            t.abort();
        }
    }
}

pub type Dispatch = Callback<Action>;
