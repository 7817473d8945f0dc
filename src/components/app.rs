//! The root component: one reducer owns the state; effects own every task, timer and listener and stop them in
//! their cleanup.

use super::panel;
use super::{config_panel, hooks, sign_in};
use crate::auth::session::Session;
use crate::config::{LoginFlow, Problem, Scope, Theme, WidgetConfig, MAX_PAGE_SIZE};

use crate::embed::commands::Command;
use crate::embed::events::call_payload;
use crate::embed::host::Host;
use crate::embed::payload::HostEvent;
use crate::poll::Scheduler;
use crate::state::{Action, Phase, State};
use crate::tasks::{self, Env};
use crate::web::{self, TimeFormat};
use gloo_events::EventListener;
use std::rc::Rc;

use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub config: Rc<Result<WidgetConfig, Vec<Problem>>>,
    /// The page around the widget: events out, commands and contact answers in.
    pub host: Rc<Host>,
}

/// What makes a session: when any of it changes, the widget signs in afresh. What is fetched (scope, page size)
/// is the poll's plan, not the session's: changing it never signs anyone in again.
fn session_identity(c: &WidgetConfig) -> (String, String, String, String) {
    (
        c.client_id.clone(),
        c.server.clone(),
        c.redirect_uri.clone(),
        c.session_key.clone(),
    )
}

