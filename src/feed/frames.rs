//! RingCentral's WebSocket frames as the widget reads and writes them (realtime-and-tabs.md C): arrays
//! `[meta, body?]`, `meta.type` one of `ConnectionDetails`, `ClientRequest`, `ServerNotification`, `Heartbeat`,
//! `Error`. Read field by field through `api::json::Json`, as call records are (lenient: a field of the wrong type
//! reads as absent, a frame of an unknown type as `Frame::Other`, a body of an unknown event as `Event::Other`);
//! measured in the release build, serde derives for these seven bodies cost 4.4 KB more gzipped wasm (216,889 B
//! against 212,527 B of wasm). Written as `Serialize` structs.

use crate::api::error::ErrorBody;
use crate::api::json::{Json, Source};
use serde::Serialize;

/// The WebSocket session context: recover with `token` within `recoveryTimeout`; keep the highest `sequence`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wsc {
    pub token: Option<String>,
    pub sequence: Option<f64>,
}

impl Wsc {
    fn read<J: Json>(v: &J) -> Wsc {
        Wsc {
            token: v.str_at("token").filter(|t| !t.is_empty()),
            sequence: v.num_at("sequence"),
        }
    }
}

/// `ConnectionDetails`' body: the numbers a client lives by, and how a recovery went.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectionDetails {
    pub recovery_timeout: Option<f64>,
    pub idle_timeout: Option<f64>,
    pub absolute_timeout: Option<f64>,
    pub recovery_buffer_size: Option<f64>,
    /// `Successful` or `Failed` after a reconnect with `wsc`; absent otherwise.
    pub recovery_state: Option<String>,
    pub recovery_error_code: Option<String>,
}

impl ConnectionDetails {
    fn read<J: Json>(v: &J) -> ConnectionDetails {
        ConnectionDetails {
            recovery_timeout: v.num_at("recoveryTimeout"),
            idle_timeout: v.num_at("idleTimeout"),
            absolute_timeout: v.num_at("absoluteTimeout"),
            recovery_buffer_size: v.num_at("recoveryBufferSize"),
            recovery_state: v.str_at("recoveryState"),
            recovery_error_code: v.str_at("recoveryErrorCode"),
        }
    }
}

/// One call in a presence event's `activeCalls`. `id` is presence's own: join on `telephony_session_id`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActiveCall {
    pub id: Option<String>,
    pub direction: Option<String>,
    pub from: Option<String>,
    pub from_name: Option<String>,
    pub to: Option<String>,
    pub to_name: Option<String>,
    /// `Ringing`, `CallConnected`, `OnHold`, `ParkedCall`, `NoCall`, or a value added later (kept as text).
    pub telephony_status: Option<String>,
    pub session_id: Option<String>,
    pub telephony_session_id: Option<String>,
    pub party_id: Option<String>,
    pub start_time: Option<String>,
}

impl ActiveCall {
    /// An item that is not an object reads as an empty call.
    fn read<J: Json>(v: &J) -> ActiveCall {
        ActiveCall {
            id: v.str_at("id"),
            direction: v.str_at("direction"),
            from: v.str_at("from"),
            from_name: v.str_at("fromName"),
            to: v.str_at("to"),
            to_name: v.str_at("toName"),
            telephony_status: v.str_at("telephonyStatus"),
            session_id: v.id_at("sessionId"),
            telephony_session_id: v.str_at("telephonySessionId"),
            party_id: v.str_at("partyId"),
            start_time: v.str_at("startTime"),
        }
    }
}

/// A detailed presence event's body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Presence {
    pub extension_id: Option<String>,
    pub telephony_status: Option<String>,
    /// The latest 7 calls; a non-object item reads as an empty call.
    pub active_calls: Option<Vec<ActiveCall>>,
    pub total_active_calls: Option<f64>,
    /// Grows with every presence event of the extension: an older one is stale.
    pub sequence: Option<f64>,
}

impl Presence {
    fn read<J: Json>(v: &J) -> Presence {
        Presence {
            extension_id: v.id_at("extensionId"),
            telephony_status: v.str_at("telephonyStatus"),
            active_calls: v
                .get("activeCalls")
                .and_then(|a| a.items())
                .map(|items| items.iter().map(ActiveCall::read).collect()),
            total_active_calls: v.num_at("totalActiveCalls"),
            sequence: v.num_at("sequence"),
        }
    }
}

