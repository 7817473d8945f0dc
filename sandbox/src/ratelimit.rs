//! RingCentral's per-user, per-app, per-group rate limits (ringcentral-api.md 3.2): a sliding window, and a
//! penalty that restarts with every request sent during it (the "unending 429 trap"). Every answer to a counted
//! request carries the `X-Rate-Limit-*` headers, errors included.

use crate::clock::Millis;
use crate::config::{Limit, Settings};
use crate::errors::ApiError;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Heavy,
    Medium,
    Light,
    Auth,
}

impl Group {
    /// This group's limit in the sandbox's settings.
    pub fn limit(self, s: &Settings) -> &Limit {
        match self {
            Group::Heavy => &s.heavy,
            Group::Medium => &s.medium,
            Group::Light => &s.light,
            Group::Auth => &s.auth,
        }
    }

    /// Lowercase, as RingCentral's example header shows (`X-Rate-Limit-Group: light`).
    pub fn name(self) -> &'static str {
        match self {
            Group::Heavy => "heavy",
            Group::Medium => "medium",
            Group::Light => "light",
            Group::Auth => "auth",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Allowed {
        limit: u32,
        remaining: u32,
        window_secs: u32,
    },
    Limited {
        limit: u32,
        window_secs: u32,
        retry_after_secs: u32,
    },
}

/// A request that was counted and allowed: what its answer's rate-limit headers say.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub group: Group,
    pub limit: u32,
    pub remaining: u32,
    pub window_secs: u32,
}

impl Charge {
    pub fn headers(&self) -> [(&'static str, String); 4] {
        [
            ("x-rate-limit-group", self.group.name().to_string()),
            ("x-rate-limit-limit", self.limit.to_string()),
            ("x-rate-limit-remaining", self.remaining.to_string()),
            ("x-rate-limit-window", self.window_secs.to_string()),
        ]
    }

    /// The handler's answer, success or error, with this charge's headers.
    pub fn answer<T: IntoResponse>(
        &self,
        result: Result<T, ApiError>,
    ) -> Result<Response, ApiError> {
        match result {
            Ok(body) => {
                let mut res = body.into_response();
                for (name, value) in self.headers() {
                    if let Ok(v) = HeaderValue::from_str(&value) {
                        res.headers_mut().insert(name, v);
                    }
                }
                Ok(res)
            }
            Err(e) => Err(self.stamp_error(e)),
        }
    }

    /// An error answer carrying this charge's headers.
    pub fn stamp_error(&self, e: ApiError) -> ApiError {
        self.headers()
            .into_iter()
            .fold(e, |e, (name, value)| e.with_header(name, value))
    }
}

#[derive(Debug, Default)]
struct Bucket {
    sent: VecDeque<Millis>,
    penalty_until: Option<Millis>,
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<(String, Group), Bucket>,
}

impl RateLimiter {
    pub fn clear(&mut self) {
        self.buckets.clear();
    }

    /// Counts one request: `Ok` with the headers its answer carries, or the 429 to send instead.
    pub fn charge(
        &mut self,
        key: &str,
        group: Group,
        limit: &Limit,
        now: Millis,
    ) -> Result<Charge, ApiError> {
        match self.check(key, group, limit, now) {
            Decision::Allowed {
                limit,
                remaining,
                window_secs,
            } => Ok(Charge {
                group,
                limit,
                remaining,
                window_secs,
            }),
            Decision::Limited {
                limit,
                window_secs,
                retry_after_secs,
            } => Err(Charge {
                group,
                limit,
                remaining: 0,
                window_secs,
            }
            .stamp_error(ApiError::rate_limited(retry_after_secs))),
        }
    }

    /// Counts one request by `key` (user and app) in `group`.
    pub fn check(&mut self, key: &str, group: Group, limit: &Limit, now: Millis) -> Decision {
        let b = self.buckets.entry((key.to_string(), group)).or_default();
        let window = limit.window_secs as Millis * 1000;
        let penalty = limit.penalty_secs as Millis * 1000;
        if b.penalty_until.is_some_and(|until| now < until) {
            // A request during the penalty starts it again.
            b.penalty_until = Some(now + penalty);
            return Decision::Limited {
                limit: limit.requests,
                window_secs: limit.window_secs,
                retry_after_secs: limit.penalty_secs,
            };
        }
        b.penalty_until = None;
        while b.sent.front().is_some_and(|&t| t <= now - window) {
            b.sent.pop_front();
        }
        if b.sent.len() as u32 >= limit.requests {
            b.penalty_until = Some(now + penalty);
            return Decision::Limited {
                limit: limit.requests,
                window_secs: limit.window_secs,
                retry_after_secs: limit.penalty_secs,
            };
        }
        b.sent.push_back(now);
        Decision::Allowed {
            limit: limit.requests,
            remaining: limit.requests - b.sent.len() as u32,
            window_secs: limit.window_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAVY: Limit = Limit {
        requests: 10,
        window_secs: 60,
        penalty_secs: 60,
    };

    fn limited(d: &Decision) -> bool {
        matches!(d, Decision::Limited { .. })
    }

    #[test]
    fn eleventh_request_in_a_window_is_limited() {
        let mut rl = RateLimiter::default();
        for i in 0..10 {
            let d = rl.check("u", Group::Heavy, &HEAVY, i * 1000);
            assert_eq!(
                d,
                Decision::Allowed {
                    limit: 10,
                    remaining: 9 - i as u32,
                    window_secs: 60
                }
            );
        }
        assert_eq!(
            rl.check("u", Group::Heavy, &HEAVY, 10_000),
            Decision::Limited {
                limit: 10,
                window_secs: 60,
                retry_after_secs: 60
            }
        );
    }

    #[test]
    fn penalty_restarts_with_each_request_during_it() {
        let mut rl = RateLimiter::default();
        for i in 0..11 {
            rl.check("u", Group::Heavy, &HEAVY, i);
        }
        // Penalty until 70 s (started at 10 ms). A request at 50 s restarts it: until 110 s.
        assert!(limited(&rl.check("u", Group::Heavy, &HEAVY, 50_000)));
        assert!(limited(&rl.check("u", Group::Heavy, &HEAVY, 109_999)));
        // ... which restarted it again, until 169.999 s.
        assert!(limited(&rl.check("u", Group::Heavy, &HEAVY, 169_998)));
        assert!(!limited(&rl.check("u", Group::Heavy, &HEAVY, 229_998)));
    }

    #[test]
    fn window_slides_and_keys_and_groups_are_separate() {
        let mut rl = RateLimiter::default();
        for i in 0..10 {
            rl.check("u", Group::Heavy, &HEAVY, i * 6000);
        }
        assert!(!limited(&rl.check("other", Group::Heavy, &HEAVY, 54_000)));
        assert!(!limited(&rl.check("u", Group::Light, &HEAVY, 54_001)));
        // The first request (t=0) leaves the window at t=60 s.
        assert!(!limited(&rl.check("u", Group::Heavy, &HEAVY, 60_000)));
    }
}
