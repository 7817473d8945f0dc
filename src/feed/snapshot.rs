//! What the leading tab knows and every widget renders: who is signed in, and per scope when the list was last
//! answered (the records themselves travel beside it, as RingCentral sent them, and each widget reads them with
//! the same reader) or why it failed, whether a fetch is under way, and the rate limit's pause. Widgets never
//! render a snapshot directly: `changes` turns the step from one snapshot to the next into the reducer's actions,
//! so a follower's panel, its announcements and its host events are exactly the leader's. Pure.

use super::reconcile::Overlay;
use crate::api::error::ApiError;
use crate::config::Scope;
use crate::state::{Action, SignInFailure, User};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Auth {
    /// Nothing heard yet (a widget that just joined): nothing to say either way.
    #[default]
    Unknown,
    /// Signed out; `failure` when it was not the user's choice (a session that ended, a refused sign-in).
    SignedOut {
        failure: Option<SignInFailure>,
    },
    SignedIn {
        user: User,
    },
}

/// One scope's list, as last fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct List {
    pub scope: Scope,
    /// When the last answer arrived (ms since the epoch, the leader's clock); `None` before the first.
    pub at: Option<f64>,
    /// The server's `Date` with that answer.
    pub server_now: Option<f64>,
    /// The last failure, until an answer clears it.
    pub failure: Option<Failure>,
    /// `at` is the first page of a list's first fetch, the other pages still coming (an admin's 5 000 calls come in
    /// five pages: the first thousand show while the rest load).
    pub more: bool,
    /// Only the first page was fetched (push asked for the newest calls), the other records kept from the list
    /// before; `None` when the whole list is as of `at`.
    pub kept: Option<Kept>,
}

/// A list's records after its first `fresh`, kept from the list answered at `from`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub fresh: u32,
    pub from: f64,
    /// When they were fetched (`from`, or earlier when that list kept them too).
    pub rest_at: f64,
}

impl List {
    /// When the oldest of its records were fetched: push's word on a call counts over the list's when newer.
    pub fn records_at(&self) -> Option<f64> {
        self.kept.map(|k| k.rest_at).or(self.at)
    }

    /// Whether a fetch push asked for may fetch the first page alone, keeping the rest: the list is whole, and its
    /// oldest records are less than `max_age_ms` old (so every page is still fetched at the safety poll's pace,
    /// however often push asks).
    pub fn first_page_will_do(&self, now: f64, max_age_ms: f64) -> bool {
        !self.more && self.records_at().is_some_and(|t| now - t < max_age_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub error: ApiError,
    pub at: f64,
}

/// How the calls reach the panel: pushed (RingCentral's WebSocket) or polled, with why push is not on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Push {
    /// Live updates: a call shows as it rings (and a safety poll every `every_secs`).
    Live { every_secs: u32 },
    /// Polling every `every_secs` (live updates off by configuration, or still connecting).
    Polling { every_secs: u32 },
    /// Polling, because live updates could not be had: `why`.
    Off { why: String, every_secs: u32 },
}

impl Default for Push {
    fn default() -> Push {
        Push::Polling { every_secs: 0 }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The leader's term: a snapshot of an older term (a leader that has not yet heard it was replaced) is dropped.
    pub term: u64,
    pub auth: Auth,
    pub busy: bool,
    /// RingCentral's penalty: nothing is sent until then.
    pub paused_until: Option<f64>,
    pub lists: Vec<List>,
    /// What push knows beyond the last answers.
    pub overlay: Overlay,
    pub push: Push,
}

/// One step for a widget: a reducer action, or "read the records of this answer" (the caller has them).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Act(Action),
    /// `more`: the first page of a list's first answer (`List::more`).
    Load {
        at: f64,
        server_now: Option<f64>,
        more: bool,
    },
}

impl Snapshot {
    pub fn list(&self, scope: Scope) -> Option<&List> {
        self.lists.iter().find(|l| l.scope == scope)
    }

    /// The scope's list, made when first needed.
    pub fn list_mut(&mut self, scope: Scope) -> &mut List {
        let i = match self.lists.iter().position(|l| l.scope == scope) {
            Some(i) => i,
            None => {
                self.lists.push(List {
                    scope,
                    at: None,
                    server_now: None,
                    failure: None,
                    more: false,
                    kept: None,
                });
                self.lists.len() - 1
            }
        };
        &mut self.lists[i]
    }

    pub fn signed_in(&self) -> bool {
        matches!(self.auth, Auth::SignedIn { .. })
    }

