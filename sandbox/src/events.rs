//! What RingCentral pushes about calls (shared/realtime-and-tabs.md C): an extension's detailed presence and
//! telephony-session party changes. Built from the same simulated calls that active-calls lists, so an event and
//! the next active-calls answer agree. Pure: bodies from calls, no locking, no sockets.

use crate::calls::{Call, Party, Phase};
use crate::clock::{rfc3339, Millis};
use crate::config::User;
use serde_json::{json, Map, Value};

/// `activeCalls` lists at most this many calls: "the latest 7 active calls on extension".
pub const PRESENCE_CALLS: usize = 7;

/// How much a presence filter asks for: `presence`, `?detailedTelephonyState=true`, `…&sipData=true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Basic,
    Detailed,
    WithSip,
}

impl Detail {
    /// Every detail, in the order `Event::Presence` keeps its bodies.
    pub const ALL: [Detail; 3] = [Detail::Basic, Detail::Detailed, Detail::WithSip];

    /// Where this detail's body is in `Event::Presence::bodies`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// What `detailedTelephonyState` and `sipData` ask for; `Err(name)` for a bad value.
    pub fn from_query(p: &crate::params::Params) -> Result<Detail, String> {
        Ok(
            match (p.flag("detailedTelephonyState")?, p.flag("sipData")?) {
                (false, _) => Detail::Basic,
                (true, false) => Detail::Detailed,
                (true, true) => Detail::WithSip,
            },
        )
    }

    /// The query the event's `event` field carries.
    pub fn query(self) -> &'static str {
        match self {
            Detail::Basic => "",
            Detail::Detailed => "?detailedTelephonyState=true",
            Detail::WithSip => "?detailedTelephonyState=true&sipData=true",
        }
    }
}

/// A change, ready to go to every subscription whose filters match it.
#[derive(Debug, Clone)]
pub enum Event {
    /// An extension's presence after its calls changed: one body for each `Detail`.
    Presence {
        extension_id: String,
        bodies: [Value; 3],
    },
    /// One party's status change in a telephony session.
    Session {
        extension_id: String,
        direction: String,
        status: &'static str,
        body: Value,
    },
}

impl Event {
    pub fn extension_id(&self) -> &str {
        match self {
            Event::Presence { extension_id, .. } | Event::Session { extension_id, .. } => {
                extension_id
            }
        }
    }
}

/// Presence's `telephonyStatus` of one call.
pub fn telephony_status(phase: &Phase) -> &'static str {
    match phase {
        Phase::Ringing => "Ringing",
        Phase::Connected { .. } => "CallConnected",
        Phase::Ended { .. } => "NoCall",
    }
}

fn presence_call(c: &Call, sip: bool) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(c.presence_id()));
    m.insert("direction".into(), json!(c.direction));
    if let Some(n) = &c.from.phone_number {
        m.insert("from".into(), json!(n));
    }
    if let Some(n) = &c.from.name {
        m.insert("fromName".into(), json!(n));
    }
    if let Some(n) = &c.to.phone_number {
        m.insert("to".into(), json!(n));
    }
    if let Some(n) = &c.to.name {
        m.insert("toName".into(), json!(n));
    }
    m.insert("telephonyStatus".into(), json!(telephony_status(&c.phase)));
    if sip {
        m.insert(
            "sipData".into(),
            json!({ "toTag": c.presence_id().chars().take(10).collect::<String>(), "fromTag": "10.74.13.130-5070-sandbox",
                    "remoteUri": "-", "localUri": "-" }),
        );
    }
    m.insert("sessionId".into(), json!(c.session_id));
    m.insert("startTime".into(), json!(rfc3339(c.start)));
    m.insert("partyId".into(), json!(c.party_id()));
    m.insert("telephonySessionId".into(), json!(c.telephony_session_id));
    Value::Object(m)
}

