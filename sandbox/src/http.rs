//! What every answer passes through: CORS for browser clients, the `Date` header from the sandbox clock, injected
//! faults, and the request log.

use crate::errors::ApiError;
use crate::faults::run_with_fault;
use crate::requestlog::LogEntry;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
        let fault = st.lock().faults.take(&method, &path, &query);
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
        st.lock().log.push(LogEntry {
            at: now,
            method: method.to_string(),
            path,
            query,
            status: res.status().as_u16(),
            auth: has_auth,
            detail,
            fault: fault_name,
            frame: None,
        });
    }
    res
}
