#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may stop at the first surprise
//! The WebSocket API end to end over a real socket: wstoken, the gateway's frames and errors, subscriptions,
//! presence and telephony-session events, heartbeats and timeouts on the sandbox clock, recovery, session end,
//! hostile frames, the control API's switches, and fan-out to many connections.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use rc_sandbox::config::{Limit, World};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const PRESENCE: &str = "/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true";
const SESSIONS: &str = "/restapi/v1.0/account/~/extension/~/telephony/sessions";

/// What came over the socket.
#[derive(Debug)]
enum Got {
    Frame(Value),
    NotJson(String),
    Closed(Option<u16>),
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    async fn got(&mut self) -> Got {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("nothing arrived within 5 s");
            match next {
                Some(Ok(Message::Text(t))) => {
                    return match serde_json::from_str(t.as_str()) {
                        Ok(v) => Got::Frame(v),
                        Err(_) => Got::NotJson(t.to_string()),
                    }
                }
                Some(Ok(Message::Close(f))) => return Got::Closed(f.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Got::Closed(None),
            }
        }
    }

    async fn frame(&mut self) -> Value {
        match self.got().await {
            Got::Frame(v) => v,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// The next frame, which must be of `kind`.
    async fn expect(&mut self, kind: &str) -> Value {
        let f = self.frame().await;
        assert_eq!(f[0]["type"], kind, "{f}");
        f
    }

    async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Got::Closed(code) = self.got().await {
                return code;
            }
        }
    }

