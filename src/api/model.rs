//! RingCentral's JSON, read leniently (ringcentral-api.md 2.2–2.4): unknown enum values are kept as text, optional
//! fields may be missing, and a record that cannot be read is skipped and counted without hiding the others.

use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

/// An enum RingCentral may extend: a known value, or the text of one we do not know yet.
macro_rules! lenient_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
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

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(|s| $name::parse(&s))
            }
        }
    };
}

lenient_enum!(Direction { Inbound = "Inbound", Outbound = "Outbound" });
lenient_enum!(CallType { Voice = "Voice", Fax = "Fax" });
lenient_enum!(Transport { Pstn = "PSTN", Voip = "VoIP" });

lenient_enum!(
    /// `result` (ringcentral-api.md 2.3, current list).
    CallResult {
        E911 = "911", E933 = "933", Abandoned = "Abandoned", Accepted = "Accepted",
        AnsweredNotAccepted = "Answered Not Accepted", Blocked = "Blocked", Busy = "Busy", CallFailed = "Call Failed",
        CallFailure = "Call Failure", CallConnected = "Call connected", CarrierNotActive = "Carrier is not active",
        Declined = "Declined", EdgeTrunkMisconfigured = "EDGE trunk misconfigured", FaxNotSent = "Fax Not Sent",
        FaxPartiallySent = "Fax Partially Sent", FaxPoorLine = "Fax Poor Line", FaxReceiptError = "Fax Receipt Error",
        FaxOnDemand = "Fax on Demand", HangUp = "Hang Up", IpPhoneOffline = "IP Phone Offline",
        InProgress = "In Progress", InternalError = "Internal Error", InternationalDisabled = "International Disabled",
        InternationalRestricted = "International Restricted", Missed = "Missed", NoAnswer = "No Answer",
        NoCallingCredit = "No Calling Credit", NotAllowed = "Not Allowed", PartialReceive = "Partial Receive",
        PhoneLogin = "Phone Login", ReceiveError = "Receive Error", Received = "Received", Rejected = "Rejected",
        Reply = "Reply", RestrictedNumber = "Restricted Number", SendError = "Send Error", Sent = "Sent",
        SentToVoicemail = "Sent to Voicemail", Stopped = "Stopped", SuspendedAccount = "Suspended account",
        Unknown = "Unknown", Voicemail = "Voicemail", WrongNumber = "Wrong Number",
        AnsweredElsewhere = "Answered Elsewhere", CallbackRequested = "Callback requested",
    }
);

lenient_enum!(
    /// `action` (ringcentral-api.md 2.3, current list).
    Action {
        AcceptCall = "Accept Call", BargeInCall = "Barge In Call", CallPark = "Call Park", CallReturn = "Call Return",
        CallOutCallMe = "CallOut-CallMe", CallingCard = "Calling Card", ConferenceCall = "Conference Call",
        E911Update = "E911 Update", Emergency = "Emergency", ExternalApplication = "External Application",
        FindMe = "FindMe", FollowMe = "FollowMe", FreeSpdl = "FreeSPDL", Hunting = "Hunting",
        IncomingFax = "Incoming Fax", Monitoring = "Monitoring", Move = "Move", OutgoingFax = "Outgoing Fax",
        Paging = "Paging", ParkLocation = "Park Location", PhoneCall = "Phone Call", PhoneLogin = "Phone Login",
        Pickup = "Pickup", RcMeetings = "RC Meetings", RingDirectly = "Ring Directly", RingMe = "RingMe",
        RingOutMobile = "RingOut Mobile", RingOutPc = "RingOut PC", RingOutWeb = "RingOut Web",
        SipForwarding = "Sip Forwarding", Support = "Support", TextRelay = "Text Relay", Transfer = "Transfer",
        Unknown = "Unknown", VoipCall = "VoIP Call", VoiceChatCall = "VoiceChat Call",
    }
);

