//! rc-sandbox's inputs: any request through the in-process router (RingCentral's paths, its forms and queries,
//! the control API's JSON bodies), and any client frame on an open gateway connection. Every refusal must be
//! RingCentral-shaped: `{errorCode, message}` (REST, ringcentral-api.md 3.1) or `{error, error_description}`
//! (OAuth, 1.10), or the sign-in page's own HTML page.

use crate::engine::{Rng, Target};
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use rc_sandbox::clock::Clock;
use rc_sandbox::config::World;
use rc_sandbox::gateway::hub::{Out, QUEUE};
use rc_sandbox::state::{AppState, Shared};
use serde_json::Value;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tower::ServiceExt;

const T0: i64 = 1_800_000_000_000;
/// RFC 7636's example pair.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http%3A%2F%2F127.0.0.1%3A8080%2F";
/// A sandbox lives this many inputs, then starts again (a control request may have reset its world).
const LIFETIME: u32 = 200;

struct Answer {
    status: u16,
    content_type: String,
    body: Option<Vec<u8>>,
}

/// A sandbox on a frozen clock, a runtime whose timers skip ahead (a fault's delay costs no real time), and a
/// signed-in session.
struct World0 {
    rt: Runtime,
    st: AppState,
    app: axum::Router,
    access: String,
    refresh: String,
    used: u32,
}

impl World0 {
    fn new() -> Result<World0, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| e.to_string())?;
        let mut w = World::default();
        w.settings.mean_call_gap_secs = 0;
        let st = Shared::new(
            w,
            7,
            Clock::frozen_at(T0),
            "http://127.0.0.1:8790".into(),
            true,
        );
        let app = rc_sandbox::router(st.clone());
        let mut me = World0 {
            rt,
            st,
            app,
            access: String::new(),
            refresh: String::new(),
            used: 0,
        };
        let code = me.code()?;
        let token = me.send(
            Method::POST,
            "/restapi/oauth/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!(
                "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT}&client_id=demo-client&code_verifier={VERIFIER}"
            ),
        );
        let v: Value =
            serde_json::from_slice(&token.body.unwrap_or_default()).map_err(|e| e.to_string())?;
        me.access = v["access_token"].as_str().unwrap_or_default().to_string();
        me.refresh = v["refresh_token"].as_str().unwrap_or_default().to_string();
        me.send(
            Method::POST,
            "/sandbox/calls",
            &[("content-type", "application/json")],
            r#"{"extension":"101","count":3,"from":{"name":"Northwind","phoneNumber":"+12125550143"}}"#.into(),
        );
        Ok(me)
    }

    /// A fresh authorization code for Ben (102).
    fn code(&self) -> Result<String, String> {
        let a = self.send(
            Method::POST,
            "/restapi/oauth/authorize",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!(
                "response_type=code&client_id=demo-client&redirect_uri={REDIRECT}&state=xyz&code_challenge={CHALLENGE}\
                 &code_challenge_method=S256&sandbox_user=400618687102&decision=allow"
            ),
        );
        let location = String::from_utf8(a.body.unwrap_or_default()).unwrap_or_default();
        form_urlencoded::parse(location.split_once('?').map_or("", |p| p.1).as_bytes())
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| format!("no code in the sign-in's answer ({})", a.status))
    }

    fn send(&self, method: Method, uri: &str, headers: &[(&str, &str)], body: String) -> Answer {
        let mut b = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let Ok(req) = b.body(Body::from(body)) else {
            // What the HTTP stack itself refuses never reaches the router.
            return Answer {
                status: 0,
                content_type: String::new(),
                body: None,
            };
        };
        let app = self.app.clone();
        self.rt.block_on(async move {
            let Ok(res) = app.oneshot(req).await;
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let content_type = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            // A dropped body (a fault) is `None`; a redirect's address stands in for its body.
            let body = match location {
                Some(l) => Some(l.into_bytes()),
                None => res
                    .into_body()
                    .collect()
                    .await
                    .ok()
                    .map(|b| b.to_bytes().to_vec()),
            };
            Answer {
                status,
                content_type,
                body,
            }
        })
    }

    /// Moves time on as a client would, and starts again now and then.
    fn age(&mut self) -> bool {
        self.used += 1;
        self.st.clock.advance(7_000);
        self.used >= LIFETIME
    }
}

