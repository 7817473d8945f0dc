//! Browser tests (headless Chromium via wasm-bindgen-test-runner): views rendered from fixtures into their own
//! containers, the browser edges (Web Crypto, JSON.parse reader), and the whole App's first render.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may stop at the first surprise

use rc_active_calls::api::error::ApiError;
use rc_active_calls::api::json::{self, Source};
use rc_active_calls::api::model::{CallLogPage, CallRecord};
use rc_active_calls::auth::pkce;
use rc_active_calls::components::app::{shell, App, AppProps};
use rc_active_calls::components::clock::Now;
use rc_active_calls::components::panel::NoteEvent;
use rc_active_calls::components::{call_row, panel, sign_in};
use rc_active_calls::config::{self, Density, Scope, Theme};
use rc_active_calls::contacts::Contact;
use rc_active_calls::embed::host::Host;
use rc_active_calls::format::CallView;
use rc_active_calls::state::{Action, Keeping, OtherBuild, Phase, State, User};
use rc_active_calls::web::{self, TimeFormat};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> Element {
    let doc = gloo_utils_doc();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

fn gloo_utils_doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn call(id: &str, name: &str, result: &str, extra: &str) -> CallView {
    let text = format!(
        r#"{{"id":"{id}","startTime":"2021-01-19T23:58:57.000Z","direction":"Inbound","result":"{result}",
            "from":{{"name":"{name}","phoneNumber":"+16504366666"}},"to":{{"name":"Ben Baker","extensionNumber":"102"}}{extra}}}"#
    );
    let js = json::parse(&text).expect("fixture JSON");
    CallView::from_record(CallRecord::read(&js).unwrap()).unwrap()
}

fn ready(calls: Vec<CallView>) -> State {
    let mut s = State::new(Scope::Extension, 1_611_100_737_000.0 + 65_000.0, None);
    s.phase = Phase::Ready;
    s.user = Some(User {
        name: "Ben Baker".into(),
        extension_number: Some("102".into()),
    });
    s.updated_at = Some(s.now - 3_000.0);
    s.calls = calls.into();
    s
}

/// What the panel's callbacks received.
#[derive(Default, PartialEq)]
struct Seen {
    refresh: u32,
    sign_out: u32,
    scope: Vec<Scope>,
    selected: Vec<String>,
    notes: Vec<String>,
    keep: u32,
    density: Vec<Density>,
}

#[derive(Properties, PartialEq)]
struct PanelProps {
    state: State,
    seen: Rc<RefCell<Seen>>,
    /// The clock's time (the state's own when absent).
    #[prop_or_default]
    now: Option<f64>,
}

#[function_component(PanelHarness)]
fn panel_harness(p: &PanelProps) -> Html {
    // Made once, as the App makes them: rows are memoised on them.
    let actions = use_memo(p.seen.clone(), actions);
    let fmt = use_memo((), |_| TimeFormat::new());
    shell(
        &p.state.announcement,
        Theme::Auto,
        p.state.density,
        html! {
            <ContextProvider<Now> context={Now(p.now.unwrap_or(p.state.now))}>
                { panel::view(&Rc::new(p.state.clone()), &actions, &fmt) }
            </ContextProvider<Now>>
        },
    )
}

fn actions(seen: &Rc<RefCell<Seen>>) -> panel::Actions {
    let (a, b, c, d, e, f, g) = (
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
    );
    panel::Actions {
        on_refresh: Callback::from(move |_| a.borrow_mut().refresh += 1),
        on_sign_out: Callback::from(move |_| b.borrow_mut().sign_out += 1),
        on_scope: Callback::from(move |s| c.borrow_mut().scope.push(s)),
        on_select: Callback::from(move |id| d.borrow_mut().selected.push(id)),
        on_keep: Callback::from(move |_| f.borrow_mut().keep += 1),
        on_density: Callback::from(move |d| g.borrow_mut().density.push(d)),
        on_note: Some(Callback::from(move |n: NoteEvent| {
            let what = match n {
                NoteEvent::Open(id) => format!("open {id}"),
                NoteEvent::Text(id, t) => format!("text {id} {t}"),
                NoteEvent::Save(id) => format!("save {id}"),
                NoteEvent::Close(id) => format!("close {id}"),
            };
            e.borrow_mut().notes.push(what)
        })),
    }
}

async fn render_panel(state: State) -> (Element, Rc<RefCell<Seen>>, yew::AppHandle<PanelHarness>) {
    let root = container();
    let seen = Rc::new(RefCell::new(Seen::default()));
    let handle = yew::Renderer::<PanelHarness>::with_root_and_props(
        root.clone(),
        PanelProps {
            state,
            seen: seen.clone(),
            now: None,
        },
    )
    .render();
    yew::scheduler::flush().await;
    (root, seen, handle)
}

