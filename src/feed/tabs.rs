//! The browser's means for one feed per browser: an exclusive Web Lock per sharing key says which tab leads, and a
//! BroadcastChannel per sharing key carries what the tabs say to each other (`channel::Envelope`). Either may be
//! missing or throw — Firefox in a cross-origin frame ("request() is not allowed in this context"), a frame whose
//! storage is partitioned or blocked (realtime-and-tabs.md A, B, E) — and then the widget works alone.
//!
//! web-sys keeps `navigator.locks` behind an unstable cfg, so the two calls used are bound here.

use super::channel::{Envelope, VERSION};
use gloo_events::EventListener;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Where a snapshot's records travel in a posted message: after the envelope's three items.
pub const RECORDS: u32 = 3;

#[wasm_bindgen]
extern "C" {
    type LockManager;

    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Function,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn query(this: &LockManager) -> Result<Promise, JsValue>;
}

fn lock_manager() -> Option<LockManager> {
    let navigator = crate::web::window()?.navigator();
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| l.is_object())
        .map(JsCast::unchecked_into)
}

/// Web Locks cannot be used here (missing, or refused in this context).
#[derive(Debug, Clone, PartialEq)]
pub struct Unavailable;

/// The lock, held until this is dropped (or until another tab steals it: `lost()`).
pub struct Leadership {
    name: String,
    /// Settles the promise the lock's callback returned, which releases the lock.
    release: Function,
    lost: Rc<Cell<bool>>,
    /// The holder's id in `navigator.locks.query()` while this leadership lasts.
    client_id: Option<String>,
}

impl Leadership {
    /// Whether another tab took the lock (a `steal`). A leader that wakes from a freeze checks this, and
    /// `still_held`, before sending anything.
    pub fn lost(&self) -> bool {
        self.lost.get()
    }

    /// Asks the browser whether this leadership still holds the lock (a stolen lock's callback learns it late).
    pub async fn still_held(&self) -> bool {
        if self.lost() {
            return false;
        }
        match (&self.client_id, holder(&self.name).await) {
            (Some(mine), Some(now)) => *mine == now,
            // Without ids to compare, only a known loss counts.
            _ => true,
        }
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// The client id of the current holder of `name`, from `navigator.locks.query()`.
async fn holder(name: &str) -> Option<String> {
    let state = JsFuture::from(lock_manager()?.query().ok()?).await.ok()?;
    let held = Reflect::get(&state, &"held".into()).ok()?;
    js_sys::Array::from(&held).iter().find_map(|l| {
        let n = Reflect::get(&l, &"name".into()).ok()?.as_string()?;
        (n == name)
            .then(|| Reflect::get(&l, &"clientId".into()).ok()?.as_string())
            .flatten()
    })
}

/// A lock request still waiting: dropped, it leaves the queue and lets go of a lock granted meanwhile.
struct Pending {
    abort: Option<web_sys::AbortController>,
    release: Option<Function>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(a) = &self.abort {
            a.abort();
        }
        if let Some(r) = &self.release {
            let _ = r.call0(&JsValue::NULL);
        }
    }
}

/// A promise and the function that resolves it.
fn deferred() -> Option<(Promise, Function)> {
    let mut resolve = None;
    let p = Promise::new(&mut |r, _| resolve = Some(r));
    resolve.map(|r| (p, r))
}

/// Waits in line for the exclusive lock `name` (or takes it at once from its holder with `steal`). Resolves when
/// held; `Err` when this browser context has no usable Web Locks.
pub async fn lead(name: &str, steal: bool) -> Result<Leadership, Unavailable> {
    let locks = lock_manager().ok_or(Unavailable)?;
    // `outcome` settles once: `true` when the lock is granted, `false` when the request fails first.
    let (outcome, settle) = deferred().ok_or(Unavailable)?;
    // What the lock waits on until this leadership lets it go.
    let (held, release) = deferred().ok_or(Unavailable)?;
    let granted = settle.clone();
    // Called once by the browser when the lock is granted (a request that is never granted keeps this small
    // closure: the page is going away, or the request was refused and dropped).
    let on_grant = Closure::once_into_js(move |_lock: JsValue| {
        let _ = granted.call1(&JsValue::NULL, &JsValue::TRUE);
        held
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"mode".into(), &"exclusive".into());
    // `steal` and `signal` cannot go together (a steal never waits anyway).
    let abort = if steal {
        let _ = Reflect::set(&options, &"steal".into(), &JsValue::TRUE);
        None
    } else {
        let c = web_sys::AbortController::new().ok();
        if let Some(c) = &c {
            let _ = Reflect::set(&options, &"signal".into(), &c.signal());
        }
        c
    };
    let request = locks
        .request(name, &options, on_grant.unchecked_ref())
        .map_err(|_| Unavailable)?;
    let lost = Rc::new(Cell::new(false));
    // Until the lock is ours, dropping this future leaves the queue (or lets go of a lock granted meanwhile): a
    // request nobody waits for must not hold the lock forever.
    let mut guard = Pending {
        abort: abort.clone(),
        release: Some(release.clone()),
    };
    // A stolen lock rejects the request (AbortError); so does one refused in this context, before any grant. Watched
    // by a task of its own, which ends when the request settles (the lock let go, or taken), whoever holds what.
    {
        let lost = lost.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if JsFuture::from(request).await.is_err() {
                lost.set(true);
                let _ = settle.call1(&JsValue::NULL, &JsValue::FALSE);
            }
        });
    }
    let ok = JsFuture::from(outcome)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !ok {
        return Err(Unavailable);
    }
    guard.release = None;
    guard.abort = None;
    let client_id = holder(name).await;
    Ok(Leadership {
        name: name.to_string(),
        release,
        lost,
        client_id,
    })
}

