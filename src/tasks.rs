//! The async work that feeds the store: start-up (a sign-in callback or a stored session), sign-in, sign-out, and
//! the polling loop. Each runs as an abortable task owned by the component effect that started it.

use crate::api::error::ApiError;
use crate::api::model::{CallLogPage, ExtensionInfo};
use crate::auth::login::{self, Outcome};
use crate::auth::session::Session;
use crate::config::Scope;
use crate::format::CallView;
use crate::poll::{After, Decision, Scheduler};
use crate::state::{Action, SignInFailure, User};
use crate::web;
use futures_util::future::{AbortHandle, Abortable};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use yew::Callback;

/// Most pages fetched in one refresh (`perPage` up to 1000 each).
const MAX_PAGES: u32 = 20;

/// Starts `fut`; the returned handle stops it (dropping its timers and requests).
pub fn spawn(fut: impl Future<Output = ()> + 'static) -> AbortHandle {
    spawn_boxed(Box::pin(fut))
}

/// One copy of the abortable wrapper and the executor glue for every task (a generic one per task type cost
/// several KB of wasm each).
#[inline(never)]
fn spawn_boxed(fut: futures_util::future::LocalBoxFuture<'static, ()>) -> AbortHandle {
    let (handle, reg) = AbortHandle::new_pair();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Abortable::new(fut, reg).await;
    });
    handle
}

/// Short tasks a component starts from events (a sign-in, a contact lookup, a note's wait for the host), all
/// aborted when it goes away. Only the newest are kept: older ones have long finished, and the list must not grow
/// for the life of the page.
#[derive(Default)]
pub struct Owned(Vec<AbortHandle>);

impl Owned {
    pub fn start(&mut self, fut: impl Future<Output = ()> + 'static) {
        if self.0.len() >= 16 {
            self.0.remove(0);
        }
        self.0.push(spawn(fut));
    }

    pub fn abort_all(&mut self) {
        for t in self.0.drain(..) {
            t.abort();
        }
    }
}

pub type Dispatch = Callback<Action>;

/// Whether the page is hidden and the network up, as the listeners last saw them.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub hidden: bool,
    pub online: bool,
}

fn session_ended(e: &ApiError) -> SignInFailure {
    SignInFailure {
        code: e.code().map(str::to_string),
        message: format!(
            "Your RingCentral session ended ({}). Sign in again to keep watching calls.",
            e.summary()
        ),
    }
}

async fn load_user(session: &Session) -> Result<User, ApiError> {
    let info = ExtensionInfo::read(
        &session
            .get("/restapi/v1.0/account/~/extension/~")
            .await?
            .value,
    );
    Ok(User {
        name: info.display_name(),
        extension_number: info.extension_number,
    })
}

async fn after_sign_in(session: &Session, persistent: bool, dispatch: &Dispatch) {
    if !persistent {
        dispatch.emit(Action::StorageBlocked);
    }
    match load_user(session).await {
        Ok(u) => dispatch.emit(Action::SignedIn(u)),
        Err(e @ ApiError::Unauthorized { .. }) => {
            session.forget();
            dispatch.emit(Action::SignInFailed(session_ended(&e)));
        }
        // Who we are is nice to show, not needed to list calls.
        Err(_) => dispatch.emit(Action::SignedIn(User {
            name: "RingCentral user".into(),
            extension_number: None,
        })),
    }
}

/// On load: finish a redirect sign-in, or resume the session a refresh token in this tab's storage holds.
pub async fn start_up(session: Rc<Session>, dispatch: Dispatch) {
    if !web::storage_works() {
        dispatch.emit(Action::StorageBlocked);
    }
    // A widget that signs in by popup never started a redirect: a `code` in the address is the host page's own.
    let redirect = if session.cfg.login == crate::config::LoginFlow::Popup {
        None
    } else {
        login::complete_redirect(&session).await
    };
    if let Some(result) = redirect {
        dispatch.emit(Action::SignInStarted);
        match result {
            Ok(Outcome::SignedIn { persistent }) => {
                after_sign_in(&session, persistent, &dispatch).await
            }
            Ok(Outcome::Redirecting) => {}
            Err(why) => dispatch.emit(Action::SignInFailed(why)),
        }
        return;
    }
    let Some(rt) = session.stored_refresh_token() else {
        return;
    };
    dispatch.emit(Action::SignInStarted);
    match session.refresh(Some(rt)).await {
        Ok(()) => after_sign_in(&session, true, &dispatch).await,
        Err(e @ ApiError::Unauthorized { .. }) => {
            dispatch.emit(Action::SignInFailed(session_ended(&e)))
        }
        Err(e) => dispatch.emit(Action::SignInFailed(SignInFailure {
            code: e.code().map(str::to_string),
            message: format!(
                "Could not resume your session: {}. {}",
                e.summary(),
                e.advice()
            ),
        })),
    }
}

