//! Push and polling, reconciled (the live stage: realtime-and-tabs.md C and D, as RingCentral's own widgets do it).
//! Presence events are fast but thin (the latest 7 calls, no records); active-calls answers are full but late (3–10 s
//! at RingCentral) and keep an ended call listed for about 120 s. So:
//! - the leader's `Reconciler` takes presence events (an event older than the last `sequence` of its extension is
//!   ignored) and keeps an `Overlay`: calls seen only by push so far, the status push last gave each telephony
//!   session, and the sessions push saw end;
//! - every widget lays that overlay over the calls of the last active-calls answer (`apply`): a call push saw first
//!   shows at once, with its direction, number, name when given and status; push's status wins over an older list's;
//!   and a call push saw end stays ended, whatever a late answer says.
//!
//! Pure: time is passed in (ms since the epoch).

use super::frames::{ActiveCall, Presence};
use crate::api::model::{capped, Direction, Party, MAX_NAME_CHARS, MAX_NUMBER_CHARS};
use crate::format::{CallView, Status, PUSHED_PREFIX};
use crate::state::User;
use crate::time::parse_rfc3339;
use serde::{Deserialize, Serialize};

/// A call that push showed and no answer confirmed within this long is dropped (it ended unseen).
pub const PUSHED_TTL_MS: f64 = 300_000.0;
/// How long a session push saw end is remembered: longer than active-calls lists an ended call (about 120 s).
pub const ENDED_TTL_MS: f64 = 180_000.0;

/// A call's state as push last told it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pushed {
    pub telephony_session_id: String,
    pub extension_id: Option<String>,
    /// `Inbound`, `Outbound`, or as sent.
    pub direction: Option<String>,
    pub remote_number: Option<String>,
    pub remote_name: Option<String>,
    /// Our side's number (the user's, or for account-wide events the extension's).
    #[serde(default)]
    pub our_number: Option<String>,
    /// `Ringing`, `CallConnected`, `OnHold`, `ParkedCall`, or as sent.
    pub status: String,
    /// When the call started (its `startTime`, else when push first told of it).
    pub start_ms: f64,
    /// When push last told of it.
    pub seen: f64,
    /// A call of the signed-in extension (not one an account-wide filter told of).
    pub own: bool,
}

/// What push knows beyond the last active-calls answer: what every widget lays over the list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlay {
    pub live: Vec<Pushed>,
    /// Telephony sessions push saw end, and when.
    pub ended: Vec<(String, f64)>,
}

impl Overlay {
    pub fn is_empty(&self) -> bool {
        self.live.is_empty() && self.ended.is_empty()
    }

    /// When push last spoke (`f64::MIN` when it never did).
    pub fn latest(&self) -> f64 {
        self.live
            .iter()
            .map(|l| l.seen)
            .chain(self.ended.iter().map(|(_, at)| *at))
            .fold(f64::MIN, f64::max)
    }
}

/// The leader's side: presence events in, the overlay out.
#[derive(Debug, Clone, Default)]
pub struct Reconciler {
    /// The highest `sequence` per extension.
    sequences: Vec<(String, f64)>,
    pub overlay: Overlay,
    /// The signed-in extension (a notification's `ownerId`), when known.
    pub owner: Option<String>,
}

/// What a presence event asks of the leader.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Older than one already taken (or not about calls): nothing changes.
    Stale,
    /// The overlay changed or was confirmed: fetch the full records (debounced by the caller).
    Fetch,
}

fn is_over(status: &str) -> bool {
    matches!(status, "NoCall" | "Disconnected")
}

