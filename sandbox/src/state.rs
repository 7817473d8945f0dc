//! The sandbox's shared state: one lock around everything mutable, never held across an await. Taking the lock
//! brings the simulation up to the clock's "now" and publishes what changed to the WebSocket subscribers, so an
//! event and the next active-calls answer always agree.

use crate::calls::{Call, Phase};
use crate::clock::{Clock, Millis};
use crate::config::World;
use crate::events::{self, Event};
use crate::faults::FaultList;
use crate::gateway::hub::Hub;
use crate::ratelimit::{Charge, Group, RateLimiter};
use crate::requestlog::RequestLog;
use crate::tokens::TokenStore;
use crate::traffic::{apply_plan, Traffic};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub struct Inner {
    pub world: World,
    pub tokens: TokenStore,
    pub limiter: RateLimiter,
    pub calls: Vec<Call>,
    pub traffic: Traffic,
    pub faults: FaultList,
    pub log: RequestLog,
    pub hub: Hub,
    pub seed: u64,
    /// Hide `X-Rate-Limit-*` and `Retry-After` from browsers (a runtime switch of the CORS layer).
    pub hide_rate_limit_headers: bool,
    /// Each extension's presence `sequence`.
    presence_sequence: HashMap<String, u64>,
    next_call: u64,
}

pub struct Shared {
    pub clock: Clock,
    /// The origin this server is reached at, used in `uri` fields (`http://127.0.0.1:8790`).
    pub public_url: String,
    pub control_enabled: bool,
    /// The configuration the server started with; `reset` returns to it.
    pub initial: World,
    inner: Mutex<Inner>,
}

pub type AppState = Arc<Shared>;

/// How often the ticker moves the simulation on, sends due events and enforces the gateway's timeouts.
pub const TICK: Duration = Duration::from_millis(100);

impl Shared {
    pub fn new(
        world: World,
        seed: u64,
        clock: Clock,
        public_url: String,
        control_enabled: bool,
    ) -> AppState {
        let now = clock.now();
        let hide = !world.settings.expose_rate_limit_headers;
        let traffic = Traffic::new(
            seed,
            &world.account.users,
            world.settings.mean_call_gap_secs,
            now,
        );
        Arc::new(Shared {
            clock,
            public_url: public_url.trim_end_matches('/').to_string(),
            control_enabled,
            initial: world.clone(),
            inner: Mutex::new(Inner {
                world,
                tokens: TokenStore::default(),
                limiter: RateLimiter::default(),
                calls: vec![],
                traffic,
                faults: FaultList::default(),
                log: RequestLog::default(),
                hub: Hub::default(),
                seed,
                hide_rate_limit_headers: hide,
                presence_sequence: HashMap::new(),
                next_call: 0,
            }),
        })
    }

    /// The state, with the simulation brought up to the clock's "now". A poisoned lock (a panic elsewhere) is
    /// recovered: the data is plain and every handler leaves it consistent between statements.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.advance(self.clock.now());
        g
    }

    /// Counts a request of `key` (user and app) in `group`: the 429 to answer, or the headers the answer carries.
    pub fn charge(&self, key: &str, group: Group) -> Result<Charge, crate::errors::ApiError> {
        let now = self.clock.now();
        let mut g = self.lock();
        let limit = group.limit(&g.world.settings).clone();
        g.limiter.charge(key, group, &limit, now)
    }

    /// One step of the ticker: the simulation, due events, and the gateway's timeouts and expiries.
    pub fn tick(&self) {
        let now = self.clock.now();
        self.lock().sweep(now);
    }

    /// Ticks every `TICK` until the returned handle is aborted (the server's lifetime, in `main`).
    pub fn spawn_ticker(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let st = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(TICK);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                st.tick();
            }
        })
    }
}

impl Inner {
    /// Starts due simulated calls, moves planned calls on, publishes what changed, and drops ended calls past
    /// their linger time (plus the active-calls lag, so that the lagging list still shows their end).
    pub fn advance(&mut self, now: Millis) {
        let started = self.traffic.start_due(&self.world.account.users, now);
        self.calls.extend(started);
        for c in &mut self.calls {
            if let Some(plan) = self.traffic.plan(&c.id) {
                apply_plan(c, plan, now);
            }
        }
        self.publish(now);
        let s = &self.world.settings;
        let linger = (s.linger_secs as Millis + s.active_calls_lag_secs as Millis) * 1000;
        let gone: Vec<String> = self
            .calls
            .iter()
            .filter(|c| c.ended_at().is_some_and(|t| now >= t + linger))
            .map(|c| c.id.clone())
            .collect();
        if !gone.is_empty() {
            self.calls.retain(|c| !gone.contains(&c.id));
            self.traffic.plans.retain(|(id, _)| !gone.contains(id));
        }
    }

