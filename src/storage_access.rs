//! Keeping the session in a cross-site frame. Where a CRM frames the widget from another site, browsers that block
//! third-party storage (Chrome's incognito windows and its third-party cookie blocking, Firefox's strict mode,
//! Safari) make the frame's `sessionStorage` and `localStorage` throw, so a session would end with every reload.
//! The Storage Access API lets the frame ask, on the user's click (<https://privacycg.github.io/storage-access/>),
//! for cookies and, where the browser has the non-cookie extension, Web Storage through a handle
//! (<https://privacycg.github.io/saa-non-cookie-storage/>). Once the user has allowed it, later loads get it again
//! without a click: `navigator.permissions.query({name: "storage-access"})` then says "granted" and
//! `requestStorageAccess()` resolves without a gesture. Refused once, the widget does not ask again on that load.
//!
//! What backs the refresh token, in order: the window's Web Storage; the handle's; a cookie (`cookie`), which
//! storage access always grants; memory only.

use crate::cookie;
use crate::state::Keeping;
use crate::web::{self, Store};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// What the page's check found, then what the user's answer changed. One per page: every widget on it shares
    /// the frame's storage.
    static KEEPING: Cell<Option<Keeping>> = const { Cell::new(None) };
    /// The `StorageAccessHandle` a granted request returned (browsers with the non-cookie extension).
    static HANDLE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// Cookies were granted: the last backing.
    static COOKIES: Cell<bool> = const { Cell::new(false) };
}

/// What is known now (`Kept` before a check ends: the check decides).
pub fn keeping() -> Keeping {
    KEEPING.with(|s| s.get()).unwrap_or(Keeping::Kept)
}

/// Whether a check has ended on this page (a stored session can be looked for).
pub fn checked() -> bool {
    KEEPING.with(|s| s.get()).is_some()
}

/// Whether a reload keeps the session here: at once where the window's storage works; in a blocked frame after
/// asking the permission, and renewing access the user granted before.
pub async fn check() -> Keeping {
    let k = examine().await;
    KEEPING.with(|s| s.set(Some(k)));
    k
}

async fn examine() -> Keeping {
    if web::storage_works() {
        return Keeping::Kept;
    }
    // Storage access is a frame's to ask for; a top-level page whose storage fails has nothing to ask.
    if !web::is_framed() || request_fn().is_none() {
        return Keeping::Lost;
    }
    match permission().await.as_deref() {
        Some("granted") => request().await,
        Some("denied") => Keeping::Lost,
        _ => Keeping::Askable,
    }
}

/// The user clicked "Stay signed in here": ask the browser (this may show its prompt). Granted, the caller stores
/// the session again; refused, there is nothing more to ask.
pub async fn ask() -> Keeping {
    let k = request().await;
    KEEPING.with(|s| s.set(Some(k)));
    k
}

fn document() -> Option<web_sys::Document> {
    web::window().and_then(|w| w.document())
}

fn request_fn() -> Option<Function> {
    let doc = document()?;
    Reflect::get(&doc, &"requestStorageAccess".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// `navigator.permissions.query({name: "storage-access"})`'s state; `None` where the browser cannot say.
async fn permission() -> Option<String> {
    let permissions = Reflect::get(&web::window()?.navigator(), &"permissions".into()).ok()?;
    let query = Reflect::get(&permissions, &"query".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let desc = Object::new();
    Reflect::set(&desc, &"name".into(), &"storage-access".into()).ok()?;
    // Browsers that do not know the name reject: `None`, and the button decides.
    let promise = query
        .call1(&permissions, &desc)
        .ok()?
        .dyn_into::<Promise>()
        .ok()?;
    let status = JsFuture::from(promise).await.ok()?;
    web::prop_string(&status, "state")
}

/// `document.requestStorageAccess({cookies, sessionStorage, localStorage})`; browsers without the non-cookie
/// extension ignore the argument and grant cookies.
async fn request() -> Keeping {
    let (Some(f), Some(doc)) = (request_fn(), document()) else {
        return Keeping::Lost;
    };
    let types = Object::new();
    for t in ["cookies", "sessionStorage", "localStorage"] {
        let _ = Reflect::set(&types, &t.into(), &JsValue::TRUE);
    }
    let Some(promise) = f
        .call1(&doc, &types)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return Keeping::Lost;
    };
    match JsFuture::from(promise).await {
        Ok(handle) => {
            if handle.is_object() {
                HANDLE.with(|h| *h.borrow_mut() = Some(handle));
            }
            COOKIES.with(|c| c.set(true));
            if probe() {
                Keeping::Kept
            } else {
                Keeping::Lost
            }
        }
        Err(_) => Keeping::Lost,
    }
}

/// A test write through what was granted.
fn probe() -> bool {
    web::write_probe(
        |k, v| set(Store::Tab, k, v),
        |k| get(Store::Tab, k),
        |k| remove(Store::Tab, k),
    )
}

/// The handle's `sessionStorage` or `localStorage`, where it was granted and works.
pub fn handle_storage(which: Store) -> Option<web_sys::Storage> {
    let prop = match which {
        Store::Tab => "sessionStorage",
        Store::Browser => "localStorage",
    };
    HANDLE.with(|h| {
        let h = h.borrow();
        // A getter that throws (storage still blocked) is an `Err` here.
        Reflect::get(h.as_ref()?, &prop.into())
            .ok()?
            .dyn_into::<web_sys::Storage>()
            .ok()
    })
}

fn cookies_granted() -> bool {
    COOKIES.with(|c| c.get())
}

fn cookie_text() -> Option<String> {
    let doc = document()?;
    Reflect::get(&doc, &"cookie".into()).ok()?.as_string()
}

fn write_cookie(line: &str) -> bool {
    document().is_some_and(|d| Reflect::set(&d, &"cookie".into(), &line.into()).unwrap_or(false))
}

fn cookie_path() -> String {
    let path = web::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    cookie::folder(&path).to_string()
}

/// A value kept for the session (the refresh token): Web Storage, else the granted cookie.
pub fn get(which: Store, key: &str) -> Option<String> {
    web::store_get(which, key).or_else(|| {
        cookies_granted()
            .then(|| cookie::find(&cookie_text()?, &cookie::name(which == Store::Browser, key)))
            .flatten()
    })
}

/// `false` when it could not be kept anywhere but memory.
pub fn set(which: Store, key: &str, value: &str) -> bool {
    if web::store_set(which, key, value) {
        return true;
    }
    if !cookies_granted() {
        return false;
    }
    let name = cookie::name(which == Store::Browser, key);
    let age = (which == Store::Browser).then_some(cookie::WEEK_SECS);
    write_cookie(&cookie::set_line(&name, value, &cookie_path(), age))
        && cookie::find(&cookie_text().unwrap_or_default(), &name).as_deref() == Some(value)
}

pub fn remove(which: Store, key: &str) {
    web::store_remove(which, key);
    if cookies_granted() {
        let name = cookie::name(which == Store::Browser, key);
        write_cookie(&cookie::remove_line(&name, &cookie_path()));
    }
}
