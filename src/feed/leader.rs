//! One feed per browser and sharing key (design.md, "one feed per browser"). Every widget runs a `Feed`; the one
//! whose tab holds the Web Lock leads and does all of the session's network work (resume, refresh, the user's
//! info, active calls for the union of the scopes shown, sign-out's one revoke); the others follow, render its
//! snapshots and send it what they show and what their users ask. A leader that goes away hands the lock on by
//! itself; one that falls silent (frozen, hung) is replaced by a follower that steals the lock, and stands down
//! without sending anything if it ever wakes; a hidden leader hands over to a shown widget. Where Web Locks or
//! BroadcastChannel are missing or refused, the widget works alone and says so once.
//!
//! The decisions are `protocol`'s and `snapshot`'s (pure, tested natively); this is their wiring to the browser.

use super::channel::{Envelope, Message, TabCommand, TokenSet};
use super::poller;
use super::protocol::{
    self, Heard, Needs, OtherBuilds, Participants, Reaction, Watchdog, HANDOVER_MS, NEEDS_EVERY_MS,
};
use super::push;
use super::reading;
use super::reconcile::Reconciler;
use super::reconnect::Reconnects;
use super::signing::{self, Work};
use super::snapshot::Push;
use super::snapshot::{changes, Auth, Change, List, Snapshot};
use super::tabs::{lead, Channel, Leadership, Said};
use crate::api::json;
use crate::api::json::{Json, Source};
use crate::auth::login::{self, Outcome};
use crate::auth::session::Session;
use crate::config::{LoginFlow, Scope};
use crate::embed::host::to_js;
use crate::format::CallView;
use crate::poll::{Budget, Scheduler};
use crate::state::{Action, Keeping, SignInFailure};
use crate::storage_access;
use crate::tasks::{spawn, Dispatch};
use crate::web::{self, Store};
use futures_util::future::{AbortHandle, FutureExt};
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;

enum Role {
    /// Waiting in line for the lock, rendering the leader's snapshots.
    Following,
    /// Its term is the snapshot's.
    Leading { leadership: Rc<Leadership> },
    /// No Web Locks or no BroadcastChannel here: this widget does its own network work.
    Alone,
}

/// The tasks a feed runs, each stopped when its reason ends.
#[derive(Default)]
struct Jobs {
    /// The lock request (waiting in line, or stealing).
    queue: Option<AbortHandle>,
    /// The leader's fetch loop.
    poller: Option<AbortHandle>,
    /// The leader's session work (resume, the user's info, sign-out).
    work: Option<AbortHandle>,
    /// This widget's own sign-in (any role: the popup or redirect happens where the user clicked).
    sign_in: Option<AbortHandle>,
    /// The leader's WebSocket.
    push: Option<AbortHandle>,
    /// Waiting for this page's storage check (to say what it found), or for the user's answer to "Stay signed in
    /// here".
    storage: Option<AbortHandle>,
}

fn abort(slot: &mut Option<AbortHandle>) {
    if let Some(t) = slot.take() {
        t.abort();
    }
}

/// One scope's answer as read by the poller (see `poller::Fetched`).
pub(super) struct Read {
    pub(super) scope: Scope,
    pub(super) at: f64,
    pub(super) calls: Vec<CallView>,
    pub(super) skipped: u32,
}

pub(super) struct Core {
    role: Role,
    pub(super) needs: Needs,
    /// The latest snapshot: the leader's own, or the last one heard.
    pub(super) snapshot: Snapshot,
    /// The records of each scope's last answer (a JS array each), beside the snapshot.
    pub(super) records: Vec<(Scope, JsValue)>,
    /// Those answers as read: by the leading widget as their pages came, else by `deliver` when first shown; records
    /// kept from the answer before take their views from its reading (`reading::read_merged`).
    pub(super) read: Vec<Read>,
    /// What this widget has rendered.
    shown: Snapshot,
    pub(super) participants: Participants,
    watchdog: Watchdog,
    /// Another build of the widget heard on the channel.
    other_builds: OtherBuilds,
    /// A hidden leader asked a shown widget to take over: it fetches nothing until then.
    pub(super) handing_over_until: f64,
    last_needs_sent: f64,
    /// The answers (scope, time) whose records the tabs already have.
    sent_records: Vec<(Scope, f64)>,
    /// The tokens the tabs last had from this leader.
    shared_tokens: Option<TokenSet>,
    /// Scopes whose last answer was a refusal that asking again would only repeat (a 403 for company calls): not
    /// fetched until someone asks, while the other scope goes on.
    pub(super) stopped: Vec<Scope>,
}

