//! What the in-process test suites share: a sandbox on a frozen clock, requests through the real router, signing in.
#![allow(dead_code)] // each suite uses its own part of it

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use rc_sandbox::clock::Clock;
use rc_sandbox::config::World;
use rc_sandbox::state::{AppState, Shared};
use serde_json::Value;
use tower::ServiceExt;

pub const T0: i64 = 1_800_000_000_000;
pub const REDIRECT: &str = "http://127.0.0.1:8080/";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const ADMIN: &str = "400618687101";
pub const USER: &str = "400618687102";

pub struct Sandbox {
    pub st: AppState,
    pub app: Router,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub fn sandbox_with(world: World) -> Sandbox {
    let st = Shared::new(
        world,
        7,
        Clock::frozen_at(T0),
        "http://127.0.0.1:8790".into(),
        true,
    );
    Sandbox {
        app: rc_sandbox::router(st.clone()),
        st,
    }
}

/// A sandbox on a real socket (WebSocket tests need one), with its ticker running; `public_url` is its address.
pub async fn live_with(world: World) -> (Sandbox, std::net::SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let st = Shared::new(
        world,
        7,
        Clock::frozen_at(T0),
        format!("http://{addr}"),
        true,
    );
    let app = rc_sandbox::router(st.clone());
    let served = app.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    // Ends with the test's runtime.
    let _ticker = st.spawn_ticker();
    (Sandbox { st, app }, addr)
}

pub fn sandbox() -> Sandbox {
    let mut w = World::default();
    w.settings.mean_call_gap_secs = 0; // tests drive calls themselves unless they test traffic
    sandbox_with(w)
}

impl Sandbox {
    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Answer {
        let mut b = Request::get(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn form(&self, uri: &str, body: &str) -> Answer {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn control(&self, uri: &str, body: Value) -> Answer {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub fn advance(&self, ms: i64) {
        self.st.clock.advance(ms);
    }

    /// Signs in through the sign-in form and returns the redirect's query pairs.
    pub async fn authorize(&self, user: &str, extra: &str) -> Vec<(String, String)> {
        let body = format!(
            "response_type=code&client_id=demo-client&redirect_uri={}&state=xyz&code_challenge={CHALLENGE}\
             &code_challenge_method=S256&sandbox_user={user}&decision=allow{extra}",
            enc(REDIRECT)
        );
        let a = self.form("/restapi/oauth/authorize", &body).await;
        assert_eq!(a.status, StatusCode::FOUND, "{}", a.text());
        let loc = a.header("location").unwrap();
        let (base, q) = loc.split_once('?').unwrap();
        assert_eq!(base, REDIRECT.trim_end_matches('?'));
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    pub async fn code(&self, user: &str) -> String {
        let q = self.authorize(user, "").await;
        q.iter().find(|(k, _)| k == "code").unwrap().1.clone()
    }

    /// Signs `user` in to `client` with the given PKCE parameters; the code from the redirect.
    pub async fn code_with(&self, client: &str, pkce: &str, user: &str) -> String {
        let body = format!(
            "response_type=code&client_id={client}&redirect_uri={}&{pkce}&sandbox_user={user}&decision=allow",
            enc(REDIRECT)
        );
        let loc = self
            .form("/restapi/oauth/authorize", &body)
            .await
            .header("location")
            .unwrap();
        let q: Vec<(String, String)> =
            form_urlencoded::parse(loc.split_once('?').unwrap().1.as_bytes())
                .into_owned()
                .collect();
        q.into_iter().find(|(k, _)| k == "code").unwrap().1
    }

    pub async fn exchange_with(&self, client: &str, code: &str, verifier: &str) -> Answer {
        self.form(
            "/restapi/oauth/token",
            &format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}&client_id={client}&code_verifier={verifier}",
                enc(REDIRECT)
            ),
        )
        .await
    }

    pub async fn exchange(&self, code: &str) -> Answer {
        self.exchange_with("demo-client", code, VERIFIER).await
    }

    pub async fn sign_in(&self, user: &str) -> Value {
        let code = self.code(user).await;
        let a = self.exchange(&code).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()
    }

    pub async fn refresh(&self, rt: &str) -> Answer {
        self.form(
            "/restapi/oauth/token",
            &format!("grant_type=refresh_token&refresh_token={rt}&client_id=demo-client"),
        )
        .await
    }

    pub async fn start_call(&self, body: Value) -> String {
        let a = self.control("/sandbox/calls", body).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        a.json()["id"].as_str().unwrap().to_string()
    }
}

pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn tok(v: &Value) -> &str {
    v["access_token"].as_str().unwrap()
}

pub const MY_CALLS: &str = "/restapi/v1.0/account/~/extension/~/active-calls";
pub const COMPANY_CALLS: &str = "/restapi/v1.0/account/~/active-calls";