/// What a notification is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `…/presence…` (an extension's, or the account's naming the extension).
    Presence(Presence),
    /// An event this widget does not read (telephony sessions, anything RingCentral adds).
    Other(String),
}

/// `POST /restapi/v1.0/subscription/`'s answer, the part a client needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubscriptionInfo {
    pub id: Option<String>,
    pub status: Option<String>,
}

/// A frame from the gateway.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    ConnectionDetails {
        wsc: Wsc,
        details: ConnectionDetails,
    },
    Notification {
        wsc: Option<Wsc>,
        subscription_id: Option<String>,
        timestamp: Option<String>,
        /// The signed-in extension (an account-wide event names another in its body).
        owner_id: Option<String>,
        event: Event,
    },
    /// The answer to one of our `ClientRequest`s.
    Response {
        message_id: String,
        status: u16,
        subscription: Option<SubscriptionInfo>,
        error: Option<ErrorBody>,
    },
    Heartbeat,
    /// The gateway refused something; for a connection-level error the socket closes next.
    Error(ErrorBody),
    /// A frame type added later, or a frame that is not `[meta, body?]`.
    Other,
}

/// Reads one frame (the value `JSON.parse` made of a message's text).
pub fn read<J: Json + Source>(frame: &J) -> Frame {
    let Some(items) = frame.items() else {
        return Frame::Other;
    };
    // A meta that is not an object has no `type`: `Frame::Other`, as for a type this widget does not know.
    let (Some(meta), body) = (items.first(), items.get(1)) else {
        return Frame::Other;
    };
    let kind = meta.str_at("type").unwrap_or_default();
    let status = meta
        .num_at("status")
        .filter(|s| (100.0..=599.0).contains(s))
        .map_or(0, |s| s as u16);
    let wsc = meta.get("wsc").map(|w| Wsc::read(&w));
    match kind.as_str() {
        "ConnectionDetails" => Frame::ConnectionDetails {
            wsc: wsc.unwrap_or_default(),
            details: body.map(ConnectionDetails::read).unwrap_or_default(),
        },
        "ServerNotification" => {
            let name = body.and_then(|b| b.str_at("event")).unwrap_or_default();
            // `?detailedTelephonyState=true`, with or without more query: presence, account-wide or not.
            let path = name.split('?').next().unwrap_or("");
            let event = if path.ends_with("/presence") {
                Event::Presence(
                    body.and_then(|b| b.get("body"))
                        .map(|b| Presence::read(&b))
                        .unwrap_or_default(),
                )
            } else {
                Event::Other(name)
            };
            Frame::Notification {
                wsc,
                subscription_id: body.and_then(|b| b.str_at("subscriptionId")),
                timestamp: body.and_then(|b| b.str_at("timestamp")),
                owner_id: body.and_then(|b| b.id_at("ownerId")),
                event,
            }
        }
        "ClientRequest" => {
            let ok = (200..300).contains(&status);
            Frame::Response {
                message_id: meta.str_at("messageId").unwrap_or_default(),
                status,
                subscription: body.filter(|_| ok).map(|b| SubscriptionInfo {
                    id: b.str_at("id").filter(|i| !i.is_empty()),
                    status: b.str_at("status"),
                }),
                error: body.filter(|_| !ok).map(ErrorBody::read),
            }
        }
        "Heartbeat" => Frame::Heartbeat,
        "Error" => Frame::Error(body.map(ErrorBody::read).unwrap_or_default()),
        _ => Frame::Other,
    }
}

/// The meta of a frame the widget sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutMeta {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryMode {
    pub transport_type: &'static str,
}

/// The body of a subscription request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRequest {
    pub event_filters: Vec<String>,
    pub delivery_mode: DeliveryMode,
}

/// `[meta, body]` of a subscription to these filters.
pub fn subscribe(message_id: String, filters: Vec<String>) -> (OutMeta, SubscriptionRequest) {
    (
        OutMeta {
            kind: "ClientRequest",
            message_id,
            method: Some("POST"),
            path: Some("/restapi/v1.0/subscription/"),
        },
        SubscriptionRequest {
            event_filters: filters,
            delivery_mode: DeliveryMode {
                transport_type: "WebSocket",
            },
        },
    )
}

