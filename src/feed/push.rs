//! The leader's WebSocket (realtime-and-tabs.md C): a wstoken, the socket, `ConnectionDetails`, one subscription
//! to the user's detailed presence, a heartbeat after 30 s of silence, recovery with `wsc` within
//! `recoveryTimeout` (a failed recovery subscribes again and refetches, since events were lost), and reconnects
//! paced by `reconnect`. Presence events go through `reconcile` into the snapshot's overlay and ask for one
//! debounced active-calls fetch. Through web-sys's `WebSocket` (see `feed/mod.rs` for why not gloo-net's).

use super::frames::{self, Event, Frame};
use super::leader::Inner;
use super::reconcile::Verdict;
use super::snapshot::Push;
use crate::api::error::ApiError;
use crate::api::json::{self, Json};
use crate::config::Scope;
use crate::embed::host::to_js;
use crate::web;
use futures_util::future::{select, Either};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The user's own detailed presence (the filter RingCentral's widgets use).
const PRESENCE: &str =
    "/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true&sipData=true";
/// Every extension's, while a shown widget shows the account's calls (admins: `ReadPresenceStatus`).
const ACCOUNT_PRESENCE: &str =
    "/restapi/v1.0/account/~/presence?detailedTelephonyState=true&sipData=true";
/// How often a quiet socket looks at the network and the filters it should have.
const LOOK_EVERY_MS: f64 = 1_000.0;
/// Said when a socket closes before the gateway spoke.
const UNREACHABLE: &str = "RingCentral's WebSocket cannot be reached from here";
/// A heartbeat after this much silence (RingCentral closes idle sockets; its SDK sends one at 30 s too).
const HEARTBEAT_AFTER_MS: f64 = 30_000.0;

/// What the socket told, in order.
enum Told {
    Frame(JsValue),
    Closed,
}

#[derive(Default)]
struct Inbox {
    told: VecDeque<Told>,
    waker: Option<Waker>,
}

/// An open socket; dropped, it closes and lets go of its handlers.
struct Socket {
    ws: web_sys::WebSocket,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_close: Closure<dyn FnMut(JsValue)>,
}

