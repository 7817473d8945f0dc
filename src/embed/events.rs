//! Which host events a new state means. The observer remembers what it last reported and compares: plain Rust,
//! so every event rule is a native test. `call-selected` and `note` come from clicks, not from here.

use super::payload::{self, CallOut, HostEvent};
use crate::api::error::ApiError;
use crate::format::CallView;
use crate::state::{find_in, Phase, State, User};
use std::rc::Rc;

/// Events are named `rc-active-calls:<name>` for the host.
pub const PREFIX: &str = "rc-active-calls:";

#[derive(Debug, Default)]
pub struct Observer {
    signed_in: bool,
    /// The list last reported, while signed in and loaded (shared with the state that had it).
    calls: Option<Rc<Vec<CallView>>>,
    /// When that list was fetched: the lists are compared once per answer, not on every tick.
    updated: Option<f64>,
    error: Option<ApiError>,
    notice: Option<String>,
    config_reported: bool,
}

/// The host's view of a call at this moment (duration now, the host's own contact when matched).
pub fn call_payload(s: &State, c: &CallView) -> CallOut {
    call_payload_at(s, c, s.now)
}

/// The same with the duration as of `now` (a user's action between two answers).
pub fn call_payload_at(s: &State, c: &CallView, now: f64) -> CallOut {
    let number = c.remote.phone_number.as_deref().unwrap_or("");
    payload::call(c, c.seconds(now, s.skew_ms), s.contacts.get(number))
}

/// Whether two lists differ in what the host sees change (calls, status, result), not in ticking durations.
fn same_calls(a: &[CallView], b: &[CallView]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.id == y.id && x.status == y.status && x.result == y.result)
}