pub struct Inner {
    id: String,
    pub(super) session: Rc<Session>,
    lock_name: String,
    budget_key: String,
    pub(super) sched: Rc<RefCell<Scheduler>>,
    channel: RefCell<Option<Channel>>,
    pub(super) core: RefCell<Core>,
    pub(super) dispatch: Dispatch,
    jobs: RefCell<Jobs>,
    listeners: RefCell<Vec<EventListener>>,
    ticker: RefCell<Option<gloo_timers::callback::Interval>>,
    pub(super) reconnects: RefCell<Reconnects>,
    pub(super) reconciler: RefCell<Reconciler>,
    /// A fetch asked for by push, due then (0: none): one a second at most, whatever the events.
    pub(super) fetch_at: std::cell::Cell<f64>,
    /// That fetch is due and not yet made: it may fetch a list's first page alone (`poller::run`).
    pub(super) push_asked: std::cell::Cell<bool>,
    /// Leading (or alone) before this page's storage check ended: `begin` waits for it.
    begin_waiting: std::cell::Cell<bool>,
}

/// A widget's feed. Dropping it stops everything it runs and lets go of the lock.
pub struct Feed(Rc<Inner>);

impl Drop for Feed {
    fn drop(&mut self) {
        self.0.stop();
    }
}

impl Feed {
    /// Starts the feed of `session` for a widget that shows `needs`; what it learns goes to `dispatch`.
    pub fn start(session: Rc<Session>, needs: Needs, dispatch: Dispatch) -> Feed {
        let key = session.sharing_key();
        let now = web::now();
        let inner = Rc::new(Inner {
            id: format!("{:x}", (web::random() * 9e15) as u64),
            lock_name: format!("rc-active-calls:lead:{key}"),
            budget_key: format!("rc-active-calls:budget:{key}"),
            sched: Rc::new(RefCell::new(Scheduler::new(needs.poll_seconds))),
            channel: RefCell::new(Channel::open(&format!("rc-active-calls:{key}"))),
            core: RefCell::new(Core {
                role: Role::Following,
                needs,
                snapshot: Snapshot::default(),
                records: vec![],
                read: vec![],
                shown: Snapshot::default(),
                participants: Participants::default(),
                watchdog: Watchdog::new(now, web::random()),
                other_builds: OtherBuilds::default(),
                handing_over_until: 0.0,
                last_needs_sent: now,
                sent_records: vec![],
                shared_tokens: None,
                stopped: vec![],
            }),
            session,
            dispatch,
            jobs: RefCell::default(),
            listeners: RefCell::default(),
            ticker: RefCell::default(),
            reconnects: RefCell::default(),
            reconciler: RefCell::default(),
            fetch_at: std::cell::Cell::new(0.0),
            push_asked: std::cell::Cell::new(false),
            begin_waiting: std::cell::Cell::new(false),
        });
        {
            let weak = Rc::downgrade(&inner);
            let task = spawn(async move {
                let k = storage_access::check().await;
                let Some(inner) = weak.upgrade() else { return };
                if k != Keeping::Kept {
                    inner.dispatch.emit(Action::Keeping(k));
                }
                if inner.begin_waiting.take() {
                    inner.begin();
                }
            });
            inner.jobs.borrow_mut().storage = Some(task);
        }
        inner.listen();
        if inner.channel.borrow().is_some() {
            let hello = Message::Hello {
                needs: inner.core.borrow().needs.clone(),
            };
            inner.post(hello);
            inner.queue(false);
        } else {
            inner.go_alone();
        }
        // A widget that signs in by popup never started a redirect: a `code` in the address is the host page's.
        if inner.session.cfg.login != LoginFlow::Popup {
            let weak = Rc::downgrade(&inner);
            let task = spawn(async move {
                let Some(session) = weak.upgrade().map(|i| i.session.clone()) else {
                    return;
                };
                if let Some(result) = login::complete_redirect(&session).await {
                    if let Some(inner) = weak.upgrade() {
                        inner.dispatch.emit(Action::SignInStarted);
                        inner.signed_in_here(result);
                    }
                }
            });
            inner.jobs.borrow_mut().sign_in = Some(task);
        }
        Feed(inner)
    }

    /// Fetch now (the refresh button, a host's `refresh()`, the network back).
    pub fn refresh(&self) {
        self.0.command(TabCommand::Refresh);
    }

    /// Sign out every widget of this session (one revoke).
    pub fn sign_out(&self) {
        self.0.command(TabCommand::SignOut);
    }

