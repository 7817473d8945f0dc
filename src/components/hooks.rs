//! The root component's concerns, each a hook owning its effects, started and stopped with the component (yew's
//! `#[hook]`, as in its todomvc example): the feed (session and calls), the network, the ticker, the host's wiring,
//! contacts and notes.

use super::panel::NoteEvent;
use crate::auth::session::Session;
use crate::config::{Scope, WidgetConfig};
use crate::contacts;
use crate::embed::events::call_payload_at;
use crate::embed::events::Observer;
use crate::embed::host::Host;
use crate::embed::payload::HostEvent;
use crate::feed::protocol::Needs;
use crate::feed::Feed;
use crate::format::CallView;
use crate::state::{Action, State};
use crate::tasks;
use crate::web;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The widget's feed, as the component holds it: absent while the configuration has problems.
#[derive(Clone)]
pub struct FeedHandle(Rc<RefCell<Option<Feed>>>);

impl FeedHandle {
    fn with(&self, f: impl FnOnce(&Feed)) {
        if let Some(feed) = self.0.borrow().as_ref() {
            f(feed);
        }
    }

    pub fn refresh(&self) {
        self.with(Feed::refresh);
    }

    pub fn sign_out(&self) {
        self.with(Feed::sign_out);
    }

    pub fn sign_in(&self, popup: bool) {
        self.with(|f| f.sign_in(popup));
    }

    pub fn keep_here(&self) {
        self.with(Feed::keep_here);
    }
}

/// What makes a session: when any of it changes, the widget joins another session. What is fetched (scope, page
/// size, interval) is the feed's plan, not the session's: changing it never signs anyone in again.
fn session_identity(c: &WidgetConfig) -> (String, String, String, String, bool) {
    (
        c.client_id.clone(),
        c.server.clone(),
        c.redirect_uri.clone(),
        c.session_key.clone(),
        c.persist == crate::config::Persist::Browser,
    )
}

/// The session and the calls, from the feed every widget of this session in this browser shares. A new session
/// (another app, server or key) ends the old one's view first.
#[hook]
pub fn use_feed(cfg: Option<WidgetConfig>, scope: Scope, dispatch: Callback<Action>) -> FeedHandle {
    let slot: Rc<RefCell<Option<Feed>>> = use_mut_ref(|| None);
    let first = use_mut_ref(|| true);
    let plan = cfg.as_ref().map(|c| (c.poll_seconds, c.page_size));
    {
        let (slot, dispatch) = (slot.clone(), dispatch.clone());
        let identity = cfg.as_ref().map(session_identity);
        use_effect_with(identity, move |_| {
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                dispatch.emit(Action::SignedOut(None));
            }
            *slot.borrow_mut() = cfg.map(|c| {
                let needs = Needs {
                    scope,
                    visible: !web::document_hidden(),
                    poll_seconds: c.poll_seconds,
                    page_size: c.page_size,
                };
                Feed::start(Rc::new(Session::new(c)), needs, dispatch)
            });
            move || drop(slot.borrow_mut().take())
        });
    }
    {
        let slot = slot.clone();
        use_effect_with((scope, plan), move |(scope, plan)| {
            if let (Some(f), Some((poll_seconds, page_size))) = (slot.borrow().as_ref(), plan) {
                f.set_needs(*scope, *poll_seconds, *page_size);
            }
        });
    }
    FeedHandle(slot)
}

