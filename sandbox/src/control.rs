//! The control API under `/sandbox/` (never a RingCentral path), for tests and demos: calls, tokens, faults,
//! the clock, settings, the WebSocket gateway's switches, the request log, and reset.

use crate::calls::{Call, Party, Phase};
use crate::clock::{rfc3339, Millis};
use crate::config::{Limit, World, WsSettings};
use crate::errors::ApiError;
use crate::faults::Fault;
use crate::gateway::hub::{Delay, Failing};
use crate::params::Segments;
use crate::state::{AppState, Inner};
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/state", get(state))
        .route("/sandbox/reset", post(reset))
        .route("/sandbox/calls", post(start_call))
        .route("/sandbox/calls/{id}/answer", post(answer_call))
        .route("/sandbox/calls/{id}/end", post(end_call))
        .route("/sandbox/tokens/expire", post(expire_tokens))
        .route(
            "/sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/sandbox/requests", get(requests).delete(clear_requests))
        .route("/sandbox/clock", get(clock).post(set_clock))
        .route("/sandbox/settings", post(settings))
        .route("/sandbox/ws/drop", post(ws_drop))
        .route("/sandbox/ws/refuse", post(ws_refuse))
        .route("/sandbox/ws/delay", post(ws_delay))
        .route(
            "/sandbox/ws/fail-subscriptions",
            post(ws_fail_subscriptions),
        )
        .route("/sandbox/ws/malformed", post(ws_malformed))
}

fn bad(m: impl Into<String>) -> ApiError {
    ApiError::rest(StatusCode::BAD_REQUEST, "SBX-400", m)
}

/// A control body: JSON, where an empty body means `{}`; anything else is a 400 naming the problem.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let text = String::from_request(req, state)
            .await
            .map_err(|e| bad(format!("invalid control request: {e}")))?;
        let text = if text.trim().is_empty() { "{}" } else { &text };
        serde_json::from_str(text)
            .map(JsonBody)
            .map_err(|e| bad(format!("invalid control request: {e}")))
    }
}

async fn state(State(st): State<AppState>) -> Json<Value> {
    let g = st.lock();
    let acc = g.world.account.id.clone();
    let calls: Vec<Value> = g
        .calls
        .iter()
        .map(|c| c.record(&st.public_url, &acc, false))
        .collect();
    let ws = g.hub.snapshot();
    Json(json!({
        "now": st.clock.now(),
        "nowIso": rfc3339(st.clock.now()),
        "clockFrozen": st.clock.is_frozen(),
        "seed": g.seed,
        "world": g.world,
        "hideRateLimitHeaders": g.hide_rate_limit_headers,
        "sessions": g.tokens.session_count(),
        "calls": calls,
        "connections": ws["connections"],
        "subscriptions": ws["subscriptions"],
        "ws": { "sessions": ws["sessions"], "switches": ws["switches"] },
    }))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ResetReq {
    seed: Option<u64>,
    world: Option<World>,
    /// Turn simulated traffic off for this run (tests that drive calls themselves).
    no_traffic: bool,
}

async fn reset(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<ResetReq>,
) -> Result<Json<Value>, ApiError> {
    let mut world = req.world.unwrap_or_else(|| st.initial.clone());
    world.validate().map_err(bad)?;
    if req.no_traffic {
        world.settings.mean_call_gap_secs = 0;
    }
    let now = st.clock.now();
    let mut g = st.lock();
    let seed = req.seed.unwrap_or(g.seed);
    g.reset(world, seed, now);
    Ok(Json(json!({ "ok": true, "seed": seed })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartCallReq {
    /// Whose call it is: an extension number (`101`) or id.
    extension: String,
    #[serde(default = "inbound")]
    direction: String,
    #[serde(default)]
    from: Option<Party>,
    #[serde(default)]
    to: Option<Party>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default, rename = "type")]
    call_type: Option<String>,
    /// Seconds before now that the call started.
    #[serde(default)]
    started_secs_ago: u32,
    /// Start already answered.
    #[serde(default)]
    answered: bool,
    /// Replace `result` while the call is live (to test values the client does not know).
    #[serde(default)]
    result: Option<String>,
    /// Start this many identical calls (large-list tests).
    #[serde(default = "one")]
    count: u32,
}

fn inbound() -> String {
    "Inbound".into()
}

fn one() -> u32 {
    1
}

/// An extension named by its number (`101`) or id.
fn extension_id(g: &Inner, name: &str) -> Result<String, ApiError> {
    g.world
        .user_by_number(name)
        .or_else(|| g.world.user(name))
        .map(|u| u.id.clone())
        .ok_or_else(|| bad(format!("no extension {name}")))
}

async fn start_call(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<StartCallReq>,
) -> Result<Response, ApiError> {
    if req.count == 0 || req.count > 5000 {
        return Err(bad("count must be 1..=5000"));
    }
    let now = st.clock.now();
    let mut g = st.lock();
    let id = extension_id(&g, &req.extension)?;
    let user = g.world.user(&id).cloned().ok_or_else(ApiError::not_found)?;
    let me = Party::of_user(&user);
    let inbound = req.direction.eq_ignore_ascii_case("inbound");
    let start = now - req.started_secs_ago as Millis * 1000;
    let phase = if req.answered {
        Phase::Connected { answered_at: now }
    } else {
        Phase::Ringing
    };
    let mut created = vec![];
    for _ in 0..req.count {
        let n = g.next_call_number();
        let call = Call {
            id: format!("SBX{n:09}"),
            session_id: format!("{}", 500_000_000_000u64 + n),
            telephony_session_id: format!("s-sandbox{n:024x}"),
            extension_id: user.id.clone(),
            // Equal start times would make the order depend on ids alone; spread them by a millisecond.
            start: start - created.len() as Millis,
            direction: if inbound { "Inbound" } else { "Outbound" }.into(),
            call_type: req.call_type.clone().unwrap_or_else(|| "Voice".into()),
            action: req
                .action
                .clone()
                .unwrap_or_else(|| if inbound { "Phone Call" } else { "RingOut Web" }.into()),
            transport: req.transport.clone().unwrap_or_else(|| "PSTN".into()),
            from: if inbound {
                req.from.clone().unwrap_or_default()
            } else {
                req.from.clone().unwrap_or(me.clone())
            },
            to: if inbound {
                req.to.clone().unwrap_or(me.clone())
            } else {
                req.to.clone().unwrap_or_default()
            },
            // The sandbox learns of the call now, whenever it started: events and the lagging list count from here.
            history: vec![(now, phase.clone())],
            phase: phase.clone(),
            marks: Default::default(),
            result_override: req.result.clone(),
        };
        created.push(call.id.clone());
        g.calls.push(call);
    }
    g.publish(now);
    let acc = g.world.account.id.clone();
    let first = g
        .calls
        .iter()
        .find(|c| Some(&c.id) == created.first())
        .map(|c| c.record(&st.public_url, &acc, false));
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": created.first(), "ids": created, "record": first })),
    )
        .into_response())
}