    async fn send(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    /// A `ClientRequest`; returns the reply with the same `messageId`.
    async fn request(&mut self, method: &str, path: &str, body: Option<Value>) -> Value {
        let meta =
            json!({ "type": "ClientRequest", "messageId": "m-1", "method": method, "path": path });
        let frame = match body {
            Some(b) => json!([meta, b]),
            None => json!([meta]),
        };
        self.send(&frame.to_string()).await;
        loop {
            let f = self.frame().await;
            if f[0]["messageId"] == "m-1" {
                assert_eq!(f[0]["type"], "ClientRequest");
                return f;
            }
        }
    }

    async fn subscribe(&mut self, filters: &[&str]) -> Value {
        self.request(
            "POST",
            "/restapi/v1.0/subscription/",
            Some(json!({ "eventFilters": filters, "deliveryMode": { "transportType": "WebSocket" } })),
        )
        .await
    }

    /// The next notification (skipping nothing else: anything but a notification fails the test).
    async fn event(&mut self) -> Value {
        self.expect("ServerNotification").await
    }

    async fn heartbeat(&mut self) -> Value {
        self.send(r#"[{"type":"Heartbeat","messageId":"hb-1"}]"#)
            .await;
        self.expect("Heartbeat").await
    }
}

struct Live {
    s: Sandbox,
    addr: SocketAddr,
}

fn world() -> World {
    let mut w = World::default();
    w.settings.mean_call_gap_secs = 0;
    // Many sockets in one test need many wstokens and subscriptions.
    let many = Limit {
        requests: 1000,
        window_secs: 60,
        penalty_secs: 60,
    };
    w.settings.auth = many.clone();
    w.settings.medium = many;
    w
}

async fn live() -> Live {
    live_in(world()).await
}

async fn live_in(w: World) -> Live {
    let (s, addr) = live_with(w).await;
    Live { s, addr }
}

impl Live {
    async fn wstoken(&self, access: &str) -> Answer {
        self.s
            .send(
                axum::http::Request::post("/restapi/oauth/wstoken")
                    .header("authorization", format!("Bearer {access}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
    }

    async fn token_for(&self, access: &str) -> String {
        let a = self.wstoken(access).await;
        assert_eq!(a.status.as_u16(), 200, "{}", a.text());
        a.json()["ws_access_token"].as_str().unwrap().to_string()
    }

    async fn open(&self, query: &str) -> Client {
        let (ws, res) = tokio_tungstenite::connect_async(format!("ws://{}/ws{query}", self.addr))
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 101);
        Client { ws }
    }

    /// A connection of a signed-in user, past its ConnectionDetails.
    async fn connect(&self, access: &str) -> (Client, Value) {
        let token = self.token_for(access).await;
        let mut c = self.open(&format!("?access_token={token}")).await;
        let details = c.expect("ConnectionDetails").await;
        (c, details)
    }

    async fn recover(&self, access: &str, wsc: &str) -> (Client, Value) {
        let token = self.token_for(access).await;
        let mut c = self.open(&format!("?access_token={token}&wsc={wsc}")).await;
        let details = c.expect("ConnectionDetails").await;
        (c, details)
    }

    async fn ctl(&self, path: &str, body: Value) -> Value {
        let a = self.s.control(path, body).await;
        assert!(a.status.is_success(), "{path}: {}", a.text());
        a.json()
    }

    async fn state(&self) -> Value {
        self.s.get("/sandbox/state", None).await.json()
    }

    /// Waits (a few real milliseconds) until the gateway has noticed closed sockets.
    async fn until_connections(&self, n: usize) {
        for _ in 0..100 {
            if self.state().await["connections"].as_array().map(Vec::len) == Some(n) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("never {n} connections");
    }

    /// Moves the sandbox clock and lets the gateway act on it (timeouts, expiries).
    fn advance(&self, ms: i64) {
        self.s.st.clock.advance(ms);
        self.s.st.tick();
    }
}

fn access(t: &Value) -> String {
    t["access_token"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------- wstoken and connecting

#[tokio::test]
async fn wstoken_is_a_single_use_token_for_the_gateway_in_the_auth_group() {
    let l = live().await;
    let t = l.s.sign_in(USER).await;
    let a = l.wstoken(&access(&t)).await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.text());
    let body = a.json();
    assert_eq!(body["uri"], format!("ws://{}/ws", l.addr));
    assert_eq!(body["expires_in"], 60);
    assert!(body["ws_access_token"]
        .as_str()
        .is_some_and(|t| t.len() >= 30));
    assert_eq!(a.header("x-rate-limit-group").as_deref(), Some("auth"));
    let none = l.s.send(
        axum::http::Request::post("/restapi/oauth/wstoken")
            .body(axum::body::Body::empty())
            .unwrap(),
    );
    let none = none.await;
    assert_eq!(none.status.as_u16(), 401);
    assert_eq!(none.json()["errors"][0]["errorCode"], "OAU-123");
}

#[tokio::test]
async fn an_app_without_websocket_permission_gets_no_wstoken() {
    let l = live().await;
    let code =
        l.s.code_with(
            "no-calls-app",
            &format!("code_challenge={CHALLENGE}&code_challenge_method=S256"),
            USER,
        )
        .await;
    let t =
        l.s.exchange_with("no-calls-app", &code, VERIFIER)
            .await
            .json();
    let a = l.wstoken(&access(&t)).await;
    assert_eq!(a.status.as_u16(), 403);
    assert_eq!(a.json()["errors"][0]["errorCode"], "CMN-401");
    assert_eq!(a.json()["permissionName"], "WebSocketsSubscription");
}

#[tokio::test]
async fn connection_details_comes_first_with_every_documented_field() {
    let l = live().await;
    let t = l.s.sign_in(USER).await;
    let (_c, d) = l.connect(&access(&t)).await;
    assert_eq!(d[0]["status"], 200);
    assert_eq!(d[0]["wsc"]["sequence"], 1);
    assert!(d[0]["wsc"]["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(d[0]["headers"]["RCRequestId"], d[0]["messageId"]);
    for k in [
        "creationTime",
        "maxConnectionsPerSession",
        "recoveryBufferSize",
        "recoveryTimeout",
        "idleTimeout",
        "absoluteTimeout",
        "maxActiveRequests",
    ] {
        assert!(d[1].get(k).is_some(), "{k} in {d}");
    }
    assert!(d[1].get("recoveryState").is_none());
}

#[tokio::test]
async fn a_bad_used_expired_or_missing_token_is_refused() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let mut c = l.open("?access_token=made-up").await;
    let e = c.expect("Error").await;
    assert_eq!(e[1]["errorCode"], "WSG-401");
    assert_eq!(c.closed().await, Some(1008));

    let token = l.token_for(&t).await;
    let (mut first, _) = (l.open(&format!("?access_token={token}")).await, ());
    first.expect("ConnectionDetails").await;
    let mut again = l.open(&format!("?access_token={token}")).await;
    assert_eq!(again.expect("Error").await[1]["errorCode"], "WSG-401");
    assert_eq!(again.closed().await, Some(1008));

    let token = l.token_for(&t).await;
    l.advance(60_000);
    let mut late = l.open(&format!("?access_token={token}")).await;
    assert_eq!(late.expect("Error").await[1]["errorCode"], "WSG-401");

    let mut bare = l.open("").await;
    assert_eq!(bare.closed().await, Some(4400));
    // The first connection was never disturbed.
    first.heartbeat().await;
}

// ---------------------------------------------------------------- subscriptions

#[tokio::test]
async fn a_subscription_echoes_the_message_id_with_its_headers_and_body() {
    let mut w = world();
    w.settings.medium = World::default().settings.medium;
    let l = live_in(w).await;
    let (mut c, _) = l.connect(&access(&l.s.sign_in(USER).await)).await;
    let r = c.subscribe(&[PRESENCE]).await;
    assert_eq!(r[0]["status"], 200, "{r}");
    let id = r[1]["id"].as_str().unwrap();
    assert_eq!(r[0]["headers"]["WSG-SubscriptionId"], id);
    assert_eq!(r[0]["headers"]["X-Rate-Limit-Group"], "medium");
    assert_eq!(r[0]["headers"]["X-Rate-Limit-Limit"], "40");
    assert_eq!(r[1]["status"], "Active");
    assert_eq!(r[1]["uri"], format!("/restapi/v1.0/subscription/{id}"));
    assert_eq!(r[1]["eventFilters"], json!([PRESENCE]));
    assert_eq!(r[1]["expiresIn"], 86_399);
    assert_eq!(
        r[1]["deliveryMode"],
        json!({ "transportType": "WebSocket", "encryption": false })
    );
    // RingCentral's JS client reads and cancels it by id, without the trailing slash.
    let got = c
        .request("GET", &format!("/restapi/v1.0/subscription/{id}"), None)
        .await;
    assert_eq!(got[1]["id"], id);
    let gone = c
        .request("DELETE", &format!("/restapi/v1.0/subscription/{id}"), None)
        .await;
    assert_eq!(gone[0]["status"], 204);
    let missing = c
        .request("GET", &format!("/restapi/v1.0/subscription/{id}"), None)
        .await;
    assert_eq!(missing[0]["status"], 404);
    assert_eq!(missing[1]["errors"][0]["errorCode"], "CMN-102");
}

#[tokio::test]
async fn a_second_subscription_replaces_the_first() {
    let l = live().await;
    let (mut c, _) = l.connect(&access(&l.s.sign_in(USER).await)).await;
    let first = c.subscribe(&[PRESENCE]).await[1]["id"].clone();
    let second = c
        .subscribe(&[&PRESENCE.replace("~/extension/~", "~/extension/400618687102")])
        .await;
    assert_ne!(second[1]["id"], first);
    l.s.start_call(json!({ "extension": "102" })).await;
    let e = c.event().await;
    assert_eq!(e[1]["subscriptionId"], second[1]["id"]);
    assert_eq!(
        l.state().await["subscriptions"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn unknown_filters_and_missing_permissions_answer_ringcentral_errors() {
    let mut w = world();
    w.apps[0].permissions.retain(|p| p != "ReadPresence");
    let l = live_in(w).await;
    let (mut ben, _) = l.connect(&access(&l.s.sign_in(USER).await)).await;
    let code = |r: &Value| {
        (
            r[0]["status"].as_u64(),
            r[1]["errors"][0]["errorCode"].clone(),
        )
    };
    let r = ben
        .subscribe(&["/restapi/v1.0/account/~/extension/~/message-store"])
        .await;
    assert_eq!(code(&r), (Some(400), json!("CMN-101")));
    assert_eq!(r[1]["errors"][0]["parameterName"], "eventFilters");
    let r = ben.subscribe(&[]).await;
    assert_eq!(code(&r), (Some(400), json!("CMN-101")));
    let r = ben.subscribe(&[PRESENCE]).await;
    assert_eq!(code(&r), (Some(403), json!("CMN-401")));
    assert_eq!(r[1]["permissionName"], "ReadPresence");
    let r = ben.subscribe(&[SESSIONS]).await;
    assert_eq!(code(&r), (Some(403), json!("CMN-401")));
    assert_eq!(r[1]["permissionName"], "CallControl");
    let r = ben
        .request(
            "POST",
            "/restapi/v1.0/subscription",
            Some(json!({ "eventFilters": [PRESENCE], "deliveryMode": { "transportType": "WebHook" } })),
        )
        .await;
    assert_eq!(code(&r), (Some(400), json!("CMN-101")));
    let r = ben
        .request("PATCH", "/restapi/v1.0/subscription/", None)
        .await;
    assert_eq!(r[0]["status"], 405);
    let r = ben
        .request("GET", "/restapi/v1.0/account/~/extension/~", None)
        .await;
    assert_eq!(r[0]["status"], 404);

    // With presence allowed, company-wide filters are for admins only.
    l.s.st.lock().world.apps[0]
        .permissions
        .push("ReadPresence".into());
    let r = ben
        .subscribe(&["/restapi/v1.0/account/~/presence?detailedTelephonyState=true"])
        .await;
    assert_eq!(code(&r), (Some(403), json!("CMN-408")));
    // And an app that loses WebSocketsSubscription cannot subscribe at all.
    l.s.st.lock().world.apps[0]
        .permissions
        .retain(|p| p != "WebSocketsSubscription");
    let r = ben.subscribe(&[PRESENCE]).await;
    assert_eq!(code(&r), (Some(403), json!("SUB-528")));
}

// ---------------------------------------------------------------- events

#[tokio::test]
async fn presence_follows_a_call_from_ringing_to_connected_to_ended_and_agrees_with_active_calls() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut c, d) = l.connect(&t).await;
    let wsc = d[0]["wsc"]["token"].clone();
    let sub = c.subscribe(&[PRESENCE]).await;
    let id = l
        .s
        .start_call(json!({ "extension": "102", "from": { "name": "Nancy Davolio", "phoneNumber": "+12125550143" } }))
        .await;

    let ringing = c.event().await;
    let (meta, n) = (&ringing[0], &ringing[1]);
    assert_eq!(meta["messageId"], n["uuid"]);
    assert_eq!(meta["wsc"]["token"], wsc);
    assert_eq!(meta["wsc"]["sequence"], 2);
    assert_eq!(
        n["event"],
        "/restapi/v1.0/account/400618687004/extension/400618687102/presence?detailedTelephonyState=true"
    );
    assert_eq!(n["subscriptionId"], sub[1]["id"]);
    assert_eq!(n["ownerId"], USER);
    let b = &n["body"];
    assert_eq!(b["telephonyStatus"], "Ringing");
    assert_eq!(b["totalActiveCalls"], 1);
    assert_eq!(b["extensionId"], json!(400_618_687_102u64));
    let call = &b["activeCalls"][0];
    assert_eq!(call["direction"], "Inbound");
    assert_eq!(call["from"], "+12125550143");
    assert_eq!(call["fromName"], "Nancy Davolio");
    assert_eq!(call["telephonyStatus"], "Ringing");
    for k in [
        "id",
        "sessionId",
        "telephonySessionId",
        "partyId",
        "startTime",
    ] {
        assert!(call.get(k).is_some(), "{k} in {call}");
    }
    let first_seq = b["sequence"].as_u64().unwrap();

    // The next active-calls answer tells of the same call.
    let list = l.s.get(MY_CALLS, Some(&t)).await.json();
    assert_eq!(
        list["records"][0]["telephonySessionId"],
        call["telephonySessionId"]
    );

    l.s.control(&format!("/sandbox/calls/{id}/answer"), json!({}))
        .await;
    let connected = c.event().await;
    assert_eq!(connected[0]["wsc"]["sequence"], 3);
    assert_eq!(connected[1]["body"]["telephonyStatus"], "CallConnected");
    assert_eq!(connected[1]["body"]["sequence"], first_seq + 1);

    l.s.control(&format!("/sandbox/calls/{id}/end"), json!({}))
        .await;
    let ended = c.event().await;
    let b = &ended[1]["body"];
    assert_eq!(b["telephonyStatus"], "NoCall");
    assert_eq!(b["totalActiveCalls"], 0);
    assert_eq!(b["activeCalls"][0]["telephonyStatus"], "NoCall");
}

#[tokio::test]
async fn telephony_session_events_go_setup_proceeding_answered_disconnected() {
    let mut w = world();
    w.apps[0].permissions.push("CallControl".into());
    let l = live_in(w).await;
    let (mut c, _) = l.connect(&access(&l.s.sign_in(USER).await)).await;
    assert_eq!(c.subscribe(&[SESSIONS]).await[0]["status"], 200);
    let id =
        l.s.start_call(json!({ "extension": "102", "direction": "Outbound" }))
            .await;
    l.s.control(&format!("/sandbox/calls/{id}/answer"), json!({}))
        .await;
    l.s.control(&format!("/sandbox/calls/{id}/end"), json!({}))
        .await;
    let mut seen = vec![];
    for _ in 0..4 {
        let e = c.event().await;
        let b = &e[1]["body"];
        assert_eq!(
            e[1]["event"],
            "/restapi/v1.0/account/400618687004/extension/400618687102/telephony/sessions"
        );
        assert_eq!(b["origin"]["type"], "Call");
        assert_eq!(b["parties"][0]["direction"], "Outbound");
        assert_eq!(b["parties"][0]["extensionId"], USER);
        seen.push((
            b["sequence"].as_u64().unwrap(),
            b["parties"][0]["status"]["code"].clone(),
        ));
    }
    assert_eq!(
        seen,
        [
            (1, json!("Setup")),
            (2, json!("Proceeding")),
            (3, json!("Answered")),
            (4, json!("Disconnected"))
        ]
    );
}

#[tokio::test]
async fn account_filters_give_an_admin_every_extension_and_name_it() {
    let mut w = world();
    w.apps[0].permissions.push("CallControl".into());
    let l = live_in(w).await;
    let (mut c, _) = l.connect(&access(&l.s.sign_in(ADMIN).await)).await;
    let r = c
        .subscribe(&[
            "/restapi/v1.0/account/~/presence?detailedTelephonyState=true",
            "/restapi/v1.0/account/~/telephony/sessions?direction=Inbound",
        ])
        .await;
    assert_eq!(r[0]["status"], 200, "{r}");
    l.s.start_call(json!({ "extension": "103" })).await;
    l.s.start_call(json!({ "extension": "104", "direction": "Outbound" }))
        .await;
    let mut events = vec![];
    // 103 inbound: Setup, Proceeding, presence. 104 outbound: presence only (the sessions filter is inbound).
    for _ in 0..4 {
        events.push(c.event().await[1]["event"].as_str().unwrap().to_string());
    }
    assert_eq!(
        events,
        [
            "/restapi/v1.0/account/400618687004/telephony/sessions",
            "/restapi/v1.0/account/400618687004/telephony/sessions",
            "/restapi/v1.0/account/400618687004/extension/400618687103/presence?detailedTelephonyState=true",
            "/restapi/v1.0/account/400618687004/extension/400618687104/presence?detailedTelephonyState=true",
        ]
    );
}

#[tokio::test]
async fn rest_presence_answers_the_event_body_in_the_light_group() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut c, _) = l.connect(&t).await;
    c.subscribe(&[&format!("{PRESENCE}&sipData=true")]).await;
    l.s.start_call(json!({ "extension": "102" })).await;
    let event = c.event().await[1]["body"].clone();
    assert!(event["activeCalls"][0].get("sipData").is_some());
    let a =
        l.s.get(&format!("{}&sipData=true", PRESENCE), Some(&t))
            .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.text());
    assert_eq!(a.header("x-rate-limit-group").as_deref(), Some("light"));
    let rest = a.json();
    for k in [
        "telephonyStatus",
        "activeCalls",
        "sequence",
        "totalActiveCalls",
        "presenceStatus",
        "extensionId",
    ] {
        assert_eq!(rest[k], event[k], "{k}");
    }
    assert!(rest["uri"]
        .as_str()
        .is_some_and(|u| u.ends_with("/presence")));
    let basic =
        l.s.get("/restapi/v1.0/account/~/extension/~/presence", Some(&t))
            .await
            .json();
    assert!(basic.get("activeCalls").is_none());
    let other =
        l.s.get(
            "/restapi/v1.0/account/~/extension/400618687101/presence",
            Some(&t),
        )
        .await;
    assert_eq!(other.status.as_u16(), 403);
}

#[tokio::test]
async fn active_calls_lags_behind_events_by_the_configured_seconds() {
    let l = live().await;
    l.ctl("/sandbox/settings", json!({ "activeCallsLagSecs": 5 }))
        .await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut c, _) = l.connect(&t).await;
    c.subscribe(&[PRESENCE]).await;
    let id = l.s.start_call(json!({ "extension": "102" })).await;
    assert_eq!(c.event().await[1]["body"]["telephonyStatus"], "Ringing");
    let count = |v: Value| v["records"].as_array().map(Vec::len);
    assert_eq!(count(l.s.get(MY_CALLS, Some(&t)).await.json()), Some(0));
    l.advance(5_000);
    let listed = l.s.get(MY_CALLS, Some(&t)).await.json();
    assert_eq!(listed["records"][0]["result"], "In Progress");
    l.s.control(&format!("/sandbox/calls/{id}/end"), json!({}))
        .await;
    assert_eq!(c.event().await[1]["body"]["telephonyStatus"], "NoCall");
    assert!(l.s.get(MY_CALLS, Some(&t)).await.json()["records"][0]
        .get("duration")
        .is_none());
    l.advance(5_000);
    assert!(l.s.get(MY_CALLS, Some(&t)).await.json()["records"][0]
        .get("duration")
        .is_some());
}

// ---------------------------------------------------------------- heartbeats and timeouts

#[tokio::test]
async fn heartbeats_are_echoed_and_keep_a_connection_from_idling() {
    let l = live().await;
    l.ctl(
        "/sandbox/settings",
        json!({ "ws": { "idleTimeoutSecs": 60, "absoluteTimeoutSecs": 300 } }),
    )
    .await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut c, _) = l.connect(&t).await;
    let echo = c.heartbeat().await;
    assert_eq!(echo[0]["messageId"], "hb-1");
    for _ in 0..5 {
        l.advance(50_000);
        c.heartbeat().await;
    }
    // 250 s old, never idle for 60 s; at 300 s the absolute timeout ends it.
    l.advance(50_000);
    let e = c.expect("Error").await;
    assert_eq!(e[1]["errorCode"], "WSG-903");
    assert_eq!(c.closed().await, Some(1000));

    let (mut idle, _) = l.connect(&t).await;
    l.advance(59_000);
    idle.heartbeat().await;
    l.advance(59_000);
    idle.heartbeat().await;
    l.advance(60_000);
    let e = idle.expect("Error").await;
    assert_eq!(e[1]["errorCode"], "WSG-902");
    assert_eq!(e[1]["message"], "Idle timeout expired");
}

// ---------------------------------------------------------------- recovery

#[tokio::test]
async fn a_recovery_within_the_timeout_replays_the_missed_events() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut c, d) = l.connect(&t).await;
    let wsc = d[0]["wsc"]["token"].as_str().unwrap().to_string();
    let sub = c.subscribe(&[PRESENCE]).await[1]["id"].clone();
    l.s.start_call(json!({ "extension": "102" })).await;
    assert_eq!(c.event().await[0]["wsc"]["sequence"], 2);
    assert_eq!(
        l.ctl("/sandbox/ws/drop", json!({ "extension": "102" }))
            .await["dropped"],
        1
    );
    // Dropped without a close frame, as a broken network does.
    assert_eq!(c.closed().await, None);
    let missed =
        l.s.start_call(json!({ "extension": "102", "from": { "name": "While Away" } }))
            .await;
    l.advance(170_000);

    let (mut back, d) = l.recover(&t, &wsc).await;
    assert_eq!(d[1]["recoveryState"], "Successful");
    assert_eq!(d[0]["wsc"]["token"], wsc.as_str());
    let replayed = back.event().await;
    assert_eq!(replayed[0]["wsc"]["sequence"], 3);
    assert_eq!(replayed[1]["subscriptionId"], sub);
    assert_eq!(
        replayed[1]["body"]["activeCalls"][0]["fromName"],
        "While Away"
    );
    // The subscription is intact: new events follow.
    l.s.control(&format!("/sandbox/calls/{missed}/answer"), json!({}))
        .await;
    let next = back.event().await;
    assert_eq!(next[0]["wsc"]["sequence"], 4);
    assert_eq!(next[1]["subscriptionId"], sub);
}

#[tokio::test]
async fn a_refreshed_access_token_of_the_same_session_recovers() {
    let l = live().await;
    let t = l.s.sign_in(USER).await;
    let (mut c, d) = l.connect(&access(&t)).await;
    c.subscribe(&[PRESENCE]).await;
    let wsc = d[0]["wsc"]["token"].as_str().unwrap().to_string();
    drop(c);
    let refreshed =
        l.s.refresh(t["refresh_token"].as_str().unwrap())
            .await
            .json();
    let (_c, d) = l.recover(&access(&refreshed), &wsc).await;
    assert_eq!(d[1]["recoveryState"], "Successful");
}

#[tokio::test]
async fn a_recovery_fails_after_the_timeout_in_another_session_or_without_a_subscription() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let wsc_of = |d: &Value| d[0]["wsc"]["token"].as_str().unwrap().to_string();

