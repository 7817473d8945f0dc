//! The root component: configuration, the hooks (feed, network, ticker, host wiring, contacts, notes), and the
//! match on the phase. Data flows one way: feed → reducer → views → host events.

use super::clock::Clock;
use super::panel::{self, Panel};
use super::{config_panel, hooks, sign_in};
use crate::config::{Density, LoginFlow, Problem, Scope, Theme, WidgetConfig};
use crate::embed::events::call_payload_at;
use crate::embed::host::Host;
use crate::embed::payload::HostEvent;
use crate::state::{Action, Phase, State};
use crate::tasks;
use crate::web::{self, TimeFormat};
use std::rc::Rc;

use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub config: Rc<Result<WidgetConfig, Vec<Problem>>>,
    /// The page around the widget: events out, commands and contact answers in.
    pub host: Rc<Host>,
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
    {
        let dispatch = dispatch.clone();
        use_effect_with(ok_cfg.as_ref().map(|c| c.scope), move |scope| {
            if let Some(s) = scope {
                dispatch.emit(Action::SetScope(*s));
            }
        });
    }
    // The host's density, until the user picks another in the menu (and again when the host changes it).
    {
        let dispatch = dispatch.clone();
        use_effect_with(ok_cfg.as_ref().map(|c| c.density), move |density| {
            if let Some(d) = density {
                dispatch.emit(Action::SetDensity(*d));
            }
        });
    }
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

    let feed = hooks::use_feed(ok_cfg.clone(), state.scope, dispatch.clone());
    hooks::use_online(feed.clone(), dispatch.clone());
    let signed_in = state.signed_in();
    hooks::use_ticker(signed_in, state.paused_until, dispatch.clone());
    // The state as of the last render, for callbacks made once (so rows, memoised on them, do not render again).
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();

    {
        let owned = owned.clone();
        use_effect_with((), move |_| {
            move || {
                owned.borrow_mut().abort_all();
            }
        });
    }

    hooks::use_host_commands(host.clone(), feed.clone(), dispatch.clone());

    let allowed = ok_cfg
        .as_ref()
        .and_then(|c| c.embed.as_ref())
        .map(|e| e.allowed.clone());
    hooks::use_parent_messages(allowed, host.clone());

    hooks::use_host_events(host.clone(), state.clone());

    hooks::use_contacts(host.clone(), state.clone(), dispatch.clone(), owned.clone());

    let on_select = {
        let (latest, dispatch) = (latest.clone(), state.dispatcher());
        use_memo(host.clone(), move |host| {
            let host = host.clone();
            Callback::from(move |id: String| {
                let state = latest.borrow().clone();
                if let Some(c) = state.calls.iter().find(|c| c.id == id) {
                    host.emit(vec![HostEvent::CallSelected {
                        call: call_payload_at(&state, c, web::now()),
                    }]);
                }
                dispatch.dispatch(Action::Select(id));
            })
        })
    };
    let on_note = hooks::use_notes(host.clone(), latest.clone(), owned.clone());

    let on_sign_in = {
        let feed = feed.clone();
        let popup = ok_cfg.as_ref().is_some_and(|c| match c.login {
            LoginFlow::Popup => true,
            LoginFlow::Redirect => false,
            LoginFlow::Auto => web::is_framed(),
        });
        Callback::from(move |_: ()| feed.sign_in(popup))
    };
    let on_sign_out = {
        let feed = feed.clone();
        Callback::from(move |_: ()| feed.sign_out())
    };
    let on_keep = {
        let feed = feed.clone();
        Callback::from(move |_: ()| feed.keep_here())
    };
    let on_refresh = Callback::from(move |_: ()| feed.refresh());
    let on_scope = {
        let dispatch = dispatch.clone();
        Callback::from(move |scope: Scope| dispatch.emit(Action::SetScope(scope)))
    };
    let on_density = {
        let dispatch = dispatch.clone();
        Callback::from(move |d: Density| dispatch.emit(Action::SetDensity(d)))
    };

    let fmt = use_memo((), |_| TimeFormat::new());
    let body = match &state.phase {
        Phase::Configuring(problems) => config_panel::view(problems),
        Phase::SignedOut | Phase::SigningIn => sign_in::view(
            state.phase == Phase::SigningIn,
            state.notice.as_deref(),
            state.keeping,
            state.not_shared,
            state.other_build,
            &on_sign_in,
            &on_keep,
        ),
        Phase::Loading | Phase::Ready => html! {
            <Panel state={state.clone()} fmt={fmt.clone()} actions={panel::Actions {
                on_refresh,
                on_sign_out,
                on_scope,
                on_select: (*on_select).clone(),
                on_keep,
                on_density,
                on_note: (*on_note).clone(),
            }} />
        },
    };
    let body = html! { <Clock running={signed_in}>{ body }</Clock> };
    let theme = ok_cfg.as_ref().map_or(Theme::Auto, |c| c.theme);
    shell(&state.announcement, theme, state.density, body)
}

/// The widget's outer box. The status region is present from the first render, so screen readers pick up later
/// announcements; it says only what the reducer announces (calls added and ended), never the whole list.
pub fn shell(announcement: &str, theme: Theme, density: Density, body: Html) -> Html {
    html! {
        <section class="rcac" part="widget" data-theme={theme.as_str()} data-density={density.as_str()}
                 aria-label="RingCentral active calls">
            <div class="rcac-sr" role="status" aria-live="polite" aria-atomic="true">{ announcement.to_string() }</div>
            { body }
        </section>
    }
}
