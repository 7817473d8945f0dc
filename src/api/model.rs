//! RingCentral's JSON, read leniently (ringcentral-api.md 2.2–2.4): unknown enum values are kept as text, optional
//! fields may be missing or of a surprising type (then they read as absent), and a record without the fields a call
//! needs (`id`, `startTime`, `direction`) is skipped and counted without hiding the others.

use super::json::{Json, Source};
use super::lenient;
use crate::time::parse_rfc3339;
use serde::Deserialize;

/// An enum RingCentral may extend: a known value, or the text of one we do not know yet.
macro_rules! lenient_enum {
    ($name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name { $($variant,)* Other(String) }

        impl $name {
            pub fn parse(s: &str) -> Self {
                match s { $($text => $name::$variant,)* other => $name::Other(other.to_string()) }
            }
            pub fn as_str(&self) -> &str {
                match self { $($name::$variant => $text,)* $name::Other(s) => s }
            }
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }
    };
}

lenient_enum!(Direction { Inbound = "Inbound", Outbound = "Outbound" });
lenient_enum!(CallType { Voice = "Voice", Fax = "Fax" });
lenient_enum!(Transport { Pstn = "PSTN", Voip = "VoIP" });

/// A value from one of RingCentral's long, growing lists (`result`, `action`, `reason`): kept as its text, and
/// checked against the values known when this was written. A table, not an enum: the panel shows these as text
/// and only needs to know "In Progress" and whether a value is new.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub text: String,
    pub known: bool,
}

impl Known {
    fn new(text: String, list: &[&str]) -> Known {
        let known = list.contains(&text.as_str());
        Known { text, known }
    }
    pub fn is(&self, s: &str) -> bool {
        self.text == s
    }
}

/// `result`, current list (ringcentral-api.md 2.3).
pub const RESULTS: &[&str] = &[
    "911",
    "933",
    "Abandoned",
    "Accepted",
    "Answered Not Accepted",
    "Blocked",
    "Busy",
    "Call Failed",
    "Call Failure",
    "Call connected",
    "Carrier is not active",
    "Declined",
    "EDGE trunk misconfigured",
    "Fax Not Sent",
    "Fax Partially Sent",
    "Fax Poor Line",
    "Fax Receipt Error",
    "Fax on Demand",
    "Hang Up",
    "IP Phone Offline",
    "In Progress",
    "Internal Error",
    "International Disabled",
    "International Restricted",
    "Missed",
    "No Answer",
    "No Calling Credit",
    "Not Allowed",
    "Partial Receive",
    "Phone Login",
    "Receive Error",
    "Received",
    "Rejected",
    "Reply",
    "Restricted Number",
    "Send Error",
    "Sent",
    "Sent to Voicemail",
    "Stopped",
    "Suspended account",
    "Unknown",
    "Voicemail",
    "Wrong Number",
    "Answered Elsewhere",
    "Callback requested",
];

/// `action`, current list.
pub const ACTIONS: &[&str] = &[
    "Accept Call",
    "Barge In Call",
    "Call Park",
    "Call Return",
    "CallOut-CallMe",
    "Calling Card",
    "Conference Call",
    "E911 Update",
    "Emergency",
    "External Application",
    "FindMe",
    "FollowMe",
    "FreeSPDL",
    "Hunting",
    "Incoming Fax",
    "Monitoring",
    "Move",
    "Outgoing Fax",
    "Paging",
    "Park Location",
    "Phone Call",
    "Phone Login",
    "Pickup",
    "RC Meetings",
    "Ring Directly",
    "RingMe",
    "RingOut Mobile",
    "RingOut PC",
    "RingOut Web",
    "Sip Forwarding",
    "Support",
    "Text Relay",
    "Transfer",
    "Unknown",
    "VoIP Call",
    "VoiceChat Call",
];