    // No subscription: WSG-1005, a new session, and the client subscribes again.
    let (c, d) = l.connect(&t).await;
    drop(c);
    let (mut again, d2) = l.recover(&t, &wsc_of(&d)).await;
    assert_eq!(d2[1]["recoveryState"], "Failed");
    assert_eq!(d2[1]["recoveryErrorCode"], "WSG-1005");
    assert_ne!(wsc_of(&d2), wsc_of(&d));
    assert_eq!(again.subscribe(&[PRESENCE]).await[0]["status"], 200);

    // Another OAuth session: WSG-1003.
    let other = access(&l.s.sign_in(USER).await);
    let (_o, d3) = l.recover(&other, &wsc_of(&d2)).await;
    assert_eq!(d3[1]["recoveryErrorCode"], "WSG-1003");

    // Past the recovery timeout: WSG-1005, and the events of the gap are gone.
    drop(again);
    l.until_connections(1).await;
    l.advance(181_000);
    l.s.start_call(json!({ "extension": "102" })).await;
    let (mut late, d4) = l.recover(&t, &wsc_of(&d2)).await;
    assert_eq!(d4[1]["recoveryState"], "Failed");
    assert_eq!(d4[1]["recoveryErrorCode"], "WSG-1005");
    late.heartbeat().await;

