//! `/restapi/oauth/authorize` (a sign-in page), `/restapi/oauth/token` and `/restapi/oauth/revoke`
//! (ringcentral-api.md 1.3–1.7, 1.10).

use crate::clock::Millis;
use crate::config::App;
use crate::errors::ApiError;
use crate::http::LogDetail;
use crate::pages::{html_escape, page};
use crate::params::{read_form, Params};
use crate::pkce::ChallengeMethod;
use crate::ratelimit::Group;
use crate::state::AppState;
use crate::tokens::{CodeGrant, TtlRequest};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Parameters of the authorization request that the sign-in form carries through.
const CARRIED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "display",
    "prompt",
    "ui_options",
    "ui_locales",
    "localeId",
    "brand_id",
    "login_hint",
    "nonce",
];

/// An authorization request that passed every check; errors after the redirect URI is known go back to it.
struct AuthRequest {
    app: App,
    redirect_uri: String,
    state: Option<String>,
    challenge: Option<(String, ChallengeMethod)>,
    prompt_none: bool,
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", s.finish())
}

/// Back to the client with `error`, `error_description` and `state`: a 302, as RingCentral answers.
fn error_redirect(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> ApiError {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    ApiError::RedirectBack(with_query(redirect_uri, &pairs))
}

fn validate(st: &AppState, p: &Params) -> Result<AuthRequest, ApiError> {
    let dup =
        |name: String| sign_in_refused("OAU-111", format!("Parameter [{name}] is duplicated"));
    let client_id = p.one("client_id").map_err(dup)?;
    let Some(client_id) = client_id else {
        return Err(sign_in_refused(
            "OAU-101",
            "Parameter [client_id] is not specified",
        ));
    };
    let Some(app) = st.lock().world.app(client_id).cloned() else {
        return Err(sign_in_refused(
            "OAU-102",
            "Client application is not found",
        ));
    };
    let redirect_uri = match p.one("redirect_uri").map_err(dup)? {
        Some(r) if app.redirect_uris.iter().any(|u| u == r) => r.to_string(),
        Some(_) => return Err(sign_in_refused("OAU-109", "Redirect URIs do not match")),
        // Optional only when exactly one redirect URI is registered.
        None if app.redirect_uris.len() == 1 => app.redirect_uris[0].clone(),
        None => {
            return Err(sign_in_refused(
                "OAU-101",
                "Parameter [redirect_uri] is not specified",
            ))
        }
    };
    let state = p.one("state").map_err(dup)?.map(str::to_string);
    let back = |error: &str, description: &str| {
        error_redirect(&redirect_uri, state.as_deref(), error, description)
    };
    for name in [
        "response_type",
        "code_challenge",
        "code_challenge_method",
        "prompt",
    ] {
        if let Err(n) = p.one(name) {
            return Err(back(
                "invalid_request",
                &format!("Parameter [{n}] is duplicated"),
            ));
        }
    }
    match p.one("response_type").ok().flatten() {
        Some("code") => {}
        Some(_) => {
            return Err(back(
                "unsupported_response_type",
                "Unsupported response type",
            ))
        }
        None => {
            return Err(back(
                "invalid_request",
                "Parameter [response_type] is not specified",
            ))
        }
    }
    let method = match p.one("code_challenge_method").ok().flatten() {
        None | Some("plain") => ChallengeMethod::Plain, // RingCentral's default when omitted
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return Err(back("invalid_request", "Unsupported code challenge method")),
    };
    let challenge = p
        .one("code_challenge")
        .ok()
        .flatten()
        .map(|c| (c.to_string(), method));
    if challenge.is_none() && app.client_secret.is_none() {
        // A public client must use PKCE (draft-ietf-oauth-browser-based-apps: the AS enforces it).
        return Err(back("invalid_request", "Code challenge is required"));
    }
    let prompt_none = p
        .one("prompt")
        .ok()
        .flatten()
        .is_some_and(|v| v.split(' ').any(|x| x == "none"));
    Ok(AuthRequest {
        app,
        redirect_uri,
        state,
        challenge,
        prompt_none,
    })
}

/// The authorization request cannot be trusted to go back to its redirect URI: a 400 page.
fn sign_in_refused(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::SignInPage {
        code: code.into(),
        message: message.into(),
    }
}

/// `GET /restapi/oauth/authorize`: the sign-in page.
pub async fn authorize_page(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(q.as_deref().unwrap_or(""));
    let req = validate(&st, &p)?;
    if req.prompt_none {
        // Nobody is signed in at the sandbox between requests, so a silent request always needs a login.
        return Err(error_redirect(
            &req.redirect_uri,
            req.state.as_deref(),
            "login_required",
            "Login required",
        ));
    }
    let users = st.lock().world.account.users.clone();
    let mut hidden = String::new();
    for (k, v) in &p.0 {
        if CARRIED.contains(&k.as_str()) {
            hidden.push_str(&format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                html_escape(k),
                html_escape(v)
            ));
        }
    }
    let mut choices = String::new();
    for (i, u) in users.iter().enumerate() {
        choices.push_str(&format!(
            r#"<label><input type="radio" name="sandbox_user" value="{}"{}> {} <small>ext. {}</small>{}</label>"#,
            html_escape(&u.id),
            if i == 0 { " checked" } else { "" },
            html_escape(&u.name()),
            html_escape(&u.extension_number),
            if u.admin { r#" <span class="tag">admin</span>"# } else { "" }
        ));
    }
    let body = format!(
        r#"<p><strong>{}</strong> asks to read your call log.</p>
<form method="post" action="/restapi/oauth/authorize">{hidden}
<fieldset><legend>Sign in as</legend>{choices}</fieldset>
<button class="primary" type="submit" name="decision" value="allow">Sign in</button>
<button type="submit" name="decision" value="deny">Deny</button></form>"#,
        html_escape(&req.app.client_id)
    );
    Ok(Html(page("Sign in to RingCentral (sandbox)", &body)).into_response())
}

/// `POST /restapi/oauth/authorize`: the sign-in form's answer. Every parameter is checked again.
pub async fn authorize_submit(
    State(st): State<AppState>,
    body: Body,
) -> Result<Response, ApiError> {
    let p = read_form(body).await?;
    let req = validate(&st, &p)?;
    if p.one("decision").ok().flatten() != Some("allow") {
        return Err(error_redirect(
            &req.redirect_uri,
            req.state.as_deref(),
            "access_denied",
            "The user denied the request",
        ));
    }
    let now = st.clock.now();
    let mut g = st.lock();
    let user_id = p.one("sandbox_user").ok().flatten().unwrap_or_default();
    let user = g
        .world
        .user(user_id)
        .cloned()
        .ok_or_else(|| sign_in_refused("OAU-140", "Unknown user"))?;
    let code_ttl = g.world.settings.code_ttl_secs;
    let code = g.tokens.issue_code(CodeGrant {
        client_id: req.app.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        challenge: req.challenge,
        user_id: user.id,
        scope: req.app.permissions.join(" "),
        expires_at: now + code_ttl as Millis * 1000,
        used: false,
        session: None,
    });
    drop(g);
    let ttl = code_ttl.to_string();
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = req.state.as_deref() {
        pairs.push(("state", s));
    }
    pairs.push(("expires_in", &ttl));
    // 302 Found, as RingCentral answers (not axum's 303).
    Ok((
        StatusCode::FOUND,
        [(header::LOCATION, with_query(&req.redirect_uri, &pairs))],
    )
        .into_response())
}

/// The client of a token or revoke request: HTTP Basic for confidential apps, `client_id` in the body for public.
fn client_of(st: &AppState, headers: &HeaderMap, p: &Params) -> Result<App, ApiError> {
    let invalid_client =
        |m: &str| ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", "OAU-123", m);
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(s, _)| s.eq_ignore_ascii_case("basic"))
                .map(|(_, c)| c.trim())
        })
        .and_then(|c| STANDARD.decode(c).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let g = st.lock();
    if let Some(creds) = basic {
        let (id, secret) = creds.split_once(':').unwrap_or((creds.as_str(), ""));
        return match g.world.app(id) {
            Some(app) if app.client_secret.as_deref() == Some(secret) => Ok(app.clone()),
            _ => Err(ApiError::oauth(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "OAU-146",
                "Invalid client credentials",
            )),
        };
    }
    let id = p
        .one("client_id")
        .map_err(|_| {
            ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "OAU-111",
                "Parameter [client_id] is duplicated",
            )
        })?
        .ok_or_else(|| invalid_client("Client authentication is required"))?;
    match g.world.app(id) {
        Some(app) if app.client_secret.is_none() => Ok(app.clone()),
        Some(_) => Err(invalid_client("Client authentication is required")),
        None => Err(ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "OAU-146",
            "Invalid client credentials",
        )),
    }
}

