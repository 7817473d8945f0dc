//! RingCentral's WebSocket API (realtime-and-tabs.md C), its HTTP side: `POST /restapi/oauth/wstoken`, the upgrade
//! at `GET /ws`, and one task per connection that speaks the frames: subscriptions, notifications, heartbeats,
//! recovery with `wsc`, and the Error frames and close codes of each failure. What the connections share lives in
//! `gateway::hub`, under the state's lock.

use crate::api::{authenticate, rate_key};
use crate::clock::{rfc3339, Millis};
use crate::errors::ApiError;
use crate::gateway::filters;
use crate::gateway::frames::{self, ClientFrame};
use crate::gateway::hub::{frame_log, Out, Subscription, WsToken, QUEUE};
use crate::params::Params;
use crate::state::{AppState, Inner};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Frames larger than this close the connection with 1009 (a subscription request is a few hundred bytes).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// More frames than this from one client in a second is a flood: an Error frame, then close 1008.
pub const MAX_FRAMES_PER_SECOND: u32 = 50;
/// Close code for an upgrade without `access_token` (ringclaw/openclaw-ringcentral PR #150).
pub const CLOSE_NO_TOKEN: u16 = 4400;
/// Between ConnectionDetails and a recovery's replay.
const REPLAY_PAUSE: Duration = Duration::from_millis(50);
/// A subscription lives this long; WebSocket subscriptions need no renewal (the mock's `expiresIn`).
const SUBSCRIPTION_SECS: i64 = 86_399;

/// The gateway's address on this server's public URL (`http://…` → `ws://…/ws`).
pub fn gateway_uri(public_url: &str) -> String {
    let ws = if let Some(rest) = public_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = public_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        public_url.to_string()
    };
    format!("{ws}/ws")
}

/// `POST /restapi/oauth/wstoken` (Bearer; Auth group, shared with refresh): a single-use token for the gateway.
pub async fn wstoken(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let session = authenticate(&st, &headers)?;
    let rate = st.charge(&rate_key(&session), crate::ratelimit::Group::Auth)?;
    let now = st.clock.now();
    let mut g = st.lock();
    let allowed = g
        .world
        .app(&session.client_id)
        .is_some_and(|a| a.has("WebSocketsSubscription"));
    let result = if allowed {
        let ttl = g.world.settings.ws.token_ttl_secs;
        let token = g.hub.issue_token(WsToken {
            oauth_session: session.id.clone(),
            user_id: session.user_id.clone(),
            client_id: session.client_id.clone(),
            expires_at: now + ttl as Millis * 1000,
        });
        Ok(axum::Json(json!({
            "ws_access_token": token,
            "uri": gateway_uri(&st.public_url),
            "expires_in": ttl,
        })))
    } else {
        Err(ApiError::app_permission_missing("WebSocketsSubscription"))
    };
    drop(g);
    rate.answer(result)
}

/// `GET /ws?access_token=…[&wsc=…]`: the upgrade. Everything about the token is said in frames after it.
pub async fn connect(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    if st.lock().hub.switches.refuse_upgrades {
        // What a proxy that blocks WebSockets answers.
        return Err(ApiError::rest(
            StatusCode::FORBIDDEN,
            "SBX-403",
            "WebSocket upgrades are refused (sandbox switch)",
        ));
    }
    let upgrade = upgrade.map_err(|_| {
        ApiError::rest(
            StatusCode::UPGRADE_REQUIRED,
            "WSG-426",
            "A WebSocket upgrade is required",
        )
    })?;
    let query = Params::parse(q.as_deref().unwrap_or(""));
    Ok(upgrade
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve(socket, st, query)))
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.to_string().into(),
        })))
        .await;
}

async fn send(
    socket: &mut WebSocket,
    st: &AppState,
    connection: u64,
    kind: &str,
    text: &str,
) -> bool {
    if connection > 0 {
        let now = st.clock.now();
        st.lock().log.push(frame_log(now, connection, "out", kind));
    }
    socket
        .send(Message::Text(text.to_string().into()))
        .await
        .is_ok()
}

