//! The leader's active-calls fetches: every page of one scope's list, each counted against the Heavy budget before
//! it is sent (and the count written where the next leader reads it). The records are kept as RingCentral sent
//! them, so the leader hands them on and every widget reads them with the same reader.

use crate::api::error::ApiError;
use crate::api::model::CallLogPage;
use crate::auth::session::Session;
use crate::config::Scope;
use crate::poll::Scheduler;
use crate::web;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// Most pages fetched in one refresh (`perPage` up to 1000 each).
const MAX_PAGES: u32 = 20;

fn list_path(scope: Scope) -> &'static str {
    match scope {
        Scope::Extension => "/restapi/v1.0/account/~/extension/~/active-calls",
        Scope::Account => "/restapi/v1.0/account/~/active-calls",
    }
}

/// One scope's list, every page of it.
pub struct Fetched {
    /// A JS array of the records, unread.
    pub records: JsValue,
    pub at: f64,
    pub server_now: Option<f64>,
}

/// Fetches `scope`'s list. `spent` is told after each request is counted and before it is sent.
pub async fn fetch(
    session: &Session,
    sched: &RefCell<Scheduler>,
    scope: Scope,
    per_page: u32,
    spent: &dyn Fn(),
) -> Result<Fetched, ApiError> {
    let records = js_sys::Array::new();
    let mut page = 1;
    loop {
        if page > 1 {
            loop {
                let wait = sched.borrow_mut().budget_wait(web::now());
                if wait <= 0.0 {
                    break;
                }
                web::sleep(wait.min(1000.0)).await;
            }
        }
        sched.borrow_mut().on_sent(web::now());
        spent();
        let path = format!(
            "{}?view=Simple&perPage={per_page}&page={page}",
            list_path(scope)
        );
        let a = session.get(&path).await?;
        let (items, more) = CallLogPage::items(&a.value).map_err(ApiError::Malformed)?;
        sched.borrow_mut().on_success(a.at, a.budget);
        for r in items {
            records.push(&r);
        }
        if !more || page >= MAX_PAGES {
            return Ok(Fetched {
                records: records.into(),
                at: a.at,
                server_now: a.server_date,
            });
        }
        page += 1;
    }
}