impl Reconciler {
    /// A detailed presence event, at `now`.
    pub fn presence(&mut self, p: &Presence, now: f64) -> Verdict {
        let ext = p
            .extension_id
            .clone()
            .or_else(|| self.owner.clone())
            .unwrap_or_default();
        let own = self.owner.as_ref().is_none_or(|o| *o == ext);
        if let Some(seq) = p.sequence {
            match self.sequences.iter_mut().find(|(e, _)| *e == ext) {
                Some((_, last)) if seq <= *last => return Verdict::Stale,
                Some((_, last)) => *last = seq,
                None => self.sequences.push((ext.clone(), seq)),
            }
        }
        let calls = p.active_calls.clone().unwrap_or_default();
        let mut listed = vec![];
        for c in &calls {
            let Some(id) = c.telephony_session_id.clone().filter(|s| !s.is_empty()) else {
                continue;
            };
            listed.push(id.clone());
            let status = c.telephony_status.clone().unwrap_or_default();
            if is_over(&status) {
                self.end(&id, now);
                continue;
            }
            if self.overlay.ended.iter().any(|(e, _)| *e == id) {
                continue; // ended calls stay ended
            }
            let pushed = pushed(c, &id, &ext, own, status, now);
            match self
                .overlay
                .live
                .iter_mut()
                .find(|l| l.telephony_session_id == id)
            {
                Some(l) => {
                    let start_ms = l.start_ms;
                    *l = Pushed { start_ms, ..pushed };
                }
                None => self.overlay.live.push(pushed),
            }
        }
        // Every call of the extension is listed (not only the latest 7): one it no longer lists has ended.
        let complete = p
            .total_active_calls
            .is_none_or(|t| t as usize <= calls.len());
        if complete {
            let gone: Vec<String> = self
                .overlay
                .live
                .iter()
                .filter(|l| {
                    !is_over(&l.status)
                        && l.extension_id.as_deref().unwrap_or_default() == ext
                        && !listed.contains(&l.telephony_session_id)
                })
                .map(|l| l.telephony_session_id.clone())
                .collect();
            for id in gone {
                self.end(&id, now);
            }
        }
        Verdict::Fetch
    }

    /// A call push saw end: a row only push showed stays, ended, until an answer lists the call or it expires.
    fn end(&mut self, id: &str, now: f64) {
        for l in self
            .overlay
            .live
            .iter_mut()
            .filter(|l| l.telephony_session_id == id)
        {
            l.status = "Disconnected".into();
            l.seen = now;
        }
        if !self.overlay.ended.iter().any(|(e, _)| e == id) {
            self.overlay.ended.push((id.to_string(), now));
        }
    }

    /// An active-calls answer arrived with these telephony sessions listed live: push's own copies of them are no
    /// longer needed for showing them (their status still wins while push is newer); old entries expire.
    pub fn answered(&mut self, listed_live: &[String], at: f64) {
        self.overlay.live.retain(|l| {
            at - l.seen < PUSHED_TTL_MS || listed_live.contains(&l.telephony_session_id)
        });
        self.overlay
            .ended
            .retain(|(_, when)| at - when < ENDED_TTL_MS);
    }

    /// Forget everything (signed out, another session).
    pub fn clear(&mut self) {
        *self = Reconciler::default();
    }
}

fn pushed(c: &ActiveCall, id: &str, ext: &str, own: bool, status: String, now: f64) -> Pushed {
    let outbound = c.direction.as_deref() == Some("Outbound");
    let (number, name, ours) = if outbound {
        (c.to.clone(), c.to_name.clone(), c.from.clone())
    } else {
        (c.from.clone(), c.from_name.clone(), c.to.clone())
    };
    Pushed {
        telephony_session_id: id.to_string(),
        extension_id: (!ext.is_empty()).then(|| ext.to_string()),
        direction: c.direction.clone(),
        remote_number: number.filter(|n| !n.is_empty()),
        remote_name: name.filter(|n| !n.is_empty()),
        our_number: ours.filter(|n| !n.is_empty()),
        status,
        start_ms: c
            .start_time
            .as_deref()
            .and_then(parse_rfc3339)
            .unwrap_or(now),
        seen: now,
        own,
    }
}

/// Push's word for a call's status, in the panel's terms.
fn status_of(s: &str) -> Status {
    match s {
        _ if is_over(s) => Status::Ended("Ended".into()),
        "Ringing" => Status::Ringing,
        "CallConnected" => Status::Connected,
        "OnHold" => Status::Live("On hold".into()),
        "ParkedCall" => Status::Live("Parked".into()),
        other => Status::Live(other.to_string()),
    }
}

