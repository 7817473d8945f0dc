//! The leader's active-calls polling: the loop that asks the scheduler, fetches the scope whose list is oldest and
//! publishes the answer; and the fetch itself, every page of one scope's list (or, when push asked, its first page,
//! the rest kept), each counted against the Heavy budget before it is sent (and the count written where the next
//! leader reads it). The records are kept as RingCentral sent them, so the leader hands them on and every widget
//! reads them with the same reader.

use super::leader::Inner;
use super::protocol;
use super::reading;
use super::signing::session_ended;
use super::snapshot::{Failure, Kept};
use crate::api::error::ApiError;
use crate::api::json::Json;
use crate::api::model::CallLogPage;
use crate::config::Scope;
use crate::format::CallView;
use crate::poll::{After, Decision};
use crate::web;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};

/// While push is live, a slow poll still catches anything it missed.
pub const SAFETY_POLL_SECONDS: u32 = 60;

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
    /// A JS array of the records as RingCentral sent them, for the other tabs.
    pub records: JsValue,
    /// The same records as this widget shows them, read page by page as they came (an admin's 5 000 read at once
    /// made a long task), and how many could not be read.
    pub calls: Vec<CallView>,
    pub skipped: u32,
    pub at: f64,
    pub server_now: Option<f64>,
    /// Pages were left unfetched (`pages` reached).
    pub more: bool,
    /// The records after the first page were kept from the list before (`List::kept`).
    pub kept: Option<Kept>,
}

/// Fetches `scope`'s list, up to `pages` pages, reading it as it comes when `read` (this widget shows that scope).
/// Each request is counted against the budget (and the count saved for the next leader) before it is sent;
/// `first_page`, when given, gets the first page's answer when more pages follow; `after`, when given, is that
/// first page already fetched.
pub(super) async fn fetch(
    inner: &Inner,
    scope: Scope,
    per_page: u32,
    pages: u32,
    read: bool,
    first_page: Option<&dyn Fn(Fetched)>,
    after: Option<Fetched>,
) -> Result<Fetched, ApiError> {
    let (records, mut calls, mut skipped, mut page) = match after {
        Some(f) => (f.records.unchecked_into(), f.calls, f.skipped, 2),
        None => (js_sys::Array::new(), vec![], 0, 1),
    };
    let (session, sched) = (&inner.session, &inner.sched);
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
        inner.save_budget();
        let path = format!(
            "{}?view=Simple&perPage={per_page}&page={page}",
            list_path(scope)
        );
        let a = session.get(&path).await?;
        let (items, more) = CallLogPage::items(&a.value).map_err(ApiError::Malformed)?;
        sched.borrow_mut().on_success(a.at, a.budget);
        for r in &items {
            records.push(r);
        }
        if read {
            let (mut page_calls, unreadable) = reading::read(&items);
            calls.append(&mut page_calls);
            skipped += unreadable;
        }
        if !more || page >= pages {
            return Ok(Fetched {
                records: records.into(),
                calls,
                skipped,
                at: a.at,
                server_now: a.server_date,
                more,
                kept: None,
            });
        }
        if let Some(tell) = first_page.filter(|_| page == 1) {
            // Copies: the pages that follow go on filling these.
            tell(Fetched {
                records: records.slice(0, records.length()).into(),
                calls: calls.clone(),
                skipped,
                at: a.at,
                server_now: a.server_date,
                more,
                kept: None,
            });
        }
        page += 1;
    }
}

