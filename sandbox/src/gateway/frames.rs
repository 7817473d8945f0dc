//! The gateway's frames: JSON arrays `[meta, body?]` whose `meta.type` is `ClientRequest`, `ServerNotification`,
//! `Error`, `ConnectionDetails` or `Heartbeat` (realtime-and-tabs.md C). Client frames are read leniently into
//! what the gateway acts on; server frames are built here and nowhere else.

use crate::clock::{rfc3339, Millis};
use crate::config::WsSettings;
use crate::tokens::random_token;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// What a client sent, as far as the gateway cares.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame {
    /// A REST call tunnelled over the socket (subscriptions).
    Request {
        message_id: String,
        method: String,
        path: String,
        body: Option<Value>,
    },
    /// Echoed back as it came.
    Heartbeat { meta: Map<String, Value> },
}

/// Why a client frame was refused; each becomes an `Error` frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameError {
    NotJson,
    NotAnArray,
    NoMeta,
    UnknownType(String),
    Missing(&'static str),
}

impl FrameError {
    pub fn message(&self) -> String {
        match self {
            FrameError::NotJson => "Message is not valid JSON".into(),
            FrameError::NotAnArray => "Message must be a JSON array [meta, body]".into(),
            FrameError::NoMeta => "Message has no meta object with a type".into(),
            FrameError::UnknownType(t) => format!("Unsupported message type [{t}]"),
            FrameError::Missing(f) => format!("Parameter [{f}] is not specified"),
        }
    }