impl Observer {
    pub fn observe(&mut self, s: &State) -> Vec<HostEvent> {
        let mut out = vec![];
        if let Phase::Configuring(problems) = &s.phase {
            if std::mem::take(&mut self.signed_in) {
                out.push(HostEvent::SignedOut { reason: None });
                self.calls = None;
            }
            if !self.config_reported {
                self.config_reported = true;
                let text = crate::config::describe(problems);
                out.push(payload::error("config", None, &text));
            }
            return out;
        }
        self.config_reported = false;

        let on = s.signed_in();
        if on && !self.signed_in {
            let unknown = User {
                name: String::new(),
                extension_number: None,
            };
            out.push(payload::signed_in(s.user.as_ref().unwrap_or(&unknown)));
        } else if !on && self.signed_in {
            out.push(HostEvent::SignedOut {
                reason: s.notice.clone(),
            });
            self.calls = None;
        } else if !on && s.phase == Phase::SignedOut && s.notice != self.notice {
            if let Some(why) = &s.notice {
                out.push(payload::error("sign-in", s.notice_code.as_deref(), why));
            }
        }
        self.signed_in = on;
        self.notice = s.notice.clone();

        if on && s.updated_at.is_some() && s.updated_at != self.updated {
            self.updated = s.updated_at;
            let live = |c: &&CallView| !c.status.is_ended();
            let before = self.calls.take();
            let old: &[CallView] = before.as_deref().map_or(&[], |v| v);
            // Looked up, not compared pair by pair: an admin's 5 000 calls made that a 0.7 s task on every answer.
            // Started calls first, then updated ones.
            let mut updated = vec![];
            for c in s.calls.iter().filter(live) {
                match find_in(old, c) {
                    None => out.push(HostEvent::CallStarted {
                        call: call_payload(s, c),
                    }),
                    Some(o) if !o.status.is_ended() && o.status != c.status => {
                        updated.push(HostEvent::CallUpdated {
                            call: call_payload(s, c),
                        })
                    }
                    Some(_) => {}
                }
            }
            out.append(&mut updated);
            for o in old.iter().filter(live) {
                let ended = match find_in(&s.calls, o) {
                    Some(c) if c.status.is_ended() => Some(c),
                    Some(_) => None,
                    // Gone from the list while live: it ended.
                    None => Some(o),
                };
                if let Some(c) = ended {
                    out.push(HostEvent::CallEnded {
                        call: call_payload(s, c),
                    });
                }
            }
            self.calls = if before.is_none() || !same_calls(old, &s.calls) {
                out.push(HostEvent::CallsChanged {
                    scope: s.scope.as_str(),
                    calls: s.calls.iter().map(|c| call_payload(s, c)).collect(),
                });
                Some(s.calls.clone())
            } else {
                before
            };
        } else if s.updated_at.is_none() {
            // Loading, a new scope, or signed out: the next list is reported afresh.
            self.calls = None;
            self.updated = None;
        }

        if s.error != self.error {
            if let Some(e) = &s.error {
                out.push(payload::api_error(e));
            }
            self.error = s.error.clone();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ApiError;
    use crate::api::model::CallRecord;
    use crate::config::Scope;
    use crate::state::tests::loaded;
    use crate::state::Action;
    use serde_json::json;
    use std::rc::Rc;
    use yew::Reducible;

    fn view(j: serde_json::Value) -> CallView {
        CallView::from_record(CallRecord::read(&j).unwrap()).unwrap()
    }

    fn call(id: &str, result: &str, duration: u32) -> CallView {
        view(
            json!({"id": id, "startTime": "2026-11-27T09:00:00Z", "direction": "Inbound", "result": result,
                   "duration": duration, "reason": "Accepted", "from": {"phoneNumber": "+1555"}}),
        )
    }

    /// A signed-in state and an observer that has reported it.
    fn signed_in() -> (Rc<State>, Observer) {
        let mut s = Rc::new(State::new(Scope::Extension, 0.0, None));
        let mut o = Observer::default();
        let user = User {
            name: "Ada".into(),
            extension_number: None,
        };
        step(&mut s, &mut o, Action::SignedIn(user));
        (s, o)
    }

    fn step(s: &mut Rc<State>, o: &mut Observer, a: Action) -> Vec<&'static str> {
        *s = s.clone().reduce(a);
        o.observe(s).into_iter().map(|e| e.name()).collect()
    }

    #[test]
    fn a_row_push_showed_first_keeps_its_events_when_the_record_takes_over() {
        use crate::feed::frames::{ActiveCall, Presence};
        use crate::feed::reconcile::{apply, Reconciler};
        let (mut s, mut o) = signed_in();
        let mut r = Reconciler::default();
        let presence = |seq: f64, status: &str| Presence {
            extension_id: Some("101".into()),
            sequence: Some(seq),
            total_active_calls: Some(1.0),
            active_calls: Some(vec![ActiveCall {
                telephony_session_id: Some("s-1".into()),
                telephony_status: Some(status.into()),
                direction: Some("Inbound".into()),
                ..ActiveCall::default()
            }]),
            ..Presence::default()
        };
        r.presence(&presence(1.0, "Ringing"), 1.0);
        assert_eq!(
            step(
                &mut s,
                &mut o,
                loaded(apply(vec![], &r.overlay, 0.0, false, None), 1.0)
            ),
            ["call-started", "calls-changed"]
        );
        // The record arrives under its own id: not a new call, and the push row did not end.
        let record = view(
            json!({"id": "rec-1", "telephonySessionId": "s-1", "startTime": "2026-11-27T09:00:00Z",
                   "direction": "Inbound", "result": "In Progress", "from": {"phoneNumber": "+1555"}}),
        );
        assert_eq!(
            step(
                &mut s,
                &mut o,
                loaded(
                    apply(vec![record.clone()], &r.overlay, 2.0, false, None),
                    2.0
                )
            ),
            ["calls-changed"]
        );
        // Two records of one session (two parties) stay two calls.
        let mut other_leg = record.clone();
        other_leg.id = "rec-2".into();
        assert_eq!(
            step(&mut s, &mut o, loaded(vec![record, other_leg], 3.0)),
            ["call-started", "calls-changed"]
        );
    }

    #[test]
    fn a_status_change_while_the_call_lasts_is_call_updated() {
        let (mut s, mut o) = signed_in();
        let ringing = view(
            json!({"id": "r", "startTime": "2026-11-27T09:00:00Z", "direction": "Inbound",
                                  "result": "In Progress", "from": {"phoneNumber": "+1555"}}),
        );
        assert_eq!(ringing.status, crate::format::Status::Ringing);
        assert_eq!(
            step(&mut s, &mut o, loaded(vec![ringing.clone()], 1.0)),
            ["call-started", "calls-changed"]
        );
        // Answered: updated, not started again.
        assert_eq!(
            step(
                &mut s,
                &mut o,
                loaded(vec![call("r", "In Progress", 0)], 2.0)
            ),
            ["call-updated", "calls-changed"]
        );
        // Ended is call-ended, not an update.
        assert_eq!(
            step(&mut s, &mut o, loaded(vec![call("r", "Accepted", 9)], 3.0)),
            ["call-ended", "calls-changed"]
        );
    }

    #[test]
    fn reports_sign_in_calls_and_their_ends_once_each() {
        let mut s = Rc::new(State::new(Scope::Extension, 0.0, None));
        let mut o = Observer::default();
        assert!(o.observe(&s).is_empty());
        let user = User {
            name: "Ada".into(),
            extension_number: None,
        };
        assert_eq!(step(&mut s, &mut o, Action::SignedIn(user)), ["signed-in"]);
        assert_eq!(
            step(
                &mut s,
                &mut o,
                loaded(vec![call("a", "In Progress", 0)], 1.0)
            ),
            ["call-started", "calls-changed"]
        );
        // Ticks and an identical list: nothing.
        assert!(step(&mut s, &mut o, Action::Tick(5.0)).is_empty());
        assert!(step(
            &mut s,
            &mut o,
            loaded(vec![call("a", "In Progress", 0)], 6.0)
        )
        .is_empty());
        assert_eq!(
            step(
                &mut s,
                &mut o,
                loaded(
                    vec![call("a", "Accepted", 30), call("b", "In Progress", 0)],
                    7.0
                )
            ),
            ["call-started", "call-ended", "calls-changed"]
        );
        // b vanishes while live: it ended.
        assert_eq!(
            step(&mut s, &mut o, loaded(vec![call("a", "Accepted", 30)], 8.0)),
            ["call-ended", "calls-changed"]
        );
        let failed = Action::Failed {
            error: ApiError::Network("offline".into()),
            at: 9.0,
        };
        assert_eq!(step(&mut s, &mut o, failed.clone()), ["error"]);
        assert!(
            step(&mut s, &mut o, failed).is_empty(),
            "the same error once"
        );
        assert_eq!(
            step(
                &mut s,
                &mut o,
                Action::SignedOut(Some("Session ended".into()))
            ),
            ["signed-out"]
        );
        assert_eq!(
            step(&mut s, &mut o, Action::SignInFailed("Popup closed".into())),
            ["error"]
        );
    }

    #[test]
    fn payloads_carry_the_documented_details() {
        let mut s = Rc::new(State::new(Scope::Account, 0.0, None));
        let mut o = Observer::default();
        s = s.clone().reduce(Action::SignedIn(User {
            name: "Ada".into(),
            extension_number: Some("101".into()),
        }));
        let detail = |e: &HostEvent| serde_json::to_value(e).unwrap();
        let ev = o.observe(&s);
        assert_eq!(detail(&ev[0])["user"]["extensionNumber"], "101");
        s = s.clone().reduce(loaded(vec![], 1.0));
        let ev = o.observe(&s);
        assert_eq!(ev.len(), 1, "an empty first list is still reported");
        assert_eq!(detail(&ev[0])["scope"], "account");
        assert_eq!(detail(&ev[0])["calls"], json!([]));

        let mut c = Observer::default();
        let bad = State::new(
            Scope::Extension,
            0.0,
            Some(vec![crate::config::Problem {
                key: "clientId",
                message: "is missing".into(),
            }]),
        );
        let ev = c.observe(&bad);
        assert_eq!(detail(&ev[0])["kind"], "config");

        // A refused sign-in carries RingCentral's code to the host.
        let mut s = Rc::new(State::new(Scope::Extension, 0.0, None));
        let mut o = Observer::default();
        s = s
            .clone()
            .reduce(Action::SignInFailed(crate::state::SignInFailure {
                code: Some("OAU-109".into()),
                message: "RingCentral refused the sign-in".into(),
            }));
        let ev = o.observe(&s);
        assert_eq!(detail(&ev[0])["kind"], "sign-in");
        assert_eq!(detail(&ev[0])["code"], "OAU-109");
        assert!(c.observe(&bad).is_empty());
    }
}
