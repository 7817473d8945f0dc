//! The one store: every change to what the panel shows is an `Action` reduced here. Plain Rust, so every
//! transition is a native unit test.

use crate::api::error::ApiError;
use crate::config::{Density, Problem, Scope};
use crate::contacts::{Contact, Contacts};
use crate::format::{ended_sentence, started_sentence, CallView};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Whether the session outlives a reload. Storage fails in a cross-site frame where the browser blocks third-party
/// storage; the Storage Access API may then let the user allow it (`storage_access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeping {
    /// Kept where a reload finds it.
    Kept,
    /// Not kept, but the browser can ask the user (a "Stay signed in here" button).
    Askable,
    /// Not kept, and nothing to ask (refused, or no such API): sign in again after a reload.
    Lost,
}

/// The one sentence about storage and sharing (both fail together in a cross-site frame, and are said once):
/// `(long, short)`, for the sign-in card and the status bar. `None` when all is well.
pub fn keeping_note(keeping: Keeping, not_shared: bool) -> Option<(&'static str, &'static str)> {
    match (keeping == Keeping::Kept, not_shared) {
        (true, false) => None,
        (true, true) => Some((
            "Tabs are not shared here: this widget signs in and updates on its own.",
            "Tabs are not shared here: this widget works on its own",
        )),
        (false, false) => Some((
            "This browser blocks storage here, so you will need to sign in again after reloading the page.",
            "Storage is blocked: sign in again after a reload",
        )),
        (false, true) => Some((
            "This browser blocks storage here: this widget works on its own, and you will need to sign in again after reloading the page.",
            "Storage is blocked: this widget works on its own; sign in again after a reload",
        )),
    }
}

/// Another build of the widget open in this browser's tabs (one loaded before or after a release): the tabs of
/// two builds cannot read each other, so they cannot share a session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OtherBuild {
    Older,
    Newer,
}

/// What to do about another build: `(long, short)`, for the sign-in card and the status bar.
pub fn other_build_note(other: OtherBuild) -> (&'static str, &'static str) {
    match other {
        OtherBuild::Older => (
            "An older version of this widget is open in another tab, and the two cannot share a session: reload that tab.",
            "An older version of this widget is open in another tab: reload it",
        ),
        OtherBuild::Newer => (
            "A newer version of this widget is open in another tab, and the two cannot share a session: reload this page.",
            "A newer version of this widget is open in another tab: reload this page",
        ),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The configuration has problems; nothing else can happen.
    Configuring(Vec<Problem>),
    SignedOut,
    /// Waiting for RingCentral's sign-in page (redirect or popup) or the token exchange.
    SigningIn,
    /// Signed in, first list not yet loaded.
    Loading,
    Ready,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    pub extension_number: Option<String>,
}

/// An open note box. It keeps a copy of its call, so a draft outlives the call's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub call: CallView,
    pub text: String,
    pub phase: NotePhase,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NotePhase {
    Editing,
    /// Sent to the host as `note` event `note_id`; waiting for its answer.
    Saving(String),
    /// The host refused it (or did not answer): the text stays for another try.
    Rejected(String),
}

#[derive(Debug, Clone)]
pub struct State {
    pub phase: Phase,
    /// Why we are signed out, or why sign-in failed (shown on the sign-in panel).
    pub notice: Option<String>,
    /// RingCentral's code for a failed sign-in, when it sent one.
    pub notice_code: Option<String>,
    pub user: Option<User>,
    pub scope: Scope,
    /// Newest first; ended calls stay while RingCentral lists them. Shared: every action makes a new state, and
    /// only an answer changes the list (a keystroke in a note copied 5 000 calls).
    pub calls: Rc<Vec<CallView>>,
    /// Records in the last answer that could not be read.
    pub skipped: u32,
    /// Calls in the last answer with enum values this build does not know.
    pub unknown: u32,
    pub updated_at: Option<f64>,
    /// Server clock minus browser clock (from the HTTP `Date` header).
    pub skew_ms: f64,
    /// The last failure, until a success clears it.
    pub error: Option<ApiError>,
    /// Set at the first failure after data was shown: the list is from before then.
    pub stale_since: Option<f64>,
    /// Rate limited: no request until then.
    pub paused_until: Option<f64>,
    pub offline: bool,
    pub now: f64,
    /// What the status region says (calls added and ended only).
    pub announcement: String,
    /// Whether a reload keeps the session (storage blocked in a cross-site frame, and whether the browser can be asked).
    pub keeping: Keeping,
    /// This widget cannot share its session with other tabs, and works alone.
    pub not_shared: bool,
    /// Another build of the widget is heard in this browser's tabs.
    pub other_build: Option<OtherBuild>,
    /// Rows as the host set them, or as the user chose in the menu.
    pub density: Density,
    /// How calls arrive: pushed, or polled.
    pub push: crate::feed::snapshot::Push,
    /// A request is under way.
    pub busy: bool,
    /// The call the user last picked (click or Enter).
    pub selected: Option<String>,
    pub notes: Vec<Note>,
    /// Calls whose note the host accepted.
    pub noted: Vec<String>,
    /// The host's names for phone numbers; shared like `calls` (only the resolver's answers change it).
    pub contacts: Rc<Contacts>,
}

/// Yew compares states at every render of what they are given to (the panel, the list, the clock's children).
/// The list and the contacts are compared by identity first: a state made by any action but an answer shares them
/// with the last, and comparing 5 000 calls field by field cost 3 ms a selection (bench/render).
impl PartialEq for State {
    fn eq(&self, o: &Self) -> bool {
        fn same<T: PartialEq>(a: &Rc<T>, b: &Rc<T>) -> bool {
            Rc::ptr_eq(a, b) || a == b
        }
        // Every field by name, so that a new one cannot be left out here.
        let State {
            phase,
            notice,
            notice_code,
            user,
            scope,
            calls,
            skipped,
            unknown,
            updated_at,
            skew_ms,
            error,
            stale_since,
            paused_until,
            offline,
            now,
            announcement,
            keeping,
            not_shared,
            other_build,
            density,
            push,
            busy,
            selected,
            notes,
            noted,
            contacts,
        } = self;
        *phase == o.phase
            && *notice == o.notice
            && *notice_code == o.notice_code
            && *user == o.user
            && *scope == o.scope
            && *skipped == o.skipped
            && *unknown == o.unknown
            && *updated_at == o.updated_at
            && *skew_ms == o.skew_ms
            && *error == o.error
            && *stale_since == o.stale_since
            && *paused_until == o.paused_until
            && *offline == o.offline
            && *now == o.now
            && *announcement == o.announcement
            && *keeping == o.keeping
            && *not_shared == o.not_shared
            && *other_build == o.other_build
            && *density == o.density
            && *push == o.push
            && *busy == o.busy
            && *selected == o.selected
            && *notes == o.notes
            && *noted == o.noted
            && same(calls, &o.calls)
            && same(contacts, &o.contacts)
    }
}

/// Why a sign-in did not complete: the words for the panel, and RingCentral's code (an OAuth `error` such as
/// `access_denied`, or an `errorCode` such as `OAU-109`) when it sent one, for the host's `error` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInFailure {
    pub code: Option<String>,
    pub message: String,
}