/// One connection, from the first frame to the close.
async fn serve(mut socket: WebSocket, st: AppState, query: Params) {
    let Some(token) = query.one("access_token").ok().flatten().map(str::to_string) else {
        close(&mut socket, CLOSE_NO_TOKEN, "access_token is required").await;
        return;
    };
    let wsc = query.one("wsc").ok().flatten().map(str::to_string);
    let (tx, mut rx) = mpsc::channel::<Out>(QUEUE);
    let now = st.clock.now();
    let opened = {
        let mut g = st.lock();
        let ws = g.world.settings.ws.clone();
        g.hub
            .take_token(&token, now)
            .and_then(|t| g.hub.open(&t, wsc.as_deref(), now, &ws, tx))
    };
    let opened = match opened {
        Ok(o) => o,
        Err(r) => {
            let _ = send(
                &mut socket,
                &st,
                0,
                "Error",
                &frames::error(r.status, r.code, r.message),
            )
            .await;
            close(&mut socket, 1008, r.code).await;
            return;
        }
    };
    let id = opened.connection;
    let mut delivered = 0;
    let mut alive = send(&mut socket, &st, id, "ConnectionDetails", &opened.first).await;
    if !opened.replay.is_empty() {
        // Clients attach their listeners once ConnectionDetails is handled (RingCentral's JS client re-attaches its
        // subscription then); over a real network the replay comes in later packets, so let it here too.
        tokio::time::sleep(REPLAY_PAUSE).await;
    }
    for (sequence, text) in &opened.replay {
        if !alive {
            break;
        }
        alive = send(&mut socket, &st, id, "ServerNotification", text).await;
        delivered = *sequence;
    }
    let mut window = (Instant::now(), 0u32);
    while alive {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if window.0.elapsed() >= Duration::from_secs(1) {
                        window = (Instant::now(), 0);
                    }
                    window.1 += 1;
                    if window.1 > MAX_FRAMES_PER_SECOND {
                        let e = frames::error(429, "CMN-301", "Request rate exceeded");
                        let _ = send(&mut socket, &st, id, "Error", &e).await;
                        close(&mut socket, 1008, "CMN-301").await;
                        break;
                    }
                    for reply in answer(&st, id, text.as_str()) {
                        alive = alive && send(&mut socket, &st, id, &reply.0, &reply.1).await;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let e = frames::error(400, "WSG-400", "Binary messages are not supported");
                    alive = send(&mut socket, &st, id, "Error", &e).await;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(e)) => {
                    // Too large a frame is the only error a client can cause on purpose: say so. (tungstenite's
                    // capacity error reads "Space limit exceeded: Message too long: …".)
                    if e.to_string().contains("Space limit exceeded") {
                        close(&mut socket, 1009, "Message too big").await;
                    }
                    break;
                }
            },
            out = rx.recv() => match out {
                Some(Out::Frame { text, sequence }) => {
                    alive = socket.send(Message::Text(text.to_string().into())).await.is_ok();
                    if alive && sequence > delivered {
                        delivered = sequence;
                    }
                }
                Some(Out::Close { frame, code, reason }) => {
                    if let Some(f) = frame {
                        let _ = send(&mut socket, &st, id, "Error", &f).await;
                    }
                    close(&mut socket, code, &reason).await;
                    break;
                }
                // The server dropped the connection: no close frame, as when a network breaks.
                None => break,
            },
        }
    }
    let now = st.clock.now();
    st.lock().hub.finished(id, &opened.wsc, delivered, now);
}

/// The client frame's answers, each with the type the request log records.
pub fn answer(st: &AppState, connection: u64, text: &str) -> Vec<(String, String)> {
    let now = st.clock.now();
    let mut g = st.lock();
    if let Some(c) = g.hub.connection(connection) {
        c.last_in = now;
    }
    let parsed = frames::parse(text);
    let kind = match &parsed {
        Ok(ClientFrame::Request { .. }) => "ClientRequest".to_string(),
        Ok(ClientFrame::Heartbeat { .. }) => "Heartbeat".to_string(),
        Err(e) => e.logged_type(),
    };
    g.log.push(frame_log(now, connection, "in", &kind));
    match parsed {
        Err(e) => vec![("Error".into(), frames::error(400, "WSG-400", &e.message()))],
        Ok(ClientFrame::Heartbeat { meta }) => vec![("Heartbeat".into(), frames::heartbeat(meta))],
        Ok(ClientFrame::Request {
            message_id,
            method,
            path,
            body,
        }) => {
            let (status, headers, body) =
                match request(&mut g, connection, &method, &path, body, now) {
                    Ok(ok) => ok,
                    Err(e) => {
                        let mut headers = Map::new();
                        if let ApiError::Rest { headers: h, .. } = &e {
                            for (k, v) in h {
                                headers.insert(header_name(k), json!(v));
                            }
                        }
                        (e.status().as_u16(), headers, e.body())
                    }
                };
            vec![(
                "ClientRequest".into(),
                frames::response(&message_id, status, headers, body),
            )]
        }
    }
}