/// `reason`, current list (and the 2021 spec's "line Busy").
pub const REASONS: &[&str] = &[
    "Accepted",
    "Bad Number",
    "Call Loop",
    "Calls Not Accepted",
    "Carrier is not active",
    "Connected",
    "Customer 611 Restricted",
    "EDGE trunk misconfigured",
    "Emergency Address not defined",
    "Failed Try Again",
    "Fax Not Received",
    "Fax Not Sent",
    "Fax Partially Sent",
    "Fax Poor Line",
    "Fax Prepare Error",
    "Fax Save Error",
    "Fax Send Error",
    "Hang Up",
    "Info 411 Restricted",
    "Internal Call Error",
    "Internal Error",
    "International Disabled",
    "International Restricted",
    "Line Busy",
    "line Busy",
    "Max Call Limit",
    "No Answer",
    "No Credit",
    "No Digital Line",
    "Not Answered",
    "Number Blocked",
    "Number Disabled",
    "Number Not Allowed",
    "Receive Error",
    "Resource Error",
    "Restricted Number",
    "Stopped",
    "Too Many Calls",
    "Unknown",
    "Wrong Number",
];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Party {
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub extension_number: Option<String>,
    pub extension_id: Option<String>,
    pub location: Option<String>,
}

impl Party {
    pub fn read<J: Json>(j: Option<J>) -> Party {
        let Some(j) = j else { return Party::default() };
        let text = |key: &str, most: usize| j.str_at(key).map(|s| capped(s, most));
        Party {
            name: text("name", MAX_NAME_CHARS),
            phone_number: text("phoneNumber", MAX_NUMBER_CHARS),
            extension_number: text("extensionNumber", MAX_NUMBER_CHARS),
            extension_id: j.id_at("extensionId"),
            location: text("location", MAX_NAME_CHARS),
        }
    }
}

/// The most of a name the panel keeps: a 100 KB caller name would cost memory in every row, snapshot and tab.
pub const MAX_NAME_CHARS: usize = 200;
/// The most of a phone or extension number kept (E.164 has 15 digits).
pub const MAX_NUMBER_CHARS: usize = 64;

/// `s` cut to `most` characters, with an ellipsis when cut.
pub fn capped(s: String, most: usize) -> String {
    match s.char_indices().nth(most) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

/// One call-log record, Simple view (ringcentral-api.md 2.3).
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub id: String,
    pub session_id: Option<String>,
    pub telephony_session_id: Option<String>,
    pub start_time: String,
    /// Seconds; absent (or 0) while the call is live.
    pub duration: Option<f64>,
    pub call_type: Option<CallType>,
    pub direction: Direction,
    pub action: Option<Known>,
    pub result: Option<Known>,
    pub reason: Option<Known>,
    pub reason_description: Option<String>,
    pub from: Party,
    pub to: Party,
    /// `extension.id`: a JSON number at RingCentral.
    pub extension_id: Option<String>,
    pub transport: Option<Transport>,
}

impl CallRecord {
    /// `None` when the record lacks what a call needs: a string `id`, `startTime` and `direction`.
    pub fn read<J: Json>(j: &J) -> Option<CallRecord> {
        // A blank enum value ("", "\r\n", zero-width characters) reads as absent: shown as it came it would be an empty label (fuzzing).
        let word = |key: &str| j.str_at(key).filter(|t| crate::format::visible(t));
        let known = |key: &str, list: &[&str]| word(key).map(|t| Known::new(t, list));
        Some(CallRecord {
            id: j.str_at("id").filter(|s| !s.is_empty())?,
            start_time: j.str_at("startTime")?,
            direction: Direction::parse(&word("direction")?),
            session_id: j.id_at("sessionId"),
            telephony_session_id: j.str_at("telephonySessionId"),
            duration: j.num_at("duration").filter(|d| *d >= 0.0),
            call_type: word("type").map(|t| CallType::parse(&t)),
            action: known("action", ACTIONS),
            result: known("result", RESULTS),
            reason: known("reason", REASONS),
            reason_description: j.str_at("reasonDescription"),
            from: Party::read(j.get("from")),
            to: Party::read(j.get("to")),
            extension_id: j.get("extension").and_then(|e| e.id_at("id")),
            transport: word("transport").map(|t| Transport::parse(&t)),
        })
    }

    /// Whether any enum field holds a value this build does not know.
    pub fn has_unknown_values(&self) -> bool {
        let unknown = |k: &Option<Known>| k.as_ref().is_some_and(|k| !k.known);
        !self.direction.is_known()
            || self.call_type.as_ref().is_some_and(|v| !v.is_known())
            || self.transport.as_ref().is_some_and(|v| !v.is_known())
            || unknown(&self.action)
            || unknown(&self.result)
            || unknown(&self.reason)
    }
}

