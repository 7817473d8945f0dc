//! The wasm exports behind the JS API (`embed/js/rc-active-calls.js`): `mount` and the `Widget` handle it
//! returns, the standalone page's `start`, and `handBack` for a popup's sign-in callback. Each widget renders into
//! a shadow root of its host element, which adopts the page's one copy of the stylesheet, so the page's CSS and
//! the widget's do not meet.

use super::commands::Command;
use super::host::Host;
use crate::api::json::Source;
use crate::components::app::{App, AppProps};
use crate::config::{self, MountConfig, Problem, Scope, WidgetConfig};
use crate::{url, web};
use js_sys::{Function, Object};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

thread_local! {
    /// Elements with a widget on them: a second `mount` on one is refused.
    static MOUNTED: RefCell<Vec<Element>> = const { RefCell::new(vec![]) };
    /// The stylesheet every widget on the page adopts: parsed once, and no `<style>` element, which a
    /// Content-Security-Policy without `'unsafe-inline'` in `style-src` refuses (constructable sheets are not
    /// inline styles). `None` where constructable sheets are missing.
    static SHEET: Option<web_sys::CssStyleSheet> = web_sys::CssStyleSheet::new()
        .ok()
        .filter(|s| s.replace_sync(CSS).is_ok());
    /// This window is a sign-in popup's callback: it hands the answer back and mounts nothing.
    static HANDED_BACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub(crate) type Config = Result<WidgetConfig, Vec<Problem>>;

/// Reads a `mount()` config object (a `MountConfig`, through serde-wasm-bindgen) or the element's attributes (the
/// shim passes them under the same names). `strict`: unknown keys and values of the wrong type are problems (the
/// JS API), instead of being ignored (HTML attributes). `resolveContacts` is a function: read as it is.
fn read_config(config: &JsValue, strict: bool) -> (Config, Option<Function>) {
    let mut problems = vec![];
    let (mut pairs, mut resolver) = (vec![], None);
    if config.is_object() {
        let keys: Vec<String> = Object::keys(config.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect();
        match config.read::<MountConfig>() {
            Some(m) => {
                // JS's own number formatting: Rust's float Display would add ~15 KB of wasm.
                let number = |n: f64| {
                    js_sys::Number::from(n)
                        .to_string_with_radix(10)
                        .map(String::from)
                        .unwrap_or_default()
                };
                let (p, bad) = m.pairs(&keys, strict, number);
                pairs = p;
                problems = bad;
            }
            None => problems.push(Problem {
                key: "config",
                message: "could not be read: use strings and numbers only.".into(),
            }),
        }
        match config
            .field("resolveContacts")
            .map(JsCast::dyn_into::<Function>)
        {
            Some(Ok(f)) => resolver = Some(f),
            Some(Err(_)) if strict => problems.push(Problem {
                key: "resolveContacts",
                message: "must be a function (phoneNumbers) → Promise<{ [number]: {name, url?} }>."
                    .into(),
            }),
            _ => {}
        }
    } else if strict && !config.is_undefined() && !config.is_null() {
        problems.push(Problem {
            key: "config",
            message: "must be an object such as { clientId: \"…\" }.".into(),
        });
    }
    let mut cfg = config::from_pairs(&pairs, &web::page_url()).map(WidgetConfig::in_host_page);
    if !problems.is_empty() {
        let mut all = problems;
        if let Err(p) = cfg {
            all.extend(p);
        }
        cfg = Err(all);
    }
    (cfg, resolver)
}

fn problems_error(p: &[Problem]) -> JsError {
    JsError::new(&format!("rc-active-calls: {}", config::describe(p)))
}

/// A shadow root on `el` holding the stylesheet and an empty mount point.
fn shadow_mount_point(el: &Element) -> Option<Element> {
    let shadow = match el.shadow_root() {
        Some(s) => s,
        None => el
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .ok()?,
    };
    shadow.set_inner_html("");
    let doc = el.owner_document()?;
    // The page's one sheet, adopted (a sheet made in this window's document can only be adopted there); else a
    // `<style>` element, which works wherever a strict style-src is not in force.
    let ours = web::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d == doc);
    match SHEET.with(|s| s.clone()).filter(|_| ours) {
        Some(sheet) => shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet)),
        None => {
            let style = doc.create_element("style").ok()?;
            style.set_text_content(Some(CSS));
            shadow.append_child(&style).ok()?;
        }
    }
    let root = doc.create_element("div").ok()?;
    shadow.append_child(&root).ok()?;
    Some(root)
}

fn render(el: &Element, config: Config, host: Rc<Host>) -> Result<AppHandle<App>, JsError> {
    if HANDED_BACK.with(|h| h.get()) {
        return Err(JsError::new(
            "rc-active-calls: this window is a sign-in callback and closes itself",
        ));
    }
    if MOUNTED.with(|m| m.borrow().iter().any(|e| e == el)) {
        return Err(JsError::new(
            "rc-active-calls: this element already has a widget; unmount it first",
        ));
    }
    let root = shadow_mount_point(el).ok_or_else(|| {
        JsError::new("rc-active-calls: cannot attach a shadow root to this element; use a <div> or <rc-active-calls>")
    })?;
    MOUNTED.with(|m| m.borrow_mut().push(el.clone()));
    Ok(yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            config: Rc::new(config),
            host,
        },
    )
    .render())
}