    /// The user asked to stay signed in where storage is blocked: ask the browser for storage access, and keep the
    /// session there if it says yes. The answer shows either way; a refusal is not asked again.
    pub fn keep_here(&self) {
        let weak = Rc::downgrade(&self.0);
        let task = spawn(async move {
            let k = storage_access::ask().await;
            let Some(inner) = weak.upgrade() else { return };
            let kept = k == Keeping::Kept && inner.session.store_again();
            inner
                .dispatch
                .emit(Action::Keeping(if kept { k } else { Keeping::Lost }));
        });
        let mut jobs = self.0.jobs.borrow_mut();
        abort(&mut jobs.storage);
        jobs.storage = Some(task);
    }

    /// Sign in here (a popup or a redirect from this tab); every widget of the session follows.
    pub fn sign_in(&self, popup: bool) {
        let weak = Rc::downgrade(&self.0);
        self.0.dispatch.emit(Action::SignInStarted);
        let task = spawn(async move {
            let Some(session) = weak.upgrade().map(|i| i.session.clone()) else {
                return;
            };
            let result = login::sign_in(&session, popup).await;
            if let Some(inner) = weak.upgrade() {
                inner.signed_in_here(result);
            }
        });
        let mut jobs = self.0.jobs.borrow_mut();
        abort(&mut jobs.sign_in);
        jobs.sign_in = Some(task);
    }

    /// What this widget shows changed (scope, interval, page size).
    pub fn set_needs(&self, scope: Scope, poll_seconds: u32, page_size: u32) {
        let mut needs = self.0.core.borrow().needs.clone();
        needs.scope = scope;
        needs.poll_seconds = poll_seconds;
        needs.page_size = page_size;
        self.0.needs_changed(needs);
    }
}

impl Inner {
    fn leading(&self) -> bool {
        !matches!(self.core.borrow().role, Role::Following)
    }

    pub(super) fn term(&self) -> u64 {
        self.core.borrow().snapshot.term
    }

    fn post(&self, message: Message) {
        if let Some(c) = self.channel.borrow().as_ref() {
            c.post(&Envelope::new(&self.id, message), None);
        }
    }

    fn listen(self: &Rc<Self>) {
        let mut listeners = vec![];
        if let Some(c) = self.channel.borrow().as_ref() {
            let weak = Rc::downgrade(self);
            listeners.push(c.listen(move |said| {
                let Some(inner) = weak.upgrade() else { return };
                match said {
                    Said::Message(e, data) => inner.on_message(e, &data),
                    Said::OtherBuild(v) => inner.other_build(v),
                }
            }));
        }
        if let Some(w) = web::window() {
            if let Some(doc) = w.document() {
                let weak = Rc::downgrade(self);
                listeners.push(EventListener::new(&doc, "visibilitychange", move |_| {
                    if let Some(inner) = weak.upgrade() {
                        let mut needs = inner.core.borrow().needs.clone();
                        needs.visible = !web::document_hidden();
                        inner.needs_changed(needs);
                    }
                }));
            }
            // A page going away says so, so the leader stops fetching for it at once.
            let weak = Rc::downgrade(self);
            listeners.push(EventListener::new(&w, "pagehide", move |_| {
                if let Some(inner) = weak.upgrade() {
                    inner.post(Message::Bye);
                }
            }));
        }
        *self.listeners.borrow_mut() = listeners;
        let weak = Rc::downgrade(self);
        let ticker =
            gloo_timers::callback::Interval::new(protocol::HEARTBEAT_MS as u32, move || {
                if let Some(inner) = weak.upgrade() {
                    inner.tick();
                }
            });
        *self.ticker.borrow_mut() = Some(ticker);
        self.core.borrow_mut().needs.visible = !web::document_hidden();
    }

    fn stop(self: &Rc<Self>) {
        self.post(Message::Bye);
        let Jobs {
            queue,
            poller,
            work,
            sign_in,
            push,
            storage,
        } = std::mem::take(&mut *self.jobs.borrow_mut());
        for mut slot in [queue, poller, work, sign_in, push, storage] {
            abort(&mut slot);
        }
        self.ticker.borrow_mut().take();
        self.listeners.borrow_mut().clear();
        self.wire_session(None);
        // Lets go of the lock (if held); the next tab in line leads.
        self.core.borrow_mut().role = Role::Following;
        self.channel.borrow_mut().take();
    }