/// An extension's presence. `calls` are the extension's calls to list: those live, and those that ended since the
/// last event (listed once more as `NoCall`, as RingCentral does).
pub fn presence_body(user: &User, calls: &[&Call], sequence: u64, detail: Detail) -> Value {
    let live: Vec<&&Call> = calls
        .iter()
        .filter(|c| !matches!(c.phase, Phase::Ended { .. }))
        .collect();
    let status = if live.iter().any(|c| matches!(c.phase, Phase::Ringing)) {
        "Ringing"
    } else if live.is_empty() {
        "NoCall"
    } else {
        "CallConnected"
    };
    let mut m = Map::new();
    // A JSON number, as in RingCentral's sample.
    m.insert(
        "extensionId".into(),
        json!(user.id.parse::<u64>().unwrap_or(0)),
    );
    m.insert("telephonyStatus".into(), json!(status));
    if detail != Detail::Basic {
        let mut listed: Vec<&&Call> = calls.iter().collect();
        listed.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| b.id.cmp(&a.id)));
        let active: Vec<Value> = listed
            .into_iter()
            .take(PRESENCE_CALLS)
            .map(|c| presence_call(c, detail == Detail::WithSip))
            .collect();
        m.insert("activeCalls".into(), Value::Array(active));
    }
    m.insert("sequence".into(), json!(sequence));
    m.insert(
        "presenceStatus".into(),
        json!(if live.is_empty() { "Available" } else { "Busy" }),
    );
    m.insert("userStatus".into(), json!("Available"));
    m.insert("dndStatus".into(), json!("TakeAllCalls"));
    m.insert("meetingStatus".into(), json!("Disconnected"));
    m.insert("allowSeeMyPresence".into(), json!(true));
    m.insert("ringOnMonitoredCall".into(), json!(false));
    m.insert("pickUpCallsOnHold".into(), json!(false));
    if detail != Detail::Basic {
        m.insert("totalActiveCalls".into(), json!(live.len()));
    }
    Value::Object(m)
}

/// The three presence bodies of one moment.
pub fn presence_bodies(user: &User, calls: &[&Call], sequence: u64) -> [Value; 3] {
    Detail::ALL.map(|d| presence_body(user, calls, sequence, d))
}

/// The party statuses a history entry stands for, in order. A call's first entry is its appearance: `Setup`, then
/// `Proceeding` (the samples' first two events), then whatever it already is.
pub fn party_statuses(first: bool, phase: &Phase) -> Vec<&'static str> {
    let mut out = if first {
        vec!["Setup", "Proceeding"]
    } else {
        vec![]
    };
    match phase {
        Phase::Ringing => {}
        Phase::Connected { .. } => out.push("Answered"),
        Phase::Ended { .. } => out.push("Disconnected"),
    }
    out
}

fn telephony_party(p: &Party) -> Value {
    let mut m = Map::new();
    if let Some(n) = &p.phone_number {
        m.insert("phoneNumber".into(), json!(n));
    }
    if let Some(n) = &p.name {
        m.insert("name".into(), json!(n));
    }
    if let Some(n) = &p.extension_id {
        m.insert("extensionId".into(), json!(n));
    }
    Value::Object(m)
}