/// A RingCentral-shaped refusal, or the reason it is not one.
fn error_shaped(v: &Value) -> Result<(), String> {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let rest = s("errorCode") && s("message");
    let oauth = s("error") && s("error_description");
    if !(rest || oauth) {
        return Err(format!(
            "a refusal without errorCode/message or error/error_description: {v}"
        ));
    }
    if let Some(errors) = v.get("errors") {
        let items = errors.as_array().ok_or("errors is not an array")?;
        for e in items {
            let code = e.get("errorCode").and_then(Value::as_str);
            let message = e.get("message").and_then(Value::as_str);
            if code.is_none() || message.is_none() {
                return Err(format!(
                    "an errors[] item without errorCode and message: {e}"
                ));
            }
        }
    }
    Ok(())
}

const HTTP_WORDS: &[&str] = &[
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "HEAD",
    "/restapi/oauth/authorize",
    "/restapi/oauth/token",
    "/restapi/oauth/revoke",
    "/restapi/oauth/wstoken",
    "/ws",
    "/restapi/v1.0/account/~/extension/~",
    "/restapi/v1.0/account/~/extension/~/active-calls",
    "/restapi/v1.0/account/~/active-calls",
    "/restapi/v1.0/account/~/extension/~/presence",
    "/restapi/v1.0/account/400618687100/extension/400618687101",
    "/sandbox/state",
    "/sandbox/reset",
    "/sandbox/calls",
    "/sandbox/calls/SBX000000001/answer",
    "/sandbox/calls/SBX000000001/end",
    "/sandbox/tokens/expire",
    "/sandbox/faults",
    "/sandbox/requests",
    "/sandbox/clock",
    "/sandbox/settings",
    "/sandbox/ws/drop",
    "/sandbox/ws/refuse",
    "/sandbox/ws/delay",
    "/sandbox/ws/malformed",
    "Authorization: Bearer {access}",
    "Authorization: Basic ZGVtby1jbGllbnQ6",
    "Content-Type: application/x-www-form-urlencoded",
    "Content-Type: application/json",
    "Origin: http://evil.example",
    "grant_type",
    "authorization_code",
    "refresh_token",
    "{refresh}",
    "code",
    "{code}",
    "code_verifier",
    VERIFIER,
    "client_id",
    "demo-client",
    "redirect_uri",
    REDIRECT,
    "response_type",
    "state",
    "code_challenge",
    CHALLENGE,
    "code_challenge_method",
    "S256",
    "plain",
    "sandbox_user",
    "decision",
    "allow",
    "deny",
    "token",
    "view",
    "Detailed",
    "Simple",
    "page",
    "perPage",
    "max",
    "direction",
    "type",
    "conferenceType",
    "kind",
    "server_error",
    "rate_limit",
    "delay",
    "drop",
    "malformed_json",
    "unknown_enums",
    "bad_record",
    "delayMs",
    "remaining",
    "count",
    "extension",
    "101",
    "102",
    "answered",
    "startedSecsAgo",
    "at",
    "frozen",
    "advanceSecs",
    "-9223372036854775808",
    "18446744073709551615",
    "1e400",
    "%00",
    "%ff",
    "..",
    "//",
    "?",
    "#",
    "&&",
    "==",
];

/// Any request: the first line is `METHOD PATH?QUERY`, then headers, a blank line, the body. `{access}`,
/// `{refresh}` and `{code}` become the live session's values, so inputs reach past the token checks.
pub struct Http {
    world: Option<World0>,
}

pub fn http() -> Box<dyn Target> {
    Box::new(Http { world: None })
}