    /// Waits in line for the lock (or takes it from a silent leader with `steal`).
    fn queue(self: &Rc<Self>, steal: bool) {
        let weak = Rc::downgrade(self);
        let name = self.lock_name.clone();
        let task = spawn(async move {
            let result = lead(&name, steal).await;
            let Some(inner) = weak.upgrade() else { return };
            match result {
                Ok(l) => inner.lead_now(l),
                Err(_) => inner.go_alone(),
            }
        });
        let mut jobs = self.jobs.borrow_mut();
        abort(&mut jobs.queue);
        jobs.queue = Some(task);
    }

    fn go_alone(self: &Rc<Self>) {
        self.channel.borrow_mut().take();
        {
            let mut core = self.core.borrow_mut();
            core.role = Role::Alone;
            core.snapshot.term = core.snapshot.term.max(1);
        }
        self.listen(); // again, without the channel
        self.dispatch.emit(Action::NotShared);
        self.begin();
    }

    /// This tab holds the lock: it leads, from the last snapshot it heard.
    fn lead_now(self: &Rc<Self>, leadership: Leadership) {
        let leadership = Rc::new(leadership);
        let term = {
            let mut core = self.core.borrow_mut();
            let term = core
                .watchdog
                .next_term()
                .max(core.snapshot.term.saturating_add(1));
            core.watchdog.term = term;
            core.snapshot.term = term;
            core.role = Role::Leading {
                leadership: leadership.clone(),
            };
            core.handing_over_until = 0.0;
            term
        };
        self.wire_session(Some(&leadership));
        self.post(Message::Heartbeat {
            term,
            hidden: web::document_hidden(),
        });
        self.core.borrow_mut().shared_tokens = self.session.export();
        self.begin();
    }

    /// While leading: the session refreshes only while the lock is still ours, and every refresh's tokens go to
    /// the other tabs at once. `None`: neither (following, or gone).
    fn wire_session(self: &Rc<Self>, leadership: Option<&Rc<Leadership>>) {
        let Some(leadership) = leadership else {
            self.session.set_gate(None);
            self.session.on_renewed(None);
            return;
        };
        let held = Rc::downgrade(leadership);
        self.session.set_gate(Some(Rc::new(move || {
            let held = held.clone();
            async move {
                match held.upgrade() {
                    Some(l) => l.still_held().await,
                    None => false,
                }
            }
            .boxed_local()
        })));
        let weak = Rc::downgrade(self);
        self.session.on_renewed(Some(Rc::new(move || {
            if let Some(inner) = weak.upgrade() {
                // A refresh is in the Auth group the WebSocket's tokens are counted in.
                inner.reconnects.borrow_mut().auth_sent(web::now());
                inner.share_tokens();
            }
        })));
    }

    /// The start of leading (or of working alone): take in the budget the last leader used, then carry on the
    /// session the tabs know, resume a stored one, or say there is none.
    fn begin(self: &Rc<Self>) {
        // A stored session may need storage access renewed first (a cross-site frame the user let keep it): the
        // check's end begins again.
        if !storage_access::checked() {
            self.begin_waiting.set(true);
            return;
        }
        if let Some(b) = web::store_get(Store::Browser, &self.budget_key)
            .and_then(|t| json::parse(&t))
            .and_then(|j| j.read::<Budget>())
        {
            self.sched.borrow_mut().adopt(&b, web::now());
        }
        let known_in = self.core.borrow().snapshot.signed_in();
        if self.session.has_tokens() {
            if known_in {
                // What push told the last leader (rows only push showed, calls that ended) carries on.
                self.reconciler.borrow_mut().overlay = self.core.borrow().snapshot.overlay.clone();
                self.publish();
                self.start_poller(false);
            } else {
                self.work(Work::SignedIn);
            }
        } else if let Some(rt) = self.session.stored_refresh_token() {
            self.work(Work::Resume(rt));
        } else {
            let (term, failure) = {
                let core = self.core.borrow();
                let failure = match &core.snapshot.auth {
                    Auth::SignedOut { failure } => failure.clone(),
                    _ => None,
                };
                (core.snapshot.term, failure)
            };
            self.set_snapshot(Snapshot::signed_out(term, failure));
        }
    }