#[wasm_bindgen_test]
async fn a_tick_renders_the_timers_and_not_the_rows() {
    let calls = (0..50)
        .map(|i| call(&format!("c{i}"), "A", "In Progress", ""))
        .collect();
    let state = ready(calls);
    let now = state.now;
    let (root, seen) = (container(), Rc::new(RefCell::new(Seen::default())));
    let props = |now: f64| PanelProps {
        state: state.clone(),
        seen: seen.clone(),
        now: Some(now),
    };
    let mut handle =
        yew::Renderer::<PanelHarness>::with_root_and_props(root.clone(), props(now)).render();
    yew::scheduler::flush().await;
    let timer = |root: &Element| q(root, "[role=timer]").unwrap().text_content().unwrap();
    assert_eq!(timer(&root), "1:05");
    assert!(text(&root).contains("Updated 3 s ago"));
    let rendered = call_row::renders();
    // The same state, a second later (and the panel's parent rendered again, as after an unrelated change).
    handle.update(props(now + 1_000.0));
    yew::scheduler::flush().await;
    assert_eq!(timer(&root), "1:06");
    assert!(text(&root).contains("Updated 4 s ago"));
    assert_eq!(call_row::renders(), rendered, "no row rendered for a tick");
    // A change to one call renders that row alone.
    let mut changed = state.clone();
    let mut calls = changed.calls.to_vec();
    calls[7] = call("c7", "Someone else", "In Progress", "");
    changed.calls = calls.into();
    handle.update(PanelProps {
        state: changed,
        seen: seen.clone(),
        now: Some(now + 1_000.0),
    });
    yew::scheduler::flush().await;
    assert_eq!(call_row::renders(), rendered + 1);
    assert!(text(&root).contains("Someone else"));
    handle.destroy();
}

fn text(root: &Element) -> String {
    root.dyn_ref::<HtmlElement>()
        .map(|e| e.inner_text())
        .unwrap_or_default()
}

fn q(root: &Element, sel: &str) -> Option<Element> {
    root.query_selector(sel).unwrap()
}

#[wasm_bindgen_test]
async fn pkce_challenge_from_web_crypto_matches_rfc7636() {
    let digest = web::sha256(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        .await
        .unwrap();
    assert_eq!(
        pkce::challenge_from_digest(&digest),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    let a = pkce::verifier(&web::random_bytes().unwrap());
    let b = pkce::verifier(&web::random_bytes().unwrap());
    assert_eq!(a.len(), 43);
    assert_ne!(a, b, "getRandomValues gives fresh verifiers");
}

#[wasm_bindgen_test]
fn the_reader_works_on_browser_json() {
    let js = json::parse(
        r#"{"records":[{"id":"a","startTime":"2021-01-19T23:58:57.000Z","direction":"Inbound","extension":{"id":234567}},
            {"id":42},"junk",null],"paging":{"page":1,"totalPages":2}}"#,
    )
    .unwrap();
    let page = CallLogPage::read(&js).unwrap();
    assert_eq!(
        (page.records.len(), page.unreadable, page.has_next),
        (1, 3, true)
    );
    assert_eq!(page.records[0].extension_id.as_deref(), Some("234567"));
    assert!(json::parse("{\"records\": [ {\"id\": }").is_none());
    assert_eq!(js.field("nothing").map(|_| ()), None);
}

