//! What the host page receives: one documented, stable shape per event (see `embed/js/embed.d.ts`), built from our
//! own types, never RingCentral's raw record, so a field RingCentral adds changes nothing here. Each is a
//! `Serialize` struct that serde-wasm-bindgen turns into a plain JS object at the edge (`null` for an absent value,
//! as the declarations say); a native test checks every shape against the declarations, so they cannot drift.

use crate::api::error::ApiError;
use crate::api::model::{Direction, Party};
use crate::contacts::Contact;
use crate::format::CallView;
use crate::state::User;
use serde::Serialize;

/// `Party` in the declarations.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyOut {
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub extension_number: Option<String>,
}

/// `Contact` in the declarations: `url` is left out when there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactOut {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `Call` in the declarations: `from`/`to` as RingCentral means them, `status` one of ringing | connected | ended,
/// `result` RingCentral's text, `durationSeconds` at the moment of the event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOut {
    pub id: String,
    pub session_id: Option<String>,
    pub telephony_session_id: Option<String>,
    pub direction: String,
    pub from: PartyOut,
    pub to: PartyOut,
    pub status: &'static str,
    pub result: Option<String>,
    pub start_time: String,
    pub duration_seconds: u64,
    pub extension: Option<String>,
    pub contact: Option<ContactOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOut {
    pub name: String,
    pub extension_number: Option<String>,
}

/// One host event: `name()` after `rc-active-calls:`, and the event's `detail` as it serializes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum HostEvent {
    SignedIn {
        user: UserOut,
    },
    SignedOut {
        reason: Option<String>,
    },
    CallsChanged {
        scope: &'static str,
        calls: Vec<CallOut>,
    },
    CallStarted {
        call: CallOut,
    },
    CallEnded {
        call: CallOut,
    },
    /// A listed call's status changed while it lasts (ringing → connected, on hold).
    CallUpdated {
        call: CallOut,
    },
    CallSelected {
        call: CallOut,
    },
    Note {
        note_id: String,
        call: CallOut,
        text: String,
    },
    /// `kind` says what failed; `code` is RingCentral's error code when it sent one.
    Error {
        kind: &'static str,
        code: Option<String>,
        message: String,
    },
}

impl HostEvent {
    pub fn name(&self) -> &'static str {
        match self {
            HostEvent::SignedIn { .. } => "signed-in",
            HostEvent::SignedOut { .. } => "signed-out",
            HostEvent::CallsChanged { .. } => "calls-changed",
            HostEvent::CallStarted { .. } => "call-started",
            HostEvent::CallEnded { .. } => "call-ended",
            HostEvent::CallUpdated { .. } => "call-updated",
            HostEvent::CallSelected { .. } => "call-selected",
            HostEvent::Note { .. } => "note",
            HostEvent::Error { .. } => "error",
        }
    }
}

fn party(p: &Party) -> PartyOut {
    PartyOut {
        name: p.name.clone(),
        phone_number: p.phone_number.clone(),
        extension_number: p.extension_number.clone(),
    }
}

pub fn contact(c: &Contact) -> ContactOut {
    ContactOut {
        name: c.name.clone(),
        url: c.url.clone(),
    }
}

pub fn call(c: &CallView, seconds: u64, matched: Option<&Contact>) -> CallOut {
    let (from, to) = match c.direction {
        Direction::Outbound => (&c.ours, &c.remote),
        _ => (&c.remote, &c.ours),
    };
    CallOut {
        id: c.id.clone(),
        session_id: c.session_id.clone(),
        telephony_session_id: c.telephony_session_id.clone(),
        direction: c.direction.as_str().to_string(),
        from: party(from),
        to: party(to),
        status: c.status.css(),
        result: c.result.clone(),
        start_time: c.start_time.clone(),
        duration_seconds: seconds,
        extension: c.extension_id.clone(),
        contact: matched.map(contact),
    }
}

pub fn signed_in(u: &User) -> HostEvent {
    HostEvent::SignedIn {
        user: UserOut {
            name: u.name.clone(),
            extension_number: u.extension_number.clone(),
        },
    }
}

pub fn error(kind: &'static str, code: Option<&str>, message: &str) -> HostEvent {
    HostEvent::Error {
        kind,
        code: code.map(str::to_string),
        message: message.to_string(),
    }
}

