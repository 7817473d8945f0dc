use super::call_row::CallRow;
use super::status_bar::StatusBar;
use crate::api::error::ApiError;
use crate::config::Scope;
use crate::state::{Phase, State};
use crate::web::TimeFormat;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: State,
    pub on_refresh: Callback<()>,
    pub on_sign_out: Callback<()>,
    pub on_scope: Callback<Scope>,
}

fn error_title(e: &ApiError) -> &'static str {
    match e {
        ApiError::Forbidden { .. } => "Not allowed",
        ApiError::Unauthorized { .. } => "Not signed in",
        ApiError::RateLimited { .. } => "Too many requests",
        ApiError::Rejected { .. } => "RingCentral refused the request",
        ApiError::Server { .. } => "RingCentral had a problem",
        ApiError::Network(_) => "Can't reach RingCentral",
        ApiError::Malformed(_) => "Unreadable answer",
    }
}

/// Signed in: who, the list, and what is going on.
#[function_component(Panel)]
pub fn panel(p: &Props) -> Html {
    let s = &p.state;
    let fmt = use_memo((), |_| TimeFormat::new());
    let refresh = p.on_refresh.reform(|_: MouseEvent| ());
    let sign_out = p.on_sign_out.reform(|_: MouseEvent| ());
    let on_scope = p.on_scope.reform(|e: Event| {
        let v = e
            .target_dyn_into::<HtmlSelectElement>()
            .map(|s| s.value())
            .unwrap_or_default();
        if v == "account" {
            Scope::Account
        } else {
            Scope::Extension
        }
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
                <div class="rcac-error" role="alert">
                    <strong>{ error_title(e) }</strong>
                    <p>{ format!("RingCentral said: {}", e.summary()) }</p>
                    <p class="rcac-muted">{ e.advice() }</p>
                    if company && account {
                        <button class="rcac-btn" onclick={to_mine}>{ "Show my calls" }</button>
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
        html! {
            <table class={classes!("rcac-table", account.then_some("rcac-account"))}>
                <caption class="rcac-sr">{ if account { "Active calls in the account" } else { "Your active calls" } }</caption>
                <thead><tr>
                    <th scope="col" class="rcac-dir">{ "Direction" }</th>
                    <th scope="col">{ "Other party" }</th>
                    <th scope="col" class="rcac-ours">{ if account { "Extension" } else { "Our side" } }</th>
                    <th scope="col">{ "Status" }</th>
                    <th scope="col" class="rcac-start">{ "Started" }</th>
                    <th scope="col" class="rcac-dur">{ "Duration" }</th>
                </tr></thead>
                <tbody>
                    { for s.calls.iter().map(|c| html! {
                        <CallRow key={c.id.clone()} call={c.clone()} seconds={c.seconds(s.now, s.skew_ms)}
                                 started={fmt.format(c.start_ms)} show_ours={true} />
                    }) }
                </tbody>
            </table>
        }
    };

    html! {
        <div class="rcac-panel" aria-busy={s.busy.to_string()}>
            <header class="rcac-head">
                <div class="rcac-who">
                    <strong class="rcac-user"><bdi>{ user.map(|u| u.name.clone()).unwrap_or_default() }</bdi></strong>
                    if let Some(ext) = user.and_then(|u| u.extension_number.clone()) {
                        <span class="rcac-muted">{ format!(" · ext. {ext}") }</span>
                    }
                </div>
                <div class="rcac-actions">
                    <label class="rcac-scope">
                        <span class="rcac-sr">{ "Show" }</span>
                        <select onchange={on_scope}>
                            <option value="extension" selected={!account}>{ "My calls" }</option>
                            <option value="account" selected={account}>{ "All calls (admin)" }</option>
                        </select>
                    </label>
                    <button class="rcac-btn" onclick={refresh} disabled={s.busy || s.paused_until.is_some() || s.offline}
                            title="Refresh now (within RingCentral's rate limit)">{ "Refresh" }</button>
                    <button class="rcac-btn" onclick={sign_out}>{ "Sign out" }</button>
                </div>
            </header>
            <StatusBar state={s.clone()} />
            { error }
            { list }
        </div>
    }
}