/// A mounted widget, as `mount()` returns it.
#[wasm_bindgen]
pub struct Widget {
    app: Option<AppHandle<App>>,
    host: Rc<Host>,
    element: Element,
    strict: bool,
}

/// Mounts a widget on `element`. `strict` (the JS API): a bad config throws an `Error` naming every problem;
/// otherwise (the custom element) the widget shows them.
#[wasm_bindgen]
pub fn mount(element: Element, config: JsValue, strict: bool) -> Result<Widget, JsError> {
    let (cfg, resolver) = read_config(&config, strict);
    if let (true, Err(p)) = (strict, &cfg) {
        return Err(problems_error(p));
    }
    mount_read(element, cfg, resolver, strict)
}

/// Mounts a widget on `element` with its configuration already read (`mount()`, and the Yew component).
pub(crate) fn mount_read(
    element: Element,
    cfg: Config,
    resolver: Option<Function>,
    strict: bool,
) -> Result<Widget, JsError> {
    let host = Rc::new(Host::new(
        Some(element.clone()),
        None,
        false,
        resolver,
        true,
    ));
    let app = render(&element, cfg, host.clone())?;
    Ok(Widget {
        app: Some(app),
        host,
        element,
        strict,
    })
}

impl Widget {
    /// Applies a configuration already read.
    pub(crate) fn reconfigure(&mut self, cfg: Config) {
        if let Some(app) = &mut self.app {
            app.update(AppProps {
                config: Rc::new(cfg),
                host: self.host.clone(),
            });
        }
    }
}

#[wasm_bindgen]
impl Widget {
    /// Applies a new config: a new scope, interval or theme takes effect at once; a new app or server signs
    /// in afresh.
    pub fn update(&mut self, config: JsValue) -> Result<(), JsError> {
        let (cfg, resolver) = read_config(&config, self.strict);
        if let (true, Err(p)) = (self.strict, &cfg) {
            return Err(problems_error(p));
        }
        *self.host.resolver.borrow_mut() = resolver;
        self.reconfigure(cfg);
        Ok(())
    }

    /// Stops every timer, request and listener and empties the shadow root. Safe to call twice.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
            if let Some(s) = self.element.shadow_root() {
                s.set_inner_html("");
            }
            MOUNTED.with(|m| m.borrow_mut().retain(|e| *e != self.element));
        }
    }

    pub fn refresh(&self) {
        self.host.command(Command::Refresh);
    }

    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&self) {
        self.host.command(Command::SignOut);
    }

    #[wasm_bindgen(js_name = setScope)]
    pub fn set_scope(&self, scope: &str) -> Result<(), JsError> {
        let s = Scope::parse(scope)
            .ok_or_else(|| JsError::new("rc-active-calls: scope is extension or account"))?;
        self.host.command(Command::SetScope(s));
        Ok(())
    }

    /// The host's answer to a `note` event: `ok` saves it; otherwise `message` tells the user why not.
    #[wasm_bindgen(js_name = ackNote)]
    pub fn ack_note(&self, note_id: String, ok: bool, message: Option<String>) {
        self.host.command(Command::AckNote {
            note_id,
            ok,
            message,
        });
    }
}

/// In a sign-in popup: hands RingCentral's answer to the opener and closes. Called by `init()` on every page that
/// loads the widget, so any such page can be the redirect URI.
#[wasm_bindgen(js_name = handBack)]
pub fn hand_back() -> bool {
    let done = crate::auth::login::hand_back_to_opener();
    HANDED_BACK.with(|h| h.set(h.get() || done));
    done
}

/// The standalone page: configuration from the query string and the mount element's `data-` attributes (the query
/// wins). In embed mode (`?embed=1&parentOrigin=…`) events also go to the framing page.
#[wasm_bindgen]
pub fn start() {
    if hand_back() {
        return;
    }
    let Some(doc) = web::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = doc
        .get_element_by_id("rc-active-calls")
        .or_else(|| doc.body().map(Into::into))
    else {
        return;
    };
    let mut pairs = vec![];
    let attrs = root.attributes();
    for i in 0..attrs.length() {
        if let Some(a) = attrs.item(i) {
            if a.name().starts_with("data-") {
                pairs.push((a.name(), a.value()));
            }
        }
    }
    // Back from RingCentral the address holds only `code` and `state`: the configuration is the query of the
    // page that started the sign-in.
    let query = crate::auth::login::pending_return_query().unwrap_or_else(web::location_search);
    pairs.extend(url::parse_query(&query));
    let config = config::from_pairs(&pairs, &web::page_url());
    let embed = config.as_ref().ok().and_then(|c| c.embed.clone());
    let parent = embed.as_ref().and_then(|e| {
        let w = web::window()?.parent().ok()??;
        Some((w, e.parent_origin.clone()))
    });
    let framed = parent.is_some();
    let host = Host::new(
        Some(root.clone()),
        parent,
        embed.is_some_and(|e| e.contacts),
        None,
        framed,
    );
    // The page lives as long as the widget: its handle is never destroyed.
    let _ = render(&root, config, Rc::new(host));
}
