//! Calls as the sandbox keeps them, and their rendering as RingCentral call-log records (Simple view,
//! ringcentral-api.md 2.3), with the quirks real records have: no `duration` while live, `result: "In Progress"`
//! while ringing and while connected, `reason` only once answered, `extension.id` a JSON number, partial parties.

use crate::clock::{rfc3339, Millis};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Party {
    /// Our side of a call: the extension's name, direct number, extension number and id.
    pub fn of_user(user: &crate::config::User) -> Party {
        Party {
            name: Some(user.name()),
            phone_number: Some(user.phone_number.clone()),
            extension_number: Some(user.extension_number.clone()),
            extension_id: Some(user.id.clone()),
            location: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Ringing,
    Connected {
        answered_at: Millis,
    },
    Ended {
        ended_at: Millis,
        result: String,
        reason: Option<String>,
        reason_description: Option<String>,
    },
}

/// A call's event bookkeeping: how many `history` entries were published, and the telephony session's
/// `sequence` (it grows with every party event).
#[derive(Debug, Clone, Default)]
pub struct EventMarks {
    pub published: usize,
    pub sequence: u64,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub id: String,
    pub session_id: String,
    pub telephony_session_id: String,
    /// The extension this call belongs to.
    pub extension_id: String,
    pub start: Millis,
    pub direction: String,
    pub call_type: String,
    pub action: String,
    pub transport: String,
    pub from: Party,
    pub to: Party,
    /// Where the call is now; change it with `set_phase`, which keeps the history.
    pub phase: Phase,
    /// Every phase with the sandbox time it began, oldest first (the last is `phase`). Events are published from it,
    /// and active-calls reads it as of an earlier time to model RingCentral's lagging cache.
    pub history: Vec<(Millis, Phase)>,
    /// What has been published about the call so far.
    pub marks: EventMarks,
    /// Replaces `result` while live (control API, to test unknown values).
    pub result_override: Option<String>,
}

pub const ACCEPTED_DESCRIPTION: &str = "The call connected to and was accepted by this number.";

impl Call {
    pub fn ended_at(&self) -> Option<Millis> {
        match self.phase {
            Phase::Ended { ended_at, .. } => Some(ended_at),
            _ => None,
        }
    }

    pub fn set_phase(&mut self, at: Millis, phase: Phase) {
        self.history.push((at, phase.clone()));
        self.phase = phase;
    }

    /// The phase the call was in at `t`, or `None` if it had not begun.
    pub fn phase_at(&self, t: Millis) -> Option<&Phase> {
        match self.history.iter().rev().find(|(at, _)| *at <= t) {
            Some((_, p)) => Some(p),
            None if self.history.is_empty() => Some(&self.phase),
            None => None,
        }
    }

    /// The party id RingCentral gives our side of the call in presence and telephony-session events.
    pub fn party_id(&self) -> String {
        format!("p-{}-1", self.telephony_session_id.trim_start_matches("s-"))
    }

    /// Presence events name a call by an id of their own, not the call-log id (RingCentral's do too), so clients
    /// must join on `telephonySessionId`. Derived from the call id (FNV-1a), so it is stable.
    pub fn presence_id(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.id.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        let base36 = |mut n: u64| {
            let mut digits = vec![];
            while n > 0 {
                digits.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
                n /= 36;
            }
            digits.into_iter().rev().collect::<String>()
        };
        let mut s = base36(h) + &base36(h.rotate_left(29) ^ 0x9E37_79B9_7F4A_7C15);
        s.truncate(20);
        s
    }

    /// The record as `GET …/active-calls?view=Simple` lists it. `base` is the server's public URL.
    pub fn record(&self, base: &str, account_id: &str, detailed: bool) -> Value {
        self.render(&self.phase, base, account_id, detailed)
    }

    /// The record in `phase` (see `phase_at`: what a cache that lags behind lists).
    pub fn render(&self, phase: &Phase, base: &str, account_id: &str, detailed: bool) -> Value {
        let view = if detailed { "Detailed" } else { "Simple" };
        let mut r = Map::new();
        r.insert(
            "uri".into(),
            json!(format!(
                "{base}/restapi/v1.0/account/{account_id}/extension/{}/call-log/{}?view={view}",
                self.extension_id, self.id
            )),
        );
        r.insert("id".into(), json!(self.id));
        r.insert("sessionId".into(), json!(self.session_id));
        r.insert(
            "telephonySessionId".into(),
            json!(self.telephony_session_id),
        );
        r.insert("startTime".into(), json!(rfc3339(self.start)));
        r.insert("type".into(), json!(self.call_type));
        r.insert("direction".into(), json!(self.direction));
        r.insert("action".into(), json!(self.action));
        let live_result = self
            .result_override
            .clone()
            .unwrap_or_else(|| "In Progress".into());
        match phase {
            Phase::Ringing => {
                r.insert("result".into(), json!(live_result));
            }
            Phase::Connected { .. } => {
                r.insert("result".into(), json!(live_result));
                r.insert("reason".into(), json!("Accepted"));
                r.insert("reasonDescription".into(), json!(ACCEPTED_DESCRIPTION));
            }
            Phase::Ended {
                ended_at,
                result,
                reason,
                reason_description,
            } => {
                let ms = (ended_at - self.start).max(0);
                r.insert("duration".into(), json!(ms / 1000));
                r.insert("durationMs".into(), json!(ms));
                r.insert("result".into(), json!(result));
                if let Some(reason) = reason {
                    r.insert("reason".into(), json!(reason));
                }
                if let Some(d) = reason_description {
                    r.insert("reasonDescription".into(), json!(d));
                }
            }
        }
        r.insert("to".into(), json!(self.to));
        r.insert("from".into(), json!(self.from));
        r.insert(
            "extension".into(),
            json!({
                "uri": format!("{base}/restapi/v1.0/account/{account_id}/extension/{}", self.extension_id),
                // A JSON number here, unlike every other id (ringcentral-api.md 2.3).
                "id": self.extension_id.parse::<u64>().unwrap_or(0),
            }),
        );
        r.insert("transport".into(), json!(self.transport));
        if detailed {
            r.insert(
                "lastModifiedTime".into(),
                json!(rfc3339(match phase {
                    Phase::Ended { ended_at, .. } => *ended_at,
                    _ => self.start,
                })),
            );
            r.insert("legs".into(), json!([]));
        }
        Value::Object(r)
    }
}

/// Query filters of the active-calls endpoints (each multi-valued as repeated keys).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub direction: Vec<String>,
    pub call_type: Vec<String>,
    pub transport: Vec<String>,
}

impl Filter {
    pub fn matches(&self, c: &Call) -> bool {
        let ok = |allowed: &Vec<String>, v: &String| allowed.is_empty() || allowed.contains(v);
        ok(&self.direction, &c.direction)
            && ok(&self.call_type, &c.call_type)
            && ok(&self.transport, &c.transport)
    }
}

/// One page of a `CallLogResponse` (ringcentral-api.md 2.2). `list_path` is the endpoint path without query;
/// `extra_query` is the query the caller gave apart from paging, kept in navigation links.
pub fn page_response(
    total: usize,
    record: impl Fn(usize) -> Value,
    page: usize,
    per_page: usize,
    base: &str,
    list_path: &str,
    extra_query: &str,
) -> Value {
    let total_pages = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page);
    // Only this page's records are rendered: a list of 5 000 calls asked for in pages of 1 000.
    let slice: Vec<Value> = (start.min(total)..start.saturating_add(per_page).min(total))
        .map(record)
        .collect();
    let link = |p: usize| {
        let sep = if extra_query.is_empty() {
            String::new()
        } else {
            format!("{extra_query}&")
        };
        json!({ "uri": format!("{base}{list_path}?{sep}page={p}&perPage={per_page}") })
    };
    let mut paging = Map::new();
    paging.insert("page".into(), json!(page));
    paging.insert("totalPages".into(), json!(total_pages));
    paging.insert("perPage".into(), json!(per_page));
    paging.insert("totalElements".into(), json!(total));
    if !slice.is_empty() {
        paging.insert("pageStart".into(), json!(start));
        paging.insert("pageEnd".into(), json!(start + slice.len() - 1));
    }
    let mut nav = Map::new();
    nav.insert("firstPage".into(), link(1));
    if page < total_pages {
        nav.insert("nextPage".into(), link(page + 1));
    }
    if page > 1 {
        nav.insert("previousPage".into(), link(page - 1));
    }
    nav.insert("lastPage".into(), link(total_pages));
    let self_uri = link(page)["uri"].clone();
    json!({ "uri": self_uri, "records": slice, "paging": paging, "navigation": nav })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(phase: Phase) -> Call {
        Call {
            id: "LIef14l8Nt_1zUA".into(),
            session_id: "538332041016".into(),
            telephony_session_id: "s-8f8125f1aeb944f486531c351a2f520e".into(),
            extension_id: "234567".into(),
            start: 1_611_100_737_000,
            direction: "Inbound".into(),
            call_type: "Voice".into(),
            action: "Phone Call".into(),
            transport: "PSTN".into(),
            from: Party {
                name: Some("WIRELESS CALLER".into()),
                phone_number: Some("+16504366666".into()),
                ..Default::default()
            },
            to: Party {
                name: Some("Tyler Liu".into()),
                ..Default::default()
            },
            history: vec![(1_611_100_737_000, phase.clone())],
            phase,
            marks: Default::default(),
            result_override: None,
        }
    }

    #[test]
    fn ringing_record_is_in_progress_without_reason_or_duration() {
        let r = call(Phase::Ringing).record("https://p", "123456", false);
        assert_eq!(r["result"], "In Progress");
        assert!(r.get("reason").is_none() && r.get("duration").is_none());
        assert_eq!(r["startTime"], "2021-01-19T23:58:57.000Z");
        assert_eq!(r["extension"]["id"], json!(234567));
        assert_eq!(
            r["uri"],
            "https://p/restapi/v1.0/account/123456/extension/234567/call-log/LIef14l8Nt_1zUA?view=Simple"
        );
        assert!(
            r["to"].get("phoneNumber").is_none(),
            "party fields stay partial"
        );
    }

    #[test]
    fn answered_and_ended_records() {
        let r = call(Phase::Connected { answered_at: 0 }).record("https://p", "1", false);
        assert_eq!(
            (r["result"].as_str(), r["reason"].as_str()),
            (Some("In Progress"), Some("Accepted"))
        );
        let ended = Phase::Ended {
            ended_at: 1_611_100_747_500,
            result: "Accepted".into(),
            reason: Some("Accepted".into()),
            reason_description: Some(ACCEPTED_DESCRIPTION.into()),
        };
        let r = call(ended).record("https://p", "1", false);
        assert_eq!(
            (r["duration"].as_i64(), r["durationMs"].as_i64()),
            (Some(10), Some(10_500))
        );
        assert_eq!(r["result"], "Accepted");
    }

    #[test]
    fn paging_and_navigation() {
        let recs: Vec<Value> = (0..5).map(|i| json!({ "id": i })).collect();
        let p = page_response(
            5,
            |i| recs[i].clone(),
            2,
            2,
            "http://s",
            "/x",
            "view=Simple",
        );
        assert_eq!(p["records"], json!([{ "id": 2 }, { "id": 3 }]));
        assert_eq!(p["paging"]["pageStart"], 2);
        assert_eq!(p["paging"]["pageEnd"], 3);
        assert_eq!(p["paging"]["totalPages"], 3);
        assert_eq!(
            p["navigation"]["nextPage"]["uri"],
            "http://s/x?view=Simple&page=3&perPage=2"
        );
        assert_eq!(
            p["navigation"]["previousPage"]["uri"],
            "http://s/x?view=Simple&page=1&perPage=2"
        );
        let empty = page_response(0, |_| unreachable!(), 1, 100, "http://s", "/x", "");
        assert!(empty["paging"].get("pageStart").is_none());
        assert_eq!(empty["records"], json!([]));
        assert_eq!(empty["uri"], "http://s/x?page=1&perPage=100");
    }
}
