//! The one request function. Every call to RingCentral goes through `send`, which turns every failure into an
//! `ApiError`; components never see raw HTTP.

use super::error::{ApiError, ErrorBody};
use super::json;
use crate::api::model::ServerBudget;
use crate::web;
use futures_util::future::{FutureExt, LocalBoxFuture};
use gloo_net::http::{Request, RequestBuilder};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

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

/// A request (headers and the whole body) not answered within this is given up: a server trickling its answer must
/// not hold the poll forever. RingCentral answers in well under a second; a page of 1 000 detailed records is about
/// a megabyte.
pub const TIMEOUT_SECS: u32 = 15;
/// The most an answer may hold: a page of 10 000 detailed records is about 6 MB. Past it the answer is dropped
/// as it streams in, so a runaway body neither fills the memory nor freezes the page.
pub const MAX_ANSWER_BYTES: u32 = 16 << 20;

fn too_large() -> ApiError {
    ApiError::Malformed(format!(
        "it is larger than {} MB, the most this panel reads",
        MAX_ANSWER_BYTES >> 20
    ))
}

/// The body as text, read chunk by chunk and refused past `MAX_ANSWER_BYTES`.
async fn read_capped(res: &gloo_net::http::Response) -> Result<String, ApiError> {
    let dropped = || ApiError::Network("the connection dropped".into());
    let Some(stream) = res.body() else {
        return Ok(String::new());
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes: Vec<u8> = vec![];
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(|_| dropped())?;
        if js_sys::Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            != Some(false)
        {
            break;
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
            .map_err(|_| dropped())?
            .unchecked_into();
        let at = bytes.len();
        if at as u64 + chunk.length() as u64 > MAX_ANSWER_BYTES as u64 {
            let _ = reader.cancel();
            return Err(too_large());
        }
        bytes.resize(at + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[at..]);
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
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
    // One deadline for the headers and the body: the timer aborts the fetch, and says it was the deadline.
    let abort =
        web_sys::AbortController::new().map_err(|_| ApiError::Network("no fetch".into()))?;
    let late = Rc::new(Cell::new(false));
    let _deadline = {
        let (abort, late) = (abort.clone(), late.clone());
        gloo_timers::callback::Timeout::new(TIMEOUT_SECS * 1000, move || {
            late.set(true);
            abort.abort();
        })
    };
    let failed = |what: &str| {
        if late.get() {
            ApiError::Slow(TIMEOUT_SECS)
        } else {
            ApiError::Network(what.into())
        }
    };
    rb = rb.abort_signal(Some(&abort.signal()));
    let req = match body {
        Body::None => rb.build(),
        Body::Form(f) => rb.body(f),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let res = req.send().await.map_err(|_| failed("no connection"))?;
    let h = res.headers();
    let header = |name: &str| header_value(&h, name);
    if header("content-length")
        .and_then(|n| n.trim().parse::<u64>().ok())
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        abort.abort();
        return Err(too_large());
    }
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
    let text = match read_capped(&res).await {
        Err(ApiError::Network(m)) => return Err(failed(&m)),
        other => other?,
    };
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