/// The leader's loop: asks the scheduler, fetches the scope whose list is oldest, and publishes the answer.
pub(super) async fn run(weak: Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let now = web::now();
        let mut plan = inner.plan(now);
        if now < inner.core.borrow().handing_over_until {
            plan.scopes.clear();
        }
        // Push asked for the full records (debounced to one a second).
        let due = inner.fetch_at.get();
        if due > 0.0 && now >= due {
            inner.fetch_at.set(0.0);
            inner.push_asked.set(true);
            inner.sched.borrow_mut().request_now();
        }
        let decision = {
            let mut sched = inner.sched.borrow_mut();
            sched.set_interval_ms(plan.interval_ms);
            sched.decide(now, plan.idle(), web::online())
        };
        let scope = match decision {
            // Short naps, so a shown page, a returning network or the refresh button act within 250 ms.
            Decision::Idle => {
                drop(inner);
                web::sleep(250.0).await;
                continue;
            }
            Decision::Wait(ms) => {
                drop(inner);
                web::sleep(ms.min(250.0)).await;
                continue;
            }
            Decision::Send => {
                let core = inner.core.borrow();
                protocol::next_scope(&plan.scopes, |s| core.snapshot.list(s).and_then(|l| l.at))
            }
        };
        let Some(scope) = scope else { continue };
        if !inner.still_leading().await {
            inner.stand_down();
            return;
        }
        inner.update(|s| s.busy = true);
        let (first, kept, own) = {
            let core = inner.core.borrow();
            let list = core.snapshot.list(scope);
            // Push asked for the newest calls, and they are on the first page: that page alone, the rest kept
            // (at 5 000 calls one request instead of five, so push's fetches are not held back a minute by the
            // Heavy budget).
            let kept = list
                .filter(|l| {
                    inner.push_asked.get()
                        && l.first_page_will_do(now, SAFETY_POLL_SECONDS as f64 * 1000.0)
                })
                .and_then(|l| {
                    let (_, records) = core.records.iter().find(|(s, _)| *s == scope)?;
                    Some((records.clone(), l.at?, l.records_at()?))
                });
            // A list's first fetch shows its first page at once: an admin's 5 000 calls are five requests, and the
            // first thousand need not wait for the other four (nor, at the Heavy pace, for a minute).
            let first = list.is_none_or(|l| l.at.is_none() || l.more);
            // This widget's list is read as it comes, unless pages are kept: `deliver` then reads the first page and
            // takes the kept records' views from the last reading, in every widget alike.
            let own = core.needs.scope == scope && kept.is_none();
            (first, kept, own)
        };
        inner.push_asked.set(false);
        let first_page = |f: Fetched| publish(&inner, scope, own, f, true);
        let result = fetch(
            &inner,
            scope,
            plan.page_size,
            if kept.is_some() { 1 } else { MAX_PAGES },
            own,
            first.then_some(&first_page as &dyn Fn(Fetched)),
            None,
        )
        .await;
        let result = match (result, kept) {
            (Ok(f), Some(kept)) if f.more => match with_kept(f, kept) {
                Ok(f) => Ok(f),
                // More calls started than a page holds: the other pages too.
                Err(f) => fetch(&inner, scope, plan.page_size, MAX_PAGES, own, None, Some(f)).await,
            },
            (r, _) => r,
        };
        let now = web::now();
        match result {
            Ok(f) => {
                // Push's copies of calls this answer lists are no longer needed to show them.
                let listed: Vec<String> = f
                    .records
                    .items()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|r| r.str_at("telephonySessionId"))
                    .collect();
                inner.reconciler.borrow_mut().answered(&listed, f.at);
                let overlay = inner.reconciler.borrow().overlay.clone();
                inner.core.borrow_mut().snapshot.overlay = overlay;
                publish(&inner, scope, own, f, false);
            }
            Err(e) => {
                let next = inner
                    .sched
                    .borrow_mut()
                    .after_failure(&e, now, web::random());
                inner.save_budget();
                match next {
                    After::SessionEnded => {
                        inner.end_session(Some(session_ended(&e)));
                        return;
                    }
                    After::Stop => {
                        inner.core.borrow_mut().stopped.push(scope);
                        inner.sched.borrow_mut().resume();
                    }
                    _ => {}
                }
                inner.update(|s| {
                    s.busy = false;
                    if let After::Paused { until } = next {
                        s.paused_until = Some(until);
                    }
                    s.list_mut(scope).failure = Some(Failure { error: e, at: now });
                });
            }
        }
    }
}

/// A first page fetched again, followed by the records of the list answered at `from` that come after it
/// (`CallLogPage::kept_after`; the page back when they do not meet). Unread: each widget reads the first page and
/// takes the kept records' views from its reading of that list (`reading::read_merged`).
fn with_kept(f: Fetched, (kept, from, rest_at): (JsValue, f64, f64)) -> Result<Fetched, Fetched> {
    let page = f.records.items().unwrap_or_default();
    let Some(rest) = CallLogPage::kept_after(&page, kept.items().unwrap_or_default()) else {
        return Err(f);
    };
    let records = js_sys::Array::new();
    for r in page.iter().chain(&rest) {
        records.push(r);
    }
    Ok(Fetched {
        records: records.into(),
        more: false,
        kept: Some(Kept {
            fresh: page.len() as u32,
            from,
            rest_at,
        }),
        ..f
    })
}

/// Hands an answer to every widget: its records (and this widget's reading of them), and the list's time. `more`:
/// the first page of a list's first answer, the fetch still going on. Unread, the last reading stays: it is keyed
/// by its list's time, and the records kept from that list take their views from it (`deliver`).
fn publish(inner: &Rc<Inner>, scope: Scope, own: bool, f: Fetched, more: bool) {
    {
        let mut core = inner.core.borrow_mut();
        core.records.retain(|(s, _)| *s != scope);
        core.records.push((scope, f.records));
        if own {
            core.read.retain(|r| r.scope != scope);
            core.read.push(super::leader::Read {
                scope,
                at: f.at,
                calls: f.calls,
                skipped: f.skipped,
            });
        }
    }
    inner.update(|s| {
        s.busy = more;
        s.paused_until = None;
        let l = s.list_mut(scope);
        l.at = Some(f.at);
        l.server_now = f.server_now;
        l.failure = None;
        l.more = more;
        l.kept = f.kept;
    });
}