/// The tabs' BroadcastChannel for one sharing key.
pub struct Channel {
    channel: web_sys::BroadcastChannel,
}

impl Channel {
    /// `None` where BroadcastChannel is missing or refused.
    pub fn open(name: &str) -> Option<Channel> {
        web_sys::BroadcastChannel::new(name)
            .ok()
            .map(|channel| Channel { channel })
    }

    /// Sends to every other channel of this name (other tabs, and other widgets of this page). `records`, when
    /// given, travels after the message's items as it is (structured clone: no serde, no JSON text).
    pub fn post(&self, e: &Envelope, records: Option<&Object>) -> bool {
        let Some(value) = e.write::<JsValue>() else {
            return false;
        };
        if let Some(r) = records {
            let _ = Reflect::set_u32(&value, RECORDS, r);
        }
        self.channel.post_message(&value).is_ok()
    }

    /// Calls `on` with every well-formed message of this version and the whole of what came (for what travels
    /// beside it), and with the version of anything another build of the widget says; anything else is dropped.
    /// Listens until the returned listener is dropped.
    pub fn listen(&self, on: impl Fn(Said) + 'static) -> EventListener {
        EventListener::new(&self.channel, "message", move |e| {
            if let Some(m) = e.dyn_ref::<web_sys::MessageEvent>() {
                let data = m.data();
                match Envelope::read(data.clone()) {
                    Some(envelope) => on(Said::Message(envelope, data)),
                    None => {
                        if let Some(v) = other_version(&data) {
                            on(Said::OtherBuild(v))
                        }
                    }
                }
            }
        })
    }
}

/// What came over the channel.
pub enum Said {
    /// A message of this version, and the whole of what came.
    Message(Envelope, JsValue),
    /// Something from another build of the widget (a tab loaded before or after a new release): its version.
    OtherBuild(f64),
}

/// The version another build of the widget wrote `value` in, when it is not this one: `[v, …]` from builds that
/// write by position, `{v, from, message}` from the first. `None` for this version's messages and for anything
/// that has no version.
fn other_version(value: &JsValue) -> Option<f64> {
    let v = if js_sys::Array::is_array(value) {
        Reflect::get_u32(value, 0)
    } else if value.is_object() {
        Reflect::get(value, &"v".into())
    } else {
        return None;
    };
    v.ok()?.as_f64().filter(|v| *v != f64::from(VERSION))
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
