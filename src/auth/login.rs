//! The browser half of sign-in: the full-page redirect, the popup, and the callback page.

use crate::auth::flow::{self, Callback, Pending, CALLBACK_PARAMS, POPUP_STATE_PREFIX};
use crate::auth::pkce;
use crate::auth::session::Session;
use crate::state::SignInFailure;
use crate::url;
use crate::web;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// One sign-in round trip at a time per tab: the page that comes back from RingCentral does not know its
/// configuration until it has read this (the redirect URI carries no query of ours).
pub const PENDING_KEY: &str = "rc-active-calls:pending";

/// The configuration query of the page that started a redirect sign-in, when this load is its callback.
pub fn pending_return_query() -> Option<String> {
    if matches!(flow::read_callback(&web::location_search()), Callback::None) {
        return None;
    }
    let p = Pending::decode(&web::storage_get(PENDING_KEY)?)?;
    Some(
        p.return_to
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default(),
    )
}

/// Marks the messages this widget posts, so it ignores everyone else's.
pub const MESSAGE_SOURCE: &str = "rc-active-calls";
const CALLBACK_TYPE: &str = "oauth-callback";

/// How a sign-in attempt ended, when it did not fail.
pub enum Outcome {
    /// The page is going to RingCentral; this page is about to unload.
    Redirecting,
    /// Signed in; `false` when the session cannot outlive this page (storage blocked).
    SignedIn { persistent: bool },
}

async fn new_pending(return_to: String, popup: bool) -> Result<(Pending, String), String> {
    let verifier = pkce::verifier(&web::random_bytes()?);
    let state_bytes = web::random_bytes()?;
    let state = format!(
        "{}{}",
        if popup { POPUP_STATE_PREFIX } else { "r." },
        pkce::base64url(&state_bytes[..16])
    );
    let challenge = pkce::challenge_from_digest(&web::sha256(verifier.as_bytes()).await?);
    Ok((
        Pending {
            state,
            verifier,
            return_to,
        },
        challenge,
    ))
}

/// Starts a sign-in. A redirect needs sessionStorage to remember the verifier across the page load; without it the
/// popup flow (which keeps everything in memory) is used instead.
pub async fn sign_in(session: &Session, popup: bool) -> Result<Outcome, SignInFailure> {
    let return_to = url::without_params(&web::location_href(), CALLBACK_PARAMS);
    let popup = popup || !web::storage_works();
    let (pending, challenge) = new_pending(return_to, popup).await?;
    let auth_url = flow::authorize_url(&session.cfg, &pending.state, &challenge, popup);
    if !popup {
        if !web::storage_set(PENDING_KEY, &pending.encode()) {
            return Err(
                "This browser blocks storage, so the sign-in cannot survive the redirect.".into(),
            );
        }
        web::assign_location(&auth_url)?;
        return Ok(Outcome::Redirecting);
    }
    let query = popup_round_trip(&auth_url, &session.cfg.redirect_uri).await?;
    finish(session, &query, &pending).await
}

/// Reads a callback query, checks `state`, and exchanges the code (once).
async fn finish(
    session: &Session,
    query: &str,
    pending: &Pending,
) -> Result<Outcome, SignInFailure> {
    match flow::read_callback(query) {
        Callback::None => Err("RingCentral's answer held no authorization code.".into()),
        Callback::Denied { state, .. } if state != pending.state => Err(state_mismatch().into()),
        Callback::Denied {
            error, description, ..
        } => Err(SignInFailure {
            message: flow::denied_message(&error, &description),
            code: Some(error),
        }),
        Callback::Code { state, .. } if state != pending.state => Err(state_mismatch().into()),
        Callback::Code { code, .. } => match session.exchange(&code, &pending.verifier).await {
            Ok(persistent) => Ok(Outcome::SignedIn { persistent }),
            Err(e) => Err(SignInFailure {
                code: e.code().map(str::to_string),
                message: format!(
                    "RingCentral refused the sign-in: {}. {}",
                    e.summary(),
                    e.advice()
                ),
            }),
        },
    }
}