/// A row for a call only push has seen so far. Presence names neither side's extension: on the user's own calls our
/// side is the signed-in user, named as the record that follows will name it (no change of that cell a second later).
fn view(p: &Pushed, me: Option<&User>) -> CallView {
    let me = me.filter(|_| p.own);
    let direction = match p.direction.as_deref() {
        Some(d) => Direction::parse(d),
        None => Direction::Other(String::new()),
    };
    CallView {
        id: format!("{PUSHED_PREFIX}{}", p.telephony_session_id),
        session_id: None,
        telephony_session_id: Some(p.telephony_session_id.clone()),
        direction,
        remote: Party {
            // Cut as a listed record's name is (`Party::read`).
            name: p.remote_name.clone().map(|n| capped(n, MAX_NAME_CHARS)),
            phone_number: p.remote_number.clone().map(|n| capped(n, MAX_NUMBER_CHARS)),
            ..Party::default()
        },
        ours: Party {
            name: me.map(|u| u.name.clone()),
            phone_number: p.our_number.clone(),
            extension_number: me.and_then(|u| u.extension_number.clone()),
            ..Party::default()
        },
        status: status_of(&p.status),
        result: None,
        start_time: String::new(),
        start_ms: p.start_ms,
        final_duration: None,
        extension_id: p.extension_id.clone(),
        unknown_values: false,
    }
}