lenient_enum!(
    /// `reason` (ringcentral-api.md 2.3, current list; the 2021 spec's "line Busy" spelling too).
    Reason {
        Accepted = "Accepted", BadNumber = "Bad Number", CallLoop = "Call Loop", CallsNotAccepted = "Calls Not Accepted",
        CarrierNotActive = "Carrier is not active", Connected = "Connected", Customer611Restricted = "Customer 611 Restricted",
        EdgeTrunkMisconfigured = "EDGE trunk misconfigured", EmergencyAddressNotDefined = "Emergency Address not defined",
        FailedTryAgain = "Failed Try Again", FaxNotReceived = "Fax Not Received", FaxNotSent = "Fax Not Sent",
        FaxPartiallySent = "Fax Partially Sent", FaxPoorLine = "Fax Poor Line", FaxPrepareError = "Fax Prepare Error",
        FaxSaveError = "Fax Save Error", FaxSendError = "Fax Send Error", HangUp = "Hang Up",
        Info411Restricted = "Info 411 Restricted", InternalCallError = "Internal Call Error", InternalError = "Internal Error",
        InternationalDisabled = "International Disabled", InternationalRestricted = "International Restricted",
        LineBusy = "Line Busy", LineBusyOld = "line Busy", MaxCallLimit = "Max Call Limit", NoAnswer = "No Answer",
        NoCredit = "No Credit", NoDigitalLine = "No Digital Line", NotAnswered = "Not Answered",
        NumberBlocked = "Number Blocked", NumberDisabled = "Number Disabled", NumberNotAllowed = "Number Not Allowed",
        ReceiveError = "Receive Error", ResourceError = "Resource Error", RestrictedNumber = "Restricted Number",
        Stopped = "Stopped", TooManyCalls = "Too Many Calls", Unknown = "Unknown", WrongNumber = "Wrong Number",
    }
);

/// An id RingCentral sends as a number in one place and a string in another (`extension.id` vs `extensionId`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            N(f64),
        }
        Ok(Id(match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::N(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => format!("{}", n as i64),
            Raw::N(n) => format!("{n}"),
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Party {
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub extension_number: Option<String>,
    pub extension_id: Option<Id>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ExtensionRef {
    pub id: Option<Id>,
}

/// One call-log record, Simple view (ringcentral-api.md 2.3).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub id: String,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub telephony_session_id: Option<String>,
    pub start_time: String,
    /// Seconds; absent (or 0) while the call is live.
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default, rename = "type")]
    pub call_type: Option<CallType>,
    pub direction: Direction,
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default)]
    pub result: Option<CallResult>,
    #[serde(default)]
    pub reason: Option<Reason>,
    #[serde(default)]
    pub reason_description: Option<String>,
    #[serde(default)]
    pub from: Party,
    #[serde(default)]
    pub to: Party,
    #[serde(default)]
    pub extension: Option<ExtensionRef>,
    #[serde(default)]
    pub transport: Option<Transport>,
}

impl CallRecord {
    /// Whether any enum field holds a value this build does not know.
    pub fn has_unknown_values(&self) -> bool {
        !self.direction.is_known()
            || self.call_type.as_ref().is_some_and(|v| !v.is_known())
            || self.action.as_ref().is_some_and(|v| !v.is_known())
            || self.result.as_ref().is_some_and(|v| !v.is_known())
            || self.reason.as_ref().is_some_and(|v| !v.is_known())
            || self.transport.as_ref().is_some_and(|v| !v.is_known())
    }
}

