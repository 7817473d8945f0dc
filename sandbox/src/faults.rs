//! Faults the control API injects into the next matching requests: error answers, delays, dropped connections
//! and broken bodies, applied by the gate in `http.rs`.

use crate::errors::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// The real answer, one byte every `delayMs` (1 000 by default): a server or proxy that trickles.
    Trickle,
    /// `bytes` (50 MB by default) of a body that never ends its JSON, streamed with no Content-Length.
    Huge,
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
            FaultKind::Trickle => "trickle",
            FaultKind::Huge => "huge",
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
    /// Matches a query string that contains it (e.g. `page=2`); any when absent.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default = "one", alias = "count")]
    pub remaining: u32,
    #[serde(default)]
    pub retry_after_secs: Option<u32>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// The size of a `huge` body.
    #[serde(default)]
    pub bytes: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str, query: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| path.contains(p))
            && self.query.as_deref().is_none_or(|q| query.contains(q))
    }
}

/// The faults waiting for requests, in the order they were added.
#[derive(Debug, Default)]
pub struct FaultList(pub Vec<Fault>);

impl FaultList {
    /// The first fault matching this request; it is used up after `remaining` matches.
    pub fn take(&mut self, method: &Method, path: &str, query: &str) -> Option<Fault> {
        let i = self
            .0
            .iter()
            .position(|f| f.matches(method.as_str(), path, query))?;
        let f = self.0[i].clone();
        if self.0[i].remaining <= 1 {
            self.0.remove(i);
        } else {
            self.0[i].remaining -= 1;
        }
        Some(f)
    }
}

pub async fn run_with_fault(fault: Option<Fault>, req: Request, next: Next) -> Response {
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
            streamed_json(stream)
        }
        FaultKind::Trickle => {
            let (parts, bytes) = real_answer(req, next).await;
            let pause = std::time::Duration::from_millis(fault.delay_ms.unwrap_or(1000));
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let bytes = bytes.clone();
                async move {
                    let byte = bytes.get(i..i + 1)?;
                    tokio::time::sleep(pause).await;
                    Some((Ok::<_, std::io::Error>(Bytes::copy_from_slice(byte)), i + 1))
                }
            });
            Response::from_parts(parts, Body::from_stream(stream))
        }
        FaultKind::Huge => {
            const CHUNK: usize = 64 * 1024;
            let total = fault.bytes.unwrap_or(50 << 20) as usize;
            let mut first = b"{\"records\":[".to_vec();
            first.resize(CHUNK, b' ');
            let first = Bytes::from(first);
            let blank = Bytes::from(vec![b' '; CHUNK]);
            let stream = futures_util::stream::iter((0..total.div_ceil(CHUNK)).map(move |i| {
                Ok::<_, std::io::Error>(if i == 0 { first.clone() } else { blank.clone() })
            }));
            streamed_json(stream)
        }
        FaultKind::MalformedJson
        | FaultKind::TruncatedJson
        | FaultKind::UnknownEnums
        | FaultKind::BadRecord => {
            let (parts, bytes) = real_answer(req, next).await;
            Response::from_parts(parts, Body::from(mutate_body(&fault.kind, &bytes)))
        }
    }
}

/// The real answer, read whole, without its Content-Length: the faults that use it send another body.
async fn real_answer(req: Request, next: Next) -> (axum::http::response::Parts, Bytes) {
    let (mut parts, body) = next.run(req).await.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    (parts, bytes)
}

/// A JSON answer whose body is `stream`, with no Content-Length.
fn streamed_json<S>(stream: S) -> Response
where
    S: futures_util::TryStream + Send + 'static,
    S::Ok: Into<Bytes>,
    S::Error: Into<axum::BoxError>,
{
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
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
