//! When to ask for active calls. The endpoints are in RingCentral's Heavy group: 10 requests a minute per user and
//! app, and a 60 s penalty that restarts with every request sent during it (ringcentral-api.md 3.2). The scheduler
//! keeps its own count so it stays within the limit even when the rate-limit headers cannot be read, honours them
//! when they can, never sends during a penalty, and backs off with jitter on failures. Pure: time is passed in.

use crate::api::error::ApiError;
pub use crate::api::model::ServerBudget;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

pub const HEAVY_LIMIT: u32 = 10;
pub const HEAVY_WINDOW_MS: f64 = 60_000.0;
/// RingCentral's penalty, used when `Retry-After` cannot be read.
pub const DEFAULT_PENALTY_MS: f64 = 60_000.0;
pub const BACKOFF_START_MS: f64 = 2_000.0;
/// Our count keeps a request in the window this much longer than the server does: the server stamps a request
/// when it arrives, after we counted it, so without a margin we could free a slot a moment before it does.
pub const WINDOW_MARGIN_MS: f64 = 2_000.0;
pub const BACKOFF_CAP_MS: f64 = 60_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Send,
    /// Nothing to do for this long (ms).
    Wait(f64),
    /// Nothing to do until the page is shown or the network returns.
    Idle,
}

/// What the poll loop does after a failed fetch.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    /// A 429: nothing is sent until `until` (ms since the epoch).
    Paused { until: f64 },
    /// A 401 after the request layer's one refresh and retry: the session is over.
    SessionEnded,
    /// A failure that passes (5xx, network, an unreadable answer): back off with jitter and try again.
    Retry,
    /// A failure waiting will not mend (403, another 4xx): stop until asked again.
    Stop,
}

/// The Heavy budget's use, as the tabs hand it on: when requests went out (ms since the epoch) within the window,
/// and the penalty's end. Whoever leads next starts from it, so a new leader (or a reloaded page) never sends more
/// than the budget left, nor anything during a penalty.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Budget {
    pub sent: Vec<f64>,
    pub blocked_until: f64,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    interval_ms: f64,
    limit: u32,
    window_ms: f64,
    sent: VecDeque<f64>,
    blocked_until: f64,
    failures: u32,
    retry_at: f64,
    last_sent: Option<f64>,
    urgent: bool,
    /// After an error retrying cannot fix (403, 400): wait for the user to ask again.
    halted: bool,
}

impl Scheduler {
    pub fn new(poll_seconds: u32) -> Self {
        Scheduler {
            interval_ms: poll_seconds as f64 * 1000.0,
            limit: HEAVY_LIMIT,
            window_ms: HEAVY_WINDOW_MS,
            sent: VecDeque::new(),
            blocked_until: 0.0,
            failures: 0,
            retry_at: 0.0,
            last_sent: None,
            urgent: false,
            halted: false,
        }
    }

    fn prune(&mut self, now: f64) {
        while self
            .sent
            .front()
            .is_some_and(|&t| t <= now - self.window_ms - WINDOW_MARGIN_MS)
        {
            self.sent.pop_front();
        }
    }

    /// How long until the rate limit allows a request (0 when it does now).
    pub fn budget_wait(&mut self, now: f64) -> f64 {
        if now < self.blocked_until {
            return self.blocked_until - now;
        }
        self.prune(now);
        if self.sent.len() as u32 >= self.limit {
            return self
                .sent
                .front()
                .map_or(0.0, |&t| t + self.window_ms + WINDOW_MARGIN_MS - now)
                .max(1.0);
        }
        0.0
    }

    pub fn decide(&mut self, now: f64, hidden: bool, online: bool) -> Decision {
        if hidden || !online || (self.halted && !self.urgent) {
            return Decision::Idle;
        }
        let wait = self.budget_wait(now);
        if wait > 0.0 {
            return Decision::Wait(wait);
        }
        let due = if self.urgent {
            now
        } else if self.failures > 0 {
            self.retry_at
        } else {
            self.last_sent.map_or(now, |t| t + self.interval_ms)
        };
        if now >= due {
            Decision::Send
        } else {
            Decision::Wait(due - now)
        }
    }

