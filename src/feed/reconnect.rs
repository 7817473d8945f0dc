//! When the leader may ask for a WebSocket again. A wstoken request is in
//! RingCentral's Auth group, 5 a minute per user and app, shared with the token refresh (ringcentral-api.md 3.2;
//! realtime-and-tabs.md C): so reconnects back off with jitter from 1 s to 60 s, every wstoken is counted against
//! that budget with one request always left for a refresh, a 429 pauses them for its `Retry-After`, and a socket
//! that keeps failing while HTTP works stops asking (polling carries on) and tries again only every few minutes.
//! Pure: time is passed in (ms since the epoch).

use std::collections::VecDeque;

/// RingCentral's Auth group: 5 requests a minute.
pub const AUTH_LIMIT: usize = 5;
pub const AUTH_WINDOW_MS: f64 = 60_000.0;
/// Left for a refresh: wstokens never take the last request of the window.
pub const KEPT_FOR_REFRESH: usize = 1;
pub const BACKOFF_START_MS: f64 = 1_000.0;
pub const BACKOFF_CAP_MS: f64 = 60_000.0;
/// After this many failures in a row without a working socket, push is off (polling as before) ...
pub const GIVE_UP_AFTER: u32 = 5;
/// ... and is tried again this long after.
pub const RETRY_LIVE_MS: f64 = 300_000.0;

#[derive(Debug, Clone, Default)]
pub struct Reconnects {
    /// Auth-group requests (wstoken or refresh) sent within the window.
    auth: VecDeque<f64>,
    failures: u32,
    blocked_until: f64,
}

impl Reconnects {
    fn prune(&mut self, now: f64) {
        while self
            .auth
            .front()
            .is_some_and(|&t| t <= now - AUTH_WINDOW_MS)
        {
            self.auth.pop_front();
        }
    }

    /// An Auth-group request went out (a wstoken, or a refresh by the session).
    pub fn auth_sent(&mut self, now: f64) {
        self.auth.push_back(now);
    }

    /// The socket is up and subscribed: failures are forgotten.
    pub fn connected(&mut self) {
        self.failures = 0;
    }

    /// A wstoken answered 429: nothing until `Retry-After` (60 s when unreadable).
    pub fn rate_limited(&mut self, now: f64, retry_after_secs: Option<u32>) {
        let ms = retry_after_secs.map_or(AUTH_WINDOW_MS, |s| s as f64 * 1000.0);
        self.blocked_until = self.blocked_until.max(now + ms);
    }

    /// Push has failed too often in a row: off until `RETRY_LIVE_MS` after the last failure.
    pub fn given_up(&self) -> bool {
        self.failures >= GIVE_UP_AFTER
    }

    /// A connection attempt failed (wstoken refused, the socket closed before it was subscribed, a subscription
    /// refused). Returns when the next attempt may start: the backoff (1 s doubling to 60 s, half of it random),
    /// or much later once push has been given up.
    pub fn failed(&mut self, now: f64, jitter: f64) -> f64 {
        self.failures += 1;
        if self.given_up() {
            return now + RETRY_LIVE_MS;
        }
        let base = (BACKOFF_START_MS * 2f64.powi(self.failures as i32 - 1)).min(BACKOFF_CAP_MS);
        now + base / 2.0 + base / 2.0 * jitter.clamp(0.0, 1.0)
    }

    /// When a wstoken may be asked for, at `now` or later: never during a 429's pause, and never taking the Auth
    /// window's last request (a refresh may need it).
    pub fn earliest_wstoken(&mut self, now: f64) -> f64 {
        self.prune(now);
        let mut at = now.max(self.blocked_until);
        let room = AUTH_LIMIT - KEPT_FOR_REFRESH;
        if self.auth.len() >= room {
            // The window frees a request when its oldest leaves.
            let i = self.auth.len() - room;
            at = at.max(self.auth[i] + AUTH_WINDOW_MS);
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_to_a_minute_with_jitter() {
        let mut r = Reconnects::default();
        let waits: Vec<f64> = (0..4).map(|_| r.failed(0.0, 1.0)).collect();
        assert_eq!(waits, [1_000.0, 2_000.0, 4_000.0, 8_000.0]);
        let mut r = Reconnects::default();
        assert_eq!(r.failed(0.0, 0.0), 500.0, "half of it random");
        // Connected again: from the start.
        r.connected();
        assert_eq!(r.failed(0.0, 1.0), 1_000.0);
    }

    #[test]
    fn a_socket_that_keeps_failing_stops_asking_and_polling_carries_on() {
        let mut r = Reconnects::default();
        for _ in 0..GIVE_UP_AFTER - 1 {
            assert!(r.failed(0.0, 1.0) <= BACKOFF_CAP_MS);
            assert!(!r.given_up());
        }
        assert_eq!(r.failed(0.0, 1.0), RETRY_LIVE_MS);
        assert!(r.given_up());
    }

    #[test]
    fn wstokens_never_take_the_auth_budget_a_refresh_needs() {
        let mut r = Reconnects::default();
        // A minute of reconnect attempts as fast as allowed: at most 4 wstokens in any 60 s, whatever else.
        let mut sent = vec![];
        let mut now = 0.0;
        while now < 180_000.0 {
            let at = r.earliest_wstoken(now);
            r.auth_sent(at);
            sent.push(at);
            now = at + 10.0;
        }
        for &t in &sent {
            let n = sent
                .iter()
                .filter(|&&u| u >= t && u < t + AUTH_WINDOW_MS)
                .count();
            assert!(n <= AUTH_LIMIT - KEPT_FOR_REFRESH, "{sent:?}");
        }
        // A refresh counts against the same window.
        let mut r = Reconnects::default();
        for t in [0.0, 1.0, 2.0] {
            r.auth_sent(t);
        }
        assert_eq!(r.earliest_wstoken(3.0), 3.0);
        r.auth_sent(3.0);
        assert_eq!(r.earliest_wstoken(4.0), AUTH_WINDOW_MS);
    }

    #[test]
    fn a_429_pauses_wstokens_for_its_retry_after() {
        let mut r = Reconnects::default();
        r.rate_limited(1_000.0, Some(30));
        assert_eq!(r.earliest_wstoken(2_000.0), 31_000.0);
        r.rate_limited(40_000.0, None);
        assert_eq!(r.earliest_wstoken(40_000.0), 100_000.0);
    }
}