/// `[meta]` of a heartbeat (sent after 30 s without a message).
pub fn heartbeat(message_id: String) -> (OutMeta,) {
    (OutMeta {
        kind: "Heartbeat",
        message_id,
        method: None,
        path: None,
    },)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parse(text: &str) -> Frame {
        read(&serde_json::from_str::<Value>(text).unwrap())
    }

    #[test]
    fn reads_the_documented_connection_details() {
        let f = parse(
            r#"[{"type":"ConnectionDetails","messageId":"156eec30","status":200,"wsc":{"token":"RTFhRG5nfExxxxxxxxxxxcHE3bXkyRURQVQ","sequence":1},"headers":{"RCRequestId":"156eec30"}},{"creationTime":"2020-09-07T21:50:02.737+0000","maxConnectionsPerSession":50,"recoveryBufferSize":100,"recoveryTimeout":180,"idleTimeout":1800,"absoluteTimeout":86400,"maxActiveRequests":10}]"#,
        );
        let Frame::ConnectionDetails { wsc, details } = f else {
            panic!("{f:?}")
        };
        assert_eq!(
            wsc.token.as_deref(),
            Some("RTFhRG5nfExxxxxxxxxxxcHE3bXkyRURQVQ")
        );
        assert_eq!(wsc.sequence, Some(1.0));
        assert_eq!(details.recovery_timeout, Some(180.0));
        assert_eq!(details.recovery_state, None);
    }

    #[test]
    fn reads_the_documented_presence_notification() {
        let f = parse(
            r#"[{"type":"ServerNotification","messageId":"5745390252954738247","status":200,"headers":{"RCRequestId":"8d38dba2-8a4d-11ec-ac15-005056be0c18"}},{"uuid":"5745390252954738247","event":"/restapi/v1.0/account/908199004/extension/908199004/presence?detailedTelephonyState=true&sipData=true","timestamp":"2022-02-10T08:43:42.805Z","subscriptionId":"70400705-9b57-484e-aad0-a4ba318fbdeb","ownerId":"908199004","body":{"extensionId":908199004,"telephonyStatus":"Ringing","activeCalls":[{"id":"j4d3cdrpsor53mefq01c","direction":"Outbound","from":"+19073490936","to":"+12055439065","telephonyStatus":"Ringing","sipData":{"toTag":"c13ltuhnoj","fromTag":"10.74.13.130-5070-881943ee-889e-440a","remoteUri":"-","localUri":"-"},"sessionId":"45561702004","startTime":"2022-02-10T08:43:42.718Z","partyId":"p-a4a0d8226a3d4z17ee2cd74ddz2edde0000-1","telephonySessionId":"s-a4a0d8226a3d4z17ee2cd74ddz2edde0000"}],"sequence":10,"presenceStatus":"Available","userStatus":"Available","dndStatus":"TakeAllCalls","meetingStatus":"Disconnected","allowSeeMyPresence":true,"ringOnMonitoredCall":false,"pickUpCallsOnHold":false,"totalActiveCalls":1}}]"#,
        );
        let Frame::Notification {
            subscription_id,
            owner_id,
            event: Event::Presence(p),
            ..
        } = f
        else {
            panic!("{f:?}")
        };
        assert_eq!(
            subscription_id.as_deref(),
            Some("70400705-9b57-484e-aad0-a4ba318fbdeb")
        );
        assert_eq!(owner_id.as_deref(), Some("908199004"));
        assert_eq!(p.extension_id.as_deref(), Some("908199004"));
        assert_eq!((p.sequence, p.total_active_calls), (Some(10.0), Some(1.0)));
        let calls = p.active_calls.unwrap();
        assert_eq!(calls[0].telephony_status.as_deref(), Some("Ringing"));
        assert_eq!(
            calls[0].telephony_session_id.as_deref(),
            Some("s-a4a0d8226a3d4z17ee2cd74ddz2edde0000")
        );
        assert_eq!(calls[0].session_id.as_deref(), Some("45561702004"));
    }

    #[test]
    fn answers_errors_and_heartbeats() {
        let ok = parse(
            r#"[{"type":"ClientRequest","messageId":"m1","status":200,"headers":{"WSG-SubscriptionId":"9c5b"}},{"id":"9c5b","status":"Active","eventFilters":["x"]}]"#,
        );
        assert_eq!(
            ok,
            Frame::Response {
                message_id: "m1".into(),
                status: 200,
                subscription: Some(SubscriptionInfo {
                    id: Some("9c5b".into()),
                    status: Some("Active".into())
                }),
                error: None
            }
        );
        let refused = parse(
            r#"[{"type":"ClientRequest","messageId":"m2","status":403},{"errorCode":"SUB-528","message":"[SubscriptionWebSocket] application permission is required for [WebSocket] transport","errors":[{"errorCode":"SUB-528","message":"…"}]}]"#,
        );
        let Frame::Response {
            status: 403,
            error: Some(e),
            ..
        } = refused
        else {
            panic!("{refused:?}")
        };
        assert_eq!(e.errors[0].error_code.as_deref(), Some("SUB-528"));
        let Frame::Error(e) = parse(
            r#"[{"type":"Error","status":400},{"errorCode":"WSG-400","message":"Malformed WebSocket session context token"}]"#,
        ) else {
            panic!()
        };
        assert_eq!(e.error_code.as_deref(), Some("WSG-400"));
        assert_eq!(
            parse(r#"[{"type":"Heartbeat","messageId":"h"}]"#),
            Frame::Heartbeat
        );
    }

    #[test]
    fn anything_else_is_other_never_a_panic() {
        for text in [
            "null",
            "7",
            "{}",
            "[]",
            "[1,2]",
            r#"[{"type":"Teleport"}]"#,
            r#"[{"type":7}]"#,
            r#"[{"type":"ServerNotification"},"body"]"#,
            r#"[{"type":"ServerNotification"},{"event":"/restapi/v1.0/account/1/extension/2/presence","body":[1]}]"#,
            r#"[{"type":"ConnectionDetails","wsc":"x"},[]]"#,
        ] {
            let _ = parse(text);
        }
        assert_eq!(parse(r#"[{"type":"Teleport"}]"#), Frame::Other);
        let sessions = parse(
            r#"[{"type":"ServerNotification","wsc":{"token":"t","sequence":"x"}},{"event":"/restapi/v1.0/account/1/extension/2/telephony/sessions","body":{}}]"#,
        );
        let Frame::Notification { wsc, event, .. } = sessions else {
            panic!()
        };
        assert_eq!(
            event,
            Event::Other("/restapi/v1.0/account/1/extension/2/telephony/sessions".into())
        );
        assert_eq!(wsc.and_then(|w| w.sequence), None);
        let odd = parse(
            r#"[{"type":"ServerNotification"},{"event":"/restapi/v1.0/account/~/presence?detailedTelephonyState=true","body":{"activeCalls":["junk",{"telephonyStatus":"Teleporting"}],"sequence":"soon"}}]"#,
        );
        let Frame::Notification {
            event: Event::Presence(p),
            ..
        } = odd
        else {
            panic!()
        };
        let calls = p.active_calls.unwrap();
        assert_eq!(calls[0], ActiveCall::default());
        assert_eq!(calls[1].telephony_status.as_deref(), Some("Teleporting"));
        assert_eq!(p.sequence, None);
    }

    #[test]
    fn writes_the_documented_subscription_request_and_heartbeat() {
        let (meta, body) = subscribe(
            "11618510-987d-442e-8dcf-0640b82e4ff5".into(),
            vec!["/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true".into()],
        );
        assert_eq!(
            serde_json::to_value((meta, body)).unwrap(),
            json!([{"type":"ClientRequest","messageId":"11618510-987d-442e-8dcf-0640b82e4ff5","method":"POST","path":"/restapi/v1.0/subscription/"},
                   {"eventFilters":["/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true"],"deliveryMode":{"transportType":"WebSocket"}}])
        );
        assert_eq!(
            serde_json::to_value(heartbeat("h1".into())).unwrap(),
            json!([{"type": "Heartbeat", "messageId": "h1"}])
        );
    }
}