    /// A new interval (the host changed `poll-seconds`); it applies from the next request on.
    pub fn set_interval(&mut self, poll_seconds: u32) {
        self.interval_ms = poll_seconds as f64 * 1000.0;
    }

    /// The interval between two requests, in ms (the leader's plan: one widget's interval shared by its scopes).
    pub fn set_interval_ms(&mut self, ms: f64) {
        self.interval_ms = ms;
    }

    /// What this scheduler has used of the budget, to hand on.
    pub fn budget(&mut self, now: f64) -> Budget {
        self.prune(now);
        Budget {
            sent: self.sent.iter().copied().collect(),
            blocked_until: self.blocked_until,
        }
    }

    /// Takes in what another tab (or an earlier load of this page) used: its requests count against the window,
    /// its penalty holds, and the interval runs from its last request.
    pub fn adopt(&mut self, b: &Budget, now: f64) {
        self.prune(now);
        // Only times inside the window count, and a few times the limit already blocks: each is inserted in order
        // (for so few, a sort would only add its code to the wasm). NaN and infinities fail both comparisons.
        let floor = now - self.window_ms - WINDOW_MARGIN_MS;
        let theirs = b.sent.iter().filter(|&&t| t > floor && t <= now);
        for &t in theirs.take(4 * self.limit as usize) {
            let i = self.sent.partition_point(|&s| s < t);
            if self.sent.get(i) != Some(&t) {
                self.sent.insert(i, t);
            }
        }
        if b.blocked_until.is_finite() {
            self.blocked_until = self.blocked_until.max(b.blocked_until);
        }
        if let Some(&t) = self.sent.back() {
            self.last_sent = Some(self.last_sent.map_or(t, |l| l.max(t)));
        }
    }

    /// Refresh as soon as the budget allows (the refresh button, the page shown again, the network back).
    pub fn request_now(&mut self) {
        self.urgent = true;
        self.halted = false;
    }

    /// Stops polling until `request_now` (an error that the same request would only repeat).
    pub fn halt(&mut self) {
        self.halted = true;
        self.urgent = false;
    }

    /// Lifts a `halt` without asking for a request now (the leader stopped only the refused scope).
    pub fn resume(&mut self) {
        self.halted = false;
    }

    pub fn on_sent(&mut self, now: f64) {
        self.sent.push_back(now);
        self.last_sent = Some(now);
        self.urgent = false;
    }

    pub fn on_success(&mut self, now: f64, server: Option<ServerBudget>) {
        self.failures = 0;
        if let Some(b) = server {
            // Never trust the server to allow more than RingCentral's documented default.
            self.limit = b.limit.clamp(1, HEAVY_LIMIT);
            if b.window_secs > 0 {
                self.window_ms = (b.window_secs as f64 * 1000.0).max(HEAVY_WINDOW_MS);
            }
            // Nothing left, though our own count says there should be: someone else (another tab, another app
            // instance of this user) uses the budget, and we cannot see when it frees up, so wait a whole window.
            self.prune(now);
            if b.remaining == 0 && (self.sent.len() as u32) < self.limit {
                self.blocked_until = self.blocked_until.max(now + self.window_ms);
            }
        }
    }

    /// A 429: nothing until `Retry-After` has passed, or 60 s when it cannot be read.
    pub fn on_rate_limited(&mut self, now: f64, retry_after_secs: Option<u32>) {
        let ms = retry_after_secs.map_or(DEFAULT_PENALTY_MS, |s| s as f64 * 1000.0);
        self.blocked_until = self.blocked_until.max(now + ms);
    }

