//! Thin wrappers over the browser APIs the widget uses. Nothing here panics: a missing API is an `Err`/`None`.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JavaScript string (js-sys's takes a Rust one: a copy into the wasm and back).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse_js(text: &js_sys::JsString) -> Result<JsValue, JsValue>;
}

/// A deep copy of a value of JSON's own kinds, written and read by the browser without leaving JavaScript.
pub fn json_copy(v: &JsValue) -> Option<JsValue> {
    parse_js(&js_sys::JSON::stringify(v).ok()?).ok()
}

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Milliseconds since the epoch, the browser's clock.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// A number in [0, 1) for backoff jitter.
pub fn random() -> f64 {
    js_sys::Math::random()
}

pub fn location_href() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

pub fn location_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

pub fn location_origin() -> String {
    window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// This page's address without query or fragment: the default redirect URI.
pub fn page_url() -> String {
    let href = location_href();
    href.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Replaces the address (no new history entry): removes `?code=&state=` after a sign-in.
pub fn replace_url(url: &str) {
    if let Some(h) = window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

pub fn assign_location(url: &str) -> Result<(), String> {
    window()
        .ok_or("no window")?
        .location()
        .assign(url)
        .map_err(|_| "the browser refused to open RingCentral's sign-in page".to_string())
}

/// Inside a frame (an iframe in a CRM page)? Cross-origin parents make `top` unreadable: that counts as framed.
pub fn is_framed() -> bool {
    let Some(w) = window() else { return false };
    match w.top() {
        Ok(Some(top)) => !Reflect::get(&top, &"window".into())
            .map(|t| t == JsValue::from(w.clone()))
            .unwrap_or(false),
        _ => true,
    }
}

pub fn document_hidden() -> bool {
    window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

pub fn online() -> bool {
    window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// sessionStorage, which may be missing or throw (sandboxed iframes, privacy settings).
pub fn session_storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.session_storage().ok().flatten())
}

/// Which Web Storage: this tab's (sessionStorage) or the browser profile's for this site (localStorage).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Store {
    Tab,
    Browser,
}

/// The window's, else (in a cross-site frame the user let keep storage) the storage access handle's.
fn store(which: Store) -> Option<web_sys::Storage> {
    match which {
        Store::Tab => session_storage(),
        Store::Browser => window().and_then(|w| w.local_storage().ok().flatten()),
    }
    .or_else(|| crate::storage_access::handle_storage(which))
}

pub fn store_get(which: Store, key: &str) -> Option<String> {
    store(which)?.get_item(key).ok().flatten()
}

/// `false` when the value could not be kept.
pub fn store_set(which: Store, key: &str, value: &str) -> bool {
    store(which).is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn store_remove(which: Store, key: &str) {
    if let Some(s) = store(which) {
        let _ = s.remove_item(key);
    }
}

pub fn storage_get(key: &str) -> Option<String> {
    store_get(Store::Tab, key)
}

/// `false` when the value could not be kept.
pub fn storage_set(key: &str, value: &str) -> bool {
    store_set(Store::Tab, key, value)
}

pub fn storage_remove(key: &str) {
    store_remove(Store::Tab, key)
}

/// Whether sessionStorage works at all (a test write).
pub fn storage_works() -> bool {
    write_probe(storage_set, storage_get, storage_remove)
}

/// A test write through `set`, read back through `get`, then removed: whether that storage keeps values.
pub fn write_probe(
    set: impl Fn(&str, &str) -> bool,
    get: impl Fn(&str) -> Option<String>,
    remove: impl Fn(&str),
) -> bool {
    const PROBE: &str = "rc-active-calls:probe";
    let ok = set(PROBE, "1") && get(PROBE).as_deref() == Some("1");
    remove(PROBE);
    ok
}

fn crypto() -> Result<web_sys::Crypto, String> {
    window()
        .ok_or("no window")?
        .crypto()
        .map_err(|_| "this browser has no Web Crypto".to_string())
}

/// `crypto.getRandomValues`: 32 random bytes.
pub fn random_bytes() -> Result<[u8; 32], String> {
    let mut buf = [0u8; 32];
    crypto()?
        .get_random_values_with_u8_array(&mut buf)
        .map_err(|_| "the browser refused random numbers".to_string())?;
    Ok(buf)
}

/// `crypto.subtle.digest("SHA-256", bytes)`. Needs a secure context (https or localhost).
pub async fn sha256(data: &[u8]) -> Result<Vec<u8>, String> {
    let subtle = crypto()?.subtle();
    let buf = Uint8Array::from(data);
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", &buf)
        .map_err(|_| "Web Crypto is not available here (the page must be served over https or from localhost)".to_string())?;
    let digest = JsFuture::from(promise)
        .await
        .map_err(|_| "SHA-256 failed".to_string())?;
    Ok(Uint8Array::new(&digest).to_vec())
}

/// Parses an HTTP date (`Date` header) to epoch ms.
pub fn parse_http_date(s: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(s);
    ms.is_finite().then_some(ms)
}

/// A locale-aware time of day, `Intl.DateTimeFormat(undefined, {timeStyle: "medium"})`.
pub struct TimeFormat(Option<js_sys::Intl::DateTimeFormat>);

/// Every `TimeFormat` formats alike (the same locale and options), so rows holding one compare equal.
impl PartialEq for TimeFormat {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl TimeFormat {
    pub fn new() -> Self {
        let opts = js_sys::Object::new();
        let _ = Reflect::set(&opts, &"timeStyle".into(), &"medium".into());
        TimeFormat(Some(js_sys::Intl::DateTimeFormat::new(
            &js_sys::Array::new(),
            &opts,
        )))
    }

    pub fn format(&self, ms: f64) -> String {
        let date = js_sys::Date::new(&JsValue::from_f64(ms));
        self.0
            .as_ref()
            .and_then(|f| f.format().call1(&JsValue::UNDEFINED, &date).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| String::from(date.to_locale_time_string("default")))
    }
}

impl Default for TimeFormat {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn sleep(ms: f64) {
    gloo_timers::future::TimeoutFuture::new(ms.clamp(0.0, 2_147_483_647.0) as u32).await;
}

/// A property of a JS object as a string.
pub fn prop_string(obj: &JsValue, key: &str) -> Option<String> {
    Reflect::get(obj, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}