async fn answer_call(
    State(st): State<AppState>,
    Segments(id): Segments<String>,
) -> Result<Json<Value>, ApiError> {
    let now = st.clock.now();
    let mut g = st.lock();
    g.traffic.plans.retain(|(c, _)| c != &id);
    let c = g.call_mut(&id).ok_or_else(ApiError::not_found)?;
    if !matches!(c.phase, Phase::Ringing) {
        return Err(bad("the call is not ringing"));
    }
    c.set_phase(now, Phase::Connected { answered_at: now });
    g.publish(now);
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndCallReq {
    result: Option<String>,
}

async fn end_call(
    State(st): State<AppState>,
    Segments(id): Segments<String>,
    JsonBody(req): JsonBody<EndCallReq>,
) -> Result<Json<Value>, ApiError> {
    let now = st.clock.now();
    let mut g = st.lock();
    if !g.end_call(&id, req.result, now) {
        return Err(ApiError::not_found());
    }
    g.publish(now);
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpireReq {
    /// `access` or `refresh`.
    kind: String,
    #[serde(default)]
    extension: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

async fn expire_tokens(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<ExpireReq>,
) -> Result<Json<Value>, ApiError> {
    let refresh = match req.kind.as_str() {
        "access" => false,
        "refresh" => true,
        _ => return Err(bad("kind must be access or refresh")),
    };
    let now = st.clock.now();
    let mut g = st.lock();
    let user = match req.extension.as_deref() {
        Some(e) => Some(extension_id(&g, e).map_err(|_| bad("no such extension"))?),
        None => None,
    };
    let n = g
        .tokens
        .expire(user.as_deref(), req.token.as_deref(), refresh, now);
    // An OAuth session that ended closes its sockets now.
    g.sweep(now);
    Ok(Json(json!({ "sessions": n })))
}

async fn list_faults(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.lock().faults.0))
}

async fn add_fault(
    State(st): State<AppState>,
    JsonBody(f): JsonBody<Fault>,
) -> (StatusCode, Json<Value>) {
    st.lock().faults.0.push(f);
    (StatusCode::CREATED, Json(json!({ "ok": true })))
}

async fn clear_faults(State(st): State<AppState>) -> Json<Value> {
    st.lock().faults.0.clear();
    Json(json!({ "ok": true }))
}

async fn requests(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.lock().log.entries()))
}

async fn clear_requests(State(st): State<AppState>) -> Json<Value> {
    st.lock().log.clear();
    Json(json!({ "ok": true }))
}