/// A failure with no code from RingCentral (a closed popup, a state mismatch, storage blocked).
impl From<String> for SignInFailure {
    fn from(message: String) -> Self {
        SignInFailure {
            code: None,
            message,
        }
    }
}

impl From<&str> for SignInFailure {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SignInStarted,
    /// Sign-in did not complete (cancelled, refused, popup closed or blocked, exchange failed).
    SignInFailed(SignInFailure),
    SignedIn(User),
    /// Signed out, with the reason when it was not the user's choice.
    SignedOut(Option<String>),
    Fetching,
    /// A list's answer; `more`: only its first page, the rest still coming (the first fetch of a big list).
    Loaded {
        calls: Vec<CallView>,
        skipped: u32,
        server_now: Option<f64>,
        at: f64,
        more: bool,
    },
    Failed {
        error: ApiError,
        at: f64,
    },
    RateLimited {
        until: f64,
        at: f64,
    },
    Online(bool),
    Tick(f64),
    SetScope(Scope),
    SetDensity(Density),
    /// What storage does for the session now (after the load's check, a sign-in, or the user's answer).
    Keeping(Keeping),
    /// Tabs cannot share a session here (no Web Locks or BroadcastChannel): this widget works alone.
    NotShared,
    /// Another build of the widget is heard in this browser's tabs (`None`: no longer).
    OtherBuild(Option<OtherBuild>),
    /// Live updates on, or polling (and why).
    Push(crate::feed::snapshot::Push),
    /// The host changed the configuration: its problems, or `None` when it is good (again).
    Reconfigured(Option<Vec<Problem>>),
    Select(String),
    NoteOpen(String),
    NoteText(String, String),
    NoteClose(String),
    NoteSaving {
        call_id: String,
        note_id: String,
    },
    NoteAnswered {
        note_id: String,
        ok: bool,
        message: Option<String>,
    },
    ContactsAsked(Vec<String>),
    ContactsAnswered {
        asked: Vec<String>,
        found: Vec<(String, Contact)>,
        at: f64,
    },
    ContactsFailed {
        asked: Vec<String>,
        at: f64,
    },
}

