//! How calls read in the panel: pure text, so the wording is tested natively.

use crate::api::model::{CallRecord, Direction, Party};
use crate::time::parse_rfc3339;

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Ringing,
    Connected,
    /// Still live, with a `result` this build does not know.
    Live(String),
    /// Ended, with its final result.
    Ended(String),
}

impl Status {
    pub fn is_ended(&self) -> bool {
        matches!(self, Status::Ended(_))
    }
    pub fn label(&self) -> String {
        match self {
            Status::Ringing => "Ringing".into(),
            Status::Connected => "Connected".into(),
            Status::Live(r) => r.clone(),
            // "Ended" is said by the row (greyed, "ended 2 min ago"): the pill keeps the result.
            Status::Ended(r) => r.clone(),
        }
    }
    /// Where a call stands in the list: ringing first (someone is waiting), then the calls going on, then those
    /// ended; the same groups as `css`.
    pub fn rank(&self) -> u8 {
        match self {
            Status::Ringing => 0,
            Status::Connected | Status::Live(_) => 1,
            Status::Ended(_) => 2,
        }
    }
    pub fn css(&self) -> &'static str {
        match self {
            Status::Ringing => "ringing",
            Status::Connected | Status::Live(_) => "connected",
            Status::Ended(_) => "ended",
        }
    }
}

/// A call as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub id: String,
    pub session_id: Option<String>,
    pub telephony_session_id: Option<String>,
    pub direction: Direction,
    /// The other party: `from` for inbound calls, `to` for outbound.
    pub remote: Party,
    /// Our side.
    pub ours: Party,
    pub status: Status,
    /// RingCentral's `result` text, as sent.
    pub result: Option<String>,
    /// RingCentral's `startTime`, as sent (a valid RFC 3339 time).
    pub start_time: String,
    pub start_ms: f64,
    /// Seconds, once the call has ended.
    pub final_duration: Option<f64>,
    pub extension_id: Option<String>,
    pub unknown_values: bool,
}

/// The id of a row push showed before any answer listed the call.
pub const PUSHED_PREFIX: &str = "push:";

impl CallView {
    /// The same call, though its row may have been renamed: a call push showed first has no record id yet
    /// (`push:<telephonySessionId>`, see `feed::reconcile`) and takes the record's when an answer lists it. Only
    /// such a row matches by telephony session: two records of one session are two parties (a transfer, a
    /// conference, each extension's leg in account scope), each a call of its own.
    pub fn same_call(&self, other: &CallView) -> bool {
        let pushed = self.id.starts_with(PUSHED_PREFIX) || other.id.starts_with(PUSHED_PREFIX);
        self.id == other.id
            || (pushed
                && self
                    .telephony_session_id
                    .as_ref()
                    .is_some_and(|t| other.telephony_session_id.as_ref() == Some(t)))
    }

    /// `None` when the record has no usable start time (counted as unreadable).
    pub fn from_record(r: CallRecord) -> Option<CallView> {
        let start_ms = parse_rfc3339(&r.start_time)?;
        if r.id.is_empty() {
            return None;
        }
        let unknown_values = r.has_unknown_values();
        let live_duration = matches!(r.duration, None | Some(0.0));
        let result = r.result.as_ref();
        let in_progress = result.is_none_or(|k| k.is("In Progress"));
        let status = match result {
            _ if in_progress && live_duration && r.reason.is_none() => Status::Ringing,
            _ if in_progress && live_duration => Status::Connected,
            // The widgets mock lists a live call as "Call connected" with duration 0.
            Some(k) if k.is("Call connected") && live_duration => Status::Connected,
            Some(k) if !k.known && live_duration => Status::Live(k.text.clone()),
            _ => Status::Ended(result.map_or("Ended", |k| k.text.as_str()).to_string()),
        };
        let final_duration = if status.is_ended() {
            r.duration.filter(|d| d.is_finite() && *d >= 0.0)
        } else {
            None
        };
        let (remote, ours) = match r.direction {
            Direction::Outbound => (r.to, r.from),
            _ => (r.from, r.to),
        };
        let result_text = result.map(|k| k.text.clone());
        Some(CallView {
            result: result_text,
            start_time: r.start_time,
            id: r.id,
            session_id: r.session_id,
            telephony_session_id: r.telephony_session_id,
            direction: r.direction,
            remote,
            ours,
            status,
            start_ms,
            final_duration,
            extension_id: r.extension_id,
            unknown_values,
        })
    }