    /// This snapshot as a widget that shows no list yet sees it (after it changed scope).
    pub fn without_lists(&self) -> Snapshot {
        Snapshot {
            lists: vec![],
            busy: false,
            paused_until: None,
            ..self.clone()
        }
    }

    /// Signed out: every list and pause forgotten.
    pub fn signed_out(term: u64, failure: Option<SignInFailure>) -> Snapshot {
        Snapshot {
            term,
            auth: Auth::SignedOut { failure },
            ..Snapshot::default()
        }
    }
}

/// What a widget showing `scope` must do to go from `prev` (what it has shown) to `next`.
pub fn changes(prev: &Snapshot, next: &Snapshot, scope: Scope) -> Vec<Change> {
    let mut out = vec![];
    let mut prev_list = prev.list(scope);
    let mut prev_paused = prev.paused_until;
    if next.auth != prev.auth {
        let was_in = prev.signed_in();
        match &next.auth {
            Auth::Unknown => {}
            Auth::SignedIn { user } => {
                out.push(Change::Act(Action::SignedIn(user.clone())));
                // Signing in clears the panel: the lists start again.
                prev_list = None;
                prev_paused = None;
            }
            Auth::SignedOut { failure } if was_in => out.push(Change::Act(Action::SignedOut(
                failure.as_ref().map(|f| f.message.clone()),
            ))),
            Auth::SignedOut { failure: Some(why) } => {
                out.push(Change::Act(Action::SignInFailed(why.clone())))
            }
            // Signed out already, as far as this widget knows (it may be signing in itself: leave it be).
            Auth::SignedOut { failure: None } => {}
        }
    }
    if !next.signed_in() {
        return out;
    }
    if next.busy && !prev.busy {
        out.push(Change::Act(Action::Fetching));
    }
    if next.push != prev.push {
        out.push(Change::Act(Action::Push(next.push.clone())));
    }
    let list = next.list(scope);
    let answered = list.and_then(|l| l.at);
    let new_answer = answered.is_some() && answered != prev_list.and_then(|p| p.at);
    let pushed = next.overlay != prev.overlay || (prev_list.is_none() && !next.overlay.is_empty());
    if new_answer || pushed {
        // As of the later of the answer and push's last word.
        let at = answered.unwrap_or(f64::MIN).max(next.overlay.latest());
        if at > f64::MIN {
            out.push(Change::Load {
                at,
                server_now: list.and_then(|l| l.server_now),
                more: list.is_some_and(|l| l.more),
            });
        }
    }
    if let Some(list) = list {
        // A 429 is told as the pause below.
        if let Some(f) = list.failure.as_ref().filter(|f| {
            prev_list.and_then(|p| p.failure.as_ref()) != Some(*f)
                && !matches!(f.error, ApiError::RateLimited { .. })
        }) {
            out.push(Change::Act(Action::Failed {
                error: f.error.clone(),
                at: f.at,
            }));
        }
    }
    if let Some(until) = next.paused_until.filter(|u| prev_paused != Some(*u)) {
        let at = next
            .list(scope)
            .and_then(|l| l.failure.as_ref())
            .map_or(until, |f| f.at);
        out.push(Change::Act(Action::RateLimited { until, at }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            name: "Ben Baker".into(),
            extension_number: Some("102".into()),
        }
    }

    fn signed_in() -> Snapshot {
        Snapshot {
            term: 1,
            auth: Auth::SignedIn { user: user() },
            ..Snapshot::default()
        }
    }

    fn answered(mut s: Snapshot, scope: Scope, at: f64) -> Snapshot {
        let l = s.list_mut(scope);
        l.at = Some(at);
        l.server_now = Some(at + 5.0);
        l.failure = None;
        s
    }

    #[test]
    fn push_fetches_the_first_page_alone_while_the_rest_is_under_a_minute_old() {
        let mut s = Snapshot::default();
        let l = s.list_mut(Scope::Account);
        assert!(!l.first_page_will_do(0.0, 60_000.0), "no list yet");
        l.at = Some(1_000.0);
        l.more = true;
        assert!(!l.first_page_will_do(2_000.0, 60_000.0), "still loading");
        l.more = false;
        assert!(l.first_page_will_do(60_999.0, 60_000.0));
        // The first page fetched again at 50 s: the rest is still as of 1 s, and a minute on, every page is due.
        l.at = Some(50_000.0);
        l.kept = Some(Kept {
            fresh: 1_000,
            from: 20_000.0,
            rest_at: 1_000.0,
        });
        assert_eq!(l.records_at(), Some(1_000.0));
        assert!(l.first_page_will_do(60_999.0, 60_000.0));
        assert!(!l.first_page_will_do(61_000.0, 60_000.0));
    }

    #[test]
    fn sign_in_then_a_list_then_the_same_list_again() {
        let none = Snapshot::default();
        let a = answered(signed_in(), Scope::Extension, 100.0);
        assert_eq!(
            changes(&none, &a, Scope::Extension),
            [
                Change::Act(Action::SignedIn(user())),
                Change::Load {
                    at: 100.0,
                    server_now: Some(105.0),
                    more: false
                }
            ]
        );
        // Heard twice (a second broadcast, a welcome): nothing to do.
        assert_eq!(changes(&a, &a.clone(), Scope::Extension), []);
        // Another scope's answer is not this widget's.
        let b = answered(a.clone(), Scope::Account, 200.0);
        assert_eq!(changes(&a, &b, Scope::Extension), []);
        assert_eq!(
            changes(&a, &b, Scope::Account),
            [Change::Load {
                at: 200.0,
                server_now: Some(205.0),
                more: false
            }]
        );
    }

    #[test]
    fn a_first_page_loads_as_such_then_the_whole_list() {
        let a = signed_in();
        let mut first = answered(a.clone(), Scope::Account, 100.0);
        first.list_mut(Scope::Account).more = true;
        assert_eq!(
            changes(&a, &first, Scope::Account),
            [Change::Load {
                at: 100.0,
                server_now: Some(105.0),
                more: true
            }]
        );
        let mut whole = answered(first.clone(), Scope::Account, 300.0);
        whole.list_mut(Scope::Account).more = false;
        assert_eq!(
            changes(&first, &whole, Scope::Account),
            [Change::Load {
                at: 300.0,
                server_now: Some(305.0),
                more: false
            }]
        );
    }

    #[test]
    fn a_widget_that_changed_scope_loads_what_the_leader_already_has() {
        let s = answered(
            answered(signed_in(), Scope::Extension, 1.0),
            Scope::Account,
            2.0,
        );
        assert_eq!(
            changes(&s.without_lists(), &s, Scope::Account),
            [Change::Load {
                at: 2.0,
                server_now: Some(7.0),
                more: false
            }]
        );
    }

    #[test]
    fn failures_pauses_and_fetching() {
        let a = answered(signed_in(), Scope::Extension, 1.0);
        let mut b = a.clone();
        b.busy = true;
        assert_eq!(
            changes(&a, &b, Scope::Extension),
            [Change::Act(Action::Fetching)]
        );
        let mut c = b.clone();
        c.busy = false;
        let error = ApiError::Server {
            status: 503,
            code: None,
            message: "busy".into(),
        };
        c.list_mut(Scope::Extension).failure = Some(Failure {
            error: error.clone(),
            at: 9.0,
        });
        assert_eq!(
            changes(&b, &c, Scope::Extension),
            [Change::Act(Action::Failed { error, at: 9.0 })]
        );
        let mut d = c.clone();
        d.list_mut(Scope::Extension).failure = Some(Failure {
            error: ApiError::RateLimited {
                retry_after: Some(60),
            },
            at: 10.0,
        });
        d.paused_until = Some(70.0);
        assert_eq!(
            changes(&c, &d, Scope::Extension),
            [Change::Act(Action::RateLimited {
                until: 70.0,
                at: 10.0
            })]
        );
        assert_eq!(changes(&d, &d.clone(), Scope::Extension), []);
    }

    #[test]
    fn signing_out_and_failures_to_sign_in() {
        let a = answered(signed_in(), Scope::Extension, 1.0);
        let why = SignInFailure {
            code: Some("OAU-213".into()),
            message: "Your RingCentral session ended.".into(),
        };
        assert_eq!(
            changes(&a, &Snapshot::signed_out(1, None), Scope::Extension),
            [Change::Act(Action::SignedOut(None))]
        );
        assert_eq!(
            changes(
                &a,
                &Snapshot::signed_out(1, Some(why.clone())),
                Scope::Extension
            ),
            [Change::Act(Action::SignedOut(Some(why.message.clone())))]
        );
        // A widget that was not signed in learns why the session could not be resumed, with its code.
        assert_eq!(
            changes(
                &Snapshot::default(),
                &Snapshot::signed_out(1, Some(why.clone())),
                Scope::Extension
            ),
            [Change::Act(Action::SignInFailed(why))]
        );
        // Plain "signed out" to a widget that never was in says nothing (it may be signing in itself).
        assert_eq!(
            changes(
                &Snapshot::default(),
                &Snapshot::signed_out(1, None),
                Scope::Extension
            ),
            []
        );
    }
}
