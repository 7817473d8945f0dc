use super::{call_row, status_bar};
use crate::api::error::ApiError;
use crate::config::Scope;
use crate::state::{Phase, State};
use crate::web::TimeFormat;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The callbacks the signed-in panel needs.
pub struct Actions {
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
pub fn view(s: &State, p: &Actions, fmt: &TimeFormat) -> Html {
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
            <table class="rcac-table" data-scope={if account { "account" } else { "extension" }}>
                <caption class="rcac-sr">{ if account { "Active calls in the account" } else { "Your active calls" } }</caption>
                <thead><tr>
                    { for [
                        ("rcac-dir", "Direction"),
                        ("", "Other party"),
                        ("rcac-ours", if account { "Extension" } else { "Our side" }),
                        ("", "Status"),
                        ("rcac-start", "Started"),
                        ("rcac-dur", "Duration"),
                    ].into_iter().map(|(class, label)| html! { <th scope="col" {class}>{ label }</th> }) }
                </tr></thead>
                <tbody>
                    { for s.calls.iter().map(|c| call_row::view(c, c.seconds(s.now, s.skew_ms), fmt.format(c.start_ms))) }
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
            { status_bar::view(s, fmt) }
            { error }
            { list }
        </div>
    }
}