impl State {
    pub fn new(scope: Scope, now: f64, problems: Option<Vec<Problem>>) -> Self {
        State {
            phase: problems.map_or(Phase::SignedOut, Phase::Configuring),
            notice: None,
            notice_code: None,
            user: None,
            scope,
            calls: Rc::default(),
            skipped: 0,
            unknown: 0,
            updated_at: None,
            skew_ms: 0.0,
            error: None,
            stale_since: None,
            paused_until: None,
            offline: false,
            now,
            announcement: String::new(),
            keeping: Keeping::Kept,
            density: Density::Comfortable,
            not_shared: false,
            other_build: None,
            push: Default::default(),
            busy: false,
            selected: None,
            notes: vec![],
            noted: vec![],
            contacts: Rc::default(),
        }
    }

    pub fn note(&self, call_id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.call.id == call_id)
    }

    fn note_mut(&mut self, call_id: &str) -> Option<&mut Note> {
        self.notes.iter_mut().find(|n| n.call.id == call_id)
    }

    pub fn signed_in(&self) -> bool {
        matches!(self.phase, Phase::Loading | Phase::Ready)
    }

    /// The first page of a big list is shown and its other pages are on their way (`Action::Loaded { more }`).
    pub fn loading_more(&self) -> bool {
        self.busy && self.updated_at.is_none() && !self.calls.is_empty()
    }

    /// A request failed: the list (if any) is stale from `at` on, until a success.
    fn failed(&mut self, error: ApiError, at: f64) {
        self.busy = false;
        if self.updated_at.is_some() && self.stale_since.is_none() {
            self.stale_since = Some(at);
        }
        self.error = Some(error);
    }

    fn clear_calls(&mut self) {
        self.calls = Rc::default();
        self.skipped = 0;
        self.unknown = 0;
        self.updated_at = None;
        self.error = None;
        self.stale_since = None;
        self.paused_until = None;
        self.busy = false;
    }
}

/// The list's order: by `Status::rank`, then newest first, then by id (so the order is stable); `Less` when `a` comes
/// before `b`.
fn list_order(a: &CallView, b: &CallView) -> std::cmp::Ordering {
    a.status
        .rank()
        .cmp(&b.status.rank())
        .then_with(|| b.start_ms.total_cmp(&a.start_ms))
        .then_with(|| b.id.cmp(&a.id))
}

/// Sorts by `list_order`, with the standard library's unstable sort (ties are the same call). RingCentral sends
/// newest first, which it takes in about one pass; ringing calls moving to the top, or an answer in another order,
/// cost n log n, not an insertion sort's n² moves (natively, 5 000 calls of which 500 ring: 66 ms → 1.5 ms; a whole
/// answer in no order through the reducer: 0.3 s → 10 ms). The release builds std's smaller sort
/// (`optimize_for_size`, Makefile).
fn sort_list(calls: &mut [CallView]) {
    calls.sort_unstable_by(list_order);
}

/// `c` in `list` by `same_call`, for lists as `sort_list` leaves them: an admin's answers hold thousands of
/// calls, and comparing two lists pair by pair was a long task on every poll. A binary search finds the same record
/// (same start, same id); only a call not found so (new, gone, or a pushed row and its record) costs a scan.
pub(crate) fn find_in<'a>(list: &'a [CallView], c: &CallView) -> Option<&'a CallView> {
    match list.binary_search_by(|x| list_order(x, c)) {
        Ok(i) => Some(&list[i]),
        Err(_) => list.iter().find(|b| b.same_call(c)),
    }
}

/// What changed between two lists, as sentences for the status region.
fn announce(before: &[CallView], after: &[CallView], first_load: bool) -> Option<String> {
    if first_load {
        return match after.iter().filter(|c| !c.status.is_ended()).count() {
            0 => None,
            1 => Some("1 active call".into()),
            n => Some(format!("{n} active calls")),
        };
    }
    let (mut said, mut started, mut ended) = (vec![], 0, 0);
    for c in after {
        match find_in(before, c) {
            None if !c.status.is_ended() => {
                started += 1;
                said.push(started_sentence(c))
            }
            Some(b) if !b.status.is_ended() && c.status.is_ended() => {
                ended += 1;
                said.push(ended_sentence(c))
            }
            _ => {}
        }
    }
    // A live call that vanished without being listed as ended has ended too.
    for b in before
        .iter()
        .filter(|b| !b.status.is_ended() && find_in(after, b).is_none())
    {
        ended += 1;
        said.push(ended_sentence(b));
    }
    // Past a few, a sentence per call is a flood no one can listen to (an admin's list filling at once): counts.
    if said.len() > MOST_SENTENCES {
        let count = |n: usize, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        said = [
            count(started, "new call", "new calls"),
            count(ended, "call ended", "calls ended"),
        ]
        .into_iter()
        .flatten()
        .collect();
    }
    (!said.is_empty()).then(|| said.join(". "))
}