    /// A 5xx, network failure or unreadable answer: 2 s, doubling, capped at 60 s, with "equal jitter"
    /// (half fixed, half random) so many widgets do not retry in step. `jitter` is in [0, 1).
    pub fn on_failure(&mut self, now: f64, jitter: f64) -> f64 {
        self.failures += 1;
        let base =
            (BACKOFF_START_MS * 2f64.powi(self.failures.min(16) as i32 - 1)).min(BACKOFF_CAP_MS);
        let delay = base / 2.0 + base / 2.0 * jitter.clamp(0.0, 1.0);
        self.retry_at = now + delay;
        self.urgent = false;
        delay
    }

    /// Takes in a failed fetch and says what the poll loop does next (the decision is here, so it is tested
    /// without a browser): a 429 pauses until `Retry-After` (or 60 s); a 401 ends the session (the request layer
    /// already refreshed and retried once); a passing failure backs off; the rest stops until asked.
    pub fn after_failure(&mut self, e: &ApiError, now: f64, jitter: f64) -> After {
        match e {
            ApiError::RateLimited { retry_after } => {
                self.on_rate_limited(now, *retry_after);
                After::Paused {
                    until: self.paused_until(now).unwrap_or(now),
                }
            }
            ApiError::Unauthorized { .. } => After::SessionEnded,
            e if e.is_transient() => {
                self.on_failure(now, jitter);
                After::Retry
            }
            _ => {
                self.halt();
                After::Stop
            }
        }
    }

    pub fn paused_until(&self, now: f64) -> Option<f64> {
        (self.blocked_until > now).then_some(self.blocked_until)
    }

    #[cfg(test)]
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the scheduler for `ms` with every request succeeding; returns the send times.
    fn run(
        s: &mut Scheduler,
        from: f64,
        ms: f64,
        mut on_send: impl FnMut(&mut Scheduler, f64),
    ) -> Vec<f64> {
        let mut now = from;
        let mut sent = vec![];
        while now < from + ms {
            match s.decide(now, false, true) {
                Decision::Send => {
                    s.on_sent(now);
                    sent.push(now);
                    on_send(s, now);
                }
                Decision::Wait(w) => now += w.max(1.0),
                Decision::Idle => unreachable!(),
            }
        }
        sent
    }