    /// Another leader spoke, or the lock was taken: stop all network work and follow.
    pub(super) fn stand_down(self: &Rc<Self>) {
        {
            let mut jobs = self.jobs.borrow_mut();
            abort(&mut jobs.poller);
            abort(&mut jobs.work);
            abort(&mut jobs.push);
        }
        self.begin_waiting.set(false);
        self.wire_session(None);
        {
            let mut core = self.core.borrow_mut();
            if matches!(core.role, Role::Alone) {
                return;
            }
            core.role = Role::Following;
            core.watchdog.restart(web::now());
        }
        // Greeted as a newcomer: the leader sends its snapshot and every list's records again. A leader that was
        // frozen missed those that came meanwhile, and with push healthy the next answer may be a minute away.
        let needs = self.core.borrow().needs.clone();
        self.post(Message::Hello { needs });
        self.queue(false);
    }

    fn take_over(self: &Rc<Self>) {
        self.core.borrow_mut().watchdog.restart(web::now());
        self.queue(true);
    }

    /// Once a second: a follower checks the leader is alive and repeats what it shows now and then; a leader says
    /// it is alive (after checking the lock is still its own) and, hidden, hands over to a shown widget.
    fn tick(self: &Rc<Self>) {
        let now = web::now();
        let gone = self.core.borrow_mut().other_builds.tick(now);
        if let Some(o) = gone {
            self.dispatch.emit(Action::OtherBuild(o));
        }
        let leading = match &self.core.borrow().role {
            Role::Following => None,
            Role::Leading { leadership } => Some(leadership.lost()),
            Role::Alone => return,
        };
        match leading {
            None => {
                let (silent, needs) = {
                    let mut core = self.core.borrow_mut();
                    let repeat = now - core.last_needs_sent >= NEEDS_EVERY_MS;
                    if repeat {
                        core.last_needs_sent = now;
                    }
                    (
                        core.watchdog.should_take_over(now, web::document_hidden()),
                        repeat.then(|| core.needs.clone()),
                    )
                };
                if let Some(needs) = needs {
                    self.post(Message::Needs { needs });
                }
                if silent {
                    self.take_over();
                }
            }
            Some(true) => self.stand_down(),
            Some(false) => {
                // A frozen leader wakes here first: it asks the browser before saying anything.
                let weak = Rc::downgrade(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let Some(inner) = weak.upgrade() else { return };
                    if !inner.still_leading().await {
                        inner.stand_down();
                        return;
                    }
                    let (term, hidden) = (inner.term(), web::document_hidden());
                    inner.post(Message::Heartbeat { term, hidden });
                    let to = {
                        let mut core = inner.core.borrow_mut();
                        let now = web::now();
                        let to = (hidden && now >= core.handing_over_until)
                            .then(|| core.participants.shown(now))
                            .flatten();
                        if to.is_some() {
                            core.handing_over_until = now + HANDOVER_MS;
                        }
                        to
                    };
                    if let Some(to) = to {
                        inner.post(Message::HandOver { term, to });
                    }
                });
            }
        }
    }

    /// Another build speaks on the channel: a follower waits in line rather than take its lock (`OtherBuilds`).
    fn other_build(&self, version: f64) {
        let now = web::now();
        let said = {
            let mut core = self.core.borrow_mut();
            if matches!(core.role, Role::Following) {
                core.watchdog.restart(now);
            }
            core.other_builds.heard(version, now)
        };
        if let Some(o) = said {
            self.dispatch.emit(Action::OtherBuild(o));
        }
    }

    fn on_message(self: &Rc<Self>, e: Envelope, data: &JsValue) {
        let now = web::now();
        let reaction = protocol::react(self.leading(), &self.id, self.term(), &e);
        match (reaction, e.message) {
            (Reaction::Heard { welcome }, Message::Hello { needs } | Message::Needs { needs }) => {
                let (news, newcomer) = {
                    let core = &mut *self.core.borrow_mut();
                    let known = core.participants.knows(&e.from);
                    let news = core.participants.heard(&e.from, needs, &core.needs, now);
                    (news, !known)
                };
                if news {
                    self.fetch_now();
                }
                if welcome {
                    self.post(Message::Tokens {
                        tokens: self.session.export(),
                    });
                }
                // A widget new to this leader (just started, or one that followed the leader before) gets the
                // snapshot and every list's records: records went to nobody while nobody else was there.
                if welcome || newcomer {
                    self.core.borrow_mut().sent_records.clear();
                    self.publish();
                }
            }
            (Reaction::Gone, _) => self.core.borrow_mut().participants.gone(&e.from),
            (Reaction::Obey(command), _) => self.command(command),
            (Reaction::SignedInThere, Message::Tokens { tokens }) => {
                self.session.adopt(tokens);
                self.work(Work::SignedIn);
            }
            (Reaction::Adopt, Message::Tokens { tokens }) => {
                self.session.adopt(tokens);
            }
            (Reaction::StandDown, _) => self.stand_down(),
            (Reaction::Alive, Message::Heartbeat { term, hidden }) => {
                let heard = self.core.borrow_mut().watchdog.heard(term, hidden, now);
                if heard == Heard::New {
                    let needs = self.core.borrow().needs.clone();
                    self.post(Message::Needs { needs });
                }
            }
            (Reaction::TakeOver, _) => self.take_over(),
            (Reaction::Render { stand_down }, Message::Snapshot { snapshot }) => {
                if stand_down {
                    self.stand_down();
                }
                self.render(snapshot, data, now);
            }
            _ => {}
        }
    }

    /// A follower takes in the leader's snapshot (one of an older term is dropped), with the records that came
    /// beside it (a later snapshot without them keeps the last ones), and renders it.
    fn render(self: &Rc<Self>, snapshot: Snapshot, data: &JsValue, now: f64) {
        let mut core = self.core.borrow_mut();
        let hidden = core.watchdog.hidden();
        if core.watchdog.heard(snapshot.term, hidden, now) == Heard::Old {
            return;
        }
        let records = js_sys::Reflect::get_u32(data, super::tabs::RECORDS).unwrap_or_default();
        for l in &snapshot.lists {
            let r = js_sys::Reflect::get(&records, &l.scope.as_str().into()).unwrap_or_default();
            if js_sys::Array::is_array(&r) {
                core.records.retain(|(s, _)| *s != l.scope);
                // The reading stays: it is of the list answered at its `at`, which a list of records kept from it
                // names (`deliver`).
                core.records.push((l.scope, r));
            }
        }
        if !snapshot.signed_in() {
            core.records.clear();
            core.read.clear();
        }
        core.snapshot = snapshot;
        drop(core);
        self.deliver();
    }

    fn command(self: &Rc<Self>, command: TabCommand) {
        if !self.leading() {
            self.post(Message::Command { command });
            return;
        }
        match command {
            TabCommand::Refresh => self.fetch_now(),
            TabCommand::SignOut => self.work(Work::SignOut),
        }
    }

    /// Fetch as soon as the budget allows, every scope shown, also those a refusal had stopped.
    pub(super) fn fetch_now(&self) {
        self.core.borrow_mut().stopped.clear();
        // Every page: a refresh asked for is not push's first page alone.
        self.push_asked.set(false);
        self.sched.borrow_mut().request_now();
    }

    fn needs_changed(self: &Rc<Self>, needs: Needs) {
        let (before, leading) = {
            let mut core = self.core.borrow_mut();
            let before = std::mem::replace(&mut core.needs, needs.clone());
            if before.scope != needs.scope {
                // The reducer cleared the panel for the new scope: what the leader has for it shows at once.
                core.shown = core.shown.without_lists();
            }
            core.last_needs_sent = web::now();
            (before, !matches!(core.role, Role::Following))
        };
        self.deliver();
        if leading {
            // Shown again, or showing another scope: what it shows may be old.
            if needs.visible && (!before.visible || before.scope != needs.scope) {
                self.fetch_now();
            }
        } else if before != needs {
            self.post(Message::Needs { needs });
        }
    }

    /// A sign-in in this tab finished (a popup, or a redirect's callback).
    fn signed_in_here(self: &Rc<Self>, result: Result<Outcome, SignInFailure>) {
        match result {
            Ok(Outcome::Redirecting) => {}
            Ok(Outcome::SignedIn { persistent }) => {
                if !persistent {
                    // Not kept: still askable in a blocked frame, else lost (a full or failing storage).
                    let k = match storage_access::keeping() {
                        Keeping::Askable => Keeping::Askable,
                        _ => Keeping::Lost,
                    };
                    self.dispatch.emit(Action::Keeping(k));
                }
                if self.leading() {
                    self.work(Work::SignedIn);
                } else {
                    self.post(Message::Tokens {
                        tokens: self.session.export(),
                    });
                }
            }
            Err(why) => self.dispatch.emit(Action::SignInFailed(why)),
        }
    }

    /// A new snapshot (leader or alone): to the other tabs, then to this widget.
    pub(super) fn set_snapshot(self: &Rc<Self>, snapshot: Snapshot) {
        self.core.borrow_mut().snapshot = snapshot;
        self.publish();
    }

    pub(super) fn update(self: &Rc<Self>, f: impl FnOnce(&mut Snapshot)) {
        f(&mut self.core.borrow_mut().snapshot);
        self.publish();
    }

    /// Sends the snapshot, with the records of each answer the tabs have not had yet (a list of 1 000 calls is
    /// not copied to every tab again for a "busy" flag).
    pub(super) fn publish(self: &Rc<Self>) {
        {
            let mut core = self.core.borrow_mut();
            if let Some(c) = self.channel.borrow().as_ref() {
                let records = js_sys::Object::new();
                // Alone, the records are not copied into a message no widget reads (an admin's 5 000 cost the
                // structured clone 10-20 ms an answer); a widget that comes is sent them (`on_message`).
                if !core.participants.is_empty() {
                    let mut sent = vec![];
                    for (scope, r) in &core.records {
                        let at = core.snapshot.list(*scope).and_then(|l| l.at).unwrap_or(0.0);
                        if !core.sent_records.contains(&(*scope, at)) {
                            let _ = js_sys::Reflect::set(&records, &scope.as_str().into(), r);
                        }
                        sent.push((*scope, at));
                    }
                    core.sent_records = sent;
                }
                let snapshot = Message::Snapshot {
                    snapshot: core.snapshot.clone(),
                };
                c.post(&Envelope::new(&self.id, snapshot), Some(&records));
            }
        }
        self.deliver();
    }

    /// This widget catches up with the snapshot: the reducer's actions for the step, records read here.
    fn deliver(&self) {
        let (steps, records, overlay, (list_at, records_at, kept), scope, me) = {
            let mut core = self.core.borrow_mut();
            let scope = core.needs.scope;
            let steps = changes(&core.shown, &core.snapshot, scope);
            core.shown = core.snapshot.clone();
            let records = core
                .records
                .iter()
                .find(|(s, _)| *s == scope)
                .map(|(_, r)| r.clone());
            let list = core.snapshot.list(scope);
            // The answer's time (its reading's key), how old its records are (push's newer word counts), and which
            // of them were kept from the list before.
            let times = (
                list.and_then(|l| l.at).unwrap_or(0.0),
                list.and_then(List::records_at).unwrap_or(0.0),
                list.and_then(|l| l.kept),
            );
            let me = match &core.snapshot.auth {
                Auth::SignedIn { user } => Some(user.clone()),
                _ => None,
            };
            (
                steps,
                records,
                core.snapshot.overlay.clone(),
                times,
                scope,
                me,
            )
        };
        for step in steps {
            let action = match step {
                Change::Act(a) => a,
                Change::Load {
                    at,
                    server_now,
                    more,
                } => {
                    // The list's reading is kept: push's changes lay the overlay over it again without reading
                    // the records anew (an admin's 5 000 took 40 ms in every tab at each event), and a list of
                    // records kept from the one before takes their views from its reading.
                    let (calls, skipped) = {
                        let mut core = self.core.borrow_mut();
                        let read = &mut core.read;
                        match read.iter().find(|r| r.scope == scope && r.at == list_at) {
                            Some(r) => (r.calls.clone(), r.skipped),
                            None => {
                                let items =
                                    records.as_ref().and_then(|r| r.items()).unwrap_or_default();
                                let before = read.iter().find(|r| r.scope == scope);
                                let (calls, skipped) = match (kept, before) {
                                    (Some(k), Some(b)) if b.at == k.from => {
                                        reading::read_merged(&items, k.fresh as usize, &b.calls)
                                    }
                                    _ => reading::read(&items),
                                };
                                read.retain(|r| r.scope != scope);
                                read.push(Read {
                                    scope,
                                    at: list_at,
                                    calls: calls.clone(),
                                    skipped,
                                });
                                (calls, skipped)
                            }
                        }
                    };
                    let calls = super::reconcile::apply(
                        calls,
                        &overlay,
                        records_at,
                        scope == Scope::Account,
                        me.as_ref(),
                    );
                    Action::Loaded {
                        calls,
                        skipped,
                        server_now,
                        at,
                        more,
                    }
                }
            };
            self.dispatch.emit(action);
        }
    }

    pub(super) fn work(self: &Rc<Self>, what: Work) {
        let weak = Rc::downgrade(self);
        let task = spawn(signing::run(weak, what));
        let mut jobs = self.jobs.borrow_mut();
        abort(&mut jobs.work);
        jobs.work = Some(task);
    }

    /// Starts fetching; `now`: at once (a new session), else at the interval's pace (a new leader of a session
    /// whose lists the tabs have), unless a list's first fetch was left with pages to come.
    pub(super) fn start_poller(self: &Rc<Self>, now: bool) {
        if now || self.core.borrow().snapshot.lists.iter().any(|l| l.more) {
            self.fetch_now();
        }
        let task = spawn(poller::run(Rc::downgrade(self)));
        let mut jobs = self.jobs.borrow_mut();
        abort(&mut jobs.poller);
        jobs.poller = Some(task);
        drop(jobs);
        if self.session.cfg.live {
            self.start_push();
        } else {
            self.set_push(|every_secs| Push::Polling { every_secs });
        }
    }

    /// The WebSocket, unless one runs already (a new leader opens its own; the old one's closed with its tab or
    /// when it stood down).
    fn start_push(self: &Rc<Self>) {
        if self.jobs.borrow().push.is_some() {
            return;
        }
        self.set_push(|every_secs| Push::Polling { every_secs });
        let task = spawn(push::run(Rc::downgrade(self)));
        self.jobs.borrow_mut().push = Some(task);
    }

    /// Says how calls arrive, with the interval the poller keeps (`make` gets it in seconds).
    pub(super) fn set_push(self: &Rc<Self>, make: impl FnOnce(u32) -> Push) {
        let secs = {
            let core = self.core.borrow();
            let plan = core.participants.plan(&core.needs, web::now());
            (plan.interval_ms / 1000.0).round() as u32
        };
        let mut push = make(secs);
        if let Push::Live { every_secs } = &mut push {
            *every_secs = (*every_secs).max(poller::SAFETY_POLL_SECONDS);
        }
        if self.core.borrow().snapshot.push != push {
            self.update(|s| s.push = push);
        }
    }

    /// Push's knowledge changed: into the snapshot, to every widget.
    pub(super) fn overlay_changed(self: &Rc<Self>) {
        let overlay = self.reconciler.borrow().overlay.clone();
        if self.core.borrow().snapshot.overlay != overlay {
            self.update(|s| s.overlay = overlay);
        }
    }

    /// A fetch for push: in a second, merging the events of that second into one request.
    pub(super) fn fetch_soon(&self) {
        if self.fetch_at.get() == 0.0 {
            self.fetch_at.set(web::now() + 1000.0);
        }
    }

    /// The session is over (signed out here or anywhere, or RingCentral ended it): every tab forgets it.
    pub(super) fn end_session(self: &Rc<Self>, failure: Option<SignInFailure>) {
        {
            let mut jobs = self.jobs.borrow_mut();
            abort(&mut jobs.poller);
            abort(&mut jobs.push);
        }
        self.reconciler.borrow_mut().clear();
        self.session.forget();
        self.share_tokens();
        let term = self.term();
        {
            let mut core = self.core.borrow_mut();
            core.records.clear();
            core.read.clear();
        }
        self.set_snapshot(Snapshot::signed_out(term, failure));
    }

    /// What to fetch now: the scopes some shown widget shows and RingCentral has not refused, at the pace of the
    /// widgets (a minute's safety poll while push is live).
    pub(super) fn plan(&self, now: f64) -> protocol::Plan {
        let core = self.core.borrow();
        let mut plan = core.participants.plan(&core.needs, now);
        if matches!(core.snapshot.push, Push::Live { .. }) {
            plan.interval_ms = plan
                .interval_ms
                .max(poller::SAFETY_POLL_SECONDS as f64 * 1000.0);
        }
        plan.scopes.retain(|s| !core.stopped.contains(s));
        plan
    }

    /// Still the leader? Asked before every request (a replaced leader that wakes must send nothing).
    pub(super) async fn still_leading(self: &Rc<Self>) -> bool {
        let leadership = match &self.core.borrow().role {
            Role::Leading { leadership, .. } => Some(leadership.clone()),
            Role::Alone => return true,
            Role::Following => return false,
        };
        match leadership {
            Some(l) => l.still_held().await,
            None => false,
        }
    }

    /// Hands the tokens to the other tabs when they changed (a sign-in, a refresh, the end), so whoever leads
    /// next holds the current refresh token, never a rotated-away one.
    pub(super) fn share_tokens(&self) {
        let tokens = self.session.export();
        let changed = {
            let mut core = self.core.borrow_mut();
            let changed = core.shared_tokens != tokens;
            core.shared_tokens = tokens.clone();
            changed
        };
        if changed {
            self.post(Message::Tokens { tokens });
        }
    }

    pub(super) fn save_budget(&self) {
        let b = self.sched.borrow_mut().budget(web::now());
        if let Some(text) = js_sys::JSON::stringify(&to_js(&b))
            .ok()
            .and_then(|s| s.as_string())
        {
            web::store_set(Store::Browser, &self.budget_key, &text);
        }
    }
}