    /// Turns every call change not yet published into events (one presence event per extension that changed, one
    /// telephony-session event per party status) and hands them to the gateway.
    pub fn publish(&mut self, now: Millis) {
        if !self
            .calls
            .iter()
            .any(|c| c.marks.published < c.history.len())
        {
            return;
        }
        let account = self.world.account.id.clone();
        let mut changed_extensions: Vec<String> = vec![];
        let mut events: Vec<Event> = vec![];
        let mut just_ended: Vec<String> = vec![];
        for c in &mut self.calls {
            let from = c.marks.published;
            if from >= c.history.len() {
                continue;
            }
            for i in from..c.history.len() {
                let (at, phase) = c.history[i].clone();
                for status in events::party_statuses(i == 0, &phase) {
                    c.marks.sequence += 1;
                    events.push(Event::Session {
                        extension_id: c.extension_id.clone(),
                        direction: c.direction.clone(),
                        status,
                        body: events::session_body(c, &account, status, c.marks.sequence, at),
                    });
                }
                if matches!(phase, Phase::Ended { .. }) {
                    just_ended.push(c.id.clone());
                }
            }
            c.marks.published = c.history.len();
            if !changed_extensions.contains(&c.extension_id) {
                changed_extensions.push(c.extension_id.clone());
            }
        }
        for ext in changed_extensions {
            let Some(user) = self.world.user(&ext) else {
                continue;
            };
            let listed: Vec<&Call> = self
                .calls
                .iter()
                .filter(|c| c.extension_id == ext)
                .filter(|c| c.ended_at().is_none() || just_ended.contains(&c.id))
                .collect();
            let seq = self.presence_sequence.entry(ext.clone()).or_insert(0);
            *seq += 1;
            events.push(Event::Presence {
                extension_id: ext.clone(),
                bodies: events::presence_bodies(user, &listed, *seq),
            });
        }
        let buffer = self.world.settings.ws.recovery_buffer_size as usize;
        self.hub
            .publish(&events, &account, now, buffer, &mut self.log);
    }

    /// An extension's presence as `GET …/presence` answers it now (live calls; the sequence of the last event).
    pub fn presence_now(&self, user_id: &str, detail: events::Detail) -> Option<serde_json::Value> {
        let user = self.world.user(user_id)?;
        let listed: Vec<&Call> = self
            .calls
            .iter()
            .filter(|c| c.extension_id == user_id && c.ended_at().is_none())
            .collect();
        let seq = self.presence_sequence.get(user_id).copied().unwrap_or(0);
        Some(events::presence_body(user, &listed, seq, detail))
    }

    /// The gateway's timeouts, ended OAuth sessions and expired recoveries.
    pub fn sweep(&mut self, now: Millis) {
        let tokens = &self.tokens;
        let ws = self.world.settings.ws.clone();
        self.hub
            .sweep(now, &ws, |session| tokens.session_alive(session, now));
    }

    pub fn reset(&mut self, world: World, seed: u64, now: Millis) {
        self.traffic = Traffic::new(
            seed,
            &world.account.users,
            world.settings.mean_call_gap_secs,
            now,
        );
        self.hide_rate_limit_headers = !world.settings.expose_rate_limit_headers;
        self.world = world;
        self.tokens.clear();
        self.limiter.clear();
        self.calls.clear();
        self.faults.0.clear();
        self.log.clear();
        self.hub.clear();
        self.presence_sequence.clear();
        self.seed = seed;
        self.next_call = 0;
    }

    pub fn next_call_number(&mut self) -> u64 {
        self.next_call += 1;
        self.next_call
    }

    pub fn call_mut(&mut self, id: &str) -> Option<&mut Call> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    /// Ends a call now (control API); a planned call stops following its plan.
    pub fn end_call(&mut self, id: &str, result: Option<String>, now: Millis) -> bool {
        self.traffic.plans.retain(|(c, _)| c != id);
        let Some(c) = self.call_mut(id) else {
            return false;
        };
        if matches!(c.phase, Phase::Ended { .. }) {
            return true;
        }
        let answered = matches!(c.phase, Phase::Connected { .. });
        let result = result.unwrap_or_else(|| {
            match (answered, c.direction.as_str()) {
                (true, "Inbound") => "Accepted",
                (true, _) => "Call connected",
                (false, "Inbound") => "Missed",
                (false, _) => "No Answer",
            }
            .to_string()
        });
        c.set_phase(
            now,
            Phase::Ended {
                ended_at: now,
                result,
                reason: Some(if answered { "Accepted" } else { "Not Answered" }.into()),
                reason_description: answered
                    .then(|| crate::calls::ACCEPTED_DESCRIPTION.to_string()),
            },
        );
        true
    }
}