    fn max_in_any_window(sent: &[f64]) -> usize {
        sent.iter()
            .map(|&t| sent.iter().filter(|&&u| u >= t && u < t + 60_000.0).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_budget_handed_on_holds_for_the_next_leader() {
        let mut old = Scheduler::new(6);
        let sent = run(&mut old, 0.0, 30_000.0, |s, now| s.on_success(now, None));
        assert_eq!(sent.len(), 5);
        old.on_rate_limited(30_000.0, Some(60));
        let b = old.budget(30_000.0);
        assert_eq!(b.sent.len(), 5);
        // Through the wire and back, then into a new leader: nothing until the penalty ends.
        let mut new = Scheduler::new(6);
        new.adopt(&b, 31_000.0);
        assert_eq!(new.decide(31_000.0, false, true), Decision::Wait(59_000.0));
        // A budget without a penalty: the new leader sends only what is left of the window.
        let mut old = Scheduler::new(6);
        let sent = run(&mut old, 0.0, 54_001.0, |s, now| s.on_success(now, None));
        assert_eq!(sent.len(), 10);
        let mut new = Scheduler::new(6);
        new.adopt(&old.budget(55_000.0), 55_000.0);
        new.request_now();
        let more = run(&mut new, 55_000.0, 65_000.0, |s, now| {
            s.on_success(now, None)
        });
        let all: Vec<f64> = sent.iter().chain(more.iter()).copied().collect();
        assert!(max_in_any_window(&all) <= 10, "{all:?}");
        // Garbage from the wire is not believed.
        let mut s = Scheduler::new(6);
        s.adopt(
            &Budget {
                sent: vec![f64::NAN, 1e300],
                blocked_until: f64::INFINITY,
            },
            0.0,
        );
        assert_eq!(s.decide(0.0, false, true), Decision::Send);
        // Out of order and repeated, from two tabs: kept in order, once each; a flood is cut to four times the
        // limit, which still blocks.
        let mut s = Scheduler::new(6);
        s.on_success(10_000.0, None);
        let b = Budget {
            sent: vec![30_000.0, 5_000.0, 10_000.0, 30_000.0, 20_000.0],
            blocked_until: 0.0,
        };
        s.adopt(&b, 40_000.0);
        assert_eq!(
            s.budget(40_000.0).sent,
            [5_000.0, 10_000.0, 20_000.0, 30_000.0]
        );
        let flood: Vec<f64> = (0..100_000).map(|i| f64::from(i % 40_000)).collect();
        let mut s = Scheduler::new(6);
        s.adopt(
            &Budget {
                sent: flood,
                blocked_until: 0.0,
            },
            40_000.0,
        );
        assert_eq!(s.budget(40_000.0).sent.len(), 40);
        assert!(matches!(s.decide(40_000.0, false, true), Decision::Wait(_)));
    }

    #[test]
    fn polls_at_the_interval() {
        let mut s = Scheduler::new(10);
        let sent = run(&mut s, 0.0, 60_000.0, |s, now| s.on_success(now, None));
        assert_eq!(
            sent,
            [0.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0]
        );
    }

    #[test]
    fn a_new_interval_applies_from_the_next_request() {
        let mut s = Scheduler::new(10);
        let mut sent = run(&mut s, 0.0, 25_000.0, |s, now| s.on_success(now, None));
        s.set_interval(30);
        sent.extend(run(&mut s, 25_000.0, 80_000.0, |s, now| {
            s.on_success(now, None)
        }));
        assert_eq!(sent, [0.0, 10_000.0, 20_000.0, 50_000.0, 80_000.0]);
    }

    #[test]
    fn remaining_zero_that_our_count_explains_frees_with_the_window() {
        let mut s = Scheduler::new(6);
        for i in 0..10 {
            s.on_sent(i as f64 * 5_000.0);
        }
        s.on_success(
            45_000.0,
            Some(ServerBudget {
                limit: 10,
                remaining: 0,
                window_secs: 60,
            }),
        );
        // The first request leaves the window at 60 s (+ the margin): not a whole window after the last one.
        assert_eq!(
            s.decide(50_000.0, false, true),
            Decision::Wait(10_000.0 + WINDOW_MARGIN_MS)
        );
    }

    #[test]
    fn never_more_than_ten_a_minute_even_when_hammered() {
        let mut s = Scheduler::new(6);
        // Every send is followed by a refresh-button press.
        let sent = run(&mut s, 0.0, 300_000.0, |s, now| {
            s.on_success(now, None);
            s.request_now();
        });
        assert_eq!(max_in_any_window(&sent), 10);
        assert!(sent.len() >= 45, "{}", sent.len());
    }

    #[test]
    fn honours_retry_after_and_defaults_to_60s() {
        let mut s = Scheduler::new(10);
        s.on_sent(0.0);
        s.on_rate_limited(0.0, Some(30));
        s.request_now();
        assert_eq!(s.decide(1_000.0, false, true), Decision::Wait(29_000.0));
        assert_eq!(s.decide(30_000.0, false, true), Decision::Send);
        s.on_sent(30_000.0);
        s.on_rate_limited(30_000.0, None);
        assert_eq!(s.decide(30_001.0, false, true), Decision::Wait(59_999.0));
        assert_eq!(s.paused_until(31_000.0), Some(90_000.0));
    }

    #[test]
    fn honours_readable_rate_limit_headers() {
        let mut s = Scheduler::new(10);
        s.on_sent(0.0);
        s.on_success(
            0.0,
            Some(ServerBudget {
                limit: 10,
                remaining: 0,
                window_secs: 60,
            }),
        );
        assert_eq!(s.decide(10_000.0, false, true), Decision::Wait(50_000.0));
        // A server claiming a higher limit does not raise ours.
        let mut s = Scheduler::new(6);
        s.on_success(
            0.0,
            Some(ServerBudget {
                limit: 1000,
                remaining: 999,
                window_secs: 60,
            }),
        );
        let sent = run(&mut s, 0.0, 120_000.0, |s, now| {
            s.on_success(now, None);
            s.request_now();
        });
        assert_eq!(max_in_any_window(&sent), 10);
    }

    #[test]
    fn backs_off_exponentially_with_jitter_and_recovers() {
        let mut s = Scheduler::new(10);
        let delays: Vec<f64> = (0..8).map(|i| s.on_failure(i as f64, 0.0)).collect();
        assert_eq!(
            delays,
            [1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0, 30_000.0, 30_000.0]
        );
        let mut s = Scheduler::new(10);
        let full: Vec<f64> = (0..7).map(|_| s.on_failure(0.0, 0.999_999)).collect();
        assert!((full[0] - 2_000.0).abs() < 1.0 && (full[6] - 60_000.0).abs() < 1.0);
        assert_eq!(
            s.decide(59_000.0, false, true),
            Decision::Wait(1_000.0 - (60_000.0 - full[6]))
        );
        s.on_sent(60_000.0);
        s.on_success(60_000.0, None);
        assert_eq!(s.failures(), 0);
        assert_eq!(s.decide(65_000.0, false, true), Decision::Wait(5_000.0));
    }

    #[test]
    fn idle_while_hidden_or_offline_then_at_once() {
        let mut s = Scheduler::new(10);
        s.on_sent(0.0);
        assert_eq!(s.decide(3_000.0, true, true), Decision::Idle);
        assert_eq!(s.decide(3_000.0, false, false), Decision::Idle);
        s.request_now(); // shown again
        assert_eq!(s.decide(3_000.0, false, true), Decision::Send);
    }

    #[test]
    fn halted_until_asked_again() {
        let mut s = Scheduler::new(10);
        s.on_sent(0.0);
        s.halt();
        assert_eq!(s.decide(60_000.0, false, true), Decision::Idle);
        s.request_now();
        assert_eq!(s.decide(60_000.0, false, true), Decision::Send);
    }

    #[test]
    fn an_urgent_request_still_respects_a_penalty() {
        let mut s = Scheduler::new(10);
        s.on_rate_limited(0.0, Some(60));
        s.request_now();
        assert!(matches!(s.decide(59_999.0, false, true), Decision::Wait(_)));
    }

    #[test]
    fn after_a_failure_the_loop_pauses_ends_retries_or_stops() {
        let mut s = Scheduler::new(10);
        let t = 1_000_000.0;
        assert_eq!(
            s.after_failure(
                &ApiError::RateLimited {
                    retry_after: Some(30)
                },
                t,
                0.5
            ),
            After::Paused {
                until: t + 30_000.0
            }
        );
        assert_eq!(s.decide(t + 29_000.0, false, true), Decision::Wait(1_000.0));
        let mut s = Scheduler::new(10);
        assert_eq!(
            s.after_failure(&ApiError::RateLimited { retry_after: None }, t, 0.5),
            After::Paused {
                until: t + DEFAULT_PENALTY_MS
            }
        );
        let ended = ApiError::Unauthorized {
            code: Some("OAU-213".into()),
            message: "Token not found".into(),
        };
        assert_eq!(s.after_failure(&ended, t, 0.5), After::SessionEnded);
        let mut s = Scheduler::new(10);
        assert_eq!(
            s.after_failure(&ApiError::Network("offline".into()), t, 0.5),
            After::Retry
        );
        assert_eq!(s.failures(), 1);
        assert!(
            matches!(s.decide(t + 1.0, false, true), Decision::Wait(_)),
            "backs off"
        );
        let forbidden = ApiError::Forbidden {
            permission: Some("ReadCompanyCallLog".into()),
            code: Some("CMN-408".into()),
            message: "no".into(),
        };
        assert_eq!(s.after_failure(&forbidden, t, 0.5), After::Stop);
        assert_eq!(
            s.decide(t + 3_600_000.0, false, true),
            Decision::Idle,
            "until asked again"
        );
        s.request_now();
        assert_eq!(s.decide(t + 3_600_000.0, false, true), Decision::Send);
    }
}
