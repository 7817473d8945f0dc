//! The leader's session work: carrying on a session the tabs know (learning who signed in), resuming one from a
//! stored refresh token, and signing out (every tab told first, then the one revoke).

use super::leader::Inner;
use super::snapshot::{Auth, Snapshot};
use crate::api::error::ApiError;
use crate::api::model::ExtensionInfo;
use crate::auth::session::Session;
use crate::state::{Action, SignInFailure, User};
use std::rc::{Rc, Weak};

pub(super) fn session_ended(e: &ApiError) -> SignInFailure {
    SignInFailure {
        code: e.code().map(str::to_string),
        message: format!(
            "Your RingCentral session ended ({}). Sign in again to keep watching calls.",
            e.summary()
        ),
    }
}

pub(super) enum Work {
    /// Tokens are here (signed in in some tab): learn who it is and start fetching.
    SignedIn,
    /// A refresh token from an earlier page load.
    Resume(String),
    SignOut,
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

pub(super) async fn run(weak: Weak<Inner>, what: Work) {
    let Some(inner) = weak.upgrade() else { return };
    let session = inner.session.clone();
    match what {
        Work::SignOut => {
            // Everyone is told first; the one revoke follows.
            let token = session.revocable();
            inner.end_session(None);
            if let Some(t) = token {
                session.revoke(&t).await;
            }
        }
        Work::Resume(rt) => {
            inner.dispatch.emit(Action::SignInStarted);
            match session.refresh(Some(rt)).await {
                Ok(()) => signed_in(&inner).await,
                Err(e @ ApiError::Unauthorized { .. }) => {
                    inner.end_session(Some(session_ended(&e)))
                }
                Err(e) => inner.end_session(Some(SignInFailure {
                    code: e.code().map(str::to_string),
                    message: format!(
                        "Could not resume your session: {}. {}",
                        e.summary(),
                        e.advice()
                    ),
                })),
            }
        }
        Work::SignedIn => signed_in(&inner).await,
    }
}

async fn signed_in(inner: &Rc<Inner>) {
    inner.share_tokens();
    let user = match load_user(&inner.session).await {
        Ok(u) => u,
        Err(e @ ApiError::Unauthorized { .. }) => {
            inner.end_session(Some(session_ended(&e)));
            return;
        }
        // Who we are is nice to show, not needed to list calls.
        Err(_) => User {
            name: "RingCentral user".into(),
            extension_number: None,
        },
    };
    inner.core.borrow_mut().records.clear();
    let term = inner.term();
    inner.set_snapshot(Snapshot {
        term,
        auth: Auth::SignedIn { user },
        ..Snapshot::default()
    });
    inner.start_poller(true);
}