/// `x-rate-limit-group` → `X-Rate-Limit-Group`, as RingCentral's frames spell headers.
fn header_name(lower: &str) -> String {
    lower
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

type Answer = (u16, Map<String, Value>, Value);

/// A REST call over the socket. Only subscriptions are served: nothing else the widget needs goes this way.
fn request(
    g: &mut Inner,
    connection: u64,
    method: &str,
    path: &str,
    body: Option<Value>,
    now: Millis,
) -> Result<Answer, ApiError> {
    let path = path.split('?').next().unwrap_or(path);
    let rest = path
        .strip_prefix("/restapi/v1.0/subscription")
        .ok_or_else(ApiError::not_found)?;
    let id = rest.trim_matches('/');
    match (method.to_ascii_uppercase().as_str(), id.is_empty()) {
        ("POST", true) => subscribe(g, connection, body, now),
        (m @ ("GET" | "PUT" | "DELETE"), false) => {
            let current = g
                .hub
                .session_of(connection)
                .and_then(|s| s.subscription.clone())
                .filter(|s| s.id == id);
            let Some(current) = current else {
                return Err(ApiError::rest(
                    StatusCode::NOT_FOUND,
                    "CMN-102",
                    "Resource for parameter [subscriptionId] is not found",
                ));
            };
            match m {
                "GET" => Ok((200, Map::new(), subscription_body(&current, now))),
                // Renewing with filters is subscribing again under RingCentral's rules.
                "PUT"
                    if body
                        .as_ref()
                        .is_some_and(|b| b.get("eventFilters").is_some()) =>
                {
                    subscribe(g, connection, body, now)
                }
                "PUT" => Ok((200, Map::new(), subscription_body(&current, now))),
                _ => {
                    g.hub.unsubscribe(connection, id);
                    Ok((204, Map::new(), Value::Null))
                }
            }
        }
        _ => Err(ApiError::rest(
            StatusCode::METHOD_NOT_ALLOWED,
            "AGW-405",
            "Method not allowed",
        )),
    }
}

fn subscribe(
    g: &mut Inner,
    connection: u64,
    body: Option<Value>,
    now: Millis,
) -> Result<Answer, ApiError> {
    if let Some(f) = &mut g.hub.switches.failing_subscriptions {
        let status = f.status;
        f.count = f.count.saturating_sub(1);
        if f.count == 0 {
            g.hub.switches.failing_subscriptions = None;
        }
        return Err(ApiError::rest(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "CMN-203",
            "Internal server error (sandbox switch)",
        ));
    }
    let (user_id, client_id) = g
        .hub
        .session_of(connection)
        .map(|s| (s.user_id.clone(), s.client_id.clone()))
        .ok_or_else(ApiError::not_found)?;
    let key = format!("{user_id}/{client_id}");
    let limit = g.world.settings.medium.clone();
    let rate = g
        .limiter
        .charge(&key, crate::ratelimit::Group::Medium, &limit, now)?;
    let result = (|| {
        let (Some(app), Some(owner)) = (g.world.app(&client_id), g.world.user(&user_id)) else {
            return Err(ApiError::not_found());
        };
        let body = body.unwrap_or(Value::Null);
        let transport = body
            .pointer("/deliveryMode/transportType")
            .and_then(Value::as_str);
        if !transport.is_some_and(|t| t.eq_ignore_ascii_case("WebSocket")) {
            return Err(ApiError::invalid_parameter("deliveryMode.transportType"));
        }
        if !app.has("WebSocketsSubscription") {
            return Err(ApiError::rest(
                StatusCode::FORBIDDEN,
                "SUB-528",
                "[SubscriptionWebSocket] application permission is required for [WebSocket] transport",
            ));
        }
        let raw: Vec<&str> = match body.get("eventFilters").and_then(Value::as_array) {
            Some(list) if !list.is_empty() => list
                .iter()
                .map(|f| f.as_str().ok_or_else(filters::invalid))
                .collect::<Result<_, _>>()?,
            _ => return Err(filters::invalid()),
        };
        raw.iter()
            .map(|r| {
                let f = filters::parse(r, owner, &g.world)?;
                filters::authorize(&f, app, owner)?;
                Ok(f)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })();
    let parsed = result.map_err(|e| rate.stamp_error(e))?;
    let sub = g
        .hub
        .subscribe(connection, parsed, now)
        .ok_or_else(ApiError::not_found)?;
    let mut h: Map<String, Value> = rate
        .headers()
        .into_iter()
        .map(|(k, v)| (header_name(k), json!(v)))
        .collect();
    h.insert("WSG-SubscriptionId".into(), json!(sub.id));
    Ok((200, h, subscription_body(&sub, now)))
}

fn subscription_body(sub: &Subscription, now: Millis) -> Value {
    let expires = sub.created_at + SUBSCRIPTION_SECS * 1000;
    json!({
        "uri": format!("/restapi/v1.0/subscription/{}", sub.id),
        "id": sub.id,
        "creationTime": rfc3339(sub.created_at),
        "status": "Active",
        "eventFilters": sub.filters.iter().map(|f| &f.raw).collect::<Vec<_>>(),
        "expirationTime": rfc3339(expires),
        "expiresIn": ((expires - now) / 1000).max(0),
        "deliveryMode": { "transportType": "WebSocket", "encryption": false },
    })
}