/// Token answers, errors included, must not be cached (RFC 6749 section 5.1).
fn no_store(res: Result<Response, ApiError>) -> Response {
    let mut res = res.unwrap_or_else(IntoResponse::into_response);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

fn ttl(p: &Params, name: &str) -> Result<Option<u32>, ApiError> {
    match p.one(name) {
        Ok(None) => Ok(None),
        Ok(Some(v)) => v.parse().map(Some).map_err(|_| {
            ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "OAU-101",
                format!("Parameter [{name}] value is invalid"),
            )
        }),
        Err(_) => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "OAU-111",
            format!("Parameter [{name}] is duplicated"),
        )),
    }
}

/// `POST /restapi/oauth/token`.
pub async fn token(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let p = read_form(body).await?;
    let grant = p.one("grant_type").ok().flatten().unwrap_or("").to_string();
    let res = token_inner(&st, &headers, &p, &grant);
    let mut res = no_store(res);
    res.extensions_mut().insert(LogDetail(grant));
    Ok(res)
}

fn token_inner(
    st: &AppState,
    headers: &HeaderMap,
    p: &Params,
    grant: &str,
) -> Result<Response, ApiError> {
    let app = client_of(st, headers, p)?;
    // The Auth group counts per user and app where the user is known (a refresh; wstoken shares the bucket).
    let owner = match (grant, p.one("refresh_token")) {
        ("refresh_token", Ok(Some(rt))) => st.lock().tokens.owner_of_refresh(rt),
        _ => None,
    };
    let key = match owner {
        Some((user, client)) if client == app.client_id => format!("{user}/{client}"),
        _ => app.client_id.clone(),
    };
    let rate = st.charge(&key, Group::Auth)?;
    let bad = |code: &str, m: String| {
        ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", code, m)
    };
    let one = |name: &str| {
        p.one(name)
            .map_err(|n| bad("OAU-111", format!("Parameter [{n}] is duplicated")))
    };
    rate.answer((|| {
        let ttls = TtlRequest {
            access: ttl(p, "access_token_ttl")?,
            refresh: ttl(p, "refresh_token_ttl")?,
        };
        let now = st.clock.now();
        let mut g = st.lock();
        let defaults = (
            g.world.settings.access_token_ttl_secs,
            g.world.settings.refresh_token_ttl_secs,
        );
        match grant {
            "authorization_code" => {
                let code = one("code")?
                    .ok_or_else(|| bad("OAU-101", "Parameter [code] is not specified".into()))?;
                let redirect = one("redirect_uri")?;
                let verifier = one("code_verifier")?;
                g.tokens.exchange_code(
                    code,
                    &app.client_id,
                    redirect,
                    verifier,
                    ttls,
                    defaults,
                    app.refresh_tokens,
                    now,
                )
            }
            "refresh_token" => {
                let rt = one("refresh_token")?.ok_or_else(|| {
                    bad(
                        "OAU-101",
                        "Parameter [refresh_token] is not specified".into(),
                    )
                })?;
                g.tokens.refresh(rt, &app.client_id, ttls, now)
            }
            "" => Err(bad(
                "OAU-101",
                "Parameter [grant_type] is not specified".into(),
            )),
            "password" | "urn:ietf:params:oauth:grant-type:jwt-bearer" | "partner_jwt" => {
                Err(ApiError::oauth(
                    StatusCode::BAD_REQUEST,
                    "unauthorized_client",
                    "OAU-112",
                    "Client is not authorized for the requested grant type",
                ))
            }
            _ => Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "OAU-112",
                "Unsupported grant type",
            )),
        }
        .map(axum::Json)
    })())
}

/// `POST /restapi/oauth/revoke`: `token` in the body (or, not recommended, the query). Always 200 for a client
/// that identified itself, as RFC 7009 asks, whether or not the token was known.
pub async fn revoke(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let p = read_form(body).await?;
    let app = client_of(&st, &headers, &p)?;
    let rate = st.charge(&app.client_id, Group::Auth)?;
    let from_query = Params::parse(q.as_deref().unwrap_or(""));
    let token = p
        .one("token")
        .ok()
        .flatten()
        .or(from_query.one("token").ok().flatten())
        .map(str::to_string);
    let result = match token {
        None => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "OAU-101",
            "Parameter [token] is not specified",
        )),
        Some(t) => {
            let now = st.clock.now();
            let mut g = st.lock();
            g.tokens.revoke(&t, Some(&app.client_id));
            // Its sockets close now, not at the next tick.
            g.sweep(now);
            Ok(StatusCode::OK)
        }
    };
    Ok(no_store(rate.answer(result)))
}