/// The most calls the status region names one by one in an announcement.
const MOST_SENTENCES: usize = 3;

impl yew::Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SignInStarted => {
                s.phase = Phase::SigningIn;
                s.notice = None;
                s.notice_code = None;
            }
            Action::SignInFailed(why) => {
                s.phase = Phase::SignedOut;
                s.notice = Some(why.message);
                s.notice_code = why.code;
            }
            Action::SignedIn(user) => {
                s.user = Some(user);
                s.notice = None;
                s.notice_code = None;
                s.clear_calls();
                s.phase = Phase::Loading;
            }
            // A configuration gone bad ends the session; its problems stay on screen.
            Action::SignedOut(_) if matches!(s.phase, Phase::Configuring(_)) => return self,
            Action::SignedOut(reason) => {
                s.phase = Phase::SignedOut;
                s.notice = reason;
                s.notice_code = None;
                s.user = None;
                s.clear_calls();
                s.announcement = "Signed out".into();
            }
            Action::Fetching => s.busy = true,
            Action::Loaded {
                mut calls,
                skipped,
                server_now,
                at,
                more,
            } => {
                if !s.signed_in() {
                    return self; // a late answer after sign-out
                }
                sort_list(&mut calls);
                calls.dedup_by(|a, b| a.id == b.id);
                s.unknown = calls.iter().filter(|c| c.unknown_values).count() as u32;
                s.skipped = skipped;
                // `Date` has whole seconds: an estimate within a second of the one in use says nothing new, and
                // taking it would move every duration by a second back or forth at each answer.
                if let Some(skew) = server_now.map(|server| server - at) {
                    if (skew - s.skew_ms).abs() >= 1000.0 {
                        s.skew_ms = skew;
                    }
                }
                s.now = s.now.max(at);
                s.error = None;
                s.stale_since = None;
                s.paused_until = None;
                s.phase = Phase::Ready;
                // The first page shows while the rest load; the list counts as answered (announced, told to the
                // host, "updated") once it is whole.
                s.busy = more;
                if !more {
                    if let Some(text) = announce(&s.calls, &calls, s.updated_at.is_none()) {
                        s.announcement = text;
                    }
                    s.updated_at = Some(at);
                }
                s.calls = Rc::new(calls);
            }
            Action::Failed { error, at } => {
                if !s.signed_in() {
                    return self;
                }
                s.failed(error, at);
            }
            Action::RateLimited { until, at } => {
                if !s.signed_in() {
                    return self;
                }
                s.paused_until = Some(until);
                s.failed(ApiError::RateLimited { retry_after: None }, at);
            }
            Action::Online(online) => s.offline = !online,
            Action::Tick(now) => {
                s.now = now;
                if s.paused_until.is_some_and(|t| t <= now) {
                    s.paused_until = None;
                }
            }
            Action::SetScope(scope) => {
                if scope != s.scope {
                    s.scope = scope;
                    s.clear_calls();
                    if s.signed_in() {
                        s.phase = Phase::Loading;
                    }
                }
            }
            Action::Keeping(k) => s.keeping = k,
            Action::SetDensity(d) => s.density = d,
            Action::NotShared => s.not_shared = true,
            Action::OtherBuild(o) => s.other_build = o,
            Action::Push(p) => s.push = p,
            Action::Reconfigured(problems) => match problems {
                Some(p) if s.phase == Phase::Configuring(p.clone()) => return self,
                Some(p) => {
                    s.phase = Phase::Configuring(p);
                    s.user = None;
                    s.clear_calls();
                }
                None if matches!(s.phase, Phase::Configuring(_)) => s.phase = Phase::SignedOut,
                None => return self,
            },
            Action::Select(id) => s.selected = Some(id),
            Action::NoteOpen(id) => {
                if s.note(&id).is_none() {
                    let Some(call) = s.calls.iter().find(|c| c.id == id).cloned() else {
                        return self;
                    };
                    s.notes.push(Note {
                        call,
                        text: String::new(),
                        phase: NotePhase::Editing,
                    });
                }
            }
            Action::NoteText(id, text) => {
                if let Some(n) = s.note_mut(&id) {
                    if !matches!(n.phase, NotePhase::Saving(_)) {
                        n.text = text;
                        n.phase = NotePhase::Editing;
                    }
                }
            }
            Action::NoteClose(id) => s.notes.retain(|n| n.call.id != id),
            Action::NoteSaving { call_id, note_id } => {
                if let Some(n) = s.note_mut(&call_id) {
                    n.phase = NotePhase::Saving(note_id);
                }
            }
            Action::NoteAnswered {
                note_id,
                ok,
                message,
            } => {
                let Some(i) = s
                    .notes
                    .iter()
                    .position(|n| n.phase == NotePhase::Saving(note_id.clone()))
                else {
                    return self; // a late or unknown answer
                };
                if ok {
                    let n = s.notes.remove(i);
                    s.noted.retain(|id| *id != n.call.id);
                    s.noted.push(n.call.id);
                    s.announcement = "Note saved".into();
                } else {
                    s.notes[i].phase = NotePhase::Rejected(
                        message.unwrap_or_else(|| "The page did not accept the note.".into()),
                    );
                }
            }
            Action::ContactsAsked(numbers) => Rc::make_mut(&mut s.contacts).asked(&numbers),
            Action::ContactsAnswered { asked, found, at } => {
                Rc::make_mut(&mut s.contacts).answered(&asked, found, at)
            }
            Action::ContactsFailed { asked, at } => {
                Rc::make_mut(&mut s.contacts).failed(&asked, at)
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::api::model::CallRecord;
    use yew::Reducible;

    fn call(id: &str, start: &str, result: &str, duration: Option<u32>) -> CallView {
        let d = duration
            .map(|d| format!(r#","duration":{d}"#))
            .unwrap_or_default();
        let json = format!(
            r#"{{"id":"{id}","startTime":"{start}","direction":"Inbound","result":"{result}","from":{{"name":"Caller {id}"}}{d}}}"#
        );
        let r = CallRecord::read(&crate::api::model::tests::json(&json)).unwrap();
        CallView::from_record(r).unwrap()
    }

    fn reduce(s: State, actions: Vec<Action>) -> State {
        let mut st = Rc::new(s);
        for a in actions {
            st = st.reduce(a);
        }
        (*st).clone()
    }

    fn signed_in() -> State {
        reduce(
            State::new(Scope::Extension, 0.0, None),
            vec![
                Action::SignInStarted,
                Action::SignedIn(User {
                    name: "Ada".into(),
                    extension_number: Some("101".into()),
                }),
            ],
        )
    }

    /// A successful refresh at `at` (also used by the host-event tests).
    pub fn loaded(calls: Vec<CallView>, at: f64) -> Action {
        Action::Loaded {
            calls,
            skipped: 0,
            server_now: None,
            at,
            more: false,
        }
    }

    #[test]
    fn storage_and_sharing_are_said_in_one_sentence() {
        assert_eq!(keeping_note(Keeping::Kept, false), None);
        let (long, short) = keeping_note(Keeping::Kept, true).unwrap_or_default();
        assert!(long.contains("on its own") && short.contains("on its own"));
        for k in [Keeping::Askable, Keeping::Lost] {
            let (long, short) = keeping_note(k, false).unwrap_or_default();
            assert!(long.contains("sign in again") && !long.contains("on its own"));
            assert!(short.contains("sign in again"));
            let (long, short) = keeping_note(k, true).unwrap_or_default();
            assert!(long.contains("on its own") && long.contains("sign in again"));
            assert!(short.contains("on its own") && short.contains("sign in again"));
        }
    }

    #[test]
    fn configuration_problems_start_in_configuring() {
        let p = vec![Problem {
            key: "clientId",
            message: "is missing".into(),
        }];
        assert!(matches!(
            State::new(Scope::Extension, 0.0, Some(p)).phase,
            Phase::Configuring(_)
        ));
    }

    #[test]
    fn sign_in_lifecycle() {
        let s = reduce(
            State::new(Scope::Extension, 0.0, None),
            vec![Action::SignInStarted],
        );
        assert_eq!(s.phase, Phase::SigningIn);
        let s = reduce(
            s,
            vec![Action::SignInFailed(SignInFailure {
                code: Some("access_denied".into()),
                message: "Sign-in was cancelled.".into(),
            })],
        );
        assert_eq!(
            (s.phase.clone(), s.notice.as_deref()),
            (Phase::SignedOut, Some("Sign-in was cancelled."))
        );
        assert_eq!(s.notice_code.as_deref(), Some("access_denied"));
        let s = signed_in();
        assert_eq!(s.phase, Phase::Loading);
        assert_eq!(s.user.as_ref().map(|u| u.name.as_str()), Some("Ada"));
        let s = reduce(
            s,
            vec![
                loaded(vec![], 1.0),
                Action::SignedOut(Some("OAU-210 Token expired".into())),
            ],
        );
        assert_eq!(s.phase, Phase::SignedOut);
        assert!(s.calls.is_empty() && s.user.is_none() && s.updated_at.is_none());
        assert_eq!(s.notice.as_deref(), Some("OAU-210 Token expired"));
    }

    #[test]
    fn ringing_calls_come_first_then_live_ones_then_ended_ones() {
        let old_ringing = call("r", "2021-01-19T10:00:00Z", "In Progress", None);
        let connected = call("c", "2021-01-19T10:01:00Z", "Call connected", None);
        let new_connected = call("n", "2021-01-19T10:04:00Z", "Call connected", None);
        let ended = call("e", "2021-01-19T10:05:00Z", "Accepted", Some(20));
        let s = reduce(
            signed_in(),
            vec![loaded(
                vec![ended, new_connected, connected, old_ringing],
                1_000.0,
            )],
        );
        let order: Vec<&str> = s.calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(order, ["r", "n", "c", "e"]);
    }

    #[test]
    fn loaded_sorts_newest_first_and_announces_changes() {
        let a = call("a", "2021-01-19T10:00:00Z", "In Progress", None);
        let b = call("b", "2021-01-19T10:05:00Z", "In Progress", None);
        let s = reduce(
            signed_in(),
            vec![
                Action::Fetching,
                loaded(vec![a.clone(), b.clone()], 1_000.0),
            ],
        );
        assert_eq!(s.phase, Phase::Ready);
        assert!(!s.busy);
        assert_eq!(
            s.calls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(s.announcement, "2 active calls");
        let c = call("c", "2021-01-19T10:06:00Z", "In Progress", None);
        let a_ended = call("a", "2021-01-19T10:00:00Z", "Accepted", Some(30));
        let s = reduce(s, vec![loaded(vec![a_ended, b.clone(), c], 2_000.0)]);
        assert_eq!(
            s.announcement,
            "Incoming call from Caller c. Call with Caller a ended"
        );
        // Nothing changed: the region keeps its text (it is not re-announced).
        let same = s.calls.to_vec();
        let s = reduce(s, vec![loaded(same, 3_000.0)]);
        assert_eq!(
            s.announcement,
            "Incoming call from Caller c. Call with Caller a ended"
        );
        // A live call that disappears without an ended record.
        let s = reduce(s, vec![loaded(vec![], 4_000.0)]);
        assert_eq!(
            s.announcement,
            "Call with Caller c ended. Call with Caller b ended"
        );
    }

    #[test]
    fn a_first_list_shows_its_first_page_and_counts_as_answered_once_whole() {
        let a = call("a", "2021-01-19T10:00:00Z", "In Progress", None);
        let b = call("b", "2021-01-19T10:05:00Z", "In Progress", None);
        let first_page = Action::Loaded {
            calls: vec![a.clone()],
            skipped: 1,
            server_now: None,
            at: 1_000.0,
            more: true,
        };
        let s = reduce(signed_in(), vec![Action::Fetching, first_page]);
        // Its rows show, still loading: not announced, not "updated", no pause or error left over.
        assert_eq!(s.phase, Phase::Ready);
        assert!(s.busy && s.loading_more());
        assert_eq!((s.calls.len(), s.skipped), (1, 1));
        assert_eq!((s.updated_at, s.announcement.as_str()), (None, ""));
        let s = reduce(s, vec![loaded(vec![a, b], 2_000.0)]);
        assert!(!s.busy && !s.loading_more());
        assert_eq!(s.updated_at, Some(2_000.0));
        assert_eq!(s.announcement, "2 active calls");
    }

    #[test]
    fn the_clock_skew_moves_only_by_whole_seconds() {
        let answer = |server: f64, at: f64| Action::Loaded {
            calls: vec![],
            skipped: 0,
            server_now: Some(server),
            at,
            more: false,
        };
        // Within a second of the clocks agreeing: the `Date` header cannot tell, so durations are not moved.
        let s = reduce(signed_in(), vec![answer(10_000.0, 10_400.0)]);
        assert_eq!(s.skew_ms, 0.0);
        // Two minutes ahead: taken; then estimates a fraction of a second apart keep it.
        let s = reduce(s, vec![answer(140_000.0, 20_300.0)]);
        assert_eq!(s.skew_ms, 119_700.0);
        let s = reduce(s, vec![answer(150_000.0, 30_900.0)]);
        assert_eq!(s.skew_ms, 119_700.0);
        // Put right by the user: taken again.
        let s = reduce(s, vec![answer(40_000.0, 40_200.0)]);
        assert_eq!(s.skew_ms, -200.0);
    }

    #[test]
    fn an_admin_list_of_thousands_announces_only_what_changed() {
        let at = |i: u32| {
            format!(
                "2021-01-19T{:02}:{:02}:{:02}Z",
                8 + i / 3600,
                i / 60 % 60,
                i % 60
            )
        };
        let calls: Vec<_> = (0..5000)
            .map(|i| call(&format!("c{i}"), &at(i), "In Progress", None))
            .collect();
        let s = reduce(signed_in(), vec![loaded(calls.clone(), 1_000.0)]);
        assert_eq!(s.announcement, "5000 active calls");
        // One call ends (listed as ended), one vanishes, one starts; two share a start time.
        let mut next = calls;
        next[10] = call("c10", &at(10), "Accepted", Some(5));
        next.remove(20);
        next.push(call("new", &at(4999), "In Progress", None));
        let s = reduce(s, vec![loaded(next, 2_000.0)]);
        assert_eq!(
            s.announcement,
            "Incoming call from Caller new. Call with Caller c10 ended. Call with Caller c20 ended"
        );
        // More at once than anyone can listen to: counted.
        let mut more = s.calls.to_vec();
        more.truncate(4990);
        for i in 0..1200 {
            more.push(call(&format!("n{i}"), &at(5000 + i), "In Progress", None));
        }
        let s = reduce(s, vec![loaded(more, 3_000.0)]);
        assert_eq!(s.announcement, "1200 new calls. 9 calls ended");
        let mut one_ended = s.calls.to_vec();
        one_ended.truncate(one_ended.len() - 1);
        for i in 0..4 {
            one_ended.push(call(&format!("m{i}"), &at(7000 + i), "In Progress", None));
        }
        let s = reduce(s, vec![loaded(one_ended, 4_000.0)]);
        assert_eq!(s.announcement, "4 new calls. 1 call ended");
    }

    #[test]
    fn failures_mark_stale_and_success_clears() {
        let s = reduce(signed_in(), vec![loaded(vec![], 1_000.0)]);
        let s = reduce(
            s,
            vec![
                Action::Failed {
                    error: ApiError::Server {
                        status: 500,
                        code: None,
                        message: "x".into(),
                    },
                    at: 5_000.0,
                },
                Action::Failed {
                    error: ApiError::Network("offline".into()),
                    at: 9_000.0,
                },
            ],
        );
        assert_eq!(
            s.stale_since,
            Some(5_000.0),
            "stale since the first failure"
        );
        assert!(matches!(s.error, Some(ApiError::Network(_))));
        let s = reduce(
            s,
            vec![Action::Loaded {
                calls: vec![],
                skipped: 2,
                server_now: Some(12_500.0),
                at: 10_000.0,
                more: false,
            }],
        );
        assert_eq!(
            (s.stale_since, s.error.clone(), s.skipped, s.skew_ms),
            (None, None, 2, 2_500.0)
        );
    }

    #[test]
    fn a_failure_before_any_data_is_an_error_not_stale() {
        let s = reduce(
            signed_in(),
            vec![Action::Failed {
                error: ApiError::Network("x".into()),
                at: 1.0,
            }],
        );
        assert_eq!(s.stale_since, None);
        assert!(s.error.is_some());
        assert_eq!(s.phase, Phase::Loading);
    }

    #[test]
    fn rate_limit_pauses_until_and_ticks_clear_it() {
        let s = reduce(
            signed_in(),
            vec![
                loaded(vec![], 0.0),
                Action::RateLimited {
                    until: 60_000.0,
                    at: 1_000.0,
                },
            ],
        );
        assert_eq!(s.paused_until, Some(60_000.0));
        assert_eq!(s.stale_since, Some(1_000.0));
        let s = reduce(s, vec![Action::Tick(59_000.0)]);
        assert_eq!(s.paused_until, Some(60_000.0));
        let s = reduce(s, vec![Action::Tick(60_000.0)]);
        assert_eq!((s.paused_until, s.now), (None, 60_000.0));
    }

    #[test]
    fn states_compare_by_what_they_hold() {
        let s = reduce(
            signed_in(),
            vec![loaded(
                vec![
                    call("a", "2021-01-19T10:00:00Z", "In Progress", None),
                    call("b", "2021-01-19T10:01:00Z", "In Progress", None),
                ],
                1.0,
            )],
        );
        let picked = reduce(s.clone(), vec![Action::Select("a".into())]);
        // The list is shared, and what differs is still seen.
        assert!(Rc::ptr_eq(&s.calls, &picked.calls));
        assert_ne!(s, picked);
        assert_eq!(picked, picked.clone());
        // Lists equal but not shared compare equal too.
        let mut copy = picked.clone();
        copy.calls = Rc::new(picked.calls.to_vec());
        copy.contacts = Rc::new((*picked.contacts).clone());
        assert_eq!(copy, picked);
        copy.calls = Rc::new(picked.calls[1..].to_vec());
        assert_ne!(copy, picked);
    }

    #[test]
    fn late_answers_after_sign_out_are_ignored() {
        let s = reduce(signed_in(), vec![Action::SignedOut(None)]);
        let s2 = reduce(
            s.clone(),
            vec![loaded(
                vec![call("a", "2021-01-19T10:00:00Z", "In Progress", None)],
                5.0,
            )],
        );
        assert_eq!(s2, s);
        let s3 = reduce(
            s.clone(),
            vec![Action::Failed {
                error: ApiError::Network("x".into()),
                at: 5.0,
            }],
        );
        assert_eq!(s3, s);
    }

    #[test]
    fn a_bad_new_configuration_shows_until_fixed() {
        let problem = Problem {
            key: "pollSeconds",
            message: "is “2”".into(),
        };
        let s = reduce(
            signed_in(),
            vec![
                loaded(
                    vec![call("a", "2026-01-01T10:00:00Z", "In Progress", None)],
                    1.0,
                ),
                Action::Reconfigured(Some(vec![problem])),
                // The old session's end does not hide the problems.
                Action::SignedOut(None),
            ],
        );
        assert!(matches!(s.phase, Phase::Configuring(_)));
        assert!(s.calls.is_empty() && s.user.is_none());
        let problems = match &s.phase {
            Phase::Configuring(p) => p.clone(),
            _ => vec![],
        };
        let same = reduce(s.clone(), vec![Action::Reconfigured(Some(problems))]);
        assert_eq!(same, s, "the same problems again change nothing");
        let fixed = reduce(s, vec![Action::Reconfigured(None)]);
        assert_eq!(fixed.phase, Phase::SignedOut);
    }

    #[test]
    fn scope_change_reloads() {
        let s = reduce(
            signed_in(),
            vec![loaded(
                vec![call("a", "2021-01-19T10:00:00Z", "In Progress", None)],
                1.0,
            )],
        );
        let s = reduce(s, vec![Action::SetScope(Scope::Account)]);
        assert_eq!(
            (s.scope, s.phase.clone(), s.calls.len()),
            (Scope::Account, Phase::Loading, 0)
        );
        let same = reduce(s.clone(), vec![Action::SetScope(Scope::Account)]);
        assert_eq!(same, s);
    }

    #[test]
    fn notes_round_trip_and_survive_refusal_and_the_call_ending() {
        let s = reduce(
            signed_in(),
            vec![
                loaded(
                    vec![call("a", "2026-01-01T10:00:00Z", "In Progress", None)],
                    1.0,
                ),
                Action::Select("a".into()),
                Action::NoteOpen("a".into()),
                Action::NoteOpen("nope".into()),
                Action::NoteText("a".into(), "Wants a quote".into()),
                Action::NoteSaving {
                    call_id: "a".into(),
                    note_id: "n1".into(),
                },
                // Typing while it is being saved changes nothing.
                Action::NoteText("a".into(), "changed".into()),
            ],
        );
        assert_eq!(s.selected.as_deref(), Some("a"));
        assert_eq!(s.notes.len(), 1);
        assert_eq!(s.note("a").unwrap().text, "Wants a quote");

        let refused = reduce(
            s.clone(),
            vec![
                Action::NoteAnswered {
                    note_id: "n0".into(),
                    ok: true,
                    message: None,
                },
                Action::NoteAnswered {
                    note_id: "n1".into(),
                    ok: false,
                    message: Some("Record locked".into()),
                },
                // The call ends and is no longer listed: the draft stays.
                loaded(vec![], 2.0),
            ],
        );
        let n = refused.note("a").unwrap();
        assert_eq!(n.phase, NotePhase::Rejected("Record locked".into()));
        assert_eq!(n.text, "Wants a quote");

        let saved = reduce(
            s,
            vec![Action::NoteAnswered {
                note_id: "n1".into(),
                ok: true,
                message: None,
            }],
        );
        assert!(saved.notes.is_empty());
        assert_eq!(saved.noted, ["a"]);
        assert_eq!(saved.announcement, "Note saved");
    }

    #[test]
    fn online_storage_and_unknown_counts() {
        let s = reduce(
            signed_in(),
            vec![Action::Online(false), Action::Keeping(Keeping::Lost)],
        );
        assert!(s.offline && s.keeping == Keeping::Lost);
        let s = reduce(s, vec![Action::Online(true)]);
        assert!(!s.offline);
        let mut odd = call("x", "2021-01-19T10:00:00Z", "Teleported", None);
        odd.unknown_values = true;
        let s = reduce(s, vec![loaded(vec![odd], 1.0)]);
        assert_eq!(s.unknown, 1);
    }
}
