//! The host page as the widget sees it: where events go (DOM events on the host element, or messages to the
//! framing page at its exact origin), who matches phone numbers to contacts, and the inbox for host commands.

use super::commands::Command;
use super::events::PREFIX;
use super::payload::{self, CallOut, HostEvent};
use crate::auth::login::MESSAGE_SOURCE;
use crate::web;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

/// A resolver that has not answered by then has failed (RingCentral's names stay; asked again later).
const RESOLVE_TIMEOUT_MS: f64 = 8000.0;

/// Events dispatched in one task. An admin's first list is 5 001 events (a `call-started` per call, then
/// `calls-changed`): at once they held the page for a fifth of a second; the rest follow in the tasks after, in order.
pub const EVENTS_PER_TASK: usize = 250;

pub struct Host {
    /// The element the widget is mounted on: DOM events are dispatched here.
    pub element: Option<web_sys::Element>,
    /// iframe mode: the framing page and its exact origin.
    pub parent: Option<(web_sys::Window, String)>,
    /// The host's contact resolver (`resolveContacts` in the config or on the element).
    pub resolver: RefCell<Option<Function>>,
    /// iframe mode: whether the parent asked to resolve contacts.
    pub parent_resolves: bool,
    /// iframe mode: contact requests the parent has yet to answer, by request id, with what settles each.
    pending: RefCell<Vec<(String, Function)>>,
    /// Set by the mounted widget: host commands go here.
    pub inbox: RefCell<Option<Callback<Command>>>,
    /// Inside a host page (element, `mount()` or iframe), not a page of its own: there is someone to take notes.
    pub embedded: bool,
    next_id: Cell<u32>,
    /// Events emitted, and how many of them are dispatched (`emit`; emptied once all are).
    queue: RefCell<(Vec<HostEvent>, usize)>,
    /// The last `calls-changed`'s calls (durations set to 0) and the objects written out for them, in order: copies
    /// of our own, never the host's (`calls_changed`).
    sent: RefCell<(Vec<CallOut>, Array)>,
}

impl PartialEq for Host {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// A plain JS object from a payload: `null` for absent values, plain objects for maps, as JSON would have them.
pub fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn message(kind: &str, detail: &JsValue) -> Object {
    let m = Object::new();
    let _ = Reflect::set(&m, &"source".into(), &MESSAGE_SOURCE.into());
    let _ = Reflect::set(&m, &"type".into(), &format!("{PREFIX}{kind}").into());
    let _ = Reflect::set(&m, &"detail".into(), detail);
    m
}

impl Host {
    pub fn new(
        element: Option<web_sys::Element>,
        parent: Option<(web_sys::Window, String)>,
        parent_resolves: bool,
        resolver: Option<Function>,
        embedded: bool,
    ) -> Host {
        Host {
            embedded,
            element,
            parent,
            resolver: RefCell::new(resolver),
            parent_resolves,
            pending: RefCell::default(),
            inbox: RefCell::default(),
            next_id: Cell::new(0),
            queue: RefCell::default(),
            sent: RefCell::default(),
        }
    }

    /// Tells the host these events, in order after any still waiting: at once up to `EVENTS_PER_TASK`, the rest in
    /// the tasks that follow (while this host is alive).
    pub fn emit(self: &Rc<Self>, mut events: Vec<HostEvent>) {
        let idle = {
            let (queue, _) = &mut *self.queue.borrow_mut();
            let idle = queue.is_empty();
            queue.append(&mut events);
            idle
        };
        if idle {
            self.drain();
        }
    }

    fn drain(self: &Rc<Self>) {
        for _ in 0..EVENTS_PER_TASK {
            // Taken out first: a host's listener may act on the widget, which may emit again.
            let event = {
                let (queue, done) = &mut *self.queue.borrow_mut();
                let gone = HostEvent::SignedOut { reason: None };
                let Some(e) = queue.get_mut(*done).map(|e| std::mem::replace(e, gone)) else {
                    queue.clear();
                    *done = 0;
                    return;
                };
                *done += 1;
                e
            };
            self.dispatch(event);
        }
        let host = Rc::downgrade(self);
        crate::tasks::spawn(async move {
            web::sleep(0.0).await;
            if let Some(host) = host.upgrade() {
                host.drain();
            }
        });
    }

    /// `rc-active-calls:<kind>`: a bubbling, composed CustomEvent on the host element, and in iframe mode the
    /// same as a message to the parent, at its exact origin (never "*").
    fn dispatch(&self, event: HostEvent) {
        let kind = event.name();
        let detail = match event {
            HostEvent::CallsChanged { scope, calls } => self.calls_changed(scope, calls),
            e => {
                if let HostEvent::SignedOut { .. } = e {
                    // The account's calls are not kept in a tab signed out.
                    self.sent.take();
                }
                to_js(&e)
            }
        };
        if let Some(el) = &self.element {
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_composed(true);
            init.set_detail(&detail);
            if let Ok(e) =
                web_sys::CustomEvent::new_with_event_init_dict(&format!("{PREFIX}{kind}"), &init)
            {
                let _ = el.dispatch_event(&e);
            }
        }
        if let Some((w, origin)) = &self.parent {
            let _ = w.post_message(&message(kind, &detail), origin);
        }
    }