/// A record, or the fact that one could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Lenient<T> {
    Ok(T),
    Unreadable,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Ok(T),
            Bad(IgnoredAny),
        }
        Ok(match Raw::<T>::deserialize(d)? {
            Raw::Ok(t) => Lenient::Ok(t),
            Raw::Bad(_) => Lenient::Unreadable,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Paging {
    pub page: Option<u32>,
    pub total_pages: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Link {
    pub uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Navigation {
    pub next_page: Option<Link>,
}

/// `CallLogResponse`: `records` is required; the rest may be missing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CallLogPage {
    pub records: Vec<Lenient<CallRecord>>,
    #[serde(default)]
    pub paging: Paging,
    #[serde(default)]
    pub navigation: Navigation,
}

impl CallLogPage {
    pub fn has_next(&self) -> bool {
        let by_count = matches!((self.paging.page, self.paging.total_pages), (Some(p), Some(t)) if p < t);
        by_count || self.navigation.next_page.as_ref().is_some_and(|l| l.uri.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// `GET /restapi/v1.0/account/~/extension/~`, the fields we show.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtensionInfo {
    pub id: Option<Id>,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    pub contact: Contact,
}

impl ExtensionInfo {
    pub fn display_name(&self) -> String {
        let from_contact = [&self.contact.first_name, &self.contact.last_name]
            .iter()
            .filter_map(|s| s.as_deref())
            .collect::<Vec<_>>()
            .join(" ");
        match &self.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ if !from_contact.trim().is_empty() => from_contact,
            _ => "RingCentral user".into(),
        }
    }
}

/// TokenInfo (ringcentral-api.md 1.5), the fields we use.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TokenInfo {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<f64>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub refresh_token_expires_in: Option<f64>,
    #[serde(default)]
    pub token_type: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> CallLogPage {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ok(p: &CallLogPage) -> Vec<&CallRecord> {
        p.records.iter().filter_map(|r| if let Lenient::Ok(r) = r { Some(r) } else { None }).collect()
    }

    /// ringcentral-api.md 2.4 (a): the official widgets mock, with RingCentral's `"key" : value` spacing.
    const WIDGETS_MOCK: &str = r#"{
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
        let r = ok(&p)[0];
        assert_eq!(r.id, "IV5fj9D8vHjs8fw");
        assert_eq!(r.direction, Direction::Outbound);
        assert_eq!(r.action, Some(Action::RingOutWeb));
        assert_eq!(r.result, Some(CallResult::CallConnected));
        assert_eq!(r.duration, Some(0.0));
        assert_eq!(r.from.name.as_deref(), Some("Jane Smith"));
        assert_eq!(r.from.phone_number, None);
        assert!(!p.has_next());
    }

    #[test]
    fn parses_the_real_ringing_capture() {
        let p = page(RINGING_CAPTURE);
        let r = ok(&p)[0];
        assert_eq!(r.result, Some(CallResult::InProgress));
        assert_eq!(r.reason, None);
        assert_eq!(r.duration, None);
        assert_eq!(r.extension.as_ref().and_then(|e| e.id.clone()), Some(Id("234567".into())));
        assert_eq!(r.telephony_session_id.as_deref(), Some("s-8f8125f1aeb944f486531c351a2f520e"));
        assert!(!r.has_unknown_values());
    }

    #[test]
    fn parses_the_empty_list() {
        let p = page(EMPTY);
        assert!(p.records.is_empty());
        assert_eq!(p.paging.page, Some(1));
    }

    #[test]
    fn unknown_enum_values_are_kept_as_text() {
        let json = RINGING_CAPTURE
            .replace("\"Inbound\"", "\"Sideways\"")
            .replace("\"In Progress\"", "\"Teleported\"")
            .replace("\"Phone Call\"", "\"Hologram Call\"")
            .replace("\"Voice\"", "\"Smell\"");
        let p = page(&json);
        let r = ok(&p)[0];
        assert_eq!(r.direction, Direction::Other("Sideways".into()));
        assert_eq!(r.result.as_ref().map(CallResult::as_str), Some("Teleported"));
        assert_eq!(r.call_type, Some(CallType::Other("Smell".into())));
        assert!(r.has_unknown_values());
    }

    #[test]
    fn one_bad_record_among_good_ones_is_counted_not_fatal() {
        let json = RINGING_CAPTURE.replace(
            "\"records\": [ {",
            "\"records\": [ {\"id\": 42, \"startTime\": \"yesterday\", \"direction\": [\"?\"]}, \"junk\", null, {",
        );
        let p = page(&json);
        assert_eq!(p.records.len(), 4);
        assert_eq!(ok(&p).len(), 1);
        assert_eq!(p.records.iter().filter(|r| matches!(r, Lenient::Unreadable)).count(), 3);
    }

    #[test]
    fn a_body_without_records_is_not_a_page() {
        assert!(serde_json::from_str::<CallLogPage>(r#"{"uri":"x"}"#).is_err());
        assert!(serde_json::from_str::<CallLogPage>(r#"{"records":{}}"#).is_err());
    }

    #[test]
    fn paging_next() {
        let p = page(r#"{"records":[],"paging":{"page":1,"totalPages":3}}"#);
        assert!(p.has_next());
        let p = page(r#"{"records":[],"navigation":{"nextPage":{"uri":"u"}}}"#);
        assert!(p.has_next());
    }

    #[test]
    fn extension_info_and_tokens() {
        let e: ExtensionInfo = serde_json::from_str(
            r#"{"id":400618687101,"extensionNumber":"101","name":"Ada Admin","contact":{"firstName":"Ada"}}"#,
        )
        .unwrap();
        assert_eq!(e.id, Some(Id("400618687101".into())));
        assert_eq!(e.display_name(), "Ada Admin");
        let nameless: ExtensionInfo = serde_json::from_str(r#"{"contact":{"firstName":"Ben","lastName":"Baker"}}"#).unwrap();
        assert_eq!(nameless.display_name(), "Ben Baker");
        // The guide's sample TokenInfo.
        let t: TokenInfo = serde_json::from_str(
            r#"{"access_token" : "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw","token_type" : "bearer","expires_in" : 7199,
                "refresh_token" : "U1BCMDFUMDRKV1MwMXxzLFL4ec6A0XMsUv9wLriecyxS_w","refresh_token_expires_in" : 604799,
                "scope" : "AccountInfo CallLog ExtensionInfo Messages SMS","owner_id" : "256440016"}"#,
        )
        .unwrap();
        assert_eq!(t.expires_in, Some(7199.0));
        assert_eq!(t.refresh_token_expires_in, Some(604_799.0));
    }
}
