//! The root component's concerns that stand apart from the session: each a hook owning its effects, started and
//! stopped with the component (yew's `#[hook]`, as in its todomvc example).

use super::panel::NoteEvent;
use crate::contacts;
use crate::embed::events::call_payload;
use crate::embed::events::Observer;
use crate::embed::host::Host;
use crate::embed::payload::HostEvent;
use crate::state::{Action, State};
use crate::tasks;
use crate::web;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The second hand: durations and "updated N s ago" tick while signed in.
#[hook]
pub fn use_ticker(signed_in: bool, dispatch: Callback<Action>) {
    use_effect_with(signed_in, move |on| {
        let interval = on.then(|| {
            gloo_timers::callback::Interval::new(1000, move || {
                dispatch.emit(Action::Tick(web::now()))
            })
        });
        move || drop(interval)
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
        for event in observer.borrow_mut().observe(&state) {
            host.emit(&event);
        }
    });
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
    let numbers: Vec<String> = state
        .calls
        .iter()
        .filter_map(|c| c.remote.phone_number.clone())
        .collect();
    let minute = (state.now / 60_000.0) as u64;
    // A resolver given later (the element's property) counts as a change too.
    let can = host.can_resolve();
    use_effect_with((numbers, minute, can), move |(numbers, _, can)| {
        let now = web::now();
        let wanted = state
            .contacts
            .wanted(numbers.iter().map(String::as_str), now);
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
    state: UseReducerHandle<State>,
    dispatch: Callback<Action>,
    owned: Rc<RefCell<tasks::Owned>>,
) -> Option<Callback<NoteEvent>> {
    let next_note = use_mut_ref(|| 0u32);
    host.embedded.then(|| {
        Callback::from(move |e: NoteEvent| match e {
            NoteEvent::Open(id) => dispatch.emit(Action::NoteOpen(id)),
            NoteEvent::Text(id, text) => dispatch.emit(Action::NoteText(id, text)),
            NoteEvent::Close(id) => dispatch.emit(Action::NoteClose(id)),
            NoteEvent::Save(id) => {
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
                host.emit(&HostEvent::Note {
                    note_id: note_id.clone(),
                    call: call_payload(&state, &n.call),
                    text: n.text.trim().to_string(),
                });
                let dispatch = dispatch.clone();
                owned.borrow_mut().start(async move {
                    web::sleep(NOTE_TIMEOUT_MS).await;
                    dispatch.emit(Action::NoteAnswered {
                        note_id,
                        ok: false,
                        message: Some(
                            "The page did not confirm the note. It is kept here: try again.".into(),
                        ),
                    });
                });
            }
        })
    })
}