/// `CallLogResponse`: the records that could be read, how many could not, and whether there is a next page.
#[derive(Debug, Clone, PartialEq)]
pub struct CallLogPage {
    pub records: Vec<CallRecord>,
    pub unreadable: u32,
    pub has_next: bool,
}

impl CallLogPage {
    /// `Err` when the answer is not a call list at all (no `records` array).
    pub fn read<J: Json>(j: &J) -> Result<CallLogPage, String> {
        let (items, has_next) = Self::items(j)?;
        let total = items.len();
        let records: Vec<CallRecord> = items.iter().filter_map(CallRecord::read).collect();
        Ok(CallLogPage {
            unreadable: (total - records.len()) as u32,
            records,
            has_next,
        })
    }

    /// The records as they came (unread), and whether there is a next page: what the leading tab collects and
    /// hands on, each widget reading the records itself.
    pub fn items<J: Json>(j: &J) -> Result<(Vec<J>, bool), String> {
        let items = j
            .get("records")
            .and_then(|r| r.items())
            .ok_or("the answer has no list of records")?;
        let paging = j.get("paging");
        let num = |k: &str| paging.as_ref().and_then(|p| p.num_at(k));
        let by_count = matches!((num("page"), num("totalPages")), (Some(p), Some(t)) if p < t);
        let by_link = j
            .get("navigation")
            .and_then(|n| n.get("nextPage"))
            .and_then(|l| l.str_at("uri"))
            .is_some();
        Ok((items, by_count || by_link))
    }

    /// Of the records after a list's first page, those still to show beside that page fetched again: RingCentral
    /// lists active calls "ordered by start time in descending order" (ringcentral-api.md 2.3), so a call that
    /// started since is on the new first page. A kept record the new page also lists is dropped (the page's copy
    /// is newer), and so is one that started after the page's oldest call yet is not on it (it left the list);
    /// one that started no later stays, newer calls having pushed it down. A record without a readable start time
    /// stays, as it would have in the whole list. `None` when no kept record is on the page (none kept
    /// included): the page is full, more calls started since than it holds, and those between it and the kept ones
    /// are on no page fetched.
    pub fn kept_after<J: Json>(page: &[J], kept: Vec<J>) -> Option<Vec<J>> {
        let start = |r: &J| r.str_at("startTime").and_then(|t| parse_rfc3339(&t));
        let oldest = page.iter().filter_map(start).fold(f64::INFINITY, f64::min);
        // Sorted once: 1 000 ids on a page against 4 000 kept records.
        let mut ids: Vec<String> = page.iter().filter_map(|r| r.str_at("id")).collect();
        ids.sort_unstable();
        let mut met = false;
        let rest = kept
            .into_iter()
            .filter(|r| {
                let listed = r
                    .str_at("id")
                    .is_some_and(|id| ids.binary_search(&id).is_ok());
                met |= listed;
                !listed && start(r).is_none_or(|s| s <= oldest)
            })
            .collect();
        met.then_some(rest)
    }
}