impl Target for Http {
    fn seeds(&self) -> Vec<String> {
        crate::engine::seeds("sandbox-http")
    }
    fn words(&self) -> &'static [&'static str] {
        HTTP_WORDS
    }
    fn json(&self) -> bool {
        false
    }
    fn mutate(&self, input: &str, rng: &mut Rng) -> Option<String> {
        Some(mutate_request(input, rng))
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let w = match self.world.as_mut() {
            Some(w) => w,
            None => self.world.insert(World0::new()?),
        };
        let mut text = input
            .replace("{access}", &w.access)
            .replace("{refresh}", &w.refresh);
        if text.contains("{code}") {
            // The sign-in form has its own rate limit: refused, the input goes with a code that is not one.
            let code = w.code().unwrap_or_else(|_| "no-code".into());
            text = text.replace("{code}", &code);
        }
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let first = lines.next().unwrap_or_default();
        let (method, uri) = first.split_once(' ').unwrap_or(("GET", first));
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let headers: Vec<(&str, &str)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let uri = if uri.starts_with('/') {
            uri.to_string()
        } else {
            format!("/{uri}")
        };
        let a = w.send(method.clone(), &uri, &headers, body.to_string());
        let sign_in_page =
            uri.starts_with("/restapi/oauth/authorize") && a.content_type.starts_with("text/html");
        // A HEAD answer has no body by definition (RFC 9110 9.3.2).
        if a.status >= 400 && !sign_in_page && method != Method::HEAD {
            match &a.body {
                Some(b) => serde_json::from_slice::<Value>(b)
                    .map_err(|_| "a refusal that is not JSON".to_string())
                    .and_then(|v| error_shaped(&v))
                    .map_err(|e| format!("{} {uri}: {e}", a.status))?,
                None => return Err(format!("{} {uri}: a refusal without a body", a.status)),
            }
        }
        let known = METHODS.contains(&method.as_str());
        let outcome = format!(
            "{} {} {}",
            if known { method.as_str() } else { "other" },
            a.status,
            route(&uri)
        );
        if w.age() {
            self.world = None;
        }
        Ok(outcome)
    }
}

/// The known path a request went to, or "other" (for the outcome's shape: a mangled path is one outcome).
fn route(uri: &str) -> &'static str {
    let path = uri.split(['?', '#']).next().unwrap_or_default();
    HTTP_WORDS
        .iter()
        .filter(|w| w.starts_with('/') && w.len() > 2)
        .find(|w| path == **w)
        .copied()
        .unwrap_or("other")
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const HEADERS: &[&str] = &[
    "Authorization: Bearer {access}",
    "Authorization: Bearer {refresh}",
    "Authorization: Bearer ",
    "Authorization: Basic ZGVtby1jbGllbnQ6",
    "Content-Type: application/x-www-form-urlencoded",
    "Content-Type: application/json",
    "Content-Type: text/plain",
    "Origin: http://evil.example",
    "Accept: text/html",
];