pub async fn sign_in(session: Rc<Session>, popup: bool, dispatch: Dispatch) {
    dispatch.emit(Action::SignInStarted);
    match login::sign_in(&session, popup).await {
        Ok(Outcome::Redirecting) => {}
        Ok(Outcome::SignedIn { persistent }) => {
            after_sign_in(&session, persistent, &dispatch).await
        }
        Err(why) => dispatch.emit(Action::SignInFailed(why)),
    }
}

pub async fn sign_out(session: Rc<Session>, dispatch: Dispatch) {
    session.sign_out().await;
    dispatch.emit(Action::SignedOut(None));
}

fn list_path(scope: Scope) -> &'static str {
    match scope {
        Scope::Extension => "/restapi/v1.0/account/~/extension/~/active-calls",
        Scope::Account => "/restapi/v1.0/account/~/active-calls",
    }
}

/// What the poll fetches: whose calls, and how many a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub scope: Scope,
    pub page_size: u32,
}

/// One refresh: every page of the list, each counted against the Heavy budget before it is sent.
async fn fetch_calls(
    session: &Session,
    sched: &RefCell<Scheduler>,
    plan: Plan,
) -> Result<Action, ApiError> {
    let (scope, per_page) = (plan.scope, plan.page_size);
    let mut calls = vec![];
    let mut skipped = 0;
    let mut page = 1;
    loop {
        if page > 1 {
            loop {
                let wait = sched.borrow_mut().budget_wait(web::now());
                if wait <= 0.0 {
                    break;
                }
                web::sleep(wait.min(1000.0)).await;
            }
        }
        sched.borrow_mut().on_sent(web::now());
        let path = format!(
            "{}?view=Simple&perPage={per_page}&page={page}",
            list_path(scope)
        );
        let a = session.get(&path).await?;
        let list = CallLogPage::read(&a.value).map_err(ApiError::Malformed)?;
        sched.borrow_mut().on_success(a.at, a.budget);
        let more = list.has_next && page < MAX_PAGES;
        skipped += list.unreadable;
        for r in list.records {
            match CallView::from_record(r) {
                Some(v) => calls.push(v),
                None => skipped += 1,
            }
        }
        if !more {
            return Ok(Action::Loaded {
                calls,
                skipped,
                server_now: a.server_date,
                at: a.at,
            });
        }
        page += 1;
    }
}

/// Polls until aborted: asks the scheduler, fetches, and tells the store.
pub async fn poll(
    session: Rc<Session>,
    sched: Rc<RefCell<Scheduler>>,
    env: Rc<RefCell<Env>>,
    plan: Plan,
    dispatch: Dispatch,
) {
    loop {
        let Env { hidden, online } = *env.borrow();
        let decision = sched.borrow_mut().decide(web::now(), hidden, online);
        match decision {
            // Short naps, so a shown page, a returning network or the refresh button act within 250 ms.
            Decision::Idle => web::sleep(250.0).await,
            Decision::Wait(ms) => web::sleep(ms.min(250.0)).await,
            Decision::Send => {
                dispatch.emit(Action::Fetching);
                let result = fetch_calls(&session, &sched, plan).await;
                let now = web::now();
                let e = match result {
                    Ok(loaded) => {
                        dispatch.emit(loaded);
                        continue;
                    }
                    Err(e) => e,
                };
                let next = sched.borrow_mut().after_failure(&e, now, web::random());
                match next {
                    After::Paused { until } => {
                        dispatch.emit(Action::RateLimited { until, at: now })
                    }
                    // With the reason RingCentral gave last.
                    After::SessionEnded => {
                        session.forget();
                        dispatch.emit(Action::SignedOut(Some(session_ended(&e).message)));
                        return;
                    }
                    After::Retry | After::Stop => {
                        dispatch.emit(Action::Failed { error: e, at: now })
                    }
                }
            }
        }
    }
}