thread_local! {
    static GENERATIONS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A number per session object, so effects can tell a new session from the old one.
fn next_generation() -> u32 {
    GENERATIONS.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    })
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let cfg = props.config.clone();
    let ok_cfg = cfg.as_ref().as_ref().ok().cloned();
    let state = {
        let problems = cfg.as_ref().as_ref().err().cloned();
        let scope = ok_cfg.as_ref().map_or(Scope::Extension, |c| c.scope);
        use_reducer(move || State::new(scope, web::now(), problems))
    };
    let dispatch: Callback<Action> = {
        let d = state.dispatcher();
        Callback::from(move |a| d.dispatch(a))
    };
    let host = props.host.clone();
    // A new session only when what makes one changes (not for a new scope, interval or theme).
    let identity = ok_cfg.as_ref().map(session_identity);
    let (generation, session) = {
        let cfg = ok_cfg.clone();
        let memo = use_memo(identity, move |_| {
            (
                next_generation(),
                Rc::new(cfg.map(|c| Rc::new(Session::new(c)))),
            )
        });
        (memo.0, memo.1.clone())
    };
    let poll_seconds = ok_cfg.as_ref().map_or(10, |c| c.poll_seconds);
    let sched = use_mut_ref(|| Scheduler::new(poll_seconds));
    use_effect_with(poll_seconds, {
        let sched = sched.clone();
        move |p| sched.borrow_mut().set_interval(*p)
    });
    {
        let dispatch = dispatch.clone();
        use_effect_with(ok_cfg.as_ref().map(|c| c.scope), move |scope| {
            if let Some(s) = scope {
                dispatch.emit(Action::SetScope(*s));
            }
        });
    }
    let env = use_mut_ref(|| Env {
        hidden: web::document_hidden(),
        online: web::online(),
    });
    // Tasks started by clicks and lookups; aborted if the widget goes away first.
    let owned = use_mut_ref(tasks::Owned::default);

    // A new configuration from the host: its problems show (or stop showing) at once. The first run repeats
    // what the state began with, which the reducer ignores.
    {
        let dispatch = dispatch.clone();
        let problems = cfg.as_ref().as_ref().err().cloned();
        use_effect_with(problems, move |p| {
            dispatch.emit(Action::Reconfigured(p.clone()))
        });
    }

    // Start-up: a sign-in callback in the address, or a session to resume. A new session (another app or server)
    // ends the old one's view first.
    let first = use_mut_ref(|| true);
    {
        let (dispatch, session) = (dispatch.clone(), session.clone());
        use_effect_with(generation, move |_| {
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                dispatch.emit(Action::SignedOut(None));
            }
            let task = session
                .as_ref()
                .clone()
                .map(|s| tasks::spawn(tasks::start_up(s, dispatch)));
            move || {
                if let Some(t) = task {
                    t.abort();
                }
            }
        });
    }

    // Page visibility and the network: pause while hidden or offline, refresh at once when back.
    {
        let (env, sched, dispatch) = (env.clone(), sched.clone(), dispatch.clone());
        use_effect_with((), move |_| {
            let mut listeners = vec![];
            if let Some(w) = web::window() {
                if let Some(doc) = w.document() {
                    let (env, sched) = (env.clone(), sched.clone());
                    listeners.push(EventListener::new(&doc, "visibilitychange", move |_| {
                        let hidden = web::document_hidden();
                        env.borrow_mut().hidden = hidden;
                        if !hidden {
                            sched.borrow_mut().request_now();
                        }
                    }));
                }
                for (event, online) in [("online", true), ("offline", false)] {
                    let (env, sched, dispatch) = (env.clone(), sched.clone(), dispatch.clone());
                    listeners.push(EventListener::new(&w, event, move |_| {
                        env.borrow_mut().online = online;
                        if online {
                            sched.borrow_mut().request_now();
                        }
                        dispatch.emit(Action::Online(online));
                    }));
                }
            }
            if !web::online() {
                dispatch.emit(Action::Online(false));
            }
            move || drop(listeners)
        });
    }

    let signed_in = state.signed_in();
    hooks::use_ticker(signed_in, dispatch.clone());

    // Polling, while signed in, for the chosen scope.
    {
        let (session, sched, env, dispatch) = (
            session.clone(),
            sched.clone(),
            env.clone(),
            dispatch.clone(),
        );
        let plan = tasks::Plan {
            scope: state.scope,
            page_size: ok_cfg.as_ref().map_or(MAX_PAGE_SIZE, |c| c.page_size),
        };
        use_effect_with((signed_in, plan, generation), move |(on, plan, _)| {
            let task = match (on, session.as_ref()) {
                (true, Some(s)) => {
                    sched.borrow_mut().request_now();
                    Some(tasks::spawn(tasks::poll(
                        s.clone(),
                        sched,
                        env,
                        *plan,
                        dispatch,
                    )))
                }
                _ => None,
            };
            move || {
                if let Some(t) = task {
                    t.abort();
                }
            }
        });
    }

    {
        let owned = owned.clone();
        use_effect_with((), move |_| {
            move || {
                owned.borrow_mut().abort_all();
            }
        });
    }

    // Host commands (the handle's methods, the element's, iframe messages) arrive here.
    {
        let (host, sched, dispatch) = (host.clone(), sched.clone(), dispatch.clone());
        let on_sign_out = on_sign_out_cb(&session, &dispatch, &owned);
        use_effect_with((host.clone(), generation), move |_| {
            *host.inbox.borrow_mut() = Some(Callback::from(move |c| match c {
                Command::Refresh => sched.borrow_mut().request_now(),
                Command::SignOut => on_sign_out.emit(()),
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

    let allowed = ok_cfg
        .as_ref()
        .and_then(|c| c.embed.as_ref())
        .map(|e| e.allowed.clone());
    hooks::use_parent_messages(allowed, host.clone());

    hooks::use_host_events(host.clone(), state.clone());

    hooks::use_contacts(host.clone(), state.clone(), dispatch.clone(), owned.clone());

    let on_select = {
        let (host, state, dispatch) = (host.clone(), state.clone(), dispatch.clone());
        Callback::from(move |id: String| {
            if let Some(c) = state.calls.iter().find(|c| c.id == id) {
                host.emit(&HostEvent::CallSelected {
                    call: call_payload(&state, c),
                });
            }
            dispatch.emit(Action::Select(id));
        })
    };
    let on_note = hooks::use_notes(host.clone(), state.clone(), dispatch.clone(), owned.clone());

    let on_sign_in = {
        let (session, dispatch, owned) = (session.clone(), dispatch.clone(), owned.clone());
        let popup = ok_cfg.as_ref().is_some_and(|c| match c.login {
            LoginFlow::Popup => true,
            LoginFlow::Redirect => false,
            LoginFlow::Auto => web::is_framed(),
        });
        Callback::from(move |_: ()| {
            if let Some(s) = session.as_ref() {
                owned
                    .borrow_mut()
                    .start(tasks::sign_in(s.clone(), popup, dispatch.clone()));
            }
        })
    };
    let on_sign_out = on_sign_out_cb(&session, &dispatch, &owned);
    let on_refresh = {
        let sched = sched.clone();
        Callback::from(move |_: ()| sched.borrow_mut().request_now())
    };
    let on_scope = {
        let dispatch = dispatch.clone();
        Callback::from(move |scope: Scope| dispatch.emit(Action::SetScope(scope)))
    };

    let fmt = use_memo((), |_| TimeFormat::new());
    let body = match &state.phase {
        Phase::Configuring(problems) => config_panel::view(problems),
        Phase::SignedOut | Phase::SigningIn => sign_in::view(
            state.phase == Phase::SigningIn,
            state.notice.as_deref(),
            state.storage_blocked,
            &on_sign_in,
        ),
        Phase::Loading | Phase::Ready => panel::view(
            &state,
            &panel::Actions {
                on_refresh,
                on_sign_out,
                on_scope,
                on_select,
                on_note,
            },
            &fmt,
        ),
    };
    let theme = ok_cfg.as_ref().map_or(Theme::Auto, |c| c.theme);
    shell(&state.announcement, theme, body)
}

fn on_sign_out_cb(
    session: &Rc<Option<Rc<Session>>>,
    dispatch: &Callback<Action>,
    owned: &Rc<std::cell::RefCell<tasks::Owned>>,
) -> Callback<()> {
    let (session, dispatch, owned) = (session.clone(), dispatch.clone(), owned.clone());
    Callback::from(move |_: ()| {
        if let Some(s) = session.as_ref() {
            owned
                .borrow_mut()
                .start(tasks::sign_out(s.clone(), dispatch.clone()));
        }
    })
}

/// The widget's outer box. The status region is present from the first render, so screen readers pick up later
/// announcements; it says only what the reducer announces (calls added and ended), never the whole list.
pub fn shell(announcement: &str, theme: Theme, body: Html) -> Html {
    html! {
        <section class="rcac" part="widget" data-theme={theme.as_str()} aria-label="RingCentral active calls">
            <div class="rcac-sr" role="status" aria-live="polite" aria-atomic="true">{ announcement.to_string() }</div>
            { body }
        </section>
    }
}