/// The network: offline shows, and back online fetches at once.
#[hook]
pub fn use_online(feed: FeedHandle, dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let listeners: Vec<EventListener> = web::window()
            .map(|w| {
                [("online", true), ("offline", false)]
                    .into_iter()
                    .map(|(event, online)| {
                        let (feed, dispatch) = (feed.clone(), dispatch.clone());
                        EventListener::new(&w, event, move |_| {
                            if online {
                                feed.refresh();
                            }
                            dispatch.emit(Action::Online(online));
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !web::online() {
            dispatch.emit(Action::Online(false));
        }
        move || drop(listeners)
    });
}

/// The state's own clock: a tick a minute while signed in (contacts asked again, a minute's worth of "now"), and
/// one when a rate-limit penalty ends. The second hand is `clock::Clock`, which renders only what counts time.
#[hook]
pub fn use_ticker(signed_in: bool, paused_until: Option<f64>, dispatch: Callback<Action>) {
    use_effect_with(
        (signed_in, paused_until.map(|t| t as u64)),
        move |(on, until)| {
            let tick = move || dispatch.emit(Action::Tick(web::now()));
            let timers = on.then(|| {
                let at_end = until.map(|t| {
                    let tick = tick.clone();
                    gloo_timers::callback::Timeout::new(
                        (t as f64 - web::now()).clamp(0.0, 3_600_000.0) as u32 + 50,
                        tick,
                    )
                });
                (gloo_timers::callback::Interval::new(60_000, tick), at_end)
            });
            move || drop(timers)
        },
    );
}

/// Host commands (the handle's methods, the element's, iframe messages) arrive here.
#[hook]
pub fn use_host_commands(host: Rc<Host>, feed: FeedHandle, dispatch: Callback<Action>) {
    use crate::embed::commands::Command;
    use_effect_with(host, move |host| {
        let host = host.clone();
        *host.inbox.borrow_mut() = Some(Callback::from(move |c| match c {
            Command::Refresh => feed.refresh(),
            Command::SignOut => feed.sign_out(),
            Command::SetScope(s) => dispatch.emit(Action::SetScope(s)),
            Command::AckNote {
                note_id,
                ok,
                message,
            } => dispatch.emit(Action::NoteAnswered {
                note_id,
                ok,
                message,
            }),
        }));
        move || *host.inbox.borrow_mut() = None
    });
}

/// iframe mode: messages from the parent, heard from allow-listed origins only.
#[hook]
pub fn use_parent_messages(allowed: Option<Vec<String>>, host: Rc<Host>) {
    use_effect_with(allowed, move |allowed| {
        let listener = allowed.clone().zip(web::window()).map(|(allowed, w)| {
            EventListener::new(&w, "message", move |e| {
                if let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() {
                    host.on_message(e, &allowed);
                }
            })
        });
        move || drop(listener)
    });
}

/// Host events: after each render, whatever the new state means for the host.
#[hook]
pub fn use_host_events(host: Rc<Host>, state: UseReducerHandle<State>) {
    let observer = use_mut_ref(Observer::default);
    use_effect(move || {
        let events = observer.borrow_mut().observe(&state);
        host.emit(events);
    });
}

/// The list of calls, equal only to itself (comparing 5 000 calls field by field would cost what this saves).
struct SameList(Rc<Vec<CallView>>);

impl PartialEq for SameList {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Contact matching: the numbers on screen that the host has not been asked about (or not lately). Checked when the
/// list changes and once a minute; the panel never waits for it.
#[hook]
pub fn use_contacts(
    host: Rc<Host>,
    state: UseReducerHandle<State>,
    dispatch: Callback<Action>,
    owned: Rc<RefCell<tasks::Owned>>,
) {
    let minute = (state.now / 60_000.0) as u64;
    // A resolver given later (the element's property) counts as a change too.
    let can = host.can_resolve();
    // The list by identity: the reducer replaces it only when the list changes, so a render for anything else (a
    // selection, a keystroke in a note) costs nothing here however many calls are listed.
    let list = SameList(state.calls.clone());
    use_effect_with((list, minute, can), move |(list, _, can)| {
        let now = web::now();
        let numbers = list
            .0
            .iter()
            .filter_map(|c| c.remote.phone_number.as_deref());
        let wanted = state.contacts.wanted(numbers, now);
        if *can && !wanted.is_empty() {
            dispatch.emit(Action::ContactsAsked(wanted.clone()));
            owned.borrow_mut().start(async move {
                let action = match host.resolve(&wanted).await {
                    Ok(answer) => Action::ContactsAnswered {
                        found: contacts::read_answer(&answer, &wanted, &host.base()),
                        asked: wanted,
                        at: web::now(),
                    },
                    Err(()) => Action::ContactsFailed {
                        asked: wanted,
                        at: web::now(),
                    },
                };
                dispatch.emit(action);
            });
        }
    });
}

/// How long the host has to answer a `note` event before the widget says it did not.
const NOTE_TIMEOUT_MS: f64 = 15_000.0;

/// Notes, when someone is there to take them (embedded): the box's events, and the `note` event for the host with
/// a deadline for its answer. `None` on a page of its own.
#[hook]
pub fn use_notes(
    host: Rc<Host>,
    latest: Rc<RefCell<UseReducerHandle<State>>>,
    owned: Rc<RefCell<tasks::Owned>>,
) -> Rc<Option<Callback<NoteEvent>>> {
    let next_note = use_mut_ref(|| 0u32);
    // Made once (rows are memoised on it); the state it reads is the latest render's.
    use_memo(host, move |host| {
        let host = host.clone();
        let d = latest.borrow().dispatcher();
        let dispatch = Callback::from(move |a| d.dispatch(a));
        host.embedded.then(|| {
            Callback::from(move |e: NoteEvent| match e {
                NoteEvent::Open(id) => dispatch.emit(Action::NoteOpen(id)),
                NoteEvent::Text(id, text) => dispatch.emit(Action::NoteText(id, text)),
                NoteEvent::Close(id) => dispatch.emit(Action::NoteClose(id)),
                NoteEvent::Save(id) => {
                    let state = latest.borrow().clone();
                    let Some(n) = state.note(&id) else { return };
                    if n.text.trim().is_empty() {
                        return;
                    }
                    *next_note.borrow_mut() += 1;
                    let note_id = format!("{}-{}", n.call.id, next_note.borrow());
                    dispatch.emit(Action::NoteSaving {
                        call_id: id,
                        note_id: note_id.clone(),
                    });
                    host.emit(vec![HostEvent::Note {
                        note_id: note_id.clone(),
                        call: call_payload_at(&state, &n.call, web::now()),
                        text: n.text.trim().to_string(),
                    }]);
                    let dispatch = dispatch.clone();
                    owned.borrow_mut().start(async move {
                        web::sleep(NOTE_TIMEOUT_MS).await;
                        dispatch.emit(Action::NoteAnswered {
                            note_id,
                            ok: false,
                            message: Some(
                                "The page did not confirm the note. It is kept here: try again."
                                    .into(),
                            ),
                        });
                    });
                }
            })
        })
    })
}