/// One telephony-session event body: our party's `status` at `at`, with the session's next `sequence`.
pub fn session_body(
    c: &Call,
    account_id: &str,
    status: &'static str,
    sequence: u64,
    at: Millis,
) -> Value {
    let answered = c
        .history
        .iter()
        .any(|(_, p)| matches!(p, Phase::Connected { .. }));
    let missed = status == "Disconnected" && c.direction == "Inbound" && !answered;
    json!({
        "sequence": sequence,
        "sessionId": c.session_id,
        "telephonySessionId": c.telephony_session_id,
        "serverId": "10.13.22.243.TAM",
        "eventTime": rfc3339(at),
        "parties": [{
            "accountId": account_id,
            "extensionId": c.extension_id,
            "id": c.party_id(),
            "direction": c.direction,
            "to": telephony_party(&c.to),
            "from": telephony_party(&c.from),
            "status": { "code": status, "rcc": false },
            "park": {},
            "missedCall": missed,
            "standAlone": false,
            "muted": false,
        }],
        "origin": { "type": "Call" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::World;

    fn call(id: &str, start: Millis, phase: Phase) -> Call {
        let w = World::default();
        let me = Party::of_user(&w.account.users[0]);
        Call {
            id: id.into(),
            session_id: "45561702004".into(),
            telephony_session_id: format!("s-{id}"),
            extension_id: w.account.users[0].id.clone(),
            start,
            direction: "Inbound".into(),
            call_type: "Voice".into(),
            action: "Phone Call".into(),
            transport: "PSTN".into(),
            from: Party {
                name: Some("Northwind".into()),
                phone_number: Some("+12125550143".into()),
                ..Default::default()
            },
            to: me,
            history: vec![(start, phase.clone())],
            phase,
            marks: Default::default(),
            result_override: None,
        }
    }

    #[test]
    fn detailed_presence_lists_the_latest_seven_and_counts_the_live() {
        let w = World::default();
        let calls: Vec<Call> = (0..9)
            .map(|i| call(&format!("C{i}"), 1_000 + i, Phase::Ringing))
            .collect();
        let refs: Vec<&Call> = calls.iter().collect();
        let body = presence_body(&w.account.users[0], &refs, 4, Detail::Detailed);
        assert_eq!(body["telephonyStatus"], "Ringing");
        assert_eq!(body["totalActiveCalls"], 9);
        assert_eq!(body["sequence"], 4);
        assert_eq!(body["extensionId"], json!(400_618_687_101u64));
        let listed = body["activeCalls"].as_array().map(Vec::len);
        assert_eq!(listed, Some(PRESENCE_CALLS));
        // Newest first, and named by an id of their own, joined by telephonySessionId.
        assert_eq!(body["activeCalls"][0]["telephonySessionId"], "s-C8");
        assert_ne!(body["activeCalls"][0]["id"], "C8");
        assert_eq!(body["activeCalls"][0]["from"], "+12125550143");
        assert_eq!(body["activeCalls"][0]["fromName"], "Northwind");
        assert_eq!(body["activeCalls"][0]["toName"], "Ada Admin");
        assert!(body["activeCalls"][0].get("sipData").is_none());
        let sip = presence_body(&w.account.users[0], &refs, 4, Detail::WithSip);
        assert!(sip["activeCalls"][0].get("sipData").is_some());
        let basic = presence_body(&w.account.users[0], &refs, 4, Detail::Basic);
        assert!(basic.get("activeCalls").is_none());
    }

    #[test]
    fn an_ended_call_is_listed_once_more_as_nocall() {
        let w = World::default();
        let ended = Phase::Ended {
            ended_at: 9_000,
            result: "Missed".into(),
            reason: None,
            reason_description: None,
        };
        let c = call("E1", 1_000, ended);
        let body = presence_body(&w.account.users[0], &[&c], 2, Detail::Detailed);
        assert_eq!(body["telephonyStatus"], "NoCall");
        assert_eq!(body["totalActiveCalls"], 0);
        assert_eq!(body["activeCalls"][0]["telephonyStatus"], "NoCall");
        assert_eq!(body["presenceStatus"], "Available");
    }

    #[test]
    fn party_statuses_follow_the_samples() {
        assert_eq!(
            party_statuses(true, &Phase::Ringing),
            ["Setup", "Proceeding"]
        );
        assert_eq!(
            party_statuses(true, &Phase::Connected { answered_at: 0 }),
            ["Setup", "Proceeding", "Answered"]
        );
        assert_eq!(
            party_statuses(false, &Phase::Connected { answered_at: 0 }),
            ["Answered"]
        );
        let ended = Phase::Ended {
            ended_at: 0,
            result: "Accepted".into(),
            reason: None,
            reason_description: None,
        };
        assert_eq!(party_statuses(false, &ended), ["Disconnected"]);
    }

    #[test]
    fn a_missed_inbound_call_disconnects_as_missed() {
        let mut c = call("M1", 1_000, Phase::Ringing);
        let ended = Phase::Ended {
            ended_at: 9_000,
            result: "Missed".into(),
            reason: None,
            reason_description: None,
        };
        c.set_phase(9_000, ended);
        let b = session_body(&c, "400618687004", "Disconnected", 3, 9_000);
        assert_eq!(b["parties"][0]["missedCall"], true);
        assert_eq!(b["parties"][0]["status"]["code"], "Disconnected");
        assert_eq!(b["parties"][0]["id"], "p-M1-1");
        assert_eq!(b["sequence"], 3);
        assert_eq!(b["origin"]["type"], "Call");
        assert_eq!(b["eventTime"], "1970-01-01T00:00:09.000Z");
    }
}