#[wasm_bindgen_test]
fn serde_types_read_and_write_plain_js_values() {
    use rc_active_calls::config::{MountConfig, Setting};
    use rc_active_calls::embed::host::to_js;
    use rc_active_calls::embed::payload::{ContactOut, HostEvent};
    use rc_active_calls::feed::channel::{Envelope, Message, VERSION};
    use rc_active_calls::feed::frames::{self, Event, Frame};
    use wasm_bindgen::JsValue;

    // In: a host's config object, with a function, an array, a nested object and values of the wrong type.
    let cfg = json::parse(
        r#"{"clientId": "abc", "pollSeconds": 6, "pageSize": 2.5, "theme": true, "scope": null, "extra": [1, {"a": null}]}"#,
    )
    .unwrap();
    js_sys::Reflect::set(
        &cfg,
        &"resolveContacts".into(),
        &js_sys::Function::new_no_args("return {}"),
    )
    .unwrap();
    let m: MountConfig = cfg.read().unwrap();
    assert_eq!(m.client_id, Setting::Text("abc".into()));
    assert_eq!(
        (m.poll_seconds, m.page_size),
        (Setting::Number(6.0), Setting::Number(2.5))
    );
    assert_eq!((m.theme, m.scope), (Setting::Wrong, Setting::Absent));
    assert!(JsValue::from_str("clientId")
        .read::<MountConfig>()
        .is_none());

    // In: a frame from the gateway and a message from another tab, as JSON.parse makes them.
    let frame = json::parse(
        r#"[{"type":"ServerNotification","wsc":{"token":"t","sequence":7}},{"event":"/restapi/v1.0/account/1/extension/2/presence?detailedTelephonyState=true","body":{"extensionId":2,"sequence":4,"activeCalls":[{"telephonyStatus":"Ringing","telephonySessionId":"s-1"},"junk"]}}]"#,
    )
    .unwrap();
    let Frame::Notification {
        wsc,
        event: Event::Presence(p),
        ..
    } = frames::read(&frame)
    else {
        panic!("not a presence notification")
    };
    assert_eq!(wsc.and_then(|w| w.sequence), Some(7.0));
    assert_eq!(
        (p.extension_id.as_deref(), p.sequence),
        (Some("2"), Some(4.0))
    );
    assert_eq!(p.active_calls.map(|c| c.len()), Some(2));
    // A tab's message is written by position (feed::wire): `[v, from, message]`.
    let tab = json::parse(&format!(r#"[{VERSION},"t2",[3,5,true]]"#)).unwrap();
    assert_eq!(
        Envelope::read(tab).map(|e| e.message),
        Some(Message::Heartbeat {
            term: 5,
            hidden: true
        })
    );
    for other in [
        r#"[9,"t",[3,1,false]]"#.to_string(),
        format!(
            r#"{{"v":{VERSION},"from":"t","message":{{"heartbeat":{{"term":1,"hidden":false}}}}}}"#
        ),
        format!(r#"[{VERSION},"t",[3,1.5,false]]"#),
        format!(r#"[{VERSION},"t",[99]]"#),
    ] {
        assert!(
            Envelope::read(json::parse(&other).unwrap()).is_none(),
            "{other}"
        );
    }
    // And back, as the BroadcastChannel clones it.
    let sent = Envelope::new(
        "t3",
        Message::HandOver {
            term: 4,
            to: "t4".into(),
        },
    );
    let wire: JsValue = sent.write().unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&wire).unwrap().as_string().unwrap(),
        format!(r#"[{VERSION},"t3",[5,4,"t4"]]"#)
    );
    assert_eq!(Envelope::read(wire), Some(sent));

    // Out: `null` for an absent value, nothing for a skipped one, plain objects.
    let e = to_js(&HostEvent::SignedOut { reason: None });
    assert!(js_sys::Reflect::get(&e, &"reason".into())
        .unwrap()
        .is_null());
    let c = to_js(&ContactOut {
        name: "Ada".into(),
        url: None,
    });
    assert!(!js_sys::Reflect::has(&c, &"url".into()).unwrap());
    assert_eq!(
        js_sys::Object::get_prototype_of(&c),
        js_sys::Object::get_prototype_of(&js_sys::Object::new())
    );
}

#[derive(Properties, PartialEq)]
struct SignInProps {
    keeping: Keeping,
    not_shared: bool,
    other_build: Option<OtherBuild>,
    clicks: Rc<RefCell<(u32, u32)>>,
}

#[function_component(SignInHarness)]
fn sign_in_harness(p: &SignInProps) -> Html {
    let (c, k) = (p.clicks.clone(), p.clicks.clone());
    sign_in::view(
        false,
        Some("Sign-in was cancelled. (access_denied)"),
        p.keeping,
        p.not_shared,
        p.other_build,
        &Callback::from(move |_| c.borrow_mut().0 += 1),
        &Callback::from(move |_| k.borrow_mut().1 += 1),
    )
}

fn buttons(root: &Element) -> Vec<HtmlElement> {
    let all = root.query_selector_all("button").unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i)?.dyn_into().ok())
        .collect()
}

/// The sign-in card, rendered; the clicks on its two buttons are counted (sign in, stay signed in).
async fn render_sign_in(
    keeping: Keeping,
    not_shared: bool,
    other_build: Option<OtherBuild>,
) -> (
    Element,
    Rc<RefCell<(u32, u32)>>,
    yew::AppHandle<SignInHarness>,
) {
    let root = container();
    let clicks = Rc::new(RefCell::new((0, 0)));
    let handle = yew::Renderer::<SignInHarness>::with_root_and_props(
        root.clone(),
        SignInProps {
            keeping,
            not_shared,
            other_build,
            clicks: clicks.clone(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    (root, clicks, handle)
}

#[wasm_bindgen_test]
async fn signed_out_shows_one_button_that_signs_in() {
    let (root, clicks, handle) = render_sign_in(Keeping::Lost, false, None).await;
    let b = buttons(&root);
    assert_eq!(b.len(), 1, "refused or unavailable: nothing more to ask");
    assert_eq!(b[0].inner_text(), "Try again");
    assert!(text(&root).contains("Sign-in was cancelled."));
    assert!(text(&root).contains("sign in again after reloading"));
    b[0].click();
    assert_eq!(*clicks.borrow(), (1, 0));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_blocked_frame_says_so_once_and_offers_to_stay_signed_in() {
    let (root, clicks, handle) = render_sign_in(Keeping::Askable, true, None).await;
    let notes = root.query_selector_all(".rcac-muted").unwrap().length();
    let t = text(&root);
    assert_eq!(
        t.matches("works on its own").count(),
        1,
        "storage and sharing in one sentence: {t}"
    );
    assert!(t.contains("sign in again after reloading"), "{t}");
    assert_eq!(notes, 2, "the invitation and the one note");
    let b = buttons(&root);
    let keep = b.iter().find(|b| b.inner_text() == "Stay signed in here");
    keep.unwrap().click();
    assert_eq!(*clicks.borrow(), (0, 1));
    handle.destroy();
}

/// A tab that hears another build of the widget says which tab to reload, on the card and in the status bar.
#[wasm_bindgen_test]
async fn another_build_in_a_tab_is_said_with_what_to_reload() {
    let (root, _, handle) = render_sign_in(Keeping::Kept, false, Some(OtherBuild::Older)).await;
    let t = text(&root);
    assert!(
        t.contains("An older version of this widget is open in another tab"),
        "{t}"
    );
    assert!(t.contains("reload that tab"), "{t}");
    handle.destroy();

    let mut s = ready(vec![]);
    s.other_build = Some(OtherBuild::Newer);
    let (root, _, handle) = render_panel(s).await;
    let t = text(&root);
    assert_eq!(
        t.matches("A newer version of this widget").count(),
        1,
        "{t}"
    );
    assert!(t.contains("reload this page"), "{t}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_status_bar_offers_to_stay_signed_in_only_while_it_can_ask() {
    let mut s = ready(vec![]);
    s.keeping = Keeping::Askable;
    s.not_shared = true;
    let (root, seen, handle) = render_panel(s.clone()).await;
    let t = text(&root);
    assert_eq!(t.matches("Storage is blocked").count(), 1, "{t}");
    assert!(!t.contains("Tabs are not shared"), "said once: {t}");
    let keep = buttons(&root)
        .into_iter()
        .find(|b| b.inner_text() == "Stay signed in here");
    keep.unwrap().click();
    assert_eq!(seen.borrow().keep, 1);
    handle.destroy();

    s.keeping = Keeping::Lost;
    let (root, _, handle) = render_panel(s).await;
    assert!(text(&root).contains("sign in again after a reload"));
    assert!(
        buttons(&root)
            .iter()
            .all(|b| b.inner_text() != "Stay signed in here"),
        "refused: never asked again"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn rows_show_live_and_ended_calls_with_ticking_durations() {
    let live = call(
        "c1",
        "Northwind Traders",
        "In Progress",
        r#","reason":"Accepted""#,
    );
    let ended = call("c0", "Contoso", "Accepted", r#","duration":42"#);
    let (root, _, handle) = render_panel(ready(vec![live, ended])).await;
    let rows = root.query_selector_all("tbody tr").unwrap();
    assert_eq!(rows.length(), 2);
    let first: HtmlElement = q(&root, r#"tr[data-call-id="c1"]"#)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(first.inner_text().contains("Northwind Traders"));
    assert!(first.inner_text().contains("Connected"));
    assert_eq!(
        q(&first, "[role=timer]").unwrap().text_content().unwrap(),
        "1:05"
    );
    let done = q(&root, r#"tr[data-call-id="c0"]"#).unwrap();
    assert_eq!(done.get_attribute("data-status").as_deref(), Some("ended"));
    assert!(done.text_content().unwrap().contains("Accepted"));
    assert!(done.text_content().unwrap().contains("ended "));
    assert_eq!(
        q(&done, "[role=timer]").unwrap().text_content().unwrap(),
        "0:42"
    );
    assert!(text(&root).contains("Updated 3 s ago"));
    // Table semantics: a caption and column headers (six, and the notes column of an embedded widget).
    assert!(q(&root, "table caption").is_some());
    assert_eq!(
        root.query_selector_all("th[scope=col]").unwrap().length(),
        7
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn rows_take_keyboard_focus() {
    let (root, _, handle) = render_panel(ready(vec![call("c1", "A", "In Progress", "")])).await;
    let row: HtmlElement = q(&root, "tbody tr").unwrap().dyn_into().unwrap();
    assert_eq!(row.tab_index(), 0);
    row.focus().unwrap();
    let active = gloo_utils_doc().active_element().unwrap();
    assert_eq!(active.get_attribute("data-call-id").as_deref(), Some("c1"));
    handle.destroy();
}

fn press(on: &Element, key: &str) {
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &{
        let i = web_sys::KeyboardEventInit::new();
        i.set_key(key);
        i.set_bubbles(true);
        i.set_cancelable(true);
        i
    })
    .unwrap();
    on.dispatch_event(&e).unwrap();
}

fn focused_id() -> Option<String> {
    gloo_utils_doc()
        .active_element()
        .and_then(|e| e.get_attribute("data-call-id"))
}

/// Every rendered row stands where `aria-rowindex` says: call `c{i}` is row i + 2 (the header is row 1).
fn rendered_rows(root: &Element) -> Vec<usize> {
    let rows = root.query_selector_all("tr.rcac-row").unwrap();
    (0..rows.length())
        .map(|k| {
            let r: Element = rows.item(k).unwrap().dyn_into().unwrap();
            let i: usize = r.get_attribute("data-call-id").unwrap()[1..]
                .parse()
                .unwrap();
            assert_eq!(r.get_attribute("aria-rowindex"), Some((i + 2).to_string()));
            i
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_long_list_renders_the_rows_in_view_and_keeps_focus_and_row_indexes_right() {
    // The box the widget's stylesheet gives a long list (the harness renders without it).
    let style = gloo_utils_doc().create_element("style").unwrap();
    style.set_text_content(Some(
        ".rcac-scroll { max-height: 400px; overflow-y: auto; overflow-anchor: none } .rcac-scroll .rcac-row { height: 40px }",
    ));
    gloo_utils_doc()
        .head()
        .unwrap()
        .append_child(&style)
        .unwrap();
    let calls = (0..5000)
        .map(|i| call(&format!("c{i}"), "A", "In Progress", ""))
        .collect();
    let (root, seen, handle) = render_panel(ready(calls)).await;
    let table = q(&root, "table").unwrap();
    assert_eq!(
        table.get_attribute("aria-rowcount").as_deref(),
        Some("5001")
    );
    let shown = rendered_rows(&root);
    assert_eq!(shown.first(), Some(&0));
    assert!(shown.len() < 60, "{} rows in the DOM", shown.len());
    let scroller: HtmlElement = q(&root, ".rcac-scroll").unwrap().dyn_into().unwrap();
    // Where a row is: rows are one pitch apart (their height and a collapsed border).
    let top = |id: &str| {
        q(&root, &format!("tr[data-call-id={id}]"))
            .unwrap()
            .get_bounding_client_rect()
            .top()
    };
    let pitch = top("c1") - top("c0");
    let scroll = |row: f64| {
        scroller.set_scroll_top((row * pitch) as i32);
        scroller
            .dispatch_event(&web_sys::Event::new("scroll").unwrap())
            .unwrap();
    };

    // A short scroll whose rows are all rendered (the overscan) renders nothing before its frame; the window
    // follows in the task after it.
    let last = *shown.last().unwrap();
    scroll(11.0);
    yew::scheduler::flush().await;
    let now = rendered_rows(&root);
    assert_eq!(now, shown, "nothing rendered with the scroll");
    assert!((11..21).all(|i| now.contains(&i)), "{now:?}");
    gloo_timers::future::TimeoutFuture::new(0).await;
    yew::scheduler::flush().await;
    let now = rendered_rows(&root);
    assert!(now.contains(&(last + 8)), "the window followed: {now:?}");
    scroll(0.0);
    gloo_timers::future::TimeoutFuture::new(0).await;
    yew::scheduler::flush().await;

    // Arrow keys move focus between rows; Enter still selects.
    let first: HtmlElement = q(&root, "tr[data-call-id=c0]").unwrap().dyn_into().unwrap();
    first.focus().unwrap();
    press(&first, "ArrowDown");
    yew::scheduler::flush().await;
    assert_eq!(focused_id().as_deref(), Some("c1"));

    // Scroll to the middle: the rows there are rendered, the focused one stays, in place.
    scroll(2500.0);
    yew::scheduler::flush().await;
    let shown = rendered_rows(&root);
    assert!(shown.contains(&2500) && shown.contains(&1), "{shown:?}");
    assert!(!shown.contains(&0) && shown.len() < 60, "{shown:?}");
    assert_eq!(
        focused_id().as_deref(),
        Some("c1"),
        "focus survives the scroll"
    );

    // A key to a row not in the DOM brings it in and focuses it.
    let row1 = q(&root, "tr[data-call-id=c1]").unwrap();
    press(&row1, "End");
    yew::scheduler::flush().await;
    assert_eq!(focused_id().as_deref(), Some("c4999"));
    assert!(rendered_rows(&root).contains(&4999));
    let last = q(&root, "tr[data-call-id=c4999]").unwrap();
    press(&last, "Enter");
    assert_eq!(seen.borrow().selected, ["c4999"]);
    press(&last, "Home");
    yew::scheduler::flush().await;
    assert_eq!(focused_id().as_deref(), Some("c0"));
    assert_eq!(scroller.scroll_top(), 0);
    handle.destroy();
    style.remove();
}

#[wasm_bindgen_test]
async fn hostile_names_stay_inert_text() {
    let evil = call(
        "x",
        "<img src=x onerror=alert(1)>\u{202E}evil",
        "In Progress",
        "",
    );
    let (root, _, handle) = render_panel(ready(vec![evil])).await;
    assert!(
        q(&root, "img").is_none(),
        "no element was created from the name"
    );
    assert!(root
        .text_content()
        .unwrap()
        .contains("<img src=x onerror=alert(1)>"));
    assert_eq!(
        q(&root, ".rcac-name").unwrap().tag_name(),
        "BDI",
        "isolated against RTL overrides"
    );
    handle.destroy();
}

fn labelled(root: &Element, label: &str) -> HtmlElement {
    root.query_selector(&format!("button[aria-label='{label}']"))
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

fn focused_text() -> String {
    gloo_utils_doc()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .map(|e| e.inner_text())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_buttons_call_back_and_the_menu_works_by_keyboard() {
    let (root, seen, handle) = render_panel(ready(vec![])).await;
    assert!(text(&root).contains("No active calls right now."));
    labelled(&root, "Refresh").click();
    assert_eq!(seen.borrow().refresh, 1);

    let more = labelled(&root, "More");
    assert!(q(&root, "[role=menu]").is_none());
    more.focus().unwrap();
    press(&more, "ArrowDown");
    yew::scheduler::flush().await;
    assert_eq!(more.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(focused_text(), "Compact rows", "opened on its first item");
    let item = gloo_utils_doc().active_element().unwrap();
    press(&item, "ArrowDown");
    assert_eq!(focused_text(), "Sign out");
    press(&gloo_utils_doc().active_element().unwrap(), "ArrowDown");
    assert_eq!(focused_text(), "Compact rows", "wraps around");
    press(&gloo_utils_doc().active_element().unwrap(), "Escape");
    yew::scheduler::flush().await;
    assert!(q(&root, "[role=menu]").is_none());
    assert_eq!(
        more.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(
        gloo_utils_doc()
            .active_element()
            .map(|e| e.get_attribute("aria-label")),
        Some(Some("More".into())),
        "Escape returns to the button"
    );

    more.click();
    yew::scheduler::flush().await;
    let compact: HtmlElement = q(&root, "[role=menuitemcheckbox]")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(
        compact.get_attribute("aria-checked").as_deref(),
        Some("false")
    );
    compact.click();
    yew::scheduler::flush().await;
    assert_eq!(seen.borrow().density, vec![Density::Compact]);
    more.click();
    yew::scheduler::flush().await;
    let sign_out: HtmlElement = q(&root, "[role=menuitem]").unwrap().dyn_into().unwrap();
    sign_out.click();
    yew::scheduler::flush().await;
    assert_eq!(seen.borrow().sign_out, 1);
    assert!(q(&root, "[role=menu]").is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_non_admin_in_account_scope_sees_the_explanation_and_a_way_back() {
    let mut s = ready(vec![]);
    s.scope = Scope::Account;
    s.phase = Phase::Loading;
    s.error = Some(ApiError::Forbidden {
        permission: Some("ReadCompanyCallLog".into()),
        code: Some("CMN-408".into()),
        message: "[ReadCompanyCallLog] permission required".into(),
    });
    let (root, seen, handle) = render_panel(s).await;
    let alert = q(&root, "[role=alert]").unwrap().text_content().unwrap();
    assert!(
        alert.contains("CMN-408 [ReadCompanyCallLog] permission required"),
        "{alert}"
    );
    assert!(alert.contains("administrators"));
    let back: HtmlElement = q(&root, ".rcac-error button").unwrap().dyn_into().unwrap();
    assert_eq!(back.inner_text(), "Show my calls");
    back.click();
    assert_eq!(seen.borrow().scope, vec![Scope::Extension]);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn rate_limited_and_stale_states_say_when() {
    let mut s = ready(vec![call("c1", "A", "In Progress", "")]);
    s.paused_until = Some(s.now + 42_000.0);
    s.stale_since = Some(s.now - 1_000.0);
    s.error = Some(ApiError::RateLimited {
        retry_after: Some(60),
    });
    let (root, _, handle) = render_panel(s).await;
    let t = text(&root);
    assert!(t.contains("updates resume in 42 s"), "{t}");
    assert!(t.contains("Stale since"), "{t}");
    assert!(
        q(&root, ".rcac-error").is_none(),
        "a rate limit is a status, not an error box"
    );
    let refresh = root.query_selector_all("button").unwrap();
    let disabled = (0..refresh.length())
        .filter_map(|i| refresh.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlButtonElement>().ok())
        .any(|b| b.get_attribute("aria-label").as_deref() == Some("Refresh") && b.disabled());
    assert!(disabled, "no refreshing during the penalty");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_status_region_is_there_from_the_start_and_announces_changes() {
    let mut s = ready(vec![]);
    let (root, _, handle) = render_panel(s.clone()).await;
    let region = q(&root, "[role=status]").unwrap();
    assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(region.text_content().unwrap(), "");
    handle.destroy();
    s.announcement = "Incoming call from Northwind Traders".into();
    let (root, _, handle) = render_panel(s).await;
    assert_eq!(
        q(&root, "[role=status]").unwrap().text_content().unwrap(),
        "Incoming call from Northwind Traders"
    );
    handle.destroy();
}

/// Mounts the whole App with the configuration these pairs give.
async fn render_app(pairs: &[(&str, &str)]) -> (Element, yew::AppHandle<App>) {
    let root = container();
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let cfg = config::from_pairs(&pairs, "http://127.0.0.1:8080/");
    let handle = yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        AppProps {
            config: Rc::new(cfg),
            host: Rc::new(Host::new(None, None, false, None, false)),
        },
    )
    .render();
    yew::scheduler::flush().await;
    (root, handle)
}

#[wasm_bindgen_test]
async fn the_app_explains_a_bad_configuration() {
    let (root, handle) = render_app(&[("pollSeconds", "2")]).await;
    let t = text(&root);
    assert!(t.contains("The widget needs configuring"), "{t}");
    assert!(t.contains("clientId") && t.contains("pollSeconds"), "{t}");
    assert!(q(&root, "[role=status]").is_some());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_app_starts_signed_out_with_a_good_configuration() {
    let (root, handle) = render_app(&[
        ("clientId", "demo-client"),
        ("server", "http://127.0.0.1:8790"),
    ])
    .await;
    web::sleep(50.0).await;
    yew::scheduler::flush().await;
    assert!(text(&root).contains("Sign in with RingCentral"));
    handle.destroy();
    yew::scheduler::flush().await;
    assert_eq!(
        root.child_element_count(),
        0,
        "unmounting removes everything"
    );
}

fn reduce(s: State, actions: Vec<Action>) -> State {
    use yew::Reducible;
    let mut st = Rc::new(s);
    for a in actions {
        st = st.reduce(a);
    }
    (*st).clone()
}

#[wasm_bindgen_test]
async fn clicking_or_entering_a_row_selects_it_and_notes_open_inline() {
    let s = reduce(
        ready(vec![call("c1", "Northwind", "In Progress", "")]),
        vec![Action::Select("c1".into()), Action::NoteOpen("c1".into())],
    );
    let (root, seen, handle) = render_panel(s).await;
    let row: HtmlElement = q(&root, "tr[data-call-id=c1]").unwrap().dyn_into().unwrap();
    assert_eq!(row.get_attribute("aria-current").as_deref(), Some("true"));
    row.click();
    press(&row, "Enter");
    assert_eq!(seen.borrow().selected, ["c1", "c1"]);

    let note_btn: HtmlElement = q(&root, "tr[data-call-id=c1] .rcac-act button")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(
        note_btn.get_attribute("aria-label").as_deref(),
        Some("Note on the call with Northwind")
    );
    note_btn.click();
    assert!(seen.borrow().notes.contains(&"open c1".to_string()));
    // The open box: an empty note cannot be saved.
    assert!(text(&root).contains("Note for the call with Northwind"));
    let save = q(&root, ".rcac-note button[type=submit]").unwrap();
    assert!(save.has_attribute("disabled"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn matched_contacts_replace_names_and_only_http_links_are_made() {
    let s = reduce(
        ready(vec![
            call("c1", "WIRELESS CALLER", "In Progress", ""),
            call("c2", "Other", "In Progress", ""),
        ]),
        vec![Action::ContactsAnswered {
            asked: vec!["+16504366666".into()],
            found: vec![(
                "+16504366666".into(),
                Contact {
                    name: "Grace Hopper (Acme)".into(),
                    url: Some("https://crm.example/c/7".into()),
                },
            )],
            at: 0.0,
        }],
    );
    let (root, _seen, handle) = render_panel(s).await;
    let link = q(&root, "tr[data-call-id=c1] a.rcac-name").unwrap();
    assert_eq!(link.text_content().as_deref(), Some("Grace Hopper (Acme)"));
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://crm.example/c/7")
    );
    // The number stays under the contact's name: grouped, one piece, and a tel: link named by the full number.
    let tel = q(&root, "tr[data-call-id=c1] a.rcac-tel").unwrap();
    assert_eq!(tel.text_content().as_deref(), Some("+1 650-436-6666"));
    assert_eq!(
        tel.get_attribute("href").as_deref(),
        Some("tel:+16504366666")
    );
    assert_eq!(
        tel.get_attribute("aria-label").as_deref(),
        Some("+1 650-436-6666 (+16504366666)")
    );
    handle.destroy();
}

fn config_object(pairs: &[(&str, wasm_bindgen::JsValue)]) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

#[wasm_bindgen_test]
async fn mount_renders_into_a_shadow_root_and_unmounts_cleanly() {
    let el = container();
    let good = config_object(&[
        ("clientId", "demo-client".into()),
        ("server", "http://127.0.0.1:8790".into()),
        ("pollSeconds", 30.into()),
    ]);
    let mut w = rc_active_calls::mount(el.clone(), good.clone(), true).unwrap();
    yew::scheduler::flush().await;
    let shadow = el.shadow_root().unwrap();
    // The stylesheet is adopted, not a <style> element (a strict CSP refuses those), and shared by every widget.
    assert!(shadow.query_selector("style").unwrap().is_none());
    let sheets = shadow.adopted_style_sheets();
    assert_eq!(sheets.length(), 1);
    let other = container();
    let mut second = rc_active_calls::mount(other.clone(), good.clone(), true).unwrap();
    yew::scheduler::flush().await;
    let theirs = other.shadow_root().unwrap().adopted_style_sheets();
    assert!(
        js_sys::Object::is(&sheets.get(0), &theirs.get(0)),
        "one sheet for the page"
    );
    second.unmount();
    assert!(shadow.query_selector("section.rcac").unwrap().is_some());
    assert_eq!(el.child_element_count(), 0, "nothing in the light DOM");
    assert!(
        rc_active_calls::mount(el.clone(), good.clone(), true).is_err(),
        "one widget per element"
    );
    w.unmount();
    yew::scheduler::flush().await;
    assert_eq!(shadow.child_element_count(), 0);
    w.unmount();
    let mut again = rc_active_calls::mount(el.clone(), good, true).unwrap();
    again.unmount();
}

#[wasm_bindgen_test]
async fn a_bad_config_throws_for_the_api_and_is_shown_and_reported_for_the_element() {
    let el = container();
    let bad = config_object(&[("pollSeconds", 2.into()), ("colour", "red".into())]);
    let err = match rc_active_calls::mount(el.clone(), bad.clone(), true) {
        Err(e) => wasm_bindgen::JsValue::from(e),
        Ok(_) => panic!("a bad config must throw"),
    };
    let message = js_sys::Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        message.contains("clientId")
            && message.contains("pollSeconds")
            && message.contains("colour"),
        "{message}"
    );
    assert!(err.is_instance_of::<js_sys::Error>());

    let got: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = got.clone();
    let _l = gloo_events::EventListener::new(&el, "rc-active-calls:error", move |e| {
        let d = e.dyn_ref::<web_sys::CustomEvent>().unwrap().detail();
        let kind = js_sys::Reflect::get(&d, &"kind".into())
            .unwrap()
            .as_string()
            .unwrap();
        sink.borrow_mut().push(kind);
        assert!(e.bubbles() && e.composed());
    });
    let mut w = rc_active_calls::mount(el.clone(), bad, false).unwrap();
    yew::scheduler::flush().await;
    let shown = el
        .shadow_root()
        .unwrap()
        .query_selector(".rcac-config")
        .unwrap()
        .unwrap();
    assert!(shown.text_content().unwrap().contains("pollSeconds"));
    assert_eq!(*got.borrow(), ["config"]);
    w.unmount();
}

/// iframe mode, the parent's answer to `resolve-contacts` as the browser delivers it: from the parent window, at
/// an allowed origin. Here the test page stands in as its own parent.
fn parent_answers(host: &Host, request_id: &str, contacts: wasm_bindgen::JsValue) {
    let w = web_sys::window().unwrap();
    let origin = w.location().origin().unwrap();
    let data = config_object(&[
        ("target", "rc-active-calls".into()),
        ("command", "contacts".into()),
        ("requestId", request_id.into()),
        ("contacts", contacts),
    ]);
    let init = web_sys::MessageEventInit::new();
    init.set_data(&data);
    init.set_origin(&origin);
    init.set_source(Some(w.as_ref()));
    let e = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
    host.on_message(&e, &[origin]);
}

#[wasm_bindgen_test]
async fn iframe_contact_answers_settle_only_the_request_still_open() {
    let w = web_sys::window().unwrap();
    let origin = w.location().origin().unwrap();
    let host = Host::new(None, Some((w, origin)), true, None, true);
    let named =
        |name: &str| config_object(&[("+14155550199", config_object(&[("name", name.into())]))]);
    let name_in = |v: &wasm_bindgen::JsValue| {
        let c = js_sys::Reflect::get(v, &"+14155550199".into()).unwrap();
        js_sys::Reflect::get(&c, &"name".into())
            .unwrap()
            .as_string()
    };
    let numbers = ["+14155550199".to_string()];

    // The first request is "1": an answer to another id is not heard, the right one settles it at once.
    let (first, ()) = futures_util::future::join(host.resolve(&numbers), async {
        parent_answers(&host, "7", named("Not asked"));
        parent_answers(&host, "1", named("Ana Trujillo"));
    })
    .await;
    assert_eq!(name_in(&first.unwrap()).as_deref(), Some("Ana Trujillo"));

    // Request "2": a late second answer to "1" finds nothing open and is dropped; "2" gets its own.
    let (second, ()) = futures_util::future::join(host.resolve(&numbers), async {
        parent_answers(&host, "1", named("Late"));
        parent_answers(&host, "2", named("Maria Anders"));
    })
    .await;
    assert_eq!(name_in(&second.unwrap()).as_deref(), Some("Maria Anders"));

    // An answer that is not an object fails the request, without waiting out the resolver's time.
    let (third, ()) = futures_util::future::join(host.resolve(&numbers), async {
        parent_answers(&host, "3", "nope".into());
    })
    .await;
    assert!(third.is_err());
}

/// A burst of host events (an admin's first list: a `call-started` per call): the first `EVENTS_PER_TASK` reach the
/// host at once, the rest in the tasks after, in order, and an event emitted meanwhile comes after them. A host
/// that goes away before the rest are out hears no more of them.
#[wasm_bindgen_test]
async fn a_burst_of_host_events_reaches_the_host_over_several_tasks_in_order() {
    use rc_active_calls::embed::host::EVENTS_PER_TASK;
    use rc_active_calls::embed::payload::HostEvent;
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    let heard: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = heard.clone();
    let _l = gloo_events::EventListener::new(&el, "rc-active-calls:signed-out", move |e| {
        let d = e.dyn_ref::<web_sys::CustomEvent>().unwrap().detail();
        sink.borrow_mut()
            .push(web::prop_string(&d, "reason").unwrap_or_default());
    });
    let numbered = |from: usize, n: usize| {
        (from..from + n)
            .map(|i| HostEvent::SignedOut {
                reason: Some(i.to_string()),
            })
            .collect::<Vec<_>>()
    };
    let burst = 2 * EVENTS_PER_TASK + 7;
    let host = Rc::new(Host::new(Some(el.clone()), None, false, None, true));
    host.emit(numbered(0, burst));
    assert_eq!(heard.borrow().len(), EVENTS_PER_TASK, "at once");
    host.emit(numbered(burst, 1));
    assert_eq!(heard.borrow().len(), EVENTS_PER_TASK, "behind the rest");
    for _ in 0..100 {
        if heard.borrow().len() > burst {
            break;
        }
        web::sleep(10.0).await;
    }
    let expected: Vec<String> = (0..=burst).map(|i| i.to_string()).collect();
    assert_eq!(*heard.borrow(), expected);
    // Alone, an event goes out at once.
    host.emit(numbered(0, 1));
    assert_eq!(heard.borrow().len(), burst + 2);

    heard.borrow_mut().clear();
    let gone = Rc::new(Host::new(Some(el.clone()), None, false, None, true));
    gone.emit(numbered(0, burst));
    drop(gone);
    web::sleep(100.0).await;
    assert_eq!(heard.borrow().len(), EVENTS_PER_TASK);
    el.remove();
}

#[wasm_bindgen_test]
fn calls_changed_gives_the_host_objects_of_its_own_as_writing_them_out_would() {
    use rc_active_calls::embed::events::call_payload_at;
    use rc_active_calls::embed::host::to_js;
    use rc_active_calls::embed::payload::HostEvent;
    let el = container();
    let heard = Rc::new(RefCell::new(Vec::<wasm_bindgen::JsValue>::new()));
    let keep = heard.clone();
    let listener =
        gloo_events::EventListener::new(&el, "rc-active-calls:calls-changed", move |e| {
            let e = e.dyn_ref::<web_sys::CustomEvent>().unwrap();
            keep.borrow_mut().push(e.detail());
        });
    let host = Rc::new(Host::new(Some(el.clone()), None, false, None, true));
    let s = ready(vec![]);
    let calls = |names: &[&str], now: f64| -> Vec<_> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let c = call(&format!("c{i}"), n, "In Progress", "");
                call_payload_at(&s, &c, now)
            })
            .collect()
    };
    let event = |calls| HostEvent::CallsChanged {
        scope: "extension",
        calls,
    };
    let json = |v: &wasm_bindgen::JsValue| js_sys::JSON::stringify(v).unwrap().as_string().unwrap();
    let get = |v: &wasm_bindgen::JsValue, path: &[&str]| {
        path.iter().fold(v.clone(), |v, k| {
            js_sys::Reflect::get(&v, &(*k).into()).unwrap()
        })
    };
    let first = calls(&["Ada", "Ben", "Cy"], s.now);
    host.emit(vec![event(first.clone())]);
    let one = heard.borrow()[0].clone();
    assert_eq!(json(&one), json(&to_js(&event(first))));
    // The host changes what it got: nothing of that reaches the next event.
    let ada = get(&one, &["calls", "0"]);
    js_sys::Reflect::set(
        &get(&ada, &["from"]),
        &"name".into(),
        &"Changed by the host".into(),
    )
    .unwrap();
    // A minute on, Ben renamed: every duration as of now, Ben as he is now.
    let next = calls(&["Ada", "Benjamin", "Cy"], s.now + 60_000.0);
    host.emit(vec![event(next.clone())]);
    let two = heard.borrow()[1].clone();
    assert_eq!(json(&two), json(&to_js(&event(next))));
    assert!(!json(&two).contains("Changed by the host"));
    assert_ne!(
        get(&one, &["calls", "0", "durationSeconds"]),
        get(&two, &["calls", "0", "durationSeconds"]),
        "the first event's objects keep their durations"
    );
    assert!(!js_sys::Object::is(&ada, &get(&two, &["calls", "0"])));
    drop(listener);
}