    /// The `type` the request log records for a refused frame.
    pub fn logged_type(&self) -> String {
        match self {
            FrameError::UnknownType(t) => t.chars().take(40).collect(),
            _ => "malformed".into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestMeta {
    message_id: Option<String>,
    method: Option<String>,
    path: Option<String>,
}

pub fn parse(text: &str) -> Result<ClientFrame, FrameError> {
    let v: Value = serde_json::from_str(text).map_err(|_| FrameError::NotJson)?;
    let Value::Array(mut items) = v else {
        return Err(FrameError::NotAnArray);
    };
    if items.is_empty() {
        return Err(FrameError::NoMeta);
    }
    let body = (items.len() > 1).then(|| items.swap_remove(1));
    let Value::Object(meta) = items.swap_remove(0) else {
        return Err(FrameError::NoMeta);
    };
    let kind = meta
        .get("type")
        .and_then(Value::as_str)
        .ok_or(FrameError::NoMeta)?
        .to_string();
    match kind.as_str() {
        "Heartbeat" => Ok(ClientFrame::Heartbeat { meta }),
        "ClientRequest" => {
            let m: RequestMeta =
                serde_json::from_value(Value::Object(meta)).map_err(|_| FrameError::NoMeta)?;
            Ok(ClientFrame::Request {
                message_id: m.message_id.ok_or(FrameError::Missing("messageId"))?,
                method: m.method.ok_or(FrameError::Missing("method"))?,
                path: m.path.ok_or(FrameError::Missing("path"))?,
                body,
            })
        }
        other => Err(FrameError::UnknownType(other.to_string())),
    }
}

/// A message id in RingCentral's form (a UUID).
pub fn message_id() -> String {
    let t = random_token(32).to_lowercase();
    let hex: String = t
        .bytes()
        .map(|b| char::from(b"0123456789abcdef"[(b % 16) as usize]))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn frame(meta: Value, body: Option<Value>) -> String {
    match body {
        Some(b) => Value::Array(vec![meta, b]).to_string(),
        None => Value::Array(vec![meta]).to_string(),
    }
}

/// How a reconnect with `wsc` went.
#[derive(Debug, Clone, PartialEq)]
pub enum Recovery {
    Successful,
    Failed(&'static str),
}

/// `creationTime` is written `2020-09-07T21:50:02.737+0000` in RingCentral's sample.
fn creation_time(at: Millis) -> String {
    rfc3339(at).replace('Z', "+0000")
}

/// The first frame of every connection.
pub fn connection_details(
    wsc_token: &str,
    sequence: u64,
    created: Millis,
    ws: &WsSettings,
    recovery: Option<&Recovery>,
) -> String {
    let id = message_id();
    let mut body = json!({
        "creationTime": creation_time(created),
        "maxConnectionsPerSession": ws.max_connections_per_session,
        "recoveryBufferSize": ws.recovery_buffer_size,
        "recoveryTimeout": ws.recovery_timeout_secs,
        "idleTimeout": ws.idle_timeout_secs,
        "absoluteTimeout": ws.absolute_timeout_secs,
        "maxActiveRequests": ws.max_active_requests,
    });
    match recovery {
        Some(Recovery::Successful) => body["recoveryState"] = json!("Successful"),
        Some(Recovery::Failed(code)) => {
            body["recoveryState"] = json!("Failed");
            body["recoveryErrorCode"] = json!(code);
        }
        None => {}
    }
    frame(
        json!({ "type": "ConnectionDetails", "messageId": id, "status": 200,
                "wsc": { "token": wsc_token, "sequence": sequence }, "headers": { "RCRequestId": id } }),
        Some(body),
    )
}

/// An `Error` frame: `{"errorCode": "WSG-…", "message": …}`.
pub fn error(status: u16, code: &str, message: &str) -> String {
    let id = message_id();
    frame(
        json!({ "type": "Error", "messageId": id, "status": status, "headers": { "RCRequestId": id } }),
        Some(json!({ "errorCode": code, "message": message })),
    )
}

/// The answer to a `ClientRequest`: the same `messageId`, the HTTP status and headers in the meta.
pub fn response(message_id: &str, status: u16, headers: Map<String, Value>, body: Value) -> String {
    let mut h = headers;
    h.insert("RCRequestId".into(), json!(self::message_id()));
    h.insert("Content-Type".into(), json!("application/json"));
    frame(
        json!({ "type": "ClientRequest", "messageId": message_id, "status": status, "headers": h }),
        Some(body),
    )
}

/// A notification; its `messageId` is the body's `uuid`.
pub fn notification(uuid: &str, wsc_token: &str, sequence: u64, body: &Value) -> String {
    frame(
        json!({ "type": "ServerNotification", "messageId": uuid, "status": 200,
                "wsc": { "token": wsc_token, "sequence": sequence },
                "headers": { "RCRequestId": message_id() } }),
        Some(body.clone()),
    )
}

/// The echo of a client's heartbeat.
pub fn heartbeat(mut meta: Map<String, Value>) -> String {
    meta.insert("status".into(), json!(200));
    frame(Value::Object(meta), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_subscription_request() {
        let f = parse(
            r#"[{"type":"ClientRequest","messageId":"11618510-987d-442e-8dcf-0640b82e4ff5","method":"POST","path":"/restapi/v1.0/subscription/"},{"eventFilters":["/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true"],"deliveryMode":{"transportType":"WebSocket"}}]"#,
        );
        let Ok(ClientFrame::Request {
            message_id,
            method,
            path,
            body,
        }) = f
        else {
            panic!("{f:?}")
        };
        assert_eq!(message_id, "11618510-987d-442e-8dcf-0640b82e4ff5");
        assert_eq!(
            (method.as_str(), path.as_str()),
            ("POST", "/restapi/v1.0/subscription/")
        );
        assert_eq!(body.unwrap()["deliveryMode"]["transportType"], "WebSocket");
    }

    #[test]
    fn refuses_what_is_not_a_frame() {
        assert_eq!(parse("hello"), Err(FrameError::NotJson));
        assert_eq!(
            parse(r#"{"type":"Heartbeat"}"#),
            Err(FrameError::NotAnArray)
        );
        assert_eq!(parse("[]"), Err(FrameError::NoMeta));
        assert_eq!(parse("[1,2]"), Err(FrameError::NoMeta));
        assert_eq!(parse(r#"[{"messageId":"x"}]"#), Err(FrameError::NoMeta));
        assert_eq!(
            parse(r#"[{"type":"Teleport"}]"#),
            Err(FrameError::UnknownType("Teleport".into()))
        );
        assert_eq!(
            parse(r#"[{"type":"ClientRequest","messageId":"1","method":"GET"}]"#),
            Err(FrameError::Missing("path"))
        );
        assert_eq!(
            parse(r#"[{"type":"ClientRequest","messageId":7,"method":"GET","path":"/"}]"#),
            Err(FrameError::NoMeta)
        );
    }

    #[test]
    fn connection_details_has_every_documented_field() {
        let ws = WsSettings::default();
        let text = connection_details("tok", 1, 1_599_515_402_737, &ws, None);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["type"], "ConnectionDetails");
        assert_eq!(v[0]["wsc"], json!({ "token": "tok", "sequence": 1 }));
        assert_eq!(v[1]["creationTime"], "2020-09-07T21:50:02.737+0000");
        for (k, n) in [
            ("maxConnectionsPerSession", 50),
            ("recoveryBufferSize", 100),
            ("recoveryTimeout", 180),
            ("idleTimeout", 1800),
            ("absoluteTimeout", 86400),
            ("maxActiveRequests", 10),
        ] {
            assert_eq!(v[1][k], n, "{k}");
        }
        assert!(v[1].get("recoveryState").is_none());
        let failed = connection_details("t", 1, 0, &ws, Some(&Recovery::Failed("WSG-1005")));
        let v: Value = serde_json::from_str(&failed).unwrap();
        assert_eq!(v[1]["recoveryState"], "Failed");
        assert_eq!(v[1]["recoveryErrorCode"], "WSG-1005");
    }

    #[test]
    fn message_ids_look_like_uuids() {
        let id = message_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