/// `X-Rate-Limit-*`, when the browser lets us read them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerBudget {
    pub limit: u32,
    pub remaining: u32,
    pub window_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Name {
    #[serde(deserialize_with = "lenient::string")]
    first_name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    last_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawExtension {
    #[serde(deserialize_with = "lenient::id")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    extension_number: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient::object")]
    contact: Name,
}

/// `GET /restapi/v1.0/account/~/extension/~`, the fields we show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExtensionInfo {
    pub id: Option<String>,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl ExtensionInfo {
    pub fn read<J: Source>(j: &J) -> ExtensionInfo {
        let r: RawExtension = j.read().unwrap_or_default();
        ExtensionInfo {
            id: r.id,
            extension_number: r.extension_number,
            name: r.name,
            first_name: r.contact.first_name,
            last_name: r.contact.last_name,
        }
    }

    pub fn display_name(&self) -> String {
        let from_contact = [&self.first_name, &self.last_name]
            .iter()
            .filter_map(|s| s.as_deref())
            .collect::<Vec<_>>()
            .join(" ");
        match &self.name {
            Some(n) if crate::format::visible(n) => n.clone(),
            _ if crate::format::visible(&from_contact) => from_contact,
            _ => "RingCentral user".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
struct RawToken {
    #[serde(deserialize_with = "lenient::text")]
    access_token: Option<String>,
    #[serde(deserialize_with = "lenient::number")]
    expires_in: Option<f64>,
    #[serde(deserialize_with = "lenient::text")]
    refresh_token: Option<String>,
    #[serde(deserialize_with = "lenient::number")]
    refresh_token_expires_in: Option<f64>,
}

/// TokenInfo (ringcentral-api.md 1.5), the fields we use.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub access_token: String,
    pub expires_in: Option<f64>,
    pub refresh_token: Option<String>,
    pub refresh_token_expires_in: Option<f64>,
}

impl TokenInfo {
    pub fn read<J: Source>(j: &J) -> Option<TokenInfo> {
        let r: RawToken = j.read()?;
        Some(TokenInfo {
            access_token: r.access_token?,
            expires_in: r.expires_in,
            refresh_token: r.refresh_token,
            refresh_token_expires_in: r.refresh_token_expires_in,
        })
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use serde_json::Value;

    pub fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn page(text: &str) -> CallLogPage {
        CallLogPage::read(&json(text)).unwrap()
    }

    /// ringcentral-api.md 2.4 (a): the official widgets mock, with RingCentral's `"key" : value` spacing.
    pub const WIDGETS_MOCK: &str = r#"{
  "uri" : "https://platform.ringcentral.com/restapi/v1.0/account/400618687004/extension/400618687004/active-calls?page=1&perPage=100",
  "records" : [ {
    "uri" : "https://platform.ringcentral.com/restapi/v1.0/account/400618687004/extension/400618687004/call-log/IV5fj9D8vHjs8fw",
    "id" : "IV5fj9D8vHjs8fw",
    "sessionId" : "403402173004",
    "startTime" : "2014-08-15T15:16:12.000Z",
    "duration" : 0,
    "type" : "Voice",
    "direction" : "Outbound",
    "action" : "RingOut Web",
    "result" : "Call connected",
    "to" : { "phoneNumber" : "+18556620006", "name" : "John Smith" },
    "from" : { "name" : "Jane Smith" }
  } ],
  "paging" : { "page" : 1, "perPage" : 100, "pageStart" : 0, "pageEnd" : 0 },
  "navigation" : { "firstPage" : { "uri" : "https://platform.ringcentral.com/restapi/v1.0/account/400618687004/extension/400618687004/active-calls?page=1&perPage=100" } }
}"#;

    /// ringcentral-api.md 2.4 (b): a real capture of a ringing inbound call.
    pub const RINGING_CAPTURE: &str = r#"{
  "uri": "https://platform.ringcentral.com/restapi/v1.0/account/123456/extension/234567/active-calls?view=Detailed&page=1&perPage=100",
  "records": [ {
      "uri": "https://platform.ringcentral.com/restapi/v1.0/account/123456/extension/234567/call-log/LIef14l8Nt_1zUA?view=Detailed",
      "id": "LIef14l8Nt_1zUA",
      "sessionId": "538332041016",
      "startTime": "2021-01-19T23:58:57.000Z",
      "type": "Voice", "direction": "Inbound", "action": "Phone Call", "result": "In Progress",
      "to":   { "name": "Tyler Liu", "phoneNumber": "+16502888888", "location": "San Mateo, CA" },
      "from": { "name": "WIRELESS CALLER", "phoneNumber": "+16504366666", "location": "San Mateo, CA" },
      "extension": { "uri": "https://platform.ringcentral.com/restapi/v1.0/account/123456/extension/234567", "id": 234567 },
      "telephonySessionId": "s-8f8125f1aeb944f486531c351a2f520e"
  } ],
  "paging": { "page": 1, "perPage": 100, "pageStart": 0, "pageEnd": 0 },
  "navigation": { "firstPage": { "uri": "x" }, "lastPage": { "uri": "x" } }
}"#;

    /// ringcentral-api.md 2.4 (c): the empty list.
    const EMPTY: &str = r#"{"uri": "https://platform.ringcentral.com/restapi/v1.0/account/1/extension/2/active-calls?page=1&perPage=100","records": [],"paging": {"page": 1,"perPage": 100},"navigation": {"firstPage": {"uri": "x"}}}"#;

    #[test]
    fn parses_the_widgets_mock() {
        let p = page(WIDGETS_MOCK);
        let r = &p.records[0];
        assert_eq!(r.id, "IV5fj9D8vHjs8fw");
        assert_eq!(r.direction, Direction::Outbound);
        assert_eq!(
            r.action,
            Some(Known {
                text: "RingOut Web".into(),
                known: true
            })
        );
        assert!(r
            .result
            .as_ref()
            .is_some_and(|k| k.is("Call connected") && k.known));
        assert_eq!(r.duration, Some(0.0));
        assert_eq!(r.session_id.as_deref(), Some("403402173004"));
        assert_eq!(r.from.name.as_deref(), Some("Jane Smith"));
        assert_eq!(r.from.phone_number, None);
        assert!(!p.has_next);
        assert_eq!(p.unreadable, 0);
    }

    #[test]
    fn parses_the_real_ringing_capture() {
        let p = page(RINGING_CAPTURE);
        let r = &p.records[0];
        assert!(r.result.as_ref().is_some_and(|k| k.is("In Progress")));
        assert_eq!(r.reason, None);
        assert_eq!(r.duration, None);
        assert_eq!(r.extension_id.as_deref(), Some("234567"));
        assert_eq!(
            r.telephony_session_id.as_deref(),
            Some("s-8f8125f1aeb944f486531c351a2f520e")
        );
        assert_eq!(r.to.location.as_deref(), Some("San Mateo, CA"));
        assert!(!r.has_unknown_values());
    }

    #[test]
    fn parses_the_empty_list() {
        let p = page(EMPTY);
        assert!(p.records.is_empty());
        assert_eq!((p.unreadable, p.has_next), (0, false));
    }

    #[test]
    fn unknown_enum_values_are_kept_as_text() {
        let text = RINGING_CAPTURE
            .replace("\"Inbound\"", "\"Sideways\"")
            .replace("\"In Progress\"", "\"Teleported\"")
            .replace("\"Phone Call\"", "\"Hologram Call\"")
            .replace("\"Voice\"", "\"Smell\"")
            .replace(
                "\"type\": \"Smell\", ",
                "\"type\": \"Smell\", \"transport\": \"Pigeon\", \"reason\": \"Cosmic Rays\", ",
            );
        let p = page(&text);
        let r = &p.records[0];
        assert_eq!(r.direction, Direction::Other("Sideways".into()));
        assert_eq!(
            r.result,
            Some(Known {
                text: "Teleported".into(),
                known: false
            })
        );
        assert_eq!(
            r.action,
            Some(Known {
                text: "Hologram Call".into(),
                known: false
            })
        );
        assert_eq!(
            r.reason,
            Some(Known {
                text: "Cosmic Rays".into(),
                known: false
            })
        );
        assert_eq!(r.call_type, Some(CallType::Other("Smell".into())));
        assert_eq!(r.transport, Some(Transport::Other("Pigeon".into())));
        assert!(r.has_unknown_values());
    }

    #[test]
    fn one_bad_record_among_good_ones_is_counted_not_fatal() {
        let text = RINGING_CAPTURE.replace(
            "\"records\": [ {",
            "\"records\": [ {\"id\": 42, \"startTime\": \"yesterday\", \"direction\": [\"?\"]}, \"junk\", null, {\"id\":\"x\"}, {",
        );
        let p = page(&text);
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.unreadable, 4);
    }

    #[test]
    fn optional_fields_of_the_wrong_type_read_as_absent() {
        let r = CallRecord::read(&json(
            r#"{"id":"a","startTime":"2021-01-19T23:58:57.000Z","direction":"Inbound","duration":"ten",
                "from":{"name":7,"phoneNumber":"+1"},"to":"nobody","result":{"x":1},"extension":{"id":"12"}}"#,
        ))
        .unwrap();
        assert_eq!(
            (
                r.duration,
                r.from.name.clone(),
                r.from.phone_number.as_deref()
            ),
            (None, None, Some("+1"))
        );
        assert_eq!(
            (r.to.clone(), r.result.clone(), r.extension_id.as_deref()),
            (Party::default(), None, Some("12"))
        );
    }

    #[test]
    fn a_body_without_records_is_not_a_page() {
        assert!(CallLogPage::read(&json(r#"{"uri":"x"}"#)).is_err());
        assert!(CallLogPage::read(&json(r#"{"records":{}}"#)).is_err());
        assert!(CallLogPage::read(&json(r#"[1,2]"#)).is_err());
    }

    #[test]
    fn blank_enum_values_read_as_absent() {
        // Found by fuzzing: a result of "" or "\r\n" became an empty status label, a blank direction an empty word.
        let p = page(
            r#"{"records":[{"id":"a","startTime":"2027-01-15T07:59:00Z","direction":"Inbound","result":"\r\n","type":" "},
                           {"id":"b","startTime":"2027-01-15T07:59:00Z","direction":""}]}"#,
        );
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.unreadable, 1);
        assert_eq!(
            (p.records[0].result.clone(), p.records[0].call_type.clone()),
            (None, None)
        );
    }

    #[test]
    fn paging_next() {
        assert!(page(r#"{"records":[],"paging":{"page":1,"totalPages":3}}"#).has_next);
        assert!(page(r#"{"records":[],"navigation":{"nextPage":{"uri":"u"}}}"#).has_next);
        assert!(!page(r#"{"records":[],"paging":{"page":3,"totalPages":3}}"#).has_next);
    }

    #[test]
    fn a_first_page_fetched_again_keeps_the_calls_after_it() {
        let rec = |id: &str, min: u32| {
            json(&format!(
                r#"{{"id":"{id}","startTime":"2026-11-28T10:{min:02}:00Z","direction":"Inbound"}}"#
            ))
        };
        let ids = |v: Option<Vec<Value>>| -> Vec<String> {
            v.unwrap().iter().filter_map(|r| r.str_at("id")).collect()
        };
        // The last whole list, newest first: a page of 3 (e, d, c), then b, a.
        let kept = vec![
            rec("e", 40),
            rec("d", 35),
            rec("c", 30),
            rec("b", 20),
            rec("a", 10),
        ];
        // Since then: f started, d left the list (ended long ago), and c was pushed down a page.
        let page = vec![rec("f", 50), rec("e", 40), rec("c", 30)];
        assert_eq!(
            ids(CallLogPage::kept_after(&page, kept.clone())),
            ["b", "a"]
        );
        // A record the page also lists is the page's; one without a start time stays, as it would have.
        let odd = vec![json(r#"{"id":"x"}"#), rec("e", 40), rec("a", 10)];
        assert_eq!(ids(CallLogPage::kept_after(&page, odd)), ["x", "a"]);
        // Ties with the page's oldest stay (the next page starts with them).
        let tie = vec![rec("c", 30), rec("g", 30)];
        assert_eq!(ids(CallLogPage::kept_after(&page, tie)), ["g"]);
        // A page of calls all newer than every kept one, or nothing kept (the list was empty or short, and now
        // has more pages): what started between is on the pages not fetched.
        let newer = vec![rec("i", 59), rec("h", 58), rec("g", 57)];
        assert_eq!(CallLogPage::kept_after(&newer, kept), None);
        assert_eq!(CallLogPage::kept_after(&page, vec![]), None);
    }

    #[test]
    fn extension_info_and_tokens() {
        let e = ExtensionInfo::read(&json(
            r#"{"id":400618687101,"extensionNumber":"101","name":"Ada Admin","contact":{"firstName":"Ada"}}"#,
        ));
        assert_eq!(e.id.as_deref(), Some("400618687101"));
        assert_eq!(e.display_name(), "Ada Admin");
        let nameless = ExtensionInfo::read(&json(
            r#"{"contact":{"firstName":"Ben","lastName":"Baker"}}"#,
        ));
        assert_eq!(nameless.display_name(), "Ben Baker");
        assert_eq!(
            ExtensionInfo::read(&json("[]")).display_name(),
            "RingCentral user"
        );
        // The guide's sample TokenInfo.
        let t = TokenInfo::read(&json(
            r#"{"access_token" : "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw","token_type" : "bearer","expires_in" : 7199,
                "refresh_token" : "U1BCMDFUMDRKV1MwMXxzLFL4ec6A0XMsUv9wLriecyxS_w","refresh_token_expires_in" : 604799,
                "scope" : "AccountInfo CallLog ExtensionInfo Messages SMS","owner_id" : "256440016"}"#,
        ))
        .unwrap();
        assert_eq!(t.expires_in, Some(7199.0));
        assert_eq!(t.refresh_token_expires_in, Some(604_799.0));
        assert_eq!(TokenInfo::read(&json(r#"{"token_type":"bearer"}"#)), None);
    }
}
