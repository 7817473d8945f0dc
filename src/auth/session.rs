//! The signed-in session: tokens, refresh, revoke.
//!
//! Where tokens live: the access token only in memory (and in the memory of this browser's other tabs of the same
//! session, which the leading tab hands it to: `feed`); the refresh token, as `persist` says, in each open tab's
//! sessionStorage (`tabs`: a reload resumes, nothing survives the last tab) or in localStorage (`browser`).
//! RingCentral's refresh tokens are single-use and rotate, so a stolen old one is worth little. In a cross-site
//! frame whose storage the browser blocks, the user may allow storage access, and the token then lives where that
//! grants (`storage_access`: the handle's Web Storage, else a cookie of the widget's site, until the browser closes
//! with `tabs`); if not, the session lives in memory for the page's life.
//!
//! Only the tab that leads refreshes (`set_gate`): a rotating refresh token must never be sent twice.

use crate::api::client::{request, send, Answer, Body};
use crate::api::error::ApiError;
use crate::api::model::TokenInfo;
use crate::auth::flow;
use crate::config::{Persist, WidgetConfig};
use crate::feed::channel::TokenSet;
use crate::storage_access;
use crate::web::{self, Store};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsValue;

/// Refresh this long before the access token expires (RingCentral's JS SDK uses the same 60 s).
pub const REFRESH_EARLY_MS: f64 = 60_000.0;

/// A refresh under way: the token endpoint's answer, shared by every caller that needs it. It owns what it sends
/// (no reference to the session), so a widget that goes away mid-refresh leaves nothing behind.
type Flight = Shared<LocalBoxFuture<'static, Result<(TokenInfo, f64), ApiError>>>;

/// Asked before a refresh is sent: does this tab still hold the lead? (A leader that was frozen and replaced wakes
/// up believing it leads; it must not spend the refresh token the new leader now owns.)
pub type Gate = std::rc::Rc<dyn Fn() -> LocalBoxFuture<'static, bool>>;

pub struct Session {
    pub cfg: WidgetConfig,
    /// The same shape the tabs hand each other.
    tokens: RefCell<Option<TokenSet>>,
    flight: RefCell<Option<Flight>>,
    /// Bumped on sign-out so a refresh that finishes afterwards is dropped.
    generation: Cell<u32>,
    gate: RefCell<Option<Gate>>,
    /// Told after every refresh, so the leader hands the new tokens on at once.
    renewed: RefCell<Option<std::rc::Rc<dyn Fn()>>>,
}

impl Session {
    pub fn new(cfg: WidgetConfig) -> Self {
        Session {
            cfg,
            tokens: RefCell::new(None),
            flight: RefCell::new(None),
            generation: Cell::new(0),
            gate: RefCell::new(None),
            renewed: RefCell::new(None),
        }
    }

    /// What widgets share a session by: the app, the server and the session key (`clientId@server#key`).
    pub fn sharing_key(&self) -> String {
        let c = &self.cfg;
        let key = format!("{}@{}", c.client_id, c.server);
        if c.session_key.is_empty() {
            key
        } else {
            format!("{key}#{}", c.session_key)
        }
    }

    fn storage_key(&self) -> String {
        format!("rc-active-calls:refresh:{}", self.sharing_key())
    }

    fn store(&self) -> Store {
        match self.cfg.persist {
            Persist::Tabs => Store::Tab,
            Persist::Browser => Store::Browser,
        }
    }

    /// Refreshes go through `gate` from now on (`None`: freely, a widget on its own).
    pub fn set_gate(&self, gate: Option<Gate>) {
        *self.gate.borrow_mut() = gate;
    }