    /// `calls-changed`'s detail. Writing an admin's 5 000 calls out to JavaScript took 68 ms at every change, in
    /// every tab (bench/read), though an answer or a push event changes a few: a call unchanged since the last event (its
    /// duration aside) reuses the object written then, with its duration set. The host gets a deep copy of the
    /// whole, so its objects are its own, as ever: what it does to them reaches neither us nor a later event.
    fn calls_changed(&self, scope: &'static str, mut calls: Vec<CallOut>) -> JsValue {
        let seconds: Vec<u64> = calls
            .iter_mut()
            .map(|c| std::mem::take(&mut c.duration_seconds))
            .collect();
        let mut sent = self.sent.borrow_mut();
        let at = payload::unchanged_at(&sent.0, &calls);
        let list = Array::new();
        for ((c, at), secs) in calls.iter().zip(at).zip(seconds) {
            let o = match at {
                Some(j) => sent.1.get(j as u32),
                None => to_js(c),
            };
            let _ = Reflect::set(&o, &"durationSeconds".into(), &(secs as f64).into());
            list.push(&o);
        }
        *sent = (calls, list.clone());
        let detail = Object::new();
        let _ = Reflect::set(&detail, &"scope".into(), &scope.into());
        let _ = Reflect::set(&detail, &"calls".into(), &sent.1);
        // A copy for the host through JSON text, which the browser writes and reads natively: the objects are
        // JSON's own (strings, numbers, nulls), and `structuredClone` took as long as writing them out anew.
        // Were it to fail, the host would get ours.
        web::json_copy(&detail).unwrap_or_else(|| detail.into())
    }

    pub fn command(&self, c: Command) {
        let inbox = self.inbox.borrow().clone();
        if let Some(cb) = inbox {
            cb.emit(c);
        }
    }

    pub fn can_resolve(&self) -> bool {
        self.parent_resolves || self.resolver.borrow().is_some()
    }

    fn next_id(&self) -> String {
        self.next_id.set(self.next_id.get() + 1);
        format!("{}", self.next_id.get())
    }

    /// Asks the host for these numbers' contacts; `Err` when it fails, refuses or takes too long.
    pub async fn resolve(&self, numbers: &[String]) -> Result<JsValue, ()> {
        let list: Array = numbers.iter().map(|n| JsValue::from_str(n)).collect();
        let resolver = self.resolver.borrow().clone();
        if let Some(f) = resolver {
            // The host's function may throw, return a value, or return a promise that rejects or never settles.
            let answer = f.call1(&JsValue::NULL, &list).map_err(|_| ())?;
            return answered(Promise::resolve(&answer)).await;
        }
        let Some((w, origin)) = &self.parent else {
            return Err(());
        };
        if !self.parent_resolves {
            return Err(());
        }
        // The parent's answer settles this promise (`on_message`); nothing polls for it.
        let id = self.next_id();
        let mut settle = None;
        let answer = Promise::new(&mut |ok, _| settle = Some(ok));
        let Some(settle) = settle else { return Err(()) };
        self.pending.borrow_mut().push((id.clone(), settle));
        let detail = Object::new();
        let _ = Reflect::set(&detail, &"requestId".into(), &id.as_str().into());
        let _ = Reflect::set(&detail, &"phoneNumbers".into(), &list);
        let _ = w.post_message(&message("resolve-contacts", &detail), origin);
        let result = answered(answer).await;
        // Answered or not, the request is over: a late answer finds nothing and is dropped.
        self.pending.borrow_mut().retain(|(r, _)| *r != id);
        result
    }

    /// iframe mode: a message from the parent. Only the parent window, from an allow-listed origin, is heard.
    pub fn on_message(&self, e: &web_sys::MessageEvent, allowed: &[String]) {
        let Some((w, _)) = &self.parent else { return };
        let from_parent = e
            .source()
            .is_some_and(|s| Object::is(&s, w.unchecked_ref()));
        if !from_parent || !allowed.iter().any(|o| *o == e.origin()) {
            return;
        }
        match super::commands::read(&e.data()) {
            Some(super::commands::Message::Command(c)) => self.command(c),
            Some(super::commands::Message::Contacts {
                request_id,
                contacts,
            }) => {
                // Only an answer to a request still open is heard.
                let settle = {
                    let mut pending = self.pending.borrow_mut();
                    let i = pending.iter().position(|(id, _)| *id == request_id);
                    i.map(|i| pending.swap_remove(i).1)
                };
                if let Some(settle) = settle {
                    let _ = settle.call1(&JsValue::NULL, &contacts);
                }
            }
            None => {}
        }
    }

    /// Where relative contact URLs point: the host page's origin.
    pub fn base(&self) -> String {
        match &self.parent {
            Some((_, origin)) => origin.clone(),
            None => web::location_origin(),
        }
    }
}

/// A contact answer, within the time a resolver has: an object, or `Err`.
async fn answered(answer: Promise) -> Result<JsValue, ()> {
    let answer = Box::pin(JsFuture::from(answer));
    let timeout = Box::pin(web::sleep(RESOLVE_TIMEOUT_MS));
    match futures_util::future::select(answer, timeout).await {
        futures_util::future::Either::Left((Ok(v), _)) if v.is_object() => Ok(v),
        _ => Err(()),
    }
}