    /// Seconds on the call at `now` (browser time), with `skew_ms` = server clock − browser clock.
    pub fn seconds(&self, now: f64, skew_ms: f64) -> u64 {
        elapsed_secs(self.start_ms, self.final_duration, now, skew_ms)
    }
}

/// A call's seconds so far (`fixed`: RingCentral's final duration, once it has one); `skew_ms` corrects this
/// machine's clock to RingCentral's.
pub fn elapsed_secs(start_ms: f64, fixed: Option<f64>, now: f64, skew_ms: f64) -> u64 {
    match fixed {
        Some(d) => d as u64,
        None => ((now + skew_ms - start_ms) / 1000.0).max(0.0) as u64,
    }
}

/// `0:07`, `12:34`, `1:02:03`.
pub fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `Inbound`/`Outbound`, or RingCentral's text for a value we do not know, with an arrow for sighted users.
pub fn direction(d: &Direction) -> (&'static str, String) {
    match d {
        Direction::Inbound => ("↙", "Inbound".into()),
        Direction::Outbound => ("↗", "Outbound".into()),
        Direction::Other(t) if visible(t) => ("•", t.clone()),
        Direction::Other(_) => ("•", "Unknown".into()),
    }
}

fn clean(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| visible(s))
}

/// Text with something to see: not only spaces, controls and invisible format characters (zero-width spaces and
/// joiners, bidi marks and overrides, the BOM), which would make a blank name.
pub fn visible(s: &str) -> bool {
    s.chars().any(|c| {
        !c.is_whitespace()
            && !c.is_control()
            && !matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
    })
}

/// The party's name, else number (grouped), else extension, else "Unknown".
pub fn party_name(p: &Party) -> String {
    clean(&p.name)
        .map(str::to_string)
        .or_else(|| clean(&p.phone_number).map(crate::phone::grouped))
        .or_else(|| clean(&p.extension_number).map(|e| format!("Ext. {e}")))
        .unwrap_or_else(|| "Unknown".into())
}

/// The party's phone number when it is all there is to show of them (no name): shown as a number, on one line.
pub fn number_only(p: &Party) -> Option<&str> {
    clean(&p.name)
        .is_none()
        .then(|| clean(&p.phone_number))
        .flatten()
}

/// The second line under a name, when the name is not already the number.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// The number as shown (grouped), and as a `tel:` link dials it when it is E.164.
    pub number: Option<(String, Option<String>)>,
    pub location: Option<String>,
}

impl Detail {
    /// The line as text: `+1 650-436-6666 · San Mateo, CA`.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = [
            self.number.as_ref().map(|n| n.0.as_str()),
            self.location.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(" · ")
    }
}

/// A phone number as shown (grouped) and as a `tel:` link dials it (when it is E.164).
pub fn shown_number(n: &str) -> (String, Option<String>) {
    (
        crate::phone::grouped(n),
        crate::phone::e164(n).map(str::to_string),
    )
}

/// The number (and location) under a name.
pub fn party_detail(p: &Party) -> Option<Detail> {
    let name = clean(&p.name)?;
    let phone = clean(&p.phone_number);
    let number = phone
        .or(clean(&p.extension_number))
        .filter(|n| *n != name)
        .map(|n| match phone {
            Some(_) => shown_number(n),
            // An extension number, as it is.
            None => (n.to_string(), None),
        });
    let location = clean(&p.location)
        .map(|l| l.trim_start_matches([',', ' ']).to_string())
        .filter(|l| !l.is_empty());
    (number.is_some() || location.is_some()).then_some(Detail { number, location })
}

/// Our side: a name with its extension number, when known.
pub fn our_side(p: &Party) -> String {
    match (clean(&p.name), clean(&p.extension_number)) {
        // A no-break space: "(ext. 102)" stays on one line when a narrow column wraps the name.
        (Some(n), Some(e)) => format!("{n} (ext.\u{a0}{e})"),
        _ => party_name(p),
    }
}

