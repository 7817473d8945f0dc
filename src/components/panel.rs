use super::call_list::{CallList, StateRef};
use super::menu::Menu;
use super::status_bar;
use crate::api::error::ApiError;
use crate::config::{Density, Scope};
use crate::format::party_name;
use crate::state::{Note, NotePhase, Phase, State};
use crate::web::TimeFormat;
use std::rc::Rc;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// A note box event from the panel.
pub enum NoteEvent {
    Open(String),
    Text(String, String),
    Save(String),
    Close(String),
}

/// The callbacks the signed-in panel needs. `on_select` and `on_note` reach every row: keep them the same from one
/// render to the next, or every row renders again.
#[derive(Clone, PartialEq)]
pub struct Actions {
    pub on_refresh: Callback<()>,
    pub on_sign_out: Callback<()>,
    pub on_scope: Callback<Scope>,
    pub on_select: Callback<String>,
    /// "Stay signed in here" (storage blocked in a frame, and the browser can ask).
    pub on_keep: Callback<()>,
    /// The menu's "Compact rows".
    pub on_density: Callback<Density>,
    /// Present when a host page is there to take notes.
    pub on_note: Option<Callback<NoteEvent>>,
}

/// The inline note box under a call (or, once the call has gone from the list, under the table).
pub fn note_form(n: &Note, on_note: &Callback<NoteEvent>, gone: bool) -> Html {
    let id = n.call.id.clone();
    let saving = matches!(n.phase, NotePhase::Saving(_));
    let save = on_note.reform({
        let id = id.clone();
        move |e: SubmitEvent| {
            e.prevent_default();
            NoteEvent::Save(id.clone())
        }
    });
    let text = on_note.reform({
        let id = id.clone();
        move |e: InputEvent| {
            let v = e
                .target_dyn_into::<HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            NoteEvent::Text(id.clone(), v)
        }
    });
    let close = on_note.reform(move |_: MouseEvent| NoteEvent::Close(id.clone()));
    let who = party_name(&n.call.remote);
    html! {
        <form class="rcac-note" part="note" onsubmit={save}>
            <label>
                <span class="rcac-muted">{ if gone { format!("Note for the call with {who} (no longer listed)") } else { format!("Note for the call with {who}") } }</span>
                <textarea value={n.text.clone()} oninput={text} disabled={saving} maxlength="4000" rows="2" />
            </label>
            if let NotePhase::Rejected(why) = &n.phase {
                <p class="rcac-error" role="alert" part="error">{ why.clone() }</p>
            }
            <div class="rcac-actions">
                <button class="rcac-btn rcac-primary" part="button" type="submit" disabled={saving || n.text.trim().is_empty()}>
                    { if saving { "Saving…" } else { "Save note" } }
                </button>
                <button class="rcac-btn" part="button" type="button" onclick={close}>{ "Close" }</button>
            </div>
        </form>
    }
}

fn error_title(e: &ApiError) -> &'static str {
    match e {
        ApiError::Forbidden { .. } => "Not allowed",
        ApiError::Unauthorized { .. } => "Not signed in",
        ApiError::RateLimited { .. } => "Too many requests",
        ApiError::Rejected { .. } => "RingCentral refused the request",
        ApiError::Server { .. } => "RingCentral had a problem",
        ApiError::Network(_) => "Can't reach RingCentral",
        ApiError::Slow(_) => "RingCentral is slow",
        ApiError::Malformed(_) => "Unreadable answer",
    }
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub state: UseReducerHandle<State>,
    pub actions: Actions,
    pub fmt: Rc<TimeFormat>,
}

/// The signed-in panel as a component: a tick (`clock::Now`) passes it by.
#[function_component]
pub fn Panel(p: &PanelProps) -> Html {
    view(&p.state, &p.actions, &p.fmt)
}

/// Signed in: who, the list, and what is going on.
pub fn view<S: StateRef>(state: &S, p: &Actions, fmt: &Rc<TimeFormat>) -> Html {
    let s = &**state;
    let refresh = p.on_refresh.reform(|_: MouseEvent| ());
    let on_scope = p.on_scope.reform(|e: Event| {
        e.target_dyn_into::<HtmlSelectElement>()
            .and_then(|s| Scope::parse(&s.value()))
            .unwrap_or(Scope::Extension)
    });
    let to_mine = p.on_scope.reform(|_: MouseEvent| Scope::Extension);
    let account = s.scope == Scope::Account;
    let user = s.user.as_ref();

    let error = match &s.error {
        // The status bar already says when updates resume.
        Some(ApiError::RateLimited { .. }) | None => html! {},
        Some(e) => {
            let company = matches!(e, ApiError::Forbidden { permission: Some(p), .. } if p == "ReadCompanyCallLog");
            html! {
                <div class="rcac-error" role="alert" part="error">
                    <strong>{ error_title(e) }</strong>
                    <p>{ format!("RingCentral said: {}", e.summary()) }</p>
                    <p class="rcac-muted">{ e.advice() }</p>
                    if company && account {
                        <button class="rcac-btn" part="button" onclick={to_mine}>{ "Show my calls" }</button>
                    }
                </div>
            }
        }
    };

    let list = if s.phase == Phase::Loading {
        if s.error.is_none() {
            html! { <p class="rcac-empty">{ "Loading calls…" }</p> }
        } else {
            html! {}
        }
    } else if s.calls.is_empty() {
        html! { <p class="rcac-empty">{ if account { "No active calls in the account right now." } else { "No active calls right now." } }</p> }
    } else {
        html! { <CallList<S> state={state.clone()} fmt={fmt.clone()} on_select={p.on_select.clone()} on_note={p.on_note.clone()} /> }
    };
    // Drafts whose call has left the list stay until sent or closed.
    let gone = match &p.on_note {
        Some(on_note) => html! {
            { for s.notes.iter().filter(|n| !s.calls.iter().any(|c| c.id == n.call.id)).map(|n| note_form(n, on_note, true)) }
        },
        None => html! {},
    };

    html! {
        <div class="rcac-panel" aria-busy={s.busy.to_string()}>
            <header class="rcac-head" part="header">
                <div class="rcac-who">
                    <strong class="rcac-user"><bdi>{ user.map(|u| u.name.clone()).unwrap_or_default() }</bdi></strong>
                    if let Some(ext) = user.and_then(|u| u.extension_number.clone()) {
                        <span class="rcac-muted">{ format!(" · ext. {ext}") }</span>
                    }
                </div>
                <label class="rcac-scope">
                    <span class="rcac-sr">{ "Show" }</span>
                    <select onchange={on_scope}>
                        <option value="extension" selected={!account}>{ "My calls" }</option>
                        <option value="account" selected={account}>{ "All calls" }</option>
                    </select>
                </label>
                <button class="rcac-btn rcac-icon" part="button" onclick={refresh} disabled={s.busy || s.paused_until.is_some() || s.offline}
                        aria-label="Refresh" title="Refresh now (within RingCentral's rate limit)">{ "↻" }</button>
                <Menu density={s.density} on_density={p.on_density.clone()} on_sign_out={p.on_sign_out.clone()} />
            </header>
            { status_bar::view(s, fmt, &p.on_keep) }
            { error }
            { list }
            { gone }
        </div>
    }
}
