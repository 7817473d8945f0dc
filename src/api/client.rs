//! The one request function. Every call to RingCentral goes through `send`, which turns every failure into an
//! `ApiError`; components never see raw HTTP.

use super::error::{ApiError, ErrorBody};
use super::json;
use crate::api::model::ServerBudget;
use crate::web;
use futures_util::future::{FutureExt, LocalBoxFuture};
use gloo_net::http::{Request, RequestBuilder};
use wasm_bindgen::JsValue;

/// A successful answer with what its headers told us.
pub struct Answer<T> {
    pub value: T,
    /// The server's clock (`Date`), when readable.
    pub server_date: Option<f64>,
    /// `X-Rate-Limit-*`, when readable (production may not expose them to a browser).
    pub budget: Option<ServerBudget>,
    /// The browser's clock when the answer arrived.
    pub at: f64,
}

pub enum Body {
    None,
    Form(String),
}

#[inline(never)]
fn header_value(h: &gloo_net::http::Headers, name: &str) -> Option<String> {
    h.get(name)
}

fn parse_json(text: &str) -> Result<JsValue, ApiError> {
    json::parse(text).ok_or_else(|| {
        ApiError::Malformed(if text.is_empty() {
            "empty answer".into()
        } else {
            "not JSON".into()
        })
    })
}

/// Sends one request; `bearer` adds `Authorization: Bearer …`. Returns the body text of a 2xx answer.
/// Boxed so its callers share one copy.
pub fn send<'a>(
    url: &'a str,
    body: Body,
    bearer: Option<&'a str>,
) -> LocalBoxFuture<'a, Result<Answer<String>, ApiError>> {
    send_inner(url, body, bearer).boxed_local()
}

async fn send_inner(
    url: &str,
    body: Body,
    bearer: Option<&str>,
) -> Result<Answer<String>, ApiError> {
    let mut rb: RequestBuilder = match body {
        Body::None => Request::get(url),
        Body::Form(_) => {
            Request::post(url).header("Content-Type", "application/x-www-form-urlencoded")
        }
    };
    rb = rb.header("Accept", "application/json");
    if let Some(t) = bearer {
        rb = rb.header("Authorization", &format!("Bearer {t}"));
    }
    let req = match body {
        Body::None => rb.build(),
        Body::Form(f) => rb.body(f),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let res = req
        .send()
        .await
        .map_err(|_| ApiError::Network("no connection".into()))?;
    let h = res.headers();
    let header = |name: &str| header_value(&h, name);
    let server_date = header("date").and_then(|d| web::parse_http_date(&d));
    let num = |name: &str| header(name).and_then(|v| v.trim().parse::<u32>().ok());
    let budget = match (
        num("x-rate-limit-limit"),
        num("x-rate-limit-remaining"),
        num("x-rate-limit-window"),
    ) {
        (Some(limit), Some(remaining), Some(window_secs)) => Some(ServerBudget {
            limit,
            remaining,
            window_secs,
        }),
        _ => None,
    };
    let retry_after = header("retry-after");
    let status = res.status();
    let text = res
        .text()
        .await
        .map_err(|_| ApiError::Network("the connection dropped".into()))?;
    let at = web::now();
    if !(200..300).contains(&status) {
        let body = parse_json(&text).ok().map(|j| ErrorBody::read(&j));
        return Err(ApiError::from_status(status, body, retry_after.as_deref()));
    }
    Ok(Answer {
        value: text,
        server_date,
        budget,
        at,
    })
}

/// `send`, then the body parsed as JSON (read it with `api::json::Json`).
pub async fn request(
    url: &str,
    body: Body,
    bearer: Option<&str>,
) -> Result<Answer<JsValue>, ApiError> {
    let a = send(url, body, bearer).await?;
    Ok(Answer {
        value: parse_json(&a.value)?,
        server_date: a.server_date,
        budget: a.budget,
        at: a.at,
    })
}