impl Socket {
    fn open(url: &str) -> Option<Socket> {
        let ws = web_sys::WebSocket::new(url).ok()?;
        // A socket the page's Content-Security-Policy refuses is closed at once, before any handler could hear it
        // (Chromium): the same as a constructor that throws.
        if ws.ready_state() == web_sys::WebSocket::CLOSED {
            return None;
        }
        let inbox: Rc<RefCell<Inbox>> = Rc::default();
        let tell = |inbox: &Rc<RefCell<Inbox>>, t: Told| {
            let mut i = inbox.borrow_mut();
            i.told.push_back(t);
            if let Some(w) = i.waker.take() {
                w.wake();
            }
        };
        let on_message = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let frame = e
                    .data()
                    .as_string()
                    .and_then(|t| json::parse(&t))
                    .unwrap_or(JsValue::NULL);
                tell(&inbox, Told::Frame(frame));
            })
        };
        let on_close = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| tell(&inbox, Told::Closed))
        };
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error is always followed by a close; the close is what counts.
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Some(Socket {
            ws,
            inbox,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// The next thing the socket told, or `None` after `ms` of silence.
    async fn next(&self, ms: f64) -> Option<Told> {
        let told = std::future::poll_fn(|cx| {
            let mut i = self.inbox.borrow_mut();
            match i.told.pop_front() {
                Some(t) => Poll::Ready(t),
                None => {
                    i.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        });
        match select(Box::pin(told), Box::pin(web::sleep(ms.max(1.0)))).await {
            Either::Left((t, _)) => Some(t),
            Either::Right(_) => None,
        }
    }

    fn send<T: Serialize>(&self, frame: &T) {
        if let Some(text) = js_sys::JSON::stringify(&to_js(frame))
            .ok()
            .and_then(|s| s.as_string())
        {
            let _ = self.ws.send_with_str(&text);
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// Where a dropped socket may pick up: its `wsc` token and until when.
struct Recovery {
    token: String,
    until: f64,
}

/// Why push cannot work here for good (polling carries on): a permission the app or user lacks.
fn refused(e: &ApiError) -> Option<String> {
    match e {
        ApiError::Forbidden { .. } => Some(format!("RingCentral refused: {}", e.summary())),
        _ => None,
    }
}

/// The filters the socket should have now.
fn wanted(inner: &Inner, account_refused: bool) -> Vec<String> {
    let mut filters = vec![PRESENCE.to_string()];
    if !account_refused && inner.plan(web::now()).scopes.contains(&Scope::Account) {
        filters.push(ACCOUNT_PRESENCE.to_string());
    }
    filters
}

/// The leader's push task: until aborted (the leader stands down, signs out, or the widget goes), or until push
/// cannot work here.
pub(super) async fn run(weak: Weak<Inner>) {
    let mut recovery: Option<Recovery> = None;
    let mut next_try = 0.0;
    let mut account_refused = false;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let now = web::now();
        let at = inner
            .reconnects
            .borrow_mut()
            .earliest_wstoken(now)
            .max(next_try);
        if at > now || !web::online() {
            drop(inner);
            web::sleep((at - now).clamp(250.0, 1000.0)).await;
            continue;
        }
        if !inner.still_leading().await {
            return;
        }
        inner.reconnects.borrow_mut().auth_sent(now);
        let failed = |inner: &Inner| {
            let mut r = inner.reconnects.borrow_mut();
            (r.failed(web::now(), web::random()), r.given_up())
        };
        let token = match inner.session.post("/restapi/oauth/wstoken").await {
            Ok(a) => a.value,
            Err(ApiError::RateLimited { retry_after }) => {
                inner
                    .reconnects
                    .borrow_mut()
                    .rate_limited(web::now(), retry_after);
                continue;
            }
            // The session ended (the refresh was refused): said with RingCentral's reason.
            Err(e @ ApiError::Unauthorized { .. }) => {
                inner.end_session(Some(super::signing::session_ended(&e)));
                return;
            }
            Err(e) => {
                if let Some(why) = refused(&e) {
                    inner.set_push(|every_secs| Push::Off { why, every_secs });
                    return;
                }
                next_try = failed(&inner).0;
                continue;
            }
        };
        let (Some(ws_token), Some(uri)) = (token.str_at("ws_access_token"), token.str_at("uri"))
        else {
            next_try = failed(&inner).0;
            continue;
        };
        let mut url = format!(
            "{uri}?access_token={}",
            js_sys::encode_uri_component(&ws_token)
        );
        let recovering = recovery.take().filter(|r| r.until > web::now());
        if let Some(r) = &recovering {
            url.push_str(&format!("&wsc={}", js_sys::encode_uri_component(&r.token)));
        }
        // A page whose policy forbids the socket throws here (or closes it unopened, below).
        let Some(socket) = Socket::open(&url) else {
            // The same page refuses the same way every time: no use spending wstokens on it soon again.
            failed(&inner);
            next_try = web::now() + super::reconnect::RETRY_LIVE_MS;
            inner.set_push(|every_secs| Push::Off {
                why: "this page does not allow a WebSocket to RingCentral".into(),
                every_secs,
            });
            continue;
        };
        drop(inner);
        let outcome = session(&weak, &socket, recovering.is_some(), &mut account_refused).await;
        drop(socket);
        let Some(inner) = weak.upgrade() else { return };
        match outcome {
            Ended::Dropped { wsc, recovery_ms } => {
                // It was live: pick up where it left off, at once and quietly (the budget still paces wstokens).
                recovery = wsc.map(|token| Recovery {
                    token,
                    until: web::now() + recovery_ms,
                });
                next_try = 0.0;
            }
            Ended::Failed { opened } => {
                let (at, given_up) = failed(&inner);
                next_try = at;
                inner.set_push(|every_secs| {
                    if given_up {
                        Push::Off {
                            why: "the WebSocket keeps failing".into(),
                            every_secs,
                        }
                    } else if !opened {
                        Push::Off {
                            why: UNREACHABLE.into(),
                            every_secs,
                        }
                    } else {
                        Push::Polling { every_secs }
                    }
                });
            }
            Ended::Refused(why) => {
                inner.set_push(|every_secs| Push::Off { why, every_secs });
                return;
            }
        }
    }
}

enum Ended {
    /// It had been live: recover with `wsc` within `recovery_ms`.
    Dropped {
        wsc: Option<String>,
        recovery_ms: f64,
    },
    /// It never got live; `opened`: the gateway spoke at all.
    Failed { opened: bool },
    /// The subscription was refused for want of a permission.
    Refused(String),
}

/// One socket's life: details, subscription, events, heartbeats, until it closes (or the page goes offline).
async fn session(
    weak: &Weak<Inner>,
    socket: &Socket,
    recovering: bool,
    account_refused: &mut bool,
) -> Ended {
    let (mut live, mut opened) = (false, false);
    let mut wsc: Option<String> = None;
    let mut recovery_ms = 0.0;
    let mut heard = web::now();
    // The filters asked for, and those the gateway took (`None` until then).
    let mut asked: Vec<String> = vec![];
    let mut subscribed: Option<Vec<String>> = None;
    let mut next_id = 0u32;
    let mut id = move || {
        next_id += 1;
        format!("rcac-{next_id}")
    };
    loop {
        let quiet_for = HEARTBEAT_AFTER_MS - (web::now() - heard);
        let told = socket.next(quiet_for.min(LOOK_EVERY_MS)).await;
        let Some(inner) = weak.upgrade() else {
            return Ended::Failed { opened };
        };
        // `offline` closes the socket; `online` opens the next one at once.
        if !web::online() {
            break;
        }
        let frame = match told {
            None => {
                if web::now() - heard >= HEARTBEAT_AFTER_MS {
                    socket.send(&frames::heartbeat(id()));
                    heard = web::now();
                }
                // A widget began or stopped showing the account's calls: the one subscription is replaced.
                if let Some(had) = &subscribed {
                    let want = wanted(&inner, *account_refused);
                    if *had != want && asked != want {
                        socket.send(&frames::subscribe(id(), want.clone()));
                        asked = want;
                    }
                }
                continue;
            }
            Some(Told::Closed) => break,
            Some(Told::Frame(f)) => f,
        };
        opened = true;
        heard = web::now();
        match frames::read(&frame) {
            Frame::ConnectionDetails { wsc: w, details } => {
                wsc = w.token.or(wsc);
                recovery_ms = details.recovery_timeout.unwrap_or(0.0).max(0.0) * 1000.0;
                if recovering && details.recovery_state.as_deref() == Some("Successful") {
                    // The same subscription goes on; replayed events follow.
                    live = true;
                    subscribed = Some(wanted(&inner, *account_refused));
                    inner.reconnects.borrow_mut().connected();
                    inner.set_push(|every_secs| Push::Live { every_secs });
                } else {
                    // A new connection, or a recovery that failed: events were lost, so the list is fetched again
                    // once subscribed.
                    asked = wanted(&inner, *account_refused);
                    socket.send(&frames::subscribe(id(), asked.clone()));
                }
            }
            Frame::Response { status, error, .. } => {
                if (200..300).contains(&status) {
                    live = true;
                    subscribed = Some(asked.clone());
                    inner.reconnects.borrow_mut().connected();
                    inner.set_push(|every_secs| Push::Live { every_secs });
                    inner.fetch_soon();
                } else if status == 403 && asked.len() > 1 {
                    // Not an admin after all: the user's own presence still works.
                    *account_refused = true;
                    asked = wanted(&inner, true);
                    socket.send(&frames::subscribe(id(), asked.clone()));
                } else if status == 403 {
                    let e = ApiError::from_status(status, error, None);
                    return Ended::Refused(format!("RingCentral refused: {}", e.summary()));
                } else {
                    return Ended::Failed { opened };
                }
            }
            Frame::Notification {
                wsc: w,
                owner_id,
                event,
                ..
            } => {
                if let Some(t) = w.and_then(|w| w.token) {
                    wsc = Some(t);
                }
                if let Event::Presence(p) = event {
                    let verdict = {
                        let mut r = inner.reconciler.borrow_mut();
                        if owner_id.is_some() {
                            r.owner = owner_id;
                        }
                        r.presence(&p, web::now())
                    };
                    if verdict == Verdict::Fetch {
                        inner.overlay_changed();
                        inner.fetch_soon();
                    }
                }
            }
            _ => {}
        }
    }
    if live {
        Ended::Dropped { wsc, recovery_ms }
    } else {
        Ended::Failed { opened }
    }
}