    /// `f` is called after every refresh.
    pub fn on_renewed(&self, f: Option<std::rc::Rc<dyn Fn()>>) {
        *self.renewed.borrow_mut() = f;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.server, path)
    }

    pub fn has_tokens(&self) -> bool {
        self.tokens.borrow().is_some()
    }

    /// A refresh token left by an earlier page load (this tab's, or the browser's with `persist=browser`).
    pub fn stored_refresh_token(&self) -> Option<String> {
        storage_access::get(self.store(), &self.storage_key()).filter(|t| !t.is_empty())
    }

    fn store_refresh(&self, token: Option<&str>) -> bool {
        let key = self.storage_key();
        match token {
            Some(r) => storage_access::set(self.store(), &key, r),
            None => {
                storage_access::remove(self.store(), &key);
                true
            }
        }
    }

    /// Stores the refresh token held in memory again (storage access was just granted); whether it is kept now.
    pub fn store_again(&self) -> bool {
        let refresh = self
            .tokens
            .borrow()
            .as_ref()
            .and_then(|t| t.refresh.clone());
        refresh.is_none_or(|r| self.store_refresh(Some(&r)))
    }

    /// The tokens, to hand to the other tabs.
    pub fn export(&self) -> Option<TokenSet> {
        self.tokens.borrow().clone()
    }

    /// Tokens another tab handed over (`None`: that session is over). Kept like our own, so this tab can lead
    /// next, and a reload of it resumes. Returns whether they could be stored.
    pub fn adopt(&self, tokens: Option<TokenSet>) -> bool {
        let Some(t) = tokens else {
            if self.has_tokens() {
                self.forget();
            }
            return true;
        };
        self.set(t)
    }

    /// Holds these tokens and stores the refresh token; `false` when it could not be stored.
    fn set(&self, t: TokenSet) -> bool {
        let stored = self.store_refresh(t.refresh.as_deref());
        *self.tokens.borrow_mut() = Some(t);
        stored
    }

    /// Keeps new tokens; returns `false` when the refresh token could not be stored (the session then ends with
    /// the tab).
    fn keep(&self, t: TokenInfo, at: f64) -> bool {
        let expires_in = t
            .expires_in
            .filter(|e| e.is_finite() && *e > 0.0)
            .unwrap_or(3600.0);
        self.set(TokenSet {
            access: t.access_token,
            access_expires_at: at + expires_in * 1000.0,
            refresh: t.refresh_token,
        })
    }

    fn token_url(&self) -> String {
        self.url("/restapi/oauth/token")
    }

    /// Exchanges an authorization code (once). Returns whether the session can outlive this page.
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<bool, ApiError> {
        let a = request(
            &self.token_url(),
            Body::Form(flow::code_body(&self.cfg, code, verifier)),
            None,
        )
        .await?;
        Ok(self.keep(read_tokens(&a.value)?, a.at))
    }

    /// Uses a refresh token. Single-flight: while one refresh is under way every caller awaits the same one and
    /// gets its result, so a rotating refresh token is never sent twice.
    /// (Boxed, like `get`: several callers share one copy of the code instead of each inlining it.)
    pub fn refresh(&self, token: Option<String>) -> LocalBoxFuture<'_, Result<(), ApiError>> {
        self.refresh_inner(token).boxed_local()
    }

    fn flight(&self, token: Option<String>) -> Result<Flight, ApiError> {
        if let Some(f) = self.flight.borrow().clone() {
            return Ok(f);
        }
        let rt = token
            .or_else(|| {
                self.tokens
                    .borrow()
                    .as_ref()
                    .and_then(|t| t.refresh.clone())
            })
            .ok_or_else(|| ended("the session expired and this app gets no refresh token"))?;
        let (url, body) = (
            self.token_url(),
            Body::Form(flow::refresh_body(&self.cfg, &rt)),
        );
        let f = async move {
            let a = request(&url, body, None).await?;
            Ok((read_tokens(&a.value)?, a.at))
        }
        .boxed_local()
        .shared();
        *self.flight.borrow_mut() = Some(f.clone());
        Ok(f)
    }

    async fn refresh_inner(&self, token: Option<String>) -> Result<(), ApiError> {
        let generation = self.generation.get();
        let gate = self.gate.borrow().clone();
        let flying = self.flight.borrow().is_some();
        if let (Some(gate), false) = (gate, flying) {
            let seen = self.access();
            if !gate().await {
                return Err(ApiError::Network(
                    "another tab leads this session now".into(),
                ));
            }
            // Still needed? Tokens that came meanwhile (another tab's) are the answer.
            if token.is_none() && self.access() != seen {
                return Ok(());
            }
        }
        let flight = self.flight(token)?;
        let result = flight.clone().await;
        {
            // The first caller back ends the flight; a newer one is left alone.
            let mut current = self.flight.borrow_mut();
            if current.as_ref().is_some_and(|f| f.ptr_eq(&flight)) {
                *current = None;
            }
        }
        if generation != self.generation.get() {
            return Err(ended("signed out"));
        }
        match result {
            // Every caller keeps the same answer: the same tokens, written again.
            Ok((tokens, at)) => {
                self.keep(tokens, at);
                let renewed = self.renewed.borrow().clone();
                if let Some(f) = renewed {
                    f();
                }
                Ok(())
            }
            Err(e @ ApiError::Unauthorized { .. }) => {
                self.forget();
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// The access token, refreshed first when it expires within a minute.
    pub async fn access_token(&self) -> Result<String, ApiError> {
        let current = self.tokens.borrow().clone();
        match current {
            Some(t) if web::now() < t.access_expires_at - REFRESH_EARLY_MS => Ok(t.access),
            Some(_) => {
                self.refresh(None).await?;
                self.tokens
                    .borrow()
                    .as_ref()
                    .map(|t| t.access.clone())
                    .ok_or_else(|| ended("the session ended"))
            }
            None => Err(ended("not signed in")),
        }
    }

    /// An authorized GET of a RingCentral path; the body as parsed JSON. A 401 gets one refresh and one retry
    /// (a second 401, or a failed refresh, is the answer); a 429 from the token endpoint meanwhile is answered as is.
    pub fn get<'a>(
        &'a self,
        path: &'a str,
    ) -> LocalBoxFuture<'a, Result<Answer<JsValue>, ApiError>> {
        self.authorized(path, false)
    }

    /// An authorized POST with no body (the WebSocket token), with the same one refresh and retry.
    pub fn post<'a>(
        &'a self,
        path: &'a str,
    ) -> LocalBoxFuture<'a, Result<Answer<JsValue>, ApiError>> {
        self.authorized(path, true)
    }

    fn authorized<'a>(
        &'a self,
        path: &'a str,
        post: bool,
    ) -> LocalBoxFuture<'a, Result<Answer<JsValue>, ApiError>> {
        let body = move || {
            if post {
                Body::Form(String::new())
            } else {
                Body::None
            }
        };
        async move {
            let token = self.access_token().await?;
            match request(&self.url(path), body(), Some(&token)).await {
                Err(ApiError::Unauthorized { .. }) if self.can_refresh() => {
                    self.refresh(None).await?;
                    let token = self.access_token().await?;
                    request(&self.url(path), body(), Some(&token)).await
                }
                other => other,
            }
        }
        .boxed_local()
    }

    /// Whether a 401 is worth one refresh and one retry.
    pub fn can_refresh(&self) -> bool {
        self.tokens
            .borrow()
            .as_ref()
            .is_some_and(|t| t.refresh.is_some())
    }

    fn access(&self) -> Option<String> {
        self.tokens.borrow().as_ref().map(|t| t.access.clone())
    }

    /// Forgets the tokens here (after the server said they are dead, or another tab signed out).
    pub fn forget(&self) {
        self.generation.set(self.generation.get() + 1);
        *self.tokens.borrow_mut() = None;
        self.store_refresh(None);
    }

    /// The token whose revocation ends the whole session at RingCentral (the refresh token, else the access
    /// token).
    pub fn revocable(&self) -> Option<String> {
        self.tokens
            .borrow()
            .as_ref()
            .map(|t| t.refresh.clone().unwrap_or_else(|| t.access.clone()))
    }

    /// Sign-out's revoke (after forgetting the tokens here). A failed revoke is not retried (RingCentral's
    /// guidance) and does not keep anyone signed in.
    pub async fn revoke(&self, token: &str) {
        let _ = send(
            &self.url("/restapi/oauth/revoke"),
            Body::Form(flow::revoke_body(&self.cfg, token)),
            None,
        )
        .await;
    }
}

fn read_tokens(j: &JsValue) -> Result<TokenInfo, ApiError> {
    TokenInfo::read(j)
        .ok_or_else(|| ApiError::Malformed("the token answer has no access_token".into()))
}

fn ended(why: &str) -> ApiError {
    ApiError::Unauthorized {
        code: None,
        message: why.to_string(),
    }
}