/// The calls a widget shows: the last answer's, with push laid over them (see the module's text). `listed_at` is
/// when that answer arrived: push's status wins only when push spoke later. `account`: the widget shows every
/// extension's calls, else only the signed-in user's. `me`: that user, our side of their own calls.
pub fn apply(
    mut calls: Vec<CallView>,
    overlay: &Overlay,
    listed_at: f64,
    account: bool,
    me: Option<&User>,
) -> Vec<CallView> {
    for c in calls.iter_mut() {
        let Some(id) = c.telephony_session_id.as_deref() else {
            continue;
        };
        if overlay.ended.iter().any(|(e, _)| e == id) {
            if !c.status.is_ended() {
                c.status = Status::Ended("Ended".into());
            }
        } else if let Some(p) = overlay
            .live
            .iter()
            .find(|p| p.telephony_session_id == id && p.seen > listed_at)
        {
            if !c.status.is_ended() {
                c.status = status_of(&p.status);
            }
        }
    }
    for p in overlay.live.iter().filter(|p| account || p.own) {
        let listed = calls
            .iter()
            .any(|c| c.telephony_session_id.as_deref() == Some(p.telephony_session_id.as_str()));
        if !listed {
            calls.push(view(p, me));
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallRecord;

    fn active(id: &str, status: &str) -> ActiveCall {
        ActiveCall {
            telephony_session_id: Some(id.into()),
            telephony_status: Some(status.into()),
            direction: Some("Inbound".into()),
            from: Some("+12125550143".into()),
            from_name: Some("NORTHWIND".into()),
            to: Some("+16505550100".into()),
            start_time: Some("2026-11-28T10:00:00Z".into()),
            ..ActiveCall::default()
        }
    }

    fn presence(seq: f64, calls: Vec<ActiveCall>) -> Presence {
        Presence {
            extension_id: Some("102".into()),
            total_active_calls: Some(calls.len() as f64),
            active_calls: Some(calls),
            sequence: Some(seq),
            ..Presence::default()
        }
    }

    fn ben() -> User {
        User {
            name: "Ben Baker".into(),
            extension_number: Some("102".into()),
        }
    }

    /// What a widget showing the user's own calls shows (no user to name our side after).
    fn extension(calls: Vec<CallView>, r: &Reconciler, listed_at: f64) -> Vec<CallView> {
        apply(calls, &r.overlay, listed_at, false, None)
    }

    /// A listed call as an active-calls answer gives it.
    fn listed(tsid: &str, result: &str) -> CallView {
        let j = serde_json::json!({
            "id": format!("rec-{tsid}"), "telephonySessionId": tsid, "startTime": "2026-11-28T10:00:00Z",
            "direction": "Inbound", "result": result, "from": {"phoneNumber": "+12125550143", "name": "Nancy Davolio"},
        });
        CallView::from_record(CallRecord::read(&j).unwrap()).unwrap()
    }

    #[test]
    fn a_ringing_call_shows_from_push_before_any_answer_then_the_record_takes_over() {
        let mut r = Reconciler::default();
        assert_eq!(
            r.presence(&presence(1.0, vec![active("s-1", "Ringing")]), 1000.0),
            Verdict::Fetch
        );
        let shown = apply(vec![], &r.overlay, 0.0, false, Some(&ben()));
        assert_eq!(shown.len(), 1);
        let c = &shown[0];
        // Our side as the record will name it.
        assert_eq!(
            crate::format::our_side(&c.ours),
            "Ben Baker (ext.\u{a0}102)"
        );
        assert_eq!(c.status, Status::Ringing);
        assert_eq!(c.direction, Direction::Inbound);
        assert_eq!(c.remote.phone_number.as_deref(), Some("+12125550143"));
        assert_eq!(c.remote.name.as_deref(), Some("NORTHWIND"));
        assert_eq!(c.ours.phone_number.as_deref(), Some("+16505550100"));
        assert_eq!(c.start_ms, parse_rfc3339("2026-11-28T10:00:00Z").unwrap());
        // The answer lists it: one row, the record's (with its name), push's status while push is newer.
        let shown = extension(vec![listed("s-1", "In Progress")], &r, 500.0);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].id, "rec-s-1");
        assert_eq!(shown[0].remote.name.as_deref(), Some("Nancy Davolio"));
    }

    #[test]
    fn connected_then_on_hold_then_ended_and_a_late_answer_does_not_revive_it() {
        let mut r = Reconciler::default();
        r.presence(&presence(1.0, vec![active("s-1", "Ringing")]), 1.0);
        r.presence(&presence(2.0, vec![active("s-1", "CallConnected")]), 2.0);
        let shown = extension(vec![listed("s-1", "In Progress")], &r, 1.5);
        assert_eq!(shown[0].status, Status::Connected);
        r.presence(&presence(3.0, vec![active("s-1", "OnHold")]), 3.0);
        assert_eq!(
            extension(vec![], &r, 0.0)[0].status,
            Status::Live("On hold".into())
        );
        // Gone from a complete list: ended (its row stays, ended, until an answer lists it).
        r.presence(&presence(4.0, vec![]), 4.0);
        let ended = |r: &Reconciler| {
            let shown = extension(vec![], r, 0.0);
            shown.len() == 1 && shown[0].status.is_ended()
        };
        assert!(ended(&r));
        // An answer still listing it live (active-calls lags): shown ended, never live again.
        let shown = extension(vec![listed("s-1", "In Progress")], &r, 10.0);
        assert!(shown[0].status.is_ended());
        // Push cannot bring it back either.
        r.presence(&presence(5.0, vec![active("s-1", "Ringing")]), 5.0);
        assert!(ended(&r));
        // Forgotten long after active-calls stopped listing it.
        r.answered(&[], 5.0 + ENDED_TTL_MS);
        assert!(r.overlay.ended.is_empty());
        r.answered(&[], 5.0 + PUSHED_TTL_MS);
        assert!(r.overlay.is_empty());
    }

    #[test]
    fn older_events_are_ignored_and_sequences_are_per_extension() {
        let mut r = Reconciler::default();
        r.presence(&presence(5.0, vec![active("s-1", "CallConnected")]), 1.0);
        assert_eq!(
            r.presence(&presence(4.0, vec![active("s-1", "Ringing")]), 2.0),
            Verdict::Stale
        );
        assert_eq!(
            r.presence(&presence(5.0, vec![]), 2.0),
            Verdict::Stale,
            "the same sequence again"
        );
        assert_eq!(extension(vec![], &r, 0.0)[0].status, Status::Connected);
        let mut other = presence(1.0, vec![active("s-9", "Ringing")]);
        other.extension_id = Some("101".into());
        assert_eq!(r.presence(&other, 3.0), Verdict::Fetch);
        assert_eq!(extension(vec![], &r, 0.0).len(), 2);
    }

    #[test]
    fn an_incomplete_list_ends_nothing_it_does_not_show() {
        let mut r = Reconciler::default();
        r.presence(
            &presence(
                1.0,
                vec![active("s-1", "Ringing"), active("s-2", "Ringing")],
            ),
            1.0,
        );
        // Only the latest of 9 calls listed: the others are not ended for missing.
        let mut p = presence(2.0, vec![active("s-2", "CallConnected")]);
        p.total_active_calls = Some(9.0);
        r.presence(&p, 2.0);
        assert_eq!(extension(vec![], &r, 0.0).len(), 2);
        // Explicitly over: ended.
        let mut p = presence(3.0, vec![active("s-2", "NoCall")]);
        p.total_active_calls = Some(9.0);
        r.presence(&p, 3.0);
        let shown = extension(vec![], &r, 0.0);
        let ended: Vec<bool> = shown.iter().map(|c| c.status.is_ended()).collect();
        assert_eq!(ended, [false, true], "{shown:?}");
    }

    #[test]
    fn an_answer_newer_than_push_keeps_its_own_status_and_unconfirmed_calls_expire() {
        let mut r = Reconciler::default();
        r.presence(&presence(1.0, vec![active("s-1", "Ringing")]), 1.0);
        // The answer came after push spoke: the record's status stands.
        let shown = extension(vec![listed("s-1", "Call connected")], &r, 2.0);
        assert_eq!(shown[0].status, Status::Connected);
        // A pushed call no answer ever confirmed goes after a while; a confirmed one stays while push knows it.
        r.presence(
            &presence(
                2.0,
                vec![active("s-1", "Ringing"), active("s-2", "Ringing")],
            ),
            2.0,
        );
        r.answered(&["s-1".into()], 2.0 + PUSHED_TTL_MS);
        let ids: Vec<_> = r
            .overlay
            .live
            .iter()
            .map(|l| l.telephony_session_id.as_str())
            .collect();
        assert_eq!(ids, ["s-1"]);
    }

    #[test]
    fn junk_in_an_event_is_skipped_never_a_panic() {
        let mut r = Reconciler::default();
        let p = Presence {
            active_calls: Some(vec![
                ActiveCall::default(),
                ActiveCall {
                    telephony_session_id: Some(String::new()),
                    ..ActiveCall::default()
                },
                ActiveCall {
                    telephony_session_id: Some("s-1".into()),
                    start_time: Some("yesterday".into()),
                    telephony_status: Some("Teleporting".into()),
                    direction: Some("Sideways".into()),
                    ..ActiveCall::default()
                },
            ]),
            ..Presence::default()
        };
        assert_eq!(r.presence(&p, 7.0), Verdict::Fetch);
        let shown = extension(vec![], &r, 0.0);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].status, Status::Live("Teleporting".into()));
        assert_eq!(shown[0].start_ms, 7.0);
        assert_eq!(shown[0].direction, Direction::Other("Sideways".into()));
    }

    #[test]
    fn account_wide_events_show_other_extensions_only_in_account_scope() {
        let mut r = Reconciler {
            owner: Some("102".into()),
            ..Reconciler::default()
        };
        r.presence(&presence(1.0, vec![active("s-1", "Ringing")]), 1.0);
        let mut other = presence(1.0, vec![active("s-9", "Ringing")]);
        other.extension_id = Some("103".into());
        r.presence(&other, 2.0);
        let ids = |account| {
            apply(vec![], &r.overlay, 0.0, account, None)
                .iter()
                .map(|c| c.telephony_session_id.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(false), ["s-1"]);
        assert_eq!(ids(true), ["s-1", "s-9"]);
        // Only the user's own calls name our side after the user.
        let names: Vec<_> = apply(vec![], &r.overlay, 0.0, true, Some(&ben()))
            .into_iter()
            .map(|c| c.ours.name)
            .collect();
        assert_eq!(names, [Some("Ben Baker".to_string()), None]);
    }
}
