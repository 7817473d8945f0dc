//! The control API under `/sandbox/` (never a RingCentral path), for tests and demos: calls, tokens, faults,
//! the clock, settings, the request log, and reset.

use crate::calls::{Call, Party, Phase};
use crate::clock::{rfc3339, Millis};
use crate::config::{Limit, World};
use crate::errors::ApiError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    ServerError,
    Unavailable,
    RateLimit,
    RateLimitNoRetryAfter,
    Unauthorized,
    MalformedJson,
    TruncatedJson,
    UnknownEnums,
    BadRecord,
    Delay,
    Drop,
}

impl FaultKind {
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::ServerError => "server_error",
            FaultKind::Unavailable => "unavailable",
            FaultKind::RateLimit => "rate_limit",
            FaultKind::RateLimitNoRetryAfter => "rate_limit_no_retry_after",
            FaultKind::Unauthorized => "unauthorized",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::UnknownEnums => "unknown_enums",
            FaultKind::BadRecord => "bad_record",
            FaultKind::Delay => "delay",
            FaultKind::Drop => "drop",
        }
    }
}

/// A fault injected into the next `remaining` requests whose method and path match.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub kind: FaultKind,
    /// `GET`, `POST`, ...; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Matches a path that contains it (e.g. `active-calls`); any when absent.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default = "one", alias = "count")]
    pub remaining: u32,
    #[serde(default)]
    pub retry_after_secs: Option<u32>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| path.contains(p))
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Sandbox-clock milliseconds since the epoch.
    pub at: Millis,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// Whether an `Authorization` header was sent.
    pub auth: bool,
    /// For token requests, the grant type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

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
}

fn bad(m: impl Into<String>) -> Response {
    ApiError::rest(StatusCode::BAD_REQUEST, "SBX-400", m).into_response()
}

/// Control bodies are JSON; a missing body is an empty object.
#[allow(clippy::result_large_err)] // the error is the answer itself, built once per control call
fn parse<T: for<'de> Deserialize<'de>>(body: &str) -> Result<T, Response> {
    let text = if body.trim().is_empty() { "{}" } else { body };
    serde_json::from_str(text).map_err(|e| bad(format!("invalid control request: {e}")))
}

async fn state(State(st): State<AppState>) -> Response {
    let g = st.lock();
    let acc = g.world.account.id.clone();
    let calls: Vec<Value> = g
        .calls
        .iter()
        .map(|c| c.record(&st.public_url, &acc, false))
        .collect();
    Json(json!({
        "now": st.clock.now(),
        "nowIso": rfc3339(st.clock.now()),
        "clockFrozen": st.clock.is_frozen(),
        "seed": g.seed,
        "world": g.world,
        "hideRateLimitHeaders": g.hide_rate_limit_headers,
        "sessions": g.tokens.session_count(),
        "calls": calls,
    }))
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ResetReq {
    seed: Option<u64>,
    world: Option<World>,
    /// Turn simulated traffic off for this run (tests that drive calls themselves).
    no_traffic: bool,
}

async fn reset(State(st): State<AppState>, body: String) -> Response {
    let req: ResetReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut world = req.world.unwrap_or_else(|| st.initial.clone());
    if let Err(e) = world.validate() {
        return bad(e);
    }
    if req.no_traffic {
        world.settings.mean_call_gap_secs = 0;
    }
    let now = st.clock.now();
    let mut g = st.lock();
    let seed = req.seed.unwrap_or(g.seed);
    g.reset(world, seed, now);
    Json(json!({ "ok": true, "seed": seed })).into_response()
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

async fn start_call(State(st): State<AppState>, body: String) -> Response {
    let req: StartCallReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if req.count == 0 || req.count > 5000 {
        return bad("count must be 1..=5000");
    }
    let now = st.clock.now();
    let mut g = st.lock();
    let user = match g
        .world
        .user_by_number(&req.extension)
        .or_else(|| g.world.user(&req.extension))
    {
        Some(u) => u.clone(),
        None => return bad(format!("no extension {}", req.extension)),
    };
    let me = Party::of_user(&user);
    let inbound = req.direction.eq_ignore_ascii_case("inbound");
    let start = now - req.started_secs_ago as Millis * 1000;
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
            phase: if req.answered {
                Phase::Connected { answered_at: now }
            } else {
                Phase::Ringing
            },
            result_override: req.result.clone(),
        };
        created.push(call.id.clone());
        g.calls.push(call);
    }
    let acc = g.world.account.id.clone();
    let first = g
        .calls
        .iter()
        .find(|c| Some(&c.id) == created.first())
        .map(|c| c.record(&st.public_url, &acc, false));
    (
        StatusCode::CREATED,
        Json(json!({ "id": created.first(), "ids": created, "record": first })),
    )
        .into_response()
}

