//! The gateway under load (run by `bench/ws-fanout`): CONNECTIONS sockets, each an admin subscribed to the company's
//! detailed presence, while CHANGES_PER_MINUTE call changes happen for DURATION_SECS. Prints delivery latency (change →
//! frame read by the client) p50/p99/max, frames delivered, and memory; fails if any connection misses an event,
//! gets one twice, or gets them out of order.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first surprise

use axum::body::Body;
use axum::http::{header, Request};
use futures_util::{SinkExt, StreamExt};
use rc_sandbox::calls::{Call, Party, Phase};
use rc_sandbox::clock::Clock;
use rc_sandbox::config::{Limit, User, World};
use rc_sandbox::events::Detail;
use rc_sandbox::state::Shared;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1:8080/";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident and peak memory of this process (server and clients together), in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn world(users: u64) -> World {
    let mut w = World::default();
    let many = Limit {
        requests: 100_000,
        window_secs: 60,
        penalty_secs: 60,
    };
    w.settings.auth = many.clone();
    w.settings.medium = many.clone();
    w.settings.light = many;
    w.settings.mean_call_gap_secs = 0;
    w.account.users = (0..users)
        .map(|i| User {
            id: format!("{}", 400_618_700_000u64 + i),
            extension_number: format!("{}", 1000 + i),
            first_name: "Agent".into(),
            last_name: format!("{i}"),
            email: format!("agent{i}@example.com"),
            admin: true,
            phone_number: format!("+1650555{:04}", i % 10_000),
        })
        .collect();
    w
}