    // A token never issued is malformed, and the socket closes.
    let token = l.token_for(&t).await;
    let mut fake = l.open(&format!("?access_token={token}&wsc=invented")).await;
    let e = fake.expect("Error").await;
    assert_eq!(
        e[1],
        json!({ "errorCode": "WSG-400", "message": "Malformed WebSocket session context token" })
    );
    assert_eq!(fake.closed().await, Some(1008));
}

#[tokio::test]
async fn revoking_or_expiring_the_oauth_session_closes_its_sockets() {
    let l = live().await;
    let t = l.s.sign_in(USER).await;
    let (mut c, _) = l.connect(&access(&t)).await;
    // An expired access token is not the end of the session: the socket stays.
    l.ctl(
        "/sandbox/tokens/expire",
        json!({ "kind": "access", "extension": "102" }),
    )
    .await;
    c.heartbeat().await;
    l.s.form(
        "/restapi/oauth/revoke",
        &format!(
            "token={}&client_id=demo-client",
            t["refresh_token"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(c.expect("Error").await[1]["errorCode"], "WSG-401");
    assert_eq!(c.closed().await, Some(1008));

    let t = l.s.sign_in(USER).await;
    let (mut c, _) = l.connect(&access(&t)).await;
    l.ctl(
        "/sandbox/tokens/expire",
        json!({ "kind": "refresh", "extension": "102" }),
    )
    .await;
    assert_eq!(c.expect("Error").await[1]["errorCode"], "WSG-401");
    assert_eq!(c.closed().await, Some(1008));
}

// ---------------------------------------------------------------- hostile clients

#[tokio::test]
async fn bad_frames_get_error_frames_and_never_disturb_another_client() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut other, _) = l.connect(&access(&l.s.sign_in(ADMIN).await)).await;
    other
        .subscribe(&["/restapi/v1.0/account/~/extension/~/presence"])
        .await;
    let (mut c, _) = l.connect(&t).await;
    for bad in [
        "hello",
        "{\"type\":\"Heartbeat\"}",
        "[]",
        "[{\"type\":\"Teleport\"}]",
        "[7]",
    ] {
        c.send(bad).await;
        let e = c.expect("Error").await;
        assert_eq!(e[1]["errorCode"], "WSG-400", "{bad}");
    }
    c.ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(c.expect("Error").await[1]["errorCode"], "WSG-400");
    c.heartbeat().await;

    // A huge frame closes that connection with 1009.
    let huge = format!(
        "[{{\"type\":\"Heartbeat\",\"messageId\":\"{}\"}}]",
        "x".repeat(70_000)
    );
    let _ = c.ws.send(Message::Text(huge.into())).await;
    assert_eq!(c.closed().await, Some(1009));

    // A flood closes that connection with CMN-301.
    let (mut f, _) = l.connect(&t).await;
    for _ in 0..60 {
        let _ =
            f.ws.send(Message::Text(
                "[{\"type\":\"Heartbeat\",\"messageId\":\"f\"}]".into(),
            ))
            .await;
    }
    let mut saw_error = false;
    loop {
        match f.got().await {
            Got::Frame(v) if v[0]["type"] == "Error" => {
                assert_eq!(v[1]["errorCode"], "CMN-301");
                saw_error = true;
            }
            Got::Frame(_) => {}
            Got::NotJson(t) => panic!("{t}"),
            Got::Closed(code) => {
                assert_eq!(code, Some(1008));
                break;
            }
        }
    }
    assert!(saw_error);

    // The other client heard of a call all along.
    l.s.start_call(json!({ "extension": "101" })).await;
    assert_eq!(other.event().await[1]["body"]["telephonyStatus"], "Ringing");
}

#[tokio::test]
async fn garbage_of_every_shape_never_breaks_the_gateway() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);
    let (mut c, _) = l.connect(&t).await;
    // A small deterministic generator: frames built from pieces of real ones, cut and mixed.
    let pieces = [
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"type\"",
        "\"ClientRequest\"",
        "\"Heartbeat\"",
        "\"messageId\"",
        "\"m\"",
        "\"method\"",
        "\"POST\"",
        "\"path\"",
        "\"/restapi/v1.0/subscription/\"",
        "\"eventFilters\"",
        "null",
        "true",
        "1e308",
        "-0",
        "\"\\u0000\"",
        "\"\u{1F600}\"",
        "[[[[",
        "\"deliveryMode\"",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..40 {
        let mut frame = String::new();
        for _ in 0..(round % 23 + 1) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            frame.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        c.send(&frame).await;
        // Every frame gets an answer (an Error frame, an echo, or a request's reply): the socket lives.
        match c.got().await {
            Got::Frame(_) => {}
            other => panic!("{frame} → {other:?}"),
        }
    }
    c.heartbeat().await;
}