async fn answer_call(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let now = st.clock.now();
    let mut g = st.lock();
    g.traffic.plans.retain(|(c, _)| c != &id);
    match g.call_mut(&id) {
        Some(c) if matches!(c.phase, Phase::Ringing) => {
            c.phase = Phase::Connected { answered_at: now };
            Json(json!({ "ok": true })).into_response()
        }
        Some(_) => bad("the call is not ringing"),
        None => ApiError::not_found().into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndCallReq {
    result: Option<String>,
}

async fn end_call(State(st): State<AppState>, Path(id): Path<String>, body: String) -> Response {
    let req: EndCallReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let now = st.clock.now();
    if st.lock().end_call(&id, req.result, now) {
        Json(json!({ "ok": true })).into_response()
    } else {
        ApiError::not_found().into_response()
    }
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

async fn expire_tokens(State(st): State<AppState>, body: String) -> Response {
    let req: ExpireReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let refresh = match req.kind.as_str() {
        "access" => false,
        "refresh" => true,
        _ => return bad("kind must be access or refresh"),
    };
    let now = st.clock.now();
    let mut g = st.lock();
    let user = req.extension.as_deref().and_then(|e| {
        g.world
            .user_by_number(e)
            .or_else(|| g.world.user(e))
            .map(|u| u.id.clone())
    });
    if req.extension.is_some() && user.is_none() {
        return bad("no such extension");
    }
    let n = g
        .tokens
        .expire(user.as_deref(), req.token.as_deref(), refresh, now);
    Json(json!({ "sessions": n })).into_response()
}

async fn list_faults(State(st): State<AppState>) -> Response {
    Json(json!(st.lock().faults)).into_response()
}

async fn add_fault(State(st): State<AppState>, body: String) -> Response {
    let f: Fault = match parse(&body) {
        Ok(f) => f,
        Err(e) => return e,
    };
    st.lock().faults.push(f);
    (StatusCode::CREATED, Json(json!({ "ok": true }))).into_response()
}

async fn clear_faults(State(st): State<AppState>) -> Response {
    st.lock().faults.clear();
    Json(json!({ "ok": true })).into_response()
}

async fn requests(State(st): State<AppState>) -> Response {
    Json(json!(st.lock().log)).into_response()
}

async fn clear_requests(State(st): State<AppState>) -> Response {
    st.lock().log.clear();
    Json(json!({ "ok": true })).into_response()
}

async fn clock(State(st): State<AppState>) -> Response {
    Json(json!({ "now": st.clock.now(), "frozen": st.clock.is_frozen() })).into_response()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ClockReq {
    advance_ms: Option<i64>,
    freeze: Option<bool>,
}

async fn set_clock(State(st): State<AppState>, body: String) -> Response {
    let req: ClockReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    match req.freeze {
        Some(true) => st.clock.freeze(),
        Some(false) => st.clock.unfreeze(),
        None => {}
    }
    if let Some(ms) = req.advance_ms {
        if ms < 0 {
            return bad("time moves forward only");
        }
        st.clock.advance(ms);
    }
    clock(State(st)).await
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SettingsReq {
    hide_rate_limit_headers: Option<bool>,
    heavy: Option<Limit>,
    auth: Option<Limit>,
    linger_secs: Option<u32>,
}

async fn settings(State(st): State<AppState>, body: String) -> Response {
    let req: SettingsReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut g = st.lock();
    if let Some(h) = req.hide_rate_limit_headers {
        g.hide_rate_limit_headers = h;
    }
    for l in [&req.heavy, &req.auth].into_iter().flatten() {
        if l.requests == 0 || l.window_secs == 0 {
            return bad("a limit needs at least one request and a window of at least one second");
        }
    }
    if let Some(l) = req.heavy {
        g.world.settings.heavy = l;
    }
    if let Some(l) = req.auth {
        g.world.settings.auth = l;
    }
    if let Some(s) = req.linger_secs {
        g.world.settings.linger_secs = s;
    }
    Json(json!({ "settings": g.world.settings, "hideRateLimitHeaders": g.hide_rate_limit_headers }))
        .into_response()
}