async fn post(
    app: &axum::Router,
    uri: &str,
    body: String,
    bearer: Option<&str>,
) -> (u16, String, Value) {
    let mut b =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        location,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Signs a user in through the sign-in form and the token endpoint; the access token.
async fn sign_in(app: &axum::Router, user: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let (_, location, _) = post(
        app,
        "/restapi/oauth/authorize",
        format!(
            "response_type=code&client_id=demo-client&redirect_uri={}&code_challenge={CHALLENGE}\
             &code_challenge_method=S256&sandbox_user={user}&decision=allow",
            enc(REDIRECT)
        ),
        None,
    )
    .await;
    let code = location
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("code="))
        .unwrap()
        .to_string();
    let (_, _, token) = post(
        app,
        "/restapi/oauth/token",
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={}&client_id=demo-client&code_verifier={VERIFIER}",
            enc(REDIRECT)
        ),
        None,
    )
    .await;
    token["access_token"].as_str().unwrap().to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let connections = env_or("CONNECTIONS", 200);
    let per_minute = env_or("CHANGES_PER_MINUTE", 1000);
    let seconds = env_or("DURATION_SECS", 60);
    let users = connections.min(200);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let st = Shared::new(
        world(users),
        1,
        Clock::system(),
        format!("http://{addr}"),
        false,
    );
    let app = rc_sandbox::router(st.clone());
    let served = app.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    let _ticker = st.spawn_ticker();
    let (rss_start, _) = memory_kib();

    // (extension, presence sequence) → when the change behind that event was made.
    let sent: Arc<Mutex<HashMap<(String, u64), Instant>>> = Arc::default();
    let mut readers = vec![];
    for i in 0..connections {
        let user = format!("{}", 400_618_700_000u64 + i % users);
        let access = sign_in(&app, &user).await;
        let (_, _, t) = post(&app, "/restapi/oauth/wstoken", String::new(), Some(&access)).await;
        let url = format!(
            "{}?access_token={}",
            t["uri"].as_str().unwrap(),
            t["ws_access_token"].as_str().unwrap()
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let _details = ws.next().await;
        let sub = json!([{ "type": "ClientRequest", "messageId": "s", "method": "POST", "path": "/restapi/v1.0/subscription/" },
            { "eventFilters": ["/restapi/v1.0/account/~/presence?detailedTelephonyState=true"],
              "deliveryMode": { "transportType": "WebSocket" } }]);
        ws.send(Message::Text(sub.to_string().into()))
            .await
            .unwrap();
        let reply = ws.next().await.unwrap().unwrap();
        let reply: Value = serde_json::from_str(reply.to_text().unwrap()).unwrap();
        assert_eq!(reply[0]["status"], 200, "{reply}");
        let sent = sent.clone();
        readers.push(tokio::spawn(async move {
            let mut last = 1u64;
            let mut latencies = vec![];
            let mut disorder = 0u64;
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(text) = msg else { continue };
                let read_at = Instant::now();
                let v: Value = serde_json::from_str(text.as_str()).unwrap();
                if v[0]["type"] != "ServerNotification" {
                    continue;
                }
                let seq = v[0]["wsc"]["sequence"].as_u64().unwrap();
                if seq != last + 1 {
                    disorder += 1;
                }
                last = seq;
                let body = &v[1]["body"];
                let key = (
                    body["extensionId"].to_string(),
                    body["sequence"].as_u64().unwrap(),
                );
                if let Some(t) = sent.lock().unwrap().get(&key) {
                    latencies.push(read_at.duration_since(*t).as_secs_f64() * 1000.0);
                }
            }
            (last - 1, disorder, latencies)
        }));
    }
    let (rss_connected, _) = memory_kib();

    // The changes: start a call, answer it, end it; round-robin over the extensions.
    let gap = Duration::from_secs_f64(60.0 / per_minute as f64);
    let total = per_minute * seconds / 60;
    let mut live: Vec<String> = vec![];
    let began = Instant::now();
    let mut every = tokio::time::interval(gap);
    let mut rss_half = 0;
    for n in 0..total {
        every.tick().await;
        if n == total / 2 {
            rss_half = memory_kib().0;
        }
        let now = st.clock.now();
        let made = Instant::now();
        let mut g = st.lock();
        let ext = match n % 3 {
            0 => {
                let ext = format!("{}", 400_618_700_000u64 + (n / 3) % users);
                let user = g.world.user(&ext).cloned().unwrap();
                let k = g.next_call_number();
                g.calls.push(Call {
                    id: format!("FAN{k:09}"),
                    session_id: format!("{}", 600_000_000_000u64 + k),
                    telephony_session_id: format!("s-fan{k:024x}"),
                    extension_id: ext.clone(),
                    start: now,
                    direction: "Inbound".into(),
                    call_type: "Voice".into(),
                    action: "Phone Call".into(),
                    transport: "PSTN".into(),
                    from: Party {
                        name: Some("Load Caller".into()),
                        phone_number: Some("+14155550100".into()),
                        ..Default::default()
                    },
                    to: Party::of_user(&user),
                    phase: Phase::Ringing,
                    history: vec![(now, Phase::Ringing)],
                    marks: Default::default(),
                    result_override: None,
                });
                live.push(format!("FAN{k:09}"));
                ext
            }
            1 => {
                let id = live.last().cloned().unwrap();
                let c = g.call_mut(&id).unwrap();
                c.set_phase(now, Phase::Connected { answered_at: now });
                c.extension_id.clone()
            }
            _ => {
                let id = live.pop().unwrap();
                g.end_call(&id, None, now);
                g.calls
                    .iter()
                    .find(|c| c.id == id)
                    .unwrap()
                    .extension_id
                    .clone()
            }
        };
        g.publish(now);
        let seq = g.presence_now(&ext, Detail::Basic).unwrap()["sequence"]
            .as_u64()
            .unwrap();
        drop(g);
        sent.lock().unwrap().insert((ext, seq), made);
    }
    let elapsed = began.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss_end, hwm) = memory_kib();
    let buffered = st.lock().hub.snapshot()["sessions"].clone();
    st.lock().hub.clear();

    let mut all = vec![];
    let mut short = 0;
    let mut disorder = 0;
    let mut delivered = 0;
    for r in readers {
        let (count, bad, lat) = r.await.unwrap();
        if count != total {
            short += 1;
        }
        delivered += count;
        disorder += bad;
        all.extend(lat);
    }
    all.sort_by(|a, b| a.total_cmp(b));
    println!("ws-fanout: {connections} connections (admins on the company presence), {total} call changes in {:.1} s ({per_minute}/min)", elapsed.as_secs_f64());
    println!(
        "  frames delivered   {delivered} (expected {}), {:.0} per second",
        total * connections,
        delivered as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency ms         p50 {:.2}  p99 {:.2}  max {:.2}  (change made → frame read by the client)",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  memory (process)   {} KiB at start, {} KiB with sockets open, {} KiB half-way, {} KiB at the end, peak {} KiB",
        rss_start, rss_connected, rss_half, rss_end, hwm
    );
    println!("  gateway sessions   {buffered} (each keeps at most recoveryBufferSize = 100 notifications)");
    if short > 0 || disorder > 0 {
        println!("FAIL: {short} connections missed or repeated events, {disorder} out of order");
        std::process::exit(1);
    }
    println!("  every event delivered once, in sequence order, on every connection");
}