// ---------------------------------------------------------------- control API

#[tokio::test]
async fn control_switches_refuse_delay_fail_and_malform() {
    let l = live().await;
    let t = access(&l.s.sign_in(USER).await);

    l.ctl("/sandbox/ws/refuse", json!({ "refuse": true })).await;
    let token = l.token_for(&t).await;
    let refused =
        tokio_tungstenite::connect_async(format!("ws://{}/ws?access_token={token}", l.addr)).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status().as_u16(), 403)
        }
        other => panic!("{other:?}"),
    }
    l.ctl("/sandbox/ws/refuse", json!({ "refuse": false }))
        .await;

    let (mut c, _) = l.connect(&t).await;
    l.ctl("/sandbox/ws/fail-subscriptions", json!({ "count": 1 }))
        .await;
    assert_eq!(c.subscribe(&[PRESENCE]).await[0]["status"], 500);
    assert_eq!(c.subscribe(&[PRESENCE]).await[0]["status"], 200);

    // The first event is held back 300 ms; the second overtakes it.
    l.ctl("/sandbox/ws/delay", json!({ "ms": 300, "count": 1 }))
        .await;
    l.s.start_call(json!({ "extension": "102" })).await;
    l.s.start_call(json!({ "extension": "102" })).await;
    let a = c.event().await[0]["wsc"]["sequence"].as_u64().unwrap();
    let b = c.event().await[0]["wsc"]["sequence"].as_u64().unwrap();
    assert!(a > b, "{a} arrived before {b}");

    assert_eq!(l.ctl("/sandbox/ws/malformed", json!({})).await["sent"], 1);
    assert!(matches!(c.got().await, Got::NotJson(_)));

    let state = l.state().await;
    assert_eq!(state["connections"].as_array().map(Vec::len), Some(1));
    assert_eq!(state["connections"][0]["extensionId"], USER);
    assert_eq!(state["subscriptions"][0]["eventFilters"], json!([PRESENCE]));

    let log = l.s.get("/sandbox/requests", None).await.json();
    let log = log.as_array().unwrap();
    assert!(log
        .iter()
        .any(|e| e["path"] == "/ws" && e["method"] == "GET" && e["status"] == 101));
    assert!(log
        .iter()
        .any(|e| e["frame"]["direction"] == "in" && e["frame"]["type"] == "ClientRequest"));
    assert!(log
        .iter()
        .any(|e| e["frame"]["direction"] == "out" && e["frame"]["type"] == "ServerNotification"));
    assert!(log
        .iter()
        .any(|e| e["frame"]["type"] == "ConnectionDetails"));

    // A 429 on wstoken, through the ordinary fault list.
    l.ctl(
        "/sandbox/faults",
        json!({ "kind": "rate_limit", "path": "wstoken" }),
    )
    .await;
    assert_eq!(l.wstoken(&t).await.status.as_u16(), 429);
}

