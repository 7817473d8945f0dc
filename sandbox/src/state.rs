//! The sandbox's shared state: one lock around everything mutable, never held across an await.

use crate::calls::{Call, Phase};
use crate::clock::{Clock, Millis};
use crate::config::World;
use crate::control::{Fault, LogEntry};
use crate::ratelimit::RateLimiter;
use crate::tokens::TokenStore;
use crate::traffic::{apply_plan, Traffic};
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this many request-log entries are kept (the oldest go first).
pub const LOG_CAPACITY: usize = 10_000;

pub struct Inner {
    pub world: World,
    pub tokens: TokenStore,
    pub limiter: RateLimiter,
    pub calls: Vec<Call>,
    pub traffic: Traffic,
    pub faults: Vec<Fault>,
    pub log: Vec<LogEntry>,
    pub seed: u64,
    /// Hide `X-Rate-Limit-*` and `Retry-After` from browsers (a runtime switch of the CORS layer).
    pub hide_rate_limit_headers: bool,
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
                faults: vec![],
                log: vec![],
                seed,
                hide_rate_limit_headers: hide,
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
}

impl Inner {
    /// Starts due simulated calls, moves planned calls on, and drops ended calls past their linger time.
    pub fn advance(&mut self, now: Millis) {
        let started = self.traffic.start_due(&self.world.account.users, now);
        self.calls.extend(started);
        for c in &mut self.calls {
            if let Some(plan) = self.traffic.plan(&c.id) {
                apply_plan(c, plan, now);
            }
        }
        let linger = self.world.settings.linger_secs as Millis * 1000;
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
        self.faults.clear();
        self.log.clear();
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

    pub fn push_log(&mut self, entry: LogEntry) {
        if self.log.len() >= LOG_CAPACITY {
            self.log.remove(0);
        }
        self.log.push(entry);
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
        c.phase = Phase::Ended {
            ended_at: now,
            result,
            reason: Some(if answered { "Accepted" } else { "Not Answered" }.into()),
            reason_description: answered.then(|| crate::calls::ACCEPTED_DESCRIPTION.to_string()),
        };
        true
    }
}