async fn clock(State(st): State<AppState>) -> Json<Value> {
    Json(json!({ "now": st.clock.now(), "frozen": st.clock.is_frozen() }))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ClockReq {
    advance_ms: Option<i64>,
    freeze: Option<bool>,
}

async fn set_clock(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<ClockReq>,
) -> Result<Json<Value>, ApiError> {
    match req.freeze {
        Some(true) => st.clock.freeze(),
        Some(false) => st.clock.unfreeze(),
        None => {}
    }
    if let Some(ms) = req.advance_ms {
        if ms < 0 {
            return Err(bad("time moves forward only"));
        }
        st.clock.advance(ms);
        // What the new time brings (calls, events, timeouts) happens before this answer.
        st.tick();
    }
    Ok(clock(State(st)).await)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SettingsReq {
    hide_rate_limit_headers: Option<bool>,
    heavy: Option<Limit>,
    auth: Option<Limit>,
    linger_secs: Option<u32>,
    active_calls_lag_secs: Option<u32>,
    ignore_per_page: Option<bool>,
    ws: Option<WsSettings>,
}

async fn settings(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<SettingsReq>,
) -> Result<Json<Value>, ApiError> {
    for l in [&req.heavy, &req.auth].into_iter().flatten() {
        if l.requests == 0 || l.window_secs == 0 {
            return Err(bad(
                "a limit needs at least one request and a window of at least one second",
            ));
        }
    }
    let mut g = st.lock();
    if let Some(h) = req.hide_rate_limit_headers {
        g.hide_rate_limit_headers = h;
    }
    let s = &mut g.world.settings;
    if let Some(l) = req.heavy {
        s.heavy = l;
    }
    if let Some(l) = req.auth {
        s.auth = l;
    }
    if let Some(v) = req.linger_secs {
        s.linger_secs = v;
    }
    if let Some(v) = req.active_calls_lag_secs {
        s.active_calls_lag_secs = v;
    }
    if let Some(v) = req.ignore_per_page {
        s.ignore_per_page = v;
    }
    if let Some(ws) = req.ws {
        s.ws = ws;
    }
    Ok(Json(
        json!({ "settings": g.world.settings, "hideRateLimitHeaders": g.hide_rate_limit_headers }),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WhoReq {
    /// An extension number or id; every connection when absent.
    extension: Option<String>,
}

/// Drops sockets with no close frame, as a broken network does: the clients may recover with `wsc`.
async fn ws_drop(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<WhoReq>,
) -> Result<Json<Value>, ApiError> {
    let now = st.clock.now();
    let mut g = st.lock();
    let user = match &req.extension {
        Some(e) => Some(extension_id(&g, e)?),
        None => None,
    };
    let n = g.hub.drop_connections(user.as_deref(), now);
    Ok(Json(json!({ "dropped": n })))
}

#[derive(Deserialize)]
struct RefuseReq {
    refuse: bool,
}

/// Answers WebSocket upgrades with 403 (or again with 101), as a proxy that blocks WebSockets would.
async fn ws_refuse(State(st): State<AppState>, JsonBody(req): JsonBody<RefuseReq>) -> Json<Value> {
    st.lock().hub.switches.refuse_upgrades = req.refuse;
    Json(json!({ "refuseUpgrades": req.refuse }))
}

/// Holds the next `count` notifications for `ms`; later ones overtake them.
async fn ws_delay(State(st): State<AppState>, JsonBody(req): JsonBody<Delay>) -> Json<Value> {
    let mut g = st.lock();
    g.hub.switches.delay = (req.count > 0).then_some(req);
    Json(json!({ "delay": g.hub.switches.delay }))
}

/// Fails the next `count` subscription requests with `status` (500 by default).
async fn ws_fail_subscriptions(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<Failing>,
) -> Result<Json<Value>, ApiError> {
    if StatusCode::from_u16(req.status).is_err() || req.status < 400 {
        return Err(bad("status must be an HTTP error status"));
    }
    let mut g = st.lock();
    g.hub.switches.failing_subscriptions = (req.count > 0).then_some(req);
    Ok(Json(
        json!({ "failingSubscriptions": g.hub.switches.failing_subscriptions }),
    ))
}

/// Sends a frame that is not JSON to the connections of an extension (all without one).
async fn ws_malformed(
    State(st): State<AppState>,
    JsonBody(req): JsonBody<WhoReq>,
) -> Result<Json<Value>, ApiError> {
    let mut g = st.lock();
    let user = match &req.extension {
        Some(e) => Some(extension_id(&g, e)?),
        None => None,
    };
    let n = g.hub.send_raw(
        user.as_deref(),
        "[{\"type\":\"ServerNotification\",\"messageId\":",
    );
    Ok(Json(json!({ "sent": n })))
}
