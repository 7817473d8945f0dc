#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may stop at the first surprise
//! In-process tests of every endpoint and error path, through the real router, with a frozen clock.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use rc_sandbox::clock::Clock;
use rc_sandbox::config::World;
use rc_sandbox::state::Shared;
use serde_json::{json, Value};
use tower::ServiceExt;

// ---------------------------------------------------------------- authorize

#[tokio::test]
async fn authorize_shows_a_sign_in_page_listing_users() {
    let s = sandbox();
    let a = s
        .get(
            &format!(
                "/restapi/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={}&state=a%22b\
                 &display=&prompt=&ui_options=hide_logo&ui_options=hide_tos&code_challenge={CHALLENGE}&code_challenge_method=S256",
                enc(REDIRECT)
            ),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let html = a.text();
    assert!(
        html.contains("Ada Admin") && html.contains("Ben Baker"),
        "{html}"
    );
    assert!(
        html.contains(r#"name="state" value="a&quot;b""#),
        "state is carried, escaped"
    );
    assert_eq!(
        html.matches(r#"name="ui_options""#).count(),
        2,
        "repeated ui_options are carried"
    );
}

#[tokio::test]
async fn authorize_refuses_a_redirect_uri_that_does_not_match_exactly_with_a_400_page() {
    let s = sandbox();
    for bad in [
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/x",
        "https://evil.example/",
    ] {
        let a = s
            .get(&format!("/restapi/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={}&code_challenge=x", enc(bad)), None)
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(a.text().contains("OAU-109"));
    }
    let unknown = s
        .get(
            "/restapi/oauth/authorize?response_type=code&client_id=nobody",
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let dup = s
        .get(
            "/restapi/oauth/authorize?client_id=demo-client&client_id=demo-client",
            None,
        )
        .await;
    assert!(dup.text().contains("OAU-111"));
}

#[tokio::test]
async fn authorize_errors_after_a_valid_redirect_go_back_with_state() {
    let s = sandbox();
    let base = format!(
        "/restapi/oauth/authorize?client_id=demo-client&redirect_uri={}&state=s1",
        enc(REDIRECT)
    );
    let cases = [
        (
            "&response_type=token&code_challenge=x",
            "unsupported_response_type",
        ),
        ("&response_type=code", "invalid_request"), // a public client without PKCE
        (
            "&response_type=code&code_challenge=x&code_challenge_method=S512",
            "invalid_request",
        ),
        (
            "&response_type=code&code_challenge=x&prompt=none",
            "login_required",
        ),
    ];
    for (extra, error) in cases {
        let a = s.get(&format!("{base}{extra}"), None).await;
        assert_eq!(a.status, StatusCode::FOUND, "{extra}");
        let loc = a.header("location").unwrap();
        assert!(
            loc.starts_with(REDIRECT)
                && loc.contains(&format!("error={error}"))
                && loc.contains("state=s1"),
            "{loc}"
        );
    }
}

#[tokio::test]
async fn sign_in_redirects_with_code_state_and_expires_in_and_deny_with_access_denied() {
    let s = sandbox();
    let q = s.authorize(USER, "").await;
    let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["code", "state", "expires_in"]);
    assert_eq!(q[1].1, "xyz");
    assert_eq!(q[2].1, "60");
    let a = s
        .form(
            "/restapi/oauth/authorize",
            &format!("response_type=code&client_id=demo-client&redirect_uri={}&state=q&code_challenge=x&decision=deny", enc(REDIRECT)),
        )
        .await;
    assert!(a
        .header("location")
        .unwrap()
        .contains("error=access_denied"));
    assert!(a.header("location").unwrap().contains("state=q"));
}

// ---------------------------------------------------------------- token

#[tokio::test]
async fn code_exchange_with_rfc7636_vector_returns_tokeninfo() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    for f in [
        "access_token",
        "refresh_token",
        "scope",
        "owner_id",
        "endpoint_id",
        "session_id",
    ] {
        assert!(t[f].as_str().is_some_and(|v| !v.is_empty()), "{f} in {t}");
    }
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["refresh_token_expires_in"], 604_800);
    assert_eq!(t["owner_id"], USER);
    // The scope is the app's permissions: demo-client may also read presence over a WebSocket.
    assert_eq!(
        t["scope"],
        "ReadCallLog ReadAccounts ReadPresence WebSocketsSubscription"
    );
}

#[tokio::test]
async fn plain_pkce_works_when_the_method_is_omitted() {
    let s = sandbox();
    let plain = "p".repeat(50);
    let code = s
        .code_with("demo-client", &format!("code_challenge={plain}"), USER)
        .await;
    let a = s.exchange_with("demo-client", &code, &plain).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}

#[tokio::test]
async fn code_replay_is_refused_and_ends_the_first_session() {
    let s = sandbox();
    let code = s.code(USER).await;
    let t = s.exchange(&code).await.json();
    let again = s.exchange(&code).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["error"], "invalid_grant");
    assert_eq!(again.json()["errors"][0]["errorCode"], "OAU-106");
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn code_expires_after_60_seconds() {
    let s = sandbox();
    let code = s.code(USER).await;
    s.advance(60_000);
    let a = s.exchange(&code).await;
    assert_eq!(a.json()["errors"][0]["errorCode"], "OAU-108");
}

#[tokio::test]
async fn redirect_mismatch_and_wrong_verifier_at_the_token_endpoint() {
    let s = sandbox();
    let code = s.code(USER).await;
    let a = s
        .form(
            "/restapi/oauth/token",
            &format!("grant_type=authorization_code&code={code}&redirect_uri={}&client_id=demo-client&code_verifier={VERIFIER}", enc("http://localhost:8080/")),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.json(),
        json!({"error":"invalid_redirect_uri","errors":[{"errorCode":"OAU-109","message":"Redirect URIs do not match"}],"error_description":"Redirect URIs do not match"})
    );
    let wrong = s
        .form(
            "/restapi/oauth/token",
            &format!("grant_type=authorization_code&code={code}&redirect_uri={}&client_id=demo-client&code_verifier={}", enc(REDIRECT), "A".repeat(43)),
        )
        .await;
    assert_eq!(wrong.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn token_endpoint_client_authentication() {
    let s = sandbox();
    let none = s
        .form(
            "/restapi/oauth/token",
            "grant_type=refresh_token&refresh_token=x",
        )
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.json(),
        json!({"error":"invalid_client","errors":[{"errorCode":"OAU-123","message":"Client authentication is required"}],"error_description":"Client authentication is required"})
    );
    // A confidential app must use HTTP Basic; a wrong secret is OAU-146.
    let secretless = s
        .form(
            "/restapi/oauth/token",
            "grant_type=refresh_token&refresh_token=x&client_id=demo-server-app",
        )
        .await;
    assert_eq!(secretless.status, StatusCode::UNAUTHORIZED);
    let wrong = s
        .send(
            Request::post("/restapi/oauth/token")
                .header(header::AUTHORIZATION, "Basic ZGVtby1zZXJ2ZXItYXBwOm5vcGU=") // demo-server-app:nope
                .body(Body::from("grant_type=refresh_token&refresh_token=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.json()["errors"][0]["errorCode"], "OAU-146");
    let right = s
        .send(
            Request::post("/restapi/oauth/token")
                .header(
                    header::AUTHORIZATION,
                    "Basic ZGVtby1zZXJ2ZXItYXBwOmRlbW8tc2VydmVyLXNlY3JldA==",
                )
                .body(Body::from("grant_type=refresh_token&refresh_token=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        right.json()["error"],
        "invalid_grant",
        "authenticated, but the token is unknown"
    );
}

#[tokio::test]
async fn refresh_rotation_and_grace_period_over_http() {
    let s = sandbox();
    let t1 = s.sign_in(USER).await;
    let rt1 = t1["refresh_token"].as_str().unwrap().to_string();
    let t2 = s.refresh(&rt1).await.json();
    assert_ne!(t2["refresh_token"], t1["refresh_token"]);
    // The old access token dies at once.
    let old = s.get(MY_CALLS, Some(tok(&t1))).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert_eq!(old.json()["errors"][0]["errorCode"], "OAU-213");
    // Before the new token is used, the old refresh token repeats the same pair.
    s.advance(5_000);
    assert_eq!(
        s.refresh(&rt1).await.json()["access_token"],
        t2["access_token"]
    );
    // After first use, 10 s of grace remain.
    assert_eq!(s.get(MY_CALLS, Some(tok(&t2))).await.status, StatusCode::OK);
    s.advance(9_000);
    assert_eq!(s.refresh(&rt1).await.status, StatusCode::OK);
    s.advance(1_000);
    let late = s.refresh(&rt1).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert_eq!(late.json()["error"], "invalid_grant");
    // The sandbox keeps the requested TTLs on refresh, within RingCentral's bounds. (A minute later: five
    // token requests a minute is the Auth group's limit.)
    s.advance(60_000);
    let t3 = s
        .form(
            "/restapi/oauth/token",
            &format!("grant_type=refresh_token&refresh_token={}&client_id=demo-client&access_token_ttl=600", t2["refresh_token"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(t3["expires_in"], 600);
}

#[tokio::test]
async fn expired_access_and_refresh_tokens() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    s.advance(3_600_000);
    let a = s.get(MY_CALLS, Some(tok(&t))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.json()["errors"][0]["errorCode"], "OAU-128");
    assert_eq!(a.json()["errors"][0]["message"], "Access token expired.");
    // Control API: expire the refresh token now.
    let e = s
        .control(
            "/sandbox/tokens/expire",
            json!({"kind": "refresh", "extension": "102"}),
        )
        .await;
    assert_eq!(e.json()["sessions"], 1);
    let r = s.refresh(t["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.json()["errors"][0]["errorCode"], "OAU-210");
}

#[tokio::test]
async fn control_api_expires_access_tokens_now() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    s.control(
        "/sandbox/tokens/expire",
        json!({"kind": "access", "token": tok(&t)}),
    )
    .await;
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.json()["errors"][0]["errorCode"],
        "OAU-128"
    );
    let t2 = s.refresh(t["refresh_token"].as_str().unwrap()).await.json();
    assert_eq!(s.get(MY_CALLS, Some(tok(&t2))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn revoke_ends_every_token_of_the_session() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    let a = s
        .form(
            "/restapi/oauth/revoke",
            &format!("token={}&client_id=demo-client", tok(&t)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.refresh(t["refresh_token"].as_str().unwrap()).await.status,
        StatusCode::BAD_REQUEST
    );
    let missing = s
        .form("/restapi/oauth/revoke", "client_id=demo-client")
        .await;
    assert_eq!(missing.json()["error"], "invalid_request");
}

// ---------------------------------------------------------------- REST auth, extension info

#[tokio::test]
async fn api_authorization_errors() {
    let s = sandbox();
    let none = s.get(MY_CALLS, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.json(),
        json!({"errorCode":"OAU-123","message":"Authorization header is not specified","errors":[{"errorCode":"OAU-123","message":"Authorization header is not specified"}]})
    );
    let unknown = s.get(MY_CALLS, Some("nope")).await;
    assert_eq!(unknown.json()["errors"][0]["errorCode"], "OAU-213");
    let basic = s
        .send(
            Request::get(MY_CALLS)
                .header(header::AUTHORIZATION, "Basic abc")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(basic.json()["errorCode"], "OAU-151");
    // The scheme is case-insensitive (the JS SDK sends `bearer`).
    let t = s.sign_in(USER).await;
    let lower = s
        .send(
            Request::get(MY_CALLS)
                .header(header::AUTHORIZATION, format!("bearer {}", tok(&t)))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(lower.status, StatusCode::OK);
}

#[tokio::test]
async fn extension_info_says_who_is_signed_in() {
    let s = sandbox();
    let t = s.sign_in(ADMIN).await;
    let a = s
        .get("/restapi/v1.0/account/~/extension/~", Some(tok(&t)))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["id"], json!(400618687101u64));
    assert_eq!(v["extensionNumber"], "101");
    assert_eq!(v["name"], "Ada Admin");
    assert_eq!(v["contact"]["email"], "ada.admin@example.com");
    assert_eq!(v["status"], "Enabled");
    assert_eq!(v["type"], "User");
    assert_eq!(
        v["uri"],
        "http://127.0.0.1:8790/restapi/v1.0/account/400618687004/extension/400618687101"
    );
    assert_eq!(a.header("x-rate-limit-group").as_deref(), Some("light"));
}

// ---------------------------------------------------------------- active calls

#[tokio::test]
async fn active_calls_wrapper_for_an_empty_list() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    let a = s
        .get(&format!("{MY_CALLS}?view=Simple"), Some(tok(&t)))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["records"], json!([]));
    assert_eq!(v["paging"]["page"], 1);
    assert_eq!(v["paging"]["perPage"], 100);
    assert!(v["paging"].get("pageStart").is_none());
    assert_eq!(
        v["navigation"]["firstPage"]["uri"],
        "http://127.0.0.1:8790/restapi/v1.0/account/400618687004/extension/400618687102/active-calls?view=Simple&page=1&perPage=100"
    );
}

#[tokio::test]
async fn a_call_goes_from_ringing_to_answered_to_ended_and_lingers_120s() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    let id = s
        .start_call(json!({"extension": "102", "from": {"name": "Northwind", "phoneNumber": "+12125550143"}}))
        .await;
    let rec = |v: Value| v["records"][0].clone();
    let r = rec(s.get(MY_CALLS, Some(tok(&t))).await.json());
    assert_eq!(r["id"], id);
    assert_eq!(r["result"], "In Progress");
    assert!(r.get("reason").is_none() && r.get("duration").is_none());
    assert_eq!(r["direction"], "Inbound");
    assert_eq!(r["to"]["name"], "Ben Baker");
    assert_eq!(r["extension"]["id"], json!(400618687102u64));
    s.advance(5_000);
    s.control(&format!("/sandbox/calls/{id}/answer"), json!({}))
        .await;
    let r = rec(s.get(MY_CALLS, Some(tok(&t))).await.json());
    assert_eq!(
        (r["result"].as_str(), r["reason"].as_str()),
        (Some("In Progress"), Some("Accepted"))
    );
    s.advance(30_000);
    s.control(&format!("/sandbox/calls/{id}/end"), json!({}))
        .await;
    let r = rec(s.get(MY_CALLS, Some(tok(&t))).await.json());
    assert_eq!(r["result"], "Accepted");
    assert_eq!(r["duration"], 35);
    s.advance(119_000);
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.json()["records"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    s.advance(1_000);
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.json()["records"],
        json!([])
    );
}

#[tokio::test]
async fn filters_paging_and_order() {
    let s = sandbox();
    let t = s.sign_in(ADMIN).await;
    s.start_call(json!({"extension": "101", "direction": "Outbound", "count": 3}))
        .await;
    s.advance(1_000);
    let newest = s
        .start_call(json!({"extension": "101", "transport": "VoIP"}))
        .await;
    let v = s
        .get(&format!("{MY_CALLS}?perPage=2&page=1"), Some(tok(&t)))
        .await
        .json();
    assert_eq!(v["records"][0]["id"], newest, "newest first");
    assert_eq!(v["paging"]["totalElements"], 4);
    assert!(v["navigation"]["nextPage"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("page=2&perPage=2"));
    // A server that ignores perPage (abuse tests): every call in the first page.
    s.control("/sandbox/settings", json!({"ignorePerPage": true}))
        .await;
    let all = s
        .get(&format!("{MY_CALLS}?perPage=2&page=1"), Some(tok(&t)))
        .await
        .json();
    assert_eq!(all["records"].as_array().unwrap().len(), 4);
    s.control("/sandbox/settings", json!({"ignorePerPage": false}))
        .await;
    s.advance(60_000); // stay under the heavy limit
    let out = s
        .get(&format!("{MY_CALLS}?direction=Outbound"), Some(tok(&t)))
        .await
        .json();
    assert_eq!(out["records"].as_array().unwrap().len(), 3);
    let both = s
        .get(
            &format!("{MY_CALLS}?direction=Outbound&direction=Inbound"),
            Some(tok(&t)),
        )
        .await
        .json();
    assert_eq!(both["records"].as_array().unwrap().len(), 4);
    let voip = s
        .get(
            &format!("{MY_CALLS}?transport=VoIP&type=Voice"),
            Some(tok(&t)),
        )
        .await
        .json();
    assert_eq!(voip["records"].as_array().unwrap().len(), 1);
    for bad in [
        "direction=Sideways",
        "view=Fancy",
        "perPage=0",
        "page=x",
        "page=1&page=2",
    ] {
        let a = s.get(&format!("{MY_CALLS}?{bad}"), Some(tok(&t))).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(a.json()["errors"][0]["errorCode"], "CMN-101", "{bad}");
    }
    let max = s
        .get(&format!("{MY_CALLS}?perPage=5000"), Some(tok(&t)))
        .await
        .json();
    assert_eq!(max["paging"]["perPage"], 1000);
}

#[tokio::test]
async fn company_calls_for_admins_and_the_verbatim_403_for_others() {
    let s = sandbox();
    s.start_call(json!({"extension": "102"})).await;
    s.start_call(json!({"extension": "103"})).await;
    let admin = s.sign_in(ADMIN).await;
    let v = s.get(COMPANY_CALLS, Some(tok(&admin))).await.json();
    assert_eq!(v["records"].as_array().unwrap().len(), 2);
    assert!(v["uri"]
        .as_str()
        .unwrap()
        .contains("/account/400618687004/active-calls"));
    let user = s.sign_in(USER).await;
    let a = s.get(COMPANY_CALLS, Some(tok(&user))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.json(),
        json!({"errorCode":"InsufficientPermissions","message":"[ReadCompanyCallLog] permission required","errors":[{"errorCode":"CMN-408","message":"[ReadCompanyCallLog] permission required","permissionName":"ReadCompanyCallLog"}],"permissionName":"ReadCompanyCallLog"})
    );
    // Another extension's calls: fine for an admin, refused to a user.
    assert_eq!(
        s.get(
            "/restapi/v1.0/account/~/extension/400618687103/active-calls",
            Some(tok(&admin))
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        s.get(
            "/restapi/v1.0/account/~/extension/400618687103/active-calls",
            Some(tok(&user))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get("/restapi/v1.0/account/999/active-calls", Some(tok(&admin)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_app_without_readcalllog_gets_cmn_401() {
    let s = sandbox();
    let pkce = format!("code_challenge={CHALLENGE}&code_challenge_method=S256");
    let code = s.code_with("no-calls-app", &pkce, USER).await;
    let t = s
        .exchange_with("no-calls-app", &code, VERIFIER)
        .await
        .json();
    assert!(
        t.get("refresh_token").is_none(),
        "this app does not get refresh tokens"
    );
    let a = s.get(MY_CALLS, Some(tok(&t))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.json()["errors"][0]["errorCode"], "CMN-401");
}

// ---------------------------------------------------------------- rate limits

#[tokio::test]
async fn the_11th_heavy_request_is_429_and_the_penalty_restarts() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    for i in 0..10 {
        let a = s.get(MY_CALLS, Some(tok(&t))).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("x-rate-limit-group").as_deref(), Some("heavy"));
        assert_eq!(a.header("x-rate-limit-limit").as_deref(), Some("10"));
        assert_eq!(
            a.header("x-rate-limit-remaining"),
            Some((9 - i).to_string())
        );
        assert_eq!(a.header("x-rate-limit-window").as_deref(), Some("60"));
        s.advance(1_000);
    }
    let a = s.get(MY_CALLS, Some(tok(&t))).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.header("retry-after").as_deref(), Some("60"));
    assert_eq!(a.json()["errors"][0]["errorCode"], "CMN-301");
    // 50 s into the penalty, a request restarts it: 59 s later still limited.
    s.advance(50_000);
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    s.advance(59_000);
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    s.advance(60_000);
    assert_eq!(s.get(MY_CALLS, Some(tok(&t))).await.status, StatusCode::OK);
    // The light group (extension info) is counted separately.
    assert_eq!(
        s.get("/restapi/v1.0/account/~/extension/~", Some(tok(&t)))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_auth_group_allows_5_token_requests_a_minute() {
    let s = sandbox();
    for _ in 0..5 {
        assert_eq!(s.refresh("unknown").await.status, StatusCode::BAD_REQUEST);
    }
    let a = s.refresh("unknown").await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.header("x-rate-limit-group").as_deref(), Some("auth"));
}

// ---------------------------------------------------------------- CORS

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let s = sandbox();
    let pre = s
        .send(
            Request::builder()
                .method("OPTIONS")
                .uri(MY_CALLS)
                .header(header::ORIGIN, "http://127.0.0.1:8080")
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .header(
                    header::ACCESS_CONTROL_REQUEST_HEADERS,
                    "authorization, x-user-agent, client-id",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert_eq!(
        pre.header("access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:8080")
    );
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for h in ["authorization", "content-type", "x-user-agent", "client-id"] {
        assert!(allowed.contains(h), "{h}");
    }
    assert!(pre.header("vary").unwrap().contains("Origin"));
    let t = s.sign_in(USER).await;
    let get = |origin: &'static str| {
        Request::get(MY_CALLS)
            .header(header::ORIGIN, origin)
            .header(header::AUTHORIZATION, format!("Bearer {}", tok(&t)))
            .body(Body::empty())
            .unwrap()
    };
    let a = s.send(get("http://127.0.0.1:8080")).await;
    let exposed = a.header("access-control-expose-headers").unwrap();
    assert!(
        exposed.contains("Retry-After")
            && exposed.contains("X-Rate-Limit-Remaining")
            && exposed.contains("Date")
    );
    assert_eq!(
        a.header("date").as_deref(),
        Some(rc_sandbox::clock::http_date(T0).as_str()),
        "Date from the sandbox clock"
    );
    s.control("/sandbox/settings", json!({"hideRateLimitHeaders": true}))
        .await;
    let hidden = s.send(get("http://127.0.0.1:8080")).await;
    assert!(!hidden
        .header("access-control-expose-headers")
        .unwrap()
        .contains("Retry-After"));
    assert!(
        hidden.header("x-rate-limit-limit").is_some(),
        "still sent, just not exposed"
    );
}

// ---------------------------------------------------------------- faults

async fn fault(s: &Sandbox, kind: &str) {
    let a = s
        .control(
            "/sandbox/faults",
            json!({"kind": kind, "path": "active-calls", "method": "GET"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
}

#[tokio::test]
async fn each_injected_fault_hits_the_next_matching_request_once() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    s.start_call(json!({"extension": "102"})).await;
    let expect_status = [
        ("server_error", 500),
        ("unavailable", 503),
        ("rate_limit", 429),
        ("rate_limit_no_retry_after", 429),
        ("unauthorized", 401),
    ];
    for (kind, status) in expect_status {
        fault(&s, kind).await;
        let a = s.get(MY_CALLS, Some(tok(&t))).await;
        assert_eq!(a.status.as_u16(), status, "{kind}");
        assert!(
            a.json()["errors"][0]["errorCode"].is_string(),
            "{kind}: RingCentral body"
        );
        if kind == "rate_limit" {
            assert_eq!(a.header("retry-after").as_deref(), Some("60"));
        }
        if kind == "rate_limit_no_retry_after" {
            assert!(a.header("retry-after").is_none());
        }
        assert_eq!(
            s.get(MY_CALLS, Some(tok(&t))).await.status,
            StatusCode::OK,
            "{kind} is used up"
        );
        s.advance(60_000); // stay under the heavy limit
    }
    fault(&s, "malformed_json").await;
    assert!(serde_json::from_slice::<Value>(&s.get(MY_CALLS, Some(tok(&t))).await.body).is_err());
    fault(&s, "truncated_json").await;
    let trunc = s.get(MY_CALLS, Some(tok(&t))).await;
    assert_eq!(trunc.status, StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&trunc.body).is_err());
    s.advance(60_000);
    fault(&s, "unknown_enums").await;
    let r = s.get(MY_CALLS, Some(tok(&t))).await.json();
    assert_eq!(r["records"][0]["direction"], "Sideways");
    assert_eq!(r["records"][0]["result"], "Teleported");
    fault(&s, "bad_record").await;
    let r = s.get(MY_CALLS, Some(tok(&t))).await.json();
    assert_eq!(r["records"].as_array().unwrap().len(), 2);
    assert_eq!(r["records"][0]["id"], 42);
    s.control(
        "/sandbox/faults",
        json!({"kind": "delay", "delayMs": 50, "path": "active-calls"}),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(s.get(MY_CALLS, Some(tok(&t))).await.status, StatusCode::OK);
    assert!(started.elapsed().as_millis() >= 50);
    s.advance(60_000);
    // `query` picks one page of a list: the first is answered, the second fails.
    s.control(
        "/sandbox/faults",
        json!({"kind": "server_error", "path": "active-calls", "query": "page=2"}),
    )
    .await;
    let page = |n: u32| format!("{MY_CALLS}?perPage=1&page={n}");
    assert_eq!(s.get(&page(1), Some(tok(&t))).await.status, StatusCode::OK);
    assert_eq!(
        s.get(&page(2), Some(tok(&t))).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    s.advance(60_000);
    // A dropped connection: the body breaks.
    fault(&s, "drop").await;
    let res = s
        .app
        .clone()
        .oneshot(
            Request::get(MY_CALLS)
                .header(header::AUTHORIZATION, format!("Bearer {}", tok(&t)))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(res.into_body().collect().await.is_err());
    // A trickled answer is the real one, byte by byte, with no Content-Length.
    s.control(
        "/sandbox/faults",
        json!({"kind": "trickle", "delayMs": 1, "path": "active-calls"}),
    )
    .await;
    let slow = s.get(MY_CALLS, Some(tok(&t))).await;
    assert!(slow.header("content-length").is_none());
    assert!(slow.json()["records"].is_array());
    // A huge answer: `bytes` of a JSON body that never ends, with no Content-Length.
    s.control(
        "/sandbox/faults",
        json!({"kind": "huge", "bytes": 300_000, "path": "active-calls"}),
    )
    .await;
    let huge = s.get(MY_CALLS, Some(tok(&t))).await;
    assert!(huge.header("content-length").is_none());
    assert!(huge.body.len() >= 300_000 && huge.body.starts_with(b"{\"records\":["));
    s.advance(60_000);
    // count applies to several requests; faults skip non-matching paths.
    s.control(
        "/sandbox/faults",
        json!({"kind": "server_error", "path": "active-calls", "count": 2}),
    )
    .await;
    assert_eq!(
        s.get("/restapi/v1.0/account/~/extension/~", Some(tok(&t)))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(s.get(MY_CALLS, Some(tok(&t))).await.status.as_u16(), 500);
    assert_eq!(s.get(MY_CALLS, Some(tok(&t))).await.status.as_u16(), 500);
    assert_eq!(s.get(MY_CALLS, Some(tok(&t))).await.status.as_u16(), 200);
}

#[tokio::test]
async fn the_request_log_records_time_method_path_status_auth_and_grant() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    s.get(MY_CALLS, Some(tok(&t))).await;
    s.refresh(t["refresh_token"].as_str().unwrap()).await;
    let log = s
        .send(
            Request::get("/sandbox/requests")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json();
    let entries = log.as_array().unwrap();
    let calls = entries.iter().find(|e| e["path"] == MY_CALLS).unwrap();
    assert_eq!(
        (
            calls["method"].as_str(),
            calls["status"].as_u64(),
            calls["auth"].as_bool()
        ),
        (Some("GET"), Some(200), Some(true))
    );
    assert_eq!(calls["at"], T0);
    let grants: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["detail"].as_str())
        .collect();
    assert_eq!(grants, ["authorization_code", "refresh_token"]);
    assert!(
        entries
            .iter()
            .all(|e| !e["path"].as_str().unwrap().starts_with("/sandbox")),
        "control calls are not logged"
    );
}

#[tokio::test]
async fn reset_forgets_tokens_calls_and_log() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    s.start_call(json!({"extension": "102"})).await;
    s.control("/sandbox/reset", json!({"seed": 3, "noTraffic": true}))
        .await;
    assert_eq!(
        s.get(MY_CALLS, Some(tok(&t))).await.status,
        StatusCode::UNAUTHORIZED
    );
    let state = s
        .send(Request::get("/sandbox/state").body(Body::empty()).unwrap())
        .await
        .json();
    assert_eq!(state["calls"], json!([]));
    assert_eq!(state["seed"], 3);
}

#[tokio::test]
async fn control_api_can_be_turned_off() {
    let st = Shared::new(
        World::default(),
        1,
        Clock::frozen_at(T0),
        "http://x".into(),
        false,
    );
    let app = rc_sandbox::router(st);
    let res = app
        .oneshot(Request::post("/sandbox/reset").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- bad input

#[tokio::test]
async fn bad_input_gets_ringcentral_kinds_of_errors_and_never_disturbs_others() {
    let s = sandbox();
    let t = s.sign_in(USER).await;
    let garbage = s.form("/restapi/oauth/token", "%%%&&==&grant_type").await;
    assert_eq!(
        garbage.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        garbage.text()
    );
    let missing = s
        .form("/restapi/oauth/token", "client_id=demo-client")
        .await;
    assert_eq!(missing.json()["error"], "invalid_request");
    let dup = s
        .form(
            "/restapi/oauth/token",
            "client_id=demo-client&grant_type=refresh_token&refresh_token=a&refresh_token=b",
        )
        .await;
    assert_eq!(dup.json()["errors"][0]["errorCode"], "OAU-111");
    let weird = s
        .form(
            "/restapi/oauth/token",
            "client_id=demo-client&grant_type=magic",
        )
        .await;
    assert_eq!(weird.json()["error"], "unsupported_grant_type");
    let big = s.form("/restapi/oauth/token", &"a=b&".repeat(40_000)).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(big.json()["errors"][0]["errorCode"].is_string());
    let bytes = s
        .send(
            Request::post("/restapi/oauth/token")
                .body(Body::from(vec![b'a', b'=', 0xff, 0xfe]))
                .unwrap(),
        )
        .await;
    assert_eq!(bytes.status, StatusCode::BAD_REQUEST);
    let unknown = s.get("/restapi/v1.0/nothing/here", Some(tok(&t))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["errors"][0]["errorCode"], "CMN-102");
    let method = s
        .send(Request::delete(MY_CALLS).body(Body::empty()).unwrap())
        .await;
    assert_eq!(method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(method.json()["errors"].is_array());
    let ctl = s.control("/sandbox/calls", json!({"nope": 1})).await;
    assert_eq!(ctl.status, StatusCode::BAD_REQUEST);
    // The signed-in session is untouched by all of that.
    assert_eq!(s.get(MY_CALLS, Some(tok(&t))).await.status, StatusCode::OK);
}

// ---------------------------------------------------------------- traffic

async fn traffic_run(seed: u64) -> Vec<(String, String, String, Option<i64>)> {
    let mut w = World::default();
    w.settings.mean_call_gap_secs = 60;
    w.settings.heavy.requests = 1000;
    let st = Shared::new(w, seed, Clock::frozen_at(T0), "http://s".into(), true);
    let s = Sandbox {
        app: rc_sandbox::router(st.clone()),
        st,
    };
    let t = s.sign_in(ADMIN).await;
    let mut seen: std::collections::HashMap<String, Vec<Value>> = Default::default();
    let mut snapshots = vec![];
    for _ in 0..(20 * 60 / 5) {
        let v = s
            .get(&format!("{COMPANY_CALLS}?perPage=1000"), Some(tok(&t)))
            .await
            .json();
        for r in v["records"].as_array().unwrap() {
            seen.entry(r["id"].as_str().unwrap().to_string())
                .or_default()
                .push(r.clone());
            snapshots.push((
                r["id"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap_or("").to_string(),
                r["duration"].as_i64(),
            ));
        }
        s.advance(5_000);
    }
    assert!(
        seen.len() >= 20,
        "20 minutes of traffic on 4 extensions makes many calls: {}",
        seen.len()
    );
    let mut ringing = 0;
    let mut both_directions = std::collections::HashSet::new();
    for (id, history) in &seen {
        both_directions.insert(history[0]["direction"].as_str().unwrap().to_string());
        // Phases only move forward: ringing (no reason) → connected (Accepted) → ended (duration).
        let phase = |r: &Value| match (r["result"].as_str(), r.get("reason"), r.get("duration")) {
            (Some("In Progress"), None, None) => 0,
            (Some("In Progress"), Some(_), None) => 1,
            (Some(_), _, Some(_)) => 2,
            _ => panic!("{id}: unexpected record {r}"),
        };
        let phases: Vec<i32> = history.iter().map(phase).collect();
        assert!(phases.windows(2).all(|w| w[0] <= w[1]), "{id}: {phases:?}");
        if phases[0] == 0 {
            ringing += 1;
        }
        let ended: Vec<&Value> = history.iter().filter(|r| phase(r) == 2).collect();
        if let (Some(first), Some(last)) = (ended.first(), ended.last()) {
            assert_eq!(
                first["duration"], last["duration"],
                "{id}: the final duration does not change"
            );
            assert_ne!(first["result"], "In Progress");
            // Listed about 120 s after it ended (polled every 5 s).
            assert!(ended.len() <= 24, "{id}: lingered {} polls", ended.len());
        }
        let r = &history[0];
        assert!(
            r["startTime"].as_str().unwrap().ends_with(".000Z")
                || r["startTime"].as_str().unwrap().ends_with('Z')
        );
        assert!(r["extension"]["id"].is_u64());
    }
    assert!(ringing > 0);
    assert_eq!(both_directions.len(), 2, "both directions occur");
    snapshots
}

#[tokio::test]
async fn seeded_traffic_has_proper_lifecycles_and_is_deterministic() {
    let a = traffic_run(42).await;
    let b = traffic_run(42).await;
    let c = traffic_run(43).await;
    assert_eq!(a, b, "same seed, same calls");
    assert_ne!(a, c, "another seed, other calls");
}
