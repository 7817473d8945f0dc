//! What every answer passes through: CORS for browser clients, the `Date` header from the sandbox clock, injected
//! faults, and the request log.

use crate::control::{Fault, FaultKind, LogEntry};
use crate::errors::ApiError;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Request headers a browser client may send: RingCentral's JS SDK adds `X-User-Agent` and `Client-Id`.
const ALLOWED_HEADERS: &str =
    "Authorization, Content-Type, Accept, X-User-Agent, Client-Id, RC-Brand-Id";
const RATE_HEADERS: &str =
    "X-Rate-Limit-Group, X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Window, Retry-After";

/// Set by a handler so the request log can say which OAuth grant a token request used.
#[derive(Clone, Debug)]
pub struct LogDetail(pub String);

pub async fn gate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let has_auth = req.headers().contains_key(header::AUTHORIZATION);
    let origin = req.headers().get(header::ORIGIN).cloned();
    let control = path == "/sandbox" || path.starts_with("/sandbox/");
    let preflight = method == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);

    let mut fault_name = None;
    let mut res = if control && !st.control_enabled {
        ApiError::not_found().into_response()
    } else if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else if control {
        next.run(req).await
    } else {
        let fault = take_fault(&st, &method, &path);
        fault_name = fault.as_ref().map(|f| f.kind.name().to_string());
        run_with_fault(fault, req, next).await
    };

    let h = res.headers_mut();
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if preflight {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        } else {
            // `Date` is exposed so a browser client can correct for clock skew.
            let exposed = if st.lock().hide_rate_limit_headers {
                "Date, RCRequestId".to_string()
            } else {
                format!("Date, RCRequestId, {RATE_HEADERS}")
            };
            if let Ok(v) = HeaderValue::from_str(&exposed) {
                h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
            }
        }
    }
    let now = st.clock.now();
    if let Ok(v) = HeaderValue::from_str(&crate::clock::http_date(now)) {
        h.insert(header::DATE, v);
    }
    if !control {
        let detail = res.extensions().get::<LogDetail>().map(|d| d.0.clone());
        st.lock().push_log(LogEntry {
            at: now,
            method: method.to_string(),
            path,
            query,
            status: res.status().as_u16(),
            auth: has_auth,
            detail,
            fault: fault_name,
        });
    }
    res
}

fn take_fault(st: &AppState, method: &Method, path: &str) -> Option<Fault> {
    let mut g = st.lock();
    let i = g
        .faults
        .iter()
        .position(|f| f.matches(method.as_str(), path))?;
    let f = g.faults[i].clone();
    if g.faults[i].remaining <= 1 {
        g.faults.remove(i);
    } else {
        g.faults[i].remaining -= 1;
    }
    Some(f)
}

async fn run_with_fault(fault: Option<Fault>, req: Request, next: Next) -> Response {
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    match fault.kind {
        FaultKind::ServerError => ApiError::rest(
            StatusCode::INTERNAL_SERVER_ERROR,
            "CMN-203",
            "Internal server error",
        )
        .into_response(),
        FaultKind::Unavailable => ApiError::rest(
            StatusCode::SERVICE_UNAVAILABLE,
            "CMN-201",
            "Service temporarily unavailable",
        )
        .into_response(),
        FaultKind::RateLimit => {
            ApiError::rate_limited(fault.retry_after_secs.unwrap_or(60)).into_response()
        }
        FaultKind::RateLimitNoRetryAfter => {
            let mut r = ApiError::rate_limited(60).into_response();
            r.headers_mut().remove(header::RETRY_AFTER);
            r
        }
        FaultKind::Unauthorized => {
            ApiError::rest(StatusCode::UNAUTHORIZED, "OAU-213", "Token not found").into_response()
        }
        FaultKind::Delay => {
            tokio::time::sleep(std::time::Duration::from_millis(
                fault.delay_ms.unwrap_or(2000),
            ))
            .await;
            next.run(req).await
        }
        FaultKind::Drop => {
            // Headers go out, then the connection breaks mid-body: what a dropped connection looks like to fetch.
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped",
                ))
            });
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        FaultKind::MalformedJson
        | FaultKind::TruncatedJson
        | FaultKind::UnknownEnums
        | FaultKind::BadRecord => {
            let res = next.run(req).await;
            let (mut parts, body) = res.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(mutate_body(&fault.kind, &bytes)))
        }
    }
}

/// The body-changing faults. Unknown enum values are values RingCentral could add tomorrow.
pub fn mutate_body(kind: &FaultKind, bytes: &[u8]) -> Vec<u8> {
    match kind {
        FaultKind::MalformedJson => {
            b"{\"uri\": \"x\", \"records\": [ {\"id\": }, ] <html>".to_vec()
        }
        FaultKind::TruncatedJson => bytes[..bytes.len() / 2].to_vec(),
        FaultKind::UnknownEnums | FaultKind::BadRecord => {
            let Ok(mut v) = serde_json::from_slice::<Value>(bytes) else {
                return bytes.to_vec();
            };
            if let Some(records) = v.get_mut("records").and_then(Value::as_array_mut) {
                if matches!(kind, FaultKind::BadRecord) {
                    // A record that cannot be read: wrong types and missing required fields.
                    records.insert(0, serde_json::json!({ "id": 42, "startTime": "yesterday", "direction": ["?"] }));
                } else {
                    for r in records.iter_mut() {
                        r["direction"] = "Sideways".into();
                        r["result"] = "Teleported".into();
                        r["action"] = "Hologram Call".into();
                        r["type"] = "Smell".into();
                        r["transport"] = "Pigeon".into();
                        if r.get("reason").is_some() {
                            r["reason"] = "Cosmic Rays".into();
                        }
                    }
                }
            }
            serde_json::to_vec(&v).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    }
}