fn state_mismatch() -> String {
    "The sign-in answer did not match this page's request (state mismatch), so it was ignored. Nothing was signed in.".into()
}

/// On page load: if the address holds a redirect callback, clean the address bar at once, then finish the
/// sign-in the redirect started. `None` when there is no callback to handle.
pub async fn complete_redirect(session: &Session) -> Option<Result<Outcome, SignInFailure>> {
    let search = web::location_search();
    if matches!(flow::read_callback(&search), Callback::None) {
        return None;
    }
    let pending = web::storage_get(PENDING_KEY).and_then(|p| Pending::decode(&p));
    web::storage_remove(PENDING_KEY);
    let clean = match &pending {
        Some(p) => p.return_to.clone(),
        None => url::without_params(&web::location_href(), CALLBACK_PARAMS),
    };
    web::replace_url(&clean);
    Some(match pending {
        Some(p) => finish(session, &search, &p).await,
        None => Err(
            "This page got a sign-in answer it did not ask for (or its tab lost the request), so it was ignored.".into(),
        ),
    })
}

/// In the popup: if this page is a popup's callback, hand the answer to the opener (only to our own origin) and
/// close. Returns `true` when it did.
pub fn hand_back_to_opener() -> bool {
    let search = web::location_search();
    let state = match flow::read_callback(&search) {
        Callback::Code { state, .. } | Callback::Denied { state, .. } => state,
        Callback::None => return false,
    };
    if !state.starts_with(POPUP_STATE_PREFIX) {
        return false;
    }
    let Some(w) = web::window() else { return false };
    let Some(opener) = w
        .opener()
        .ok()
        .filter(|o| !o.is_null() && !o.is_undefined())
    else {
        return false;
    };
    // Not `dyn_into`: the opener's Window comes from another realm, so `instanceof Window` is false here.
    let opener: web_sys::Window = opener.unchecked_into();
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"source".into(), &MESSAGE_SOURCE.into());
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &CALLBACK_TYPE.into());
    let _ = js_sys::Reflect::set(&msg, &"query".into(), &search.as_str().into());
    // The exact origin: the opener is the widget page, served from the redirect URI's origin.
    let _ = opener.post_message(&msg, &web::location_origin());
    web::replace_url(&url::without_params(&web::location_href(), CALLBACK_PARAMS));
    let _ = w.close();
    true
}

/// Opens the popup and waits for its callback message (from the redirect URI's origin only) or its closing.
async fn popup_round_trip(auth_url: &str, redirect_uri: &str) -> Result<String, String> {
    let w = web::window().ok_or("no window")?;
    let popup = w
        .open_with_url_and_target_and_features(
            auth_url,
            "rc-active-calls-sign-in",
            "popup,width=460,height=680",
        )
        .ok()
        .flatten()
        .ok_or(
            "Your browser blocked the sign-in window. Allow pop-ups for this page, then try again.",
        )?;
    let expected_origin = url::origin(redirect_uri).unwrap_or_default().to_string();
    let answer: Rc<RefCell<Option<String>>> = Rc::default();
    let slot = answer.clone();
    let _listener = EventListener::new(&w, "message", move |e| {
        let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        if e.origin() != expected_origin {
            return; // a foreign origin: ignored
        }
        let data: JsValue = e.data();
        if web::prop_string(&data, "source").as_deref() == Some(MESSAGE_SOURCE)
            && web::prop_string(&data, "type").as_deref() == Some(CALLBACK_TYPE)
        {
            if let Some(q) = web::prop_string(&data, "query") {
                *slot.borrow_mut() = Some(q);
            }
        }
    });
    let mut closed_checks = 0;
    loop {
        web::sleep(250.0).await;
        if let Some(q) = answer.borrow_mut().take() {
            let _ = popup.close();
            return Ok(q);
        }
        if popup.closed().unwrap_or(true) {
            // Give a message posted just before closing one more turn to arrive.
            closed_checks += 1;
            if closed_checks > 1 {
                return Err("The sign-in window was closed before signing in finished.".into());
            }
        }
    }
}