pub fn api_error(e: &ApiError) -> HostEvent {
    let kind = match e {
        ApiError::Unauthorized { .. } => "unauthorized",
        ApiError::Forbidden { .. } => "forbidden",
        ApiError::RateLimited { .. } => "rate-limited",
        ApiError::Rejected { .. } => "rejected",
        ApiError::Server { .. } => "server",
        ApiError::Network(_) => "network",
        ApiError::Slow(_) => "slow",
        ApiError::Malformed(_) => "malformed",
    };
    error(kind, e.code(), &e.summary())
}

/// How far from where it was a call of the last `calls-changed` is looked for in the next: other calls come and go
/// around it.
const NEAR: usize = 16;

/// For each call of `next`, where `prev` (the last `calls-changed`'s calls) has it unchanged, its duration aside
/// (the caller sets every duration alike). An answer moves a call little: each is looked for near where the call
/// before it was found, so a list of 5 000 costs a few comparisons a call; one not found is written anew.
pub fn unchanged_at(prev: &[CallOut], next: &[CallOut]) -> Vec<Option<usize>> {
    let mut at: usize = 0;
    next.iter()
        .map(|c| {
            let near = at.saturating_sub(NEAR)..(at + NEAR).min(prev.len());
            let found = near.into_iter().find(|&j| prev.get(j) == Some(c));
            if let Some(j) = found {
                at = j + 1;
            }
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallRecord;
    use serde_json::{json, Value};

    const DECLARATIONS: &str = include_str!("js/embed.d.ts");

    fn view(j: Value) -> CallView {
        CallView::from_record(CallRecord::read(&j).unwrap()).unwrap()
    }

    fn detail(e: &HostEvent) -> Value {
        serde_json::to_value(e).unwrap()
    }

    #[test]
    fn a_call_has_the_documented_shape_and_nothing_raw() {
        let c = view(json!({
            "id": "c1", "sessionId": 42, "startTime": "2026-11-27T09:00:00.000Z", "direction": "Outbound",
            "result": "In Progress", "from": {"name": "Ben Baker", "extensionNumber": "102"},
            "to": {"phoneNumber": "+14155550100", "name": "<img onerror=alert(1)>"},
            "extension": {"id": 102}, "someFieldRingCentralAddsLater": {"x": 1}
        }));
        let p = serde_json::to_value(call(&c, 7, None)).unwrap();
        let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = [
            "id",
            "sessionId",
            "telephonySessionId",
            "direction",
            "from",
            "to",
            "status",
            "result",
            "startTime",
            "durationSeconds",
            "extension",
            "contact",
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(p["sessionId"], "42");
        assert_eq!(p["status"], "ringing");
        assert_eq!(p["durationSeconds"], 7);
        assert_eq!(p["extension"], "102");
        // Outbound: `from` is our side, as RingCentral means it.
        assert_eq!(p["from"]["extensionNumber"], "102");
        assert_eq!(p["to"]["name"], "<img onerror=alert(1)>");
        assert_eq!(p["contact"], Value::Null);
    }

    #[test]
    fn errors_name_their_kind_and_code() {
        let e = ApiError::Forbidden {
            permission: Some("ReadCompanyCallLog".into()),
            code: Some("CMN-401".into()),
            message: "In order to call this API endpoint, user needs to have [ReadCompanyCallLog] permission for requested resource.".into(),
        };
        let p = detail(&api_error(&e));
        assert_eq!(p["kind"], "forbidden");
        assert_eq!(p["code"], "CMN-401");
        assert_eq!(
            detail(&api_error(&ApiError::Network("x".into())))["code"],
            Value::Null
        );
    }

    // ------------------------------------------------------------ the declarations are the contract

    /// `/** … */` and `//` comments out.
    fn without_comments(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("/*") {
            out.push_str(&rest[..i]);
            rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
        }
        out.push_str(rest);
        out.lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The text between the `{` at `open` and its matching `}`.
    fn block(s: &str, open: usize) -> &str {
        let mut depth = 0;
        for (i, ch) in s[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return &s[open + 1..open + i];
                    }
                }
                _ => {}
            }
        }
        panic!("unbalanced braces")
    }

    /// The members of an object type's body: (key, optional, type).
    fn members(body: &str) -> Vec<(String, bool, String)> {
        let mut out = vec![];
        let (mut depth, mut start) = (0, 0);
        let mut push = |m: &str| {
            let m = m.trim();
            if m.is_empty() {
                return;
            }
            let (key, ty) = m.split_once(':').unwrap_or_else(|| panic!("member {m}"));
            let key = key.trim().trim_matches('"');
            let optional = key.ends_with('?');
            out.push((
                key.trim_end_matches('?').to_string(),
                optional,
                ty.trim().to_string(),
            ));
        };
        for (i, ch) in body.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ';' | '\n' if depth == 0 => {
                    push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        push(&body[start..]);
        out
    }

    /// The members of `interface Name` or of the event `"rc-active-calls:name"`.
    fn declared(name: &str) -> Vec<(String, bool, String)> {
        let d = without_comments(DECLARATIONS);
        let at = d
            .find(&format!("interface {name} {{"))
            .or_else(|| d.find(&format!("\"{PREFIX}{name}\": {{")))
            .unwrap_or_else(|| panic!("{name} is not declared"));
        let open = at + d[at..].find('{').unwrap();
        members(block(&d, open))
    }

    const PREFIX: &str = "rc-active-calls:";

    /// Checks a serialized value against a declared type: keys, requiredness, `null`, string literals, nesting.
    fn conforms(v: &Value, ty: &str, path: &str) {
        let ty = ty.trim();
        let alternatives: Vec<&str> = ty.split(" | ").map(str::trim).collect();
        if v.is_null() {
            assert!(
                alternatives.contains(&"null"),
                "{path} is null but declared {ty}"
            );
            return;
        }
        let ty = alternatives
            .iter()
            .copied()
            .filter(|a| *a != "null")
            .collect::<Vec<_>>()
            .join(" | ");
        if let Some(item) = ty.strip_suffix("[]") {
            for (i, x) in v
                .as_array()
                .unwrap_or_else(|| panic!("{path} is not an array"))
                .iter()
                .enumerate()
            {
                conforms(x, item, &format!("{path}[{i}]"));
            }
            return;
        }
        if ty.starts_with('{') {
            return object(v, &members(block(&ty, 0)), path);
        }
        match ty.as_str() {
            "string" => assert!(v.is_string(), "{path} is not a string"),
            "number" => assert!(v.is_number(), "{path} is not a number"),
            "boolean" => assert!(v.is_boolean(), "{path} is not a boolean"),
            lit if lit.starts_with('"') => {
                let allowed: Vec<&str> = lit.split(" | ").map(|a| a.trim_matches('"')).collect();
                assert!(
                    allowed.contains(&v.as_str().unwrap_or("")),
                    "{path} = {v} is not one of {lit}"
                );
            }
            name => object(v, &declared(name), path),
        }
    }

    fn object(v: &Value, decl: &[(String, bool, String)], path: &str) {
        let o = v
            .as_object()
            .unwrap_or_else(|| panic!("{path} is not an object"));
        for k in o.keys() {
            assert!(
                decl.iter().any(|(d, _, _)| d == k),
                "{path}.{k} is not declared"
            );
        }
        for (k, optional, ty) in decl {
            match o.get(k) {
                Some(x) => conforms(x, ty, &format!("{path}.{k}")),
                None => assert!(*optional, "{path}.{k} is declared but missing"),
            }
        }
    }

    fn samples() -> Vec<HostEvent> {
        let full = view(json!({
            "id": "c1", "sessionId": "s1", "telephonySessionId": "t1", "startTime": "2026-11-27T09:00:00.000Z",
            "direction": "Inbound", "result": "Accepted", "duration": 30, "reason": "Accepted",
            "from": {"name": "Nancy", "phoneNumber": "+14155550100"},
            "to": {"name": "Ada Admin", "phoneNumber": "+16505550101", "extensionNumber": "101"},
            "extension": {"id": 101}
        }));
        let bare = view(
            json!({"id": "c2", "startTime": "2026-11-27T09:00:00.000Z", "direction": "Sideways"}),
        );
        let linked = Contact {
            name: "Nancy Davolio".into(),
            url: Some("https://crm.example/c/1".into()),
        };
        let unlinked = Contact {
            name: "Nancy".into(),
            url: None,
        };
        let (a, b, c) = (
            call(&full, 30, Some(&linked)),
            call(&bare, 0, None),
            call(&full, 1, Some(&unlinked)),
        );
        vec![
            signed_in(&User {
                name: "Ada".into(),
                extension_number: Some("101".into()),
            }),
            signed_in(&User {
                name: "Ada".into(),
                extension_number: None,
            }),
            HostEvent::SignedOut { reason: None },
            HostEvent::SignedOut {
                reason: Some("Session ended".into()),
            },
            HostEvent::CallsChanged {
                scope: "account",
                calls: vec![a.clone(), b.clone(), c.clone()],
            },
            HostEvent::CallStarted { call: b.clone() },
            HostEvent::CallEnded { call: a.clone() },
            HostEvent::CallUpdated { call: b.clone() },
            HostEvent::CallSelected { call: c },
            HostEvent::Note {
                note_id: "n1".into(),
                call: a,
                text: "Called back".into(),
            },
            error("config", None, "clientId is missing"),
            api_error(&ApiError::RateLimited {
                retry_after: Some(60),
            }),
        ]
    }

    #[test]
    fn every_event_detail_matches_its_declaration() {
        for e in samples() {
            let v = detail(&e);
            object(&v, &declared(e.name()), e.name());
        }
    }

    #[test]
    fn the_contract_check_catches_drift() {
        // A key the declarations do not have, a null where none is allowed, a missing key: each is caught.
        let call = detail(&HostEvent::CallStarted {
            call: call(
                &view(
                    json!({"id": "c", "startTime": "2026-11-27T09:00:00.000Z", "direction": "Inbound"}),
                ),
                0,
                None,
            ),
        });
        let mut extra = call.clone();
        extra["call"]["raw"] = json!({});
        let mut null = call.clone();
        null["call"]["id"] = Value::Null;
        let mut missing = call.clone();
        missing["call"].as_object_mut().unwrap().remove("status");
        let mut wrong = call;
        wrong["call"]["status"] = json!("teleported");
        for bad in [extra, null, missing, wrong] {
            let r = std::panic::catch_unwind(|| {
                object(&bad, &declared("call-started"), "call-started")
            });
            assert!(r.is_err(), "{bad}");
        }
    }

    fn out(id: &str, status: &'static str) -> CallOut {
        CallOut {
            id: id.into(),
            session_id: None,
            telephony_session_id: None,
            direction: "Inbound".into(),
            from: PartyOut {
                name: Some(format!("Caller {id}")),
                phone_number: None,
                extension_number: None,
            },
            to: PartyOut {
                name: None,
                phone_number: None,
                extension_number: None,
            },
            status,
            result: None,
            start_time: "2026-11-30T10:00:00Z".into(),
            duration_seconds: 0,
            extension: None,
            contact: None,
        }
    }

    #[test]
    fn unchanged_calls_are_found_near_where_they_were() {
        let prev: Vec<CallOut> = (0..100).map(|i| out(&i.to_string(), "connected")).collect();
        // A new call on top, call 3 answered (it moved), call 50 gone, one at the end renamed.
        let mut next = vec![out("new", "ringing")];
        next.extend(prev.iter().filter(|c| c.id != "3" && c.id != "50").cloned());
        next.push(out("3", "ended"));
        next[90].from.name = Some("Renamed".into());
        let at = unchanged_at(&prev, &next);
        assert_eq!(at[0], None);
        assert_eq!(at[1..4], [Some(0), Some(1), Some(2)]);
        assert_eq!(at[4], Some(4), "past the call that moved");
        assert_eq!(at[50], Some(51), "past the call that left");
        assert_eq!(at[90], None, "changed");
        assert_eq!(at[91], Some(92));
        assert_eq!(at[98], Some(99));
        assert_eq!(at[99], None, "changed status");
        // A list turned upside down is written anew, not searched through.
        let upside: Vec<CallOut> = prev.iter().rev().cloned().collect();
        let found = unchanged_at(&prev, &upside)
            .iter()
            .filter(|a| a.is_some())
            .count();
        assert!(found < 2 * NEAR, "{found}");
        assert!(unchanged_at(&[], &next).iter().all(Option::is_none));
    }
}
