//! The root component: one reducer owns the state; effects own every task, timer and listener and stop them in
//! their cleanup.

use super::{config_panel, panel, sign_in};
use crate::auth::session::Session;
use crate::config::{LoginFlow, Problem, Scope, WidgetConfig};
use crate::poll::Scheduler;
use crate::state::{Action, Phase, State};
use crate::tasks::{self, Env};
use crate::web::{self, TimeFormat};
use futures_util::future::AbortHandle;
use gloo_events::EventListener;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub config: Rc<Result<WidgetConfig, Vec<Problem>>>,
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
    let session: Rc<Option<Rc<Session>>> = use_memo(cfg.clone(), |c| {
        c.as_ref()
            .as_ref()
            .ok()
            .map(|c| Rc::new(Session::new(c.clone())))
    });
    let poll_seconds = ok_cfg.as_ref().map_or(10, |c| c.poll_seconds);
    let sched = use_mut_ref(|| Scheduler::new(poll_seconds));
    let env = use_mut_ref(|| Env {
        hidden: web::document_hidden(),
        online: web::online(),
    });
    // Sign-in and sign-out tasks started by clicks; aborted if the widget goes away first.
    let clicks = use_mut_ref(Vec::<AbortHandle>::new);

    // Start-up: a sign-in callback in the address, or a session to resume.
    {
        let (dispatch, session) = (dispatch.clone(), session.clone());
        use_effect_with(cfg.clone(), move |_| {
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

    // The second hand: durations and "updated N s ago" tick while signed in.
    let signed_in = state.signed_in();
    {
        let dispatch = dispatch.clone();
        use_effect_with(signed_in, move |on| {
            let interval = on.then(|| {
                gloo_timers::callback::Interval::new(1000, move || {
                    dispatch.emit(Action::Tick(web::now()))
                })
            });
            move || drop(interval)
        });
    }

    // Polling, while signed in, for the chosen scope.
    {
        let (session, sched, env, dispatch) = (
            session.clone(),
            sched.clone(),
            env.clone(),
            dispatch.clone(),
        );
        use_effect_with((signed_in, state.scope), move |(on, scope)| {
            let task = match (on, session.as_ref()) {
                (true, Some(s)) => {
                    sched.borrow_mut().request_now();
                    Some(tasks::spawn(tasks::poll(
                        s.clone(),
                        sched,
                        env,
                        *scope,
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
        let clicks = clicks.clone();
        use_effect_with((), move |_| {
            move || {
                for t in clicks.borrow_mut().drain(..) {
                    t.abort();
                }
            }
        });
    }

    let on_sign_in = {
        let (session, dispatch, clicks) = (session.clone(), dispatch.clone(), clicks.clone());
        let popup = ok_cfg.as_ref().is_some_and(|c| match c.login {
            LoginFlow::Popup => true,
            LoginFlow::Redirect => false,
            LoginFlow::Auto => web::is_framed(),
        });
        Callback::from(move |_: ()| {
            if let Some(s) = session.as_ref() {
                clicks.borrow_mut().push(tasks::spawn(tasks::sign_in(
                    s.clone(),
                    popup,
                    dispatch.clone(),
                )));
            }
        })
    };
    let on_sign_out = {
        let (session, dispatch, clicks) = (session.clone(), dispatch.clone(), clicks.clone());
        Callback::from(move |_: ()| {
            if let Some(s) = session.as_ref() {
                clicks
                    .borrow_mut()
                    .push(tasks::spawn(tasks::sign_out(s.clone(), dispatch.clone())));
            }
        })
    };
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
            },
            &fmt,
        ),
    };
    shell(&state.announcement, body)
}

/// The widget's outer box. The status region is present from the first render, so screen readers pick up later
/// announcements; it says only what the reducer announces (calls added and ended), never the whole list.
pub fn shell(announcement: &str, body: Html) -> Html {
    html! {
        <section class="rcac" aria-label="RingCentral active calls">
            <div class="rcac-sr" role="status" aria-live="polite" aria-atomic="true">{ announcement.to_string() }</div>
            { body }
        </section>
    }
}