// ---------------------------------------------------------------- fan-out

#[tokio::test]
async fn many_connections_each_get_every_event_once_in_sequence_order() {
    let l = live().await;
    let mut clients = vec![];
    // An admin's five parallel sessions, ten sockets each, all on the company presence.
    for _ in 0..5 {
        let t = access(&l.s.sign_in(ADMIN).await);
        for _ in 0..10 {
            let (mut c, _) = l.connect(&t).await;
            let r = c
                .subscribe(&["/restapi/v1.0/account/~/presence?detailedTelephonyState=true"])
                .await;
            assert_eq!(r[0]["status"], 200);
            clients.push(c);
        }
    }
    let mut ids = vec![];
    for i in 0..30 {
        let ext = ["101", "102", "103", "104"][i % 4];
        ids.push(l.s.start_call(json!({ "extension": ext })).await);
    }
    for id in &ids {
        l.s.control(&format!("/sandbox/calls/{id}/end"), json!({}))
            .await;
    }
    for c in &mut clients {
        let mut last = 1;
        for _ in 0..60 {
            let e = c.event().await;
            let seq = e[0]["wsc"]["sequence"].as_u64().unwrap();
            assert_eq!(seq, last + 1, "in order, none missing, none twice");
            last = seq;
        }
        c.heartbeat().await;
    }
}