/// A query or form with one pair changed, removed, repeated or added; written back percent-encoded, so the
/// request stays one the HTTP stack lets through to the router.
fn mutate_pairs(q: &str, rng: &mut Rng) -> String {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(q.as_bytes()).into_owned().collect();
    let i = rng.below(pairs.len());
    match rng.below(5) {
        0 if !pairs.is_empty() => {
            pairs.remove(i);
        }
        1 if !pairs.is_empty() => pairs.push(pairs[i].clone()),
        2 => pairs.push((
            rng.pick(HTTP_WORDS).to_string(),
            rng.pick(HTTP_WORDS).to_string(),
        )),
        _ if !pairs.is_empty() => {
            pairs[i].1 = if rng.chance(50) {
                rng.pick(HTTP_WORDS).to_string()
            } else {
                crate::engine::hostile_text(rng)
            }
        }
        _ => {}
    }
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Changes one part of a request: the method, the path or one of its segments, a query or form pair, a JSON body's
/// value, a header.
fn mutate_request(input: &str, rng: &mut Rng) -> String {
    let (head, body) = input.split_once("\n\n").unwrap_or((input, ""));
    let mut lines: Vec<String> = head.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let first = lines.first().cloned().unwrap_or_default();
    let (mut method, uri) = first
        .split_once(' ')
        .map_or(("GET".to_string(), first.clone()), |(m, u)| {
            (m.to_string(), u.to_string())
        });
    let (mut path, mut query) = uri
        .split_once('?')
        .map_or((uri.clone(), String::new()), |(p, q)| {
            (p.to_string(), q.to_string())
        });
    let mut body = body.to_string();
    match rng.below(7) {
        // Most paths take one method: another is mostly 405, so it is tried less often.
        0 if rng.chance(25) => method = rng.pick(METHODS).to_string(),
        1 => {
            path = rng
                .pick(
                    HTTP_WORDS
                        .iter()
                        .filter(|w| w.starts_with('/'))
                        .copied()
                        .collect::<Vec<_>>()
                        .as_slice(),
                )
                .to_string()
        }
        2 => {
            let mut segments: Vec<String> = path.split('/').map(str::to_string).collect();
            let i = rng.below(segments.len());
            segments[i] = rng
                .pick(&[
                    "~",
                    "400618687101",
                    "400618687100",
                    "SBX000000002",
                    "x",
                    "%00",
                    "..",
                    "%2e%2e",
                    "9".repeat(40).as_str(),
                ])
                .to_string();
            path = segments.join("/");
        }
        3 => query = mutate_pairs(&query, rng),
        4 => match serde_json::from_str::<Value>(&body) {
            Ok(mut v) => {
                crate::engine::mutate_value(&mut v, rng, HTTP_WORDS, 0);
                body = v.to_string();
            }
            Err(_) => body = mutate_pairs(&body, rng),
        },
        5 if lines.len() > 1 && rng.chance(50) => {
            lines.remove(1 + rng.below(lines.len() - 1));
        }
        _ => lines.push(rng.pick(HEADERS).to_string()),
    }
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    lines[0] = format!("{method} {uri}");
    format!("{}\n\n{body}", lines.join("\n"))
}

const WS_WORDS: &[&str] = &[
    "type",
    "ClientRequest",
    "Heartbeat",
    "ServerNotification",
    "Error",
    "messageId",
    "method",
    "POST",
    "PUT",
    "DELETE",
    "GET",
    "path",
    "/restapi/v1.0/subscription/",
    "/restapi/v1.0/subscription/{id}",
    "eventFilters",
    "/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true",
    "/restapi/v1.0/account/~/presence",
    "/restapi/v1.0/account/~/extension/~/telephony/sessions",
    "/restapi/v1.0/account/~/extension/400618687101/presence",
    "deliveryMode",
    "transportType",
    "WebSocket",
    "PubNub",
    "expiresIn",
    "headers",
    "body",
    "{}",
    "[]",
    "null",
];

/// Client frames on an open gateway connection (through the same function the socket's task calls).
pub struct Socket {
    world: Option<(World0, u64, mpsc::Receiver<Out>)>,
}

pub fn socket() -> Box<dyn Target> {
    Box::new(Socket { world: None })
}

fn open_socket() -> Result<(World0, u64, mpsc::Receiver<Out>), String> {
    let w = World0::new()?;
    let bearer = format!("Bearer {}", w.access);
    let a = w.send(
        Method::POST,
        "/restapi/oauth/wstoken",
        &[("authorization", bearer.as_str())],
        String::new(),
    );
    let v: Value =
        serde_json::from_slice(&a.body.unwrap_or_default()).map_err(|e| e.to_string())?;
    let token = v["ws_access_token"].as_str().unwrap_or_default();
    let (tx, rx) = mpsc::channel(QUEUE);
    let now = w.st.clock.now();
    let opened = {
        let mut g = w.st.lock();
        let ws = g.world.settings.ws.clone();
        g.hub
            .take_token(token, now)
            .and_then(|t| g.hub.open(&t, None, now, &ws, tx))
            .map_err(|r| r.message.to_string())?
    };
    Ok((w, opened.connection, rx))
}

impl Target for Socket {
    fn seeds(&self) -> Vec<String> {
        crate::engine::seeds("sandbox-socket")
    }
    fn words(&self) -> &'static [&'static str] {
        WS_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let (w, id, rx) = match self.world.as_mut() {
            Some(s) => s,
            None => self.world.insert(open_socket()?),
        };
        let replies = rc_sandbox::websocket::answer(&w.st, *id, input);
        let mut kinds = vec![];
        for (kind, text) in &replies {
            let v: Value = serde_json::from_str(text)
                .map_err(|_| format!("a {kind} frame that is not JSON"))?;
            let meta = v.get(0).ok_or("a frame that is not [meta, body?]")?;
            let t = meta
                .get("type")
                .and_then(Value::as_str)
                .ok_or("a frame without a type")?;
            let status = meta.get("status").and_then(Value::as_u64).unwrap_or(200);
            let code = v
                .get(1)
                .and_then(|b| b.get("errorCode"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if t == "Error" || status >= 400 {
                let body = v
                    .get(1)
                    .ok_or(format!("a {t} frame ({status}) without a body"))?;
                error_shaped(body).map_err(|e| format!("{t} frame: {e}"))?;
            }
            kinds.push(format!("{t} {status} {code}"));
        }
        // What the hub queued for this connection (notifications, closes) is taken, as the socket's task would.
        while rx.try_recv().is_ok() {}
        if w.age() {
            self.world = None;
        }
        Ok(kinds.join(","))
    }
}
