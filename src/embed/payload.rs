//! What the host page receives: one documented, stable JSON shape per event (see `embed/js/rc-active-calls.d.ts`),
//! built from our own types, never RingCentral's raw record, so a field RingCentral adds changes nothing here.
//! Plain Rust values, turned into JS objects at the edge, so the shapes are checked by native tests.

use super::contacts::Contact;
use crate::api::error::ApiError;
use crate::api::model::{Direction, Party};
use crate::format::CallView;
use crate::state::User;

/// A JSON value, as the host will see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Out>),
    Obj(Vec<(&'static str, Out)>),
}

impl Out {
    fn opt(s: &Option<String>) -> Out {
        s.as_ref().map_or(Out::Null, |s| Out::Str(s.clone()))
    }

    /// A property of an object (tests and the element shim's bookkeeping).
    pub fn get(&self, key: &str) -> Option<&Out> {
        match self {
            Out::Obj(fields) => fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl From<&str> for Out {
    fn from(s: &str) -> Out {
        Out::Str(s.to_string())
    }
}

fn party(p: &Party) -> Out {
    Out::Obj(vec![
        ("name", Out::opt(&p.name)),
        ("phoneNumber", Out::opt(&p.phone_number)),
        ("extensionNumber", Out::opt(&p.extension_number)),
    ])
}

pub fn contact(c: Option<&Contact>) -> Out {
    c.map_or(Out::Null, |c| {
        Out::Obj(vec![
            ("name", Out::Str(c.name.clone())),
            ("url", Out::opt(&c.url)),
        ])
    })
}

/// `Call` in the declarations: `from`/`to` as RingCentral means them, `status` one of ringing | connected | ended,
/// `result` RingCentral's text, `durationSeconds` at the moment of the event.
pub fn call(c: &CallView, seconds: u64, matched: Option<&Contact>) -> Out {
    let (from, to) = match c.direction {
        Direction::Outbound => (&c.ours, &c.remote),
        _ => (&c.remote, &c.ours),
    };
    Out::Obj(vec![
        ("id", Out::Str(c.id.clone())),
        ("sessionId", Out::opt(&c.session_id)),
        ("telephonySessionId", Out::opt(&c.telephony_session_id)),
        ("direction", c.direction.as_str().into()),
        ("from", party(from)),
        ("to", party(to)),
        ("status", c.status.css().into()),
        ("result", Out::opt(&c.result)),
        ("startTime", Out::Str(c.start_time.clone())),
        ("durationSeconds", Out::Num(seconds as f64)),
        ("extension", Out::opt(&c.extension_id)),
        ("contact", contact(matched)),
    ])
}

pub fn user(u: &User) -> Out {
    Out::Obj(vec![(
        "user",
        Out::Obj(vec![
            ("name", Out::Str(u.name.clone())),
            ("extensionNumber", Out::opt(&u.extension_number)),
        ]),
    )])
}

/// `error` events: `kind` says what failed; `code` is RingCentral's error code when it sent one.
pub fn error(kind: &str, code: Option<&str>, message: &str) -> Out {
    Out::Obj(vec![
        ("kind", kind.into()),
        ("code", code.map_or(Out::Null, Out::from)),
        ("message", message.into()),
    ])
}

pub fn api_error(e: &ApiError) -> Out {
    let kind = match e {
        ApiError::Unauthorized { .. } => "unauthorized",
        ApiError::Forbidden { .. } => "forbidden",
        ApiError::RateLimited { .. } => "rate-limited",
        ApiError::Rejected { .. } => "rejected",
        ApiError::Server { .. } => "server",
        ApiError::Network(_) => "network",
        ApiError::Malformed(_) => "malformed",
    };
    error(kind, e.code(), &e.summary())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallRecord;
    use serde_json::json;

    fn view(j: serde_json::Value) -> CallView {
        CallView::from_record(CallRecord::read(&j).unwrap()).unwrap()
    }

    fn keys(o: &Out) -> Vec<&'static str> {
        match o {
            Out::Obj(f) => f.iter().map(|(k, _)| *k).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn a_call_has_the_documented_shape_and_nothing_raw() {
        let c = view(json!({
            "id": "c1", "sessionId": 42, "startTime": "2026-11-27T09:00:00.000Z", "direction": "Outbound",
            "result": "In Progress", "from": {"name": "Ben Baker", "extensionNumber": "102"},
            "to": {"phoneNumber": "+14155550100", "name": "<img onerror=alert(1)>"},
            "extension": {"id": 102}, "someFieldRingCentralAddsLater": {"x": 1}
        }));
        let p = call(&c, 7, None);
        assert_eq!(
            keys(&p),
            [
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
                "contact"
            ]
        );
        assert_eq!(p.get("sessionId"), Some(&Out::Str("42".into())));
        assert_eq!(p.get("status"), Some(&Out::Str("ringing".into())));
        assert_eq!(p.get("durationSeconds"), Some(&Out::Num(7.0)));
        assert_eq!(p.get("extension"), Some(&Out::Str("102".into())));
        // Outbound: `from` is our side, as RingCentral means it.
        let from = p.get("from").unwrap();
        assert_eq!(from.get("extensionNumber"), Some(&Out::Str("102".into())));
        let to = p.get("to").unwrap();
        assert_eq!(
            to.get("name"),
            Some(&Out::Str("<img onerror=alert(1)>".into()))
        );
        assert_eq!(p.get("contact"), Some(&Out::Null));
    }

    #[test]
    fn errors_name_their_kind_and_code() {
        let e = ApiError::Forbidden {
            permission: Some("ReadCompanyCallLog".into()),
            code: Some("CMN-401".into()),
            message: "In order to call this API endpoint, user needs to have [ReadCompanyCallLog] permission for requested resource.".into(),
        };
        let p = api_error(&e);
        assert_eq!(p.get("kind"), Some(&Out::Str("forbidden".into())));
        assert_eq!(p.get("code"), Some(&Out::Str("CMN-401".into())));
        assert_eq!(
            api_error(&ApiError::Network("x".into())).get("code"),
            Some(&Out::Null)
        );
    }
}