/// The sentence the status region announces when a call appears.
pub fn started_sentence(c: &CallView) -> String {
    let who = party_name(&c.remote);
    match c.direction {
        Direction::Outbound => format!("Outgoing call to {who}"),
        Direction::Inbound => format!("Incoming call from {who}"),
        Direction::Other(_) => format!("New call with {who}"),
    }
}

pub fn ended_sentence(c: &CallView) -> String {
    format!("Call with {} ended", party_name(&c.remote))
}

/// A call that came through a call queue: RingCentral names its caller `"<queue> - <caller>"` (captured in
/// tylerlong/active-calls-demo: `"Tyler's call queue - WIRELESS CALLER"`). Inbound calls only; `(queue, caller)`.
pub fn via_queue(c: &CallView) -> Option<(&str, &str)> {
    if c.direction != Direction::Inbound {
        return None;
    }
    let (queue, caller) = clean(&c.remote.name)?.split_once(" - ")?;
    let (queue, caller) = (queue.trim(), caller.trim());
    (!queue.is_empty() && !caller.is_empty()).then_some((queue, caller))
}

/// "just now", "5 s ago", "3 min ago".
pub fn ago(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0) as u64;
    match s {
        0..=1 => "just now".into(),
        2..=59 => format!("{s} s ago"),
        _ => format!("{} min ago", s / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::tests::{json, WIDGETS_MOCK};
    use crate::api::model::CallLogPage;

    #[test]
    fn invisible_and_huge_names() {
        let party = |name: String| {
            crate::api::model::Party::read(Some(json(
                &serde_json::json!({"name": name, "phoneNumber": "+14155550100"}).to_string(),
            )))
        };
        // Only zero-width and bidi characters: the number is shown instead of a blank.
        assert_eq!(
            party("\u{200B}\u{202E}\u{FEFF} ".into()).name.map(|_| ()),
            Some(())
        );
        assert_eq!(
            party_name(&party("\u{200B}\u{202E}\u{FEFF} ".into())),
            "+1 415-555-0100"
        );
        assert_eq!(party_name(&party("👩‍👩‍👧‍👦".into())), "👩‍👩‍👧‍👦");
        let long = party_name(&party("é".repeat(100_000)));
        assert_eq!(long.chars().count(), crate::api::model::MAX_NAME_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    fn record(json_fields: &str) -> CallRecord {
        let json = format!(
            r#"{{"id":"c1","startTime":"2021-01-19T23:58:57.000Z","direction":"Inbound",
               "from":{{"name":"WIRELESS CALLER","phoneNumber":"+16504366666","location":"San Mateo, CA"}},
               "to":{{"name":"Tyler Liu","extensionNumber":"101"}}{json_fields}}}"#
        );
        CallRecord::read(&crate::api::model::tests::json(&json)).unwrap()
    }

    fn view(fields: &str) -> CallView {
        CallView::from_record(record(fields)).unwrap()
    }

    #[test]
    fn statuses_through_a_call_life() {
        assert_eq!(view(r#","result":"In Progress""#).status, Status::Ringing);
        assert_eq!(
            view(r#","result":"In Progress","reason":"Accepted""#).status,
            Status::Connected
        );
        assert_eq!(
            view(r#","result":"Call connected","duration":0"#).status,
            Status::Connected
        );
        let ended = view(r#","result":"Accepted","reason":"Accepted","duration":10"#);
        assert_eq!(ended.status, Status::Ended("Accepted".into()));
        assert_eq!(ended.status.label(), "Accepted");
        assert_eq!(
            view(r#","result":"Missed","duration":0"#).status,
            Status::Ended("Missed".into())
        );
        assert_eq!(
            view(r#","result":"Teleported""#).status,
            Status::Live("Teleported".into())
        );
        assert_eq!(
            view(r#","result":"Teleported","duration":3"#).status,
            Status::Ended("Teleported".into())
        );
    }

    #[test]
    fn durations_tick_from_start_corrected_for_skew() {
        let live = view(r#","result":"In Progress""#);
        let start = 1_611_100_737_000.0;
        assert_eq!(live.seconds(start + 65_400.0, 0.0), 65);
        // The browser's clock is 30 s behind the server's.
        assert_eq!(live.seconds(start + 65_400.0, 30_000.0), 95);
        // A browser clock ahead of the server's never shows a negative duration.
        assert_eq!(live.seconds(start - 5_000.0, 0.0), 0);
        let ended = view(r#","result":"Accepted","duration":10"#);
        assert_eq!(ended.seconds(start + 999_999.0, 0.0), 10);
        assert_eq!(duration(7), "0:07");
        assert_eq!(duration(754), "12:34");
        assert_eq!(duration(3723), "1:02:03");
    }

    #[test]
    fn parties_by_direction() {
        let v = view(r#","result":"In Progress""#);
        assert_eq!(party_name(&v.remote), "WIRELESS CALLER");
        let detail = party_detail(&v.remote).unwrap();
        assert_eq!(detail.text(), "+1 650-436-6666 · San Mateo, CA");
        assert_eq!(detail.number.unwrap().1.as_deref(), Some("+16504366666"));
        assert_eq!(our_side(&v.ours), "Tyler Liu (ext.\u{a0}101)");
        // A name that is the number itself says it once.
        let same = Party {
            name: Some("+16504366666".into()),
            phone_number: Some("+16504366666".into()),
            ..Default::default()
        };
        assert_eq!(party_detail(&same), None);
        let out =
            CallView::from_record(record(r#","result":"In Progress""#).clone()).map(|mut v| {
                v.direction = Direction::Outbound;
                v
            });
        assert_eq!(
            out.map(|v| started_sentence(&v)),
            Some("Outgoing call to WIRELESS CALLER".into())
        );
        assert_eq!(party_name(&Party::default()), "Unknown");
        let odd = Party {
            name: Some("  ".into()),
            phone_number: Some("(866)123-4567".into()),
            location: Some(", CO".into()),
            ..Default::default()
        };
        assert_eq!(party_name(&odd), "(866)123-4567");
        assert_eq!(
            party_detail(&Party {
                name: Some("A".into()),
                location: Some(", CO".into()),
                ..Default::default()
            })
            .map(|d| d.text())
            .as_deref(),
            Some("CO")
        );
    }

    #[test]
    fn a_record_without_a_readable_start_time_is_unreadable() {
        let mut r = record("");
        r.start_time = "yesterday".into();
        assert_eq!(CallView::from_record(r), None);
    }

    #[test]
    fn the_widgets_mock_outbound_call() {
        let p = CallLogPage::read(&json(WIDGETS_MOCK)).unwrap();
        let v = CallView::from_record(p.records[0].clone()).unwrap();
        assert_eq!(party_name(&v.remote), "John Smith");
        assert_eq!(our_side(&v.ours), "Jane Smith");
        assert_eq!(v.status, Status::Connected);
        assert_eq!(v.session_id.as_deref(), Some("403402173004"));
    }

    #[test]
    fn a_queue_is_read_from_an_inbound_callers_name() {
        let page = |dir: &str, name: &str| {
            let j = serde_json::json!({"records": [{"id": "q", "startTime": "2021-01-19T23:58:57.000Z",
                "direction": dir, "result": "In Progress", "from": {"name": name, "phoneNumber": "+16504366666"},
                "to": {"name": "Tyler Liu"}}]});
            let p = CallLogPage::read(&json(&j.to_string())).unwrap();
            CallView::from_record(p.records[0].clone()).unwrap()
        };
        let c = page("Inbound", "Tyler's call queue - WIRELESS CALLER");
        assert_eq!(
            via_queue(&c),
            Some(("Tyler's call queue", "WIRELESS CALLER"))
        );
        assert_eq!(via_queue(&page("Inbound", "Ada Lovelace")), None);
        assert_eq!(via_queue(&page("Inbound", " - Ada")), None);
        assert_eq!(via_queue(&page("Outbound", "Sales Line - Ada")), None);
    }

    #[test]
    fn ago_wording() {
        assert_eq!(ago(400.0), "just now");
        assert_eq!(ago(5_000.0), "5 s ago");
        assert_eq!(ago(185_000.0), "3 min ago");
    }
}
