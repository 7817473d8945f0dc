//! An active-calls answer in the browser: reading it (JSON text → JavaScript value → records → the rows' views, for a
//! page of 1 000 calls, RingCentral's largest page), and applying an admin's answer of 5 000 calls (the reducer, the
//! status region's sentences, the host's events with every number matched to a contact), and a keystroke in a note
//! with those 5 000 calls listed. `bench/read` runs them in
//! headless Chromium and prints the times.
#![cfg(target_arch = "wasm32")]
// A fixed fixture: failing loudly is what a benchmark should do.
#![allow(clippy::expect_used)]

use rc_active_calls::api::json;
use rc_active_calls::api::model::CallLogPage;
use rc_active_calls::config::Scope;
use rc_active_calls::contacts::Contact;
use rc_active_calls::embed::events::Observer;
use rc_active_calls::embed::host::Host;
use rc_active_calls::format::{CallView, Status};
use rc_active_calls::state::{Action, State, User};
use std::rc::Rc;
use wasm_bindgen_test::{wasm_bindgen_bench, Criterion, Instant};
use yew::Reducible;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A page like the sandbox's: answered and ringing calls, both parties named, an extension on our side.
fn page(n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/400618687001/extension/400618687102/call-log/SBX{i:09}","id":"SBX{i:09}","sessionId":"{s}","telephonySessionId":"s-{s}","startTime":"2026-11-28T{h:02}:{m:02}:{sec:02}.000Z","duration":{d},"type":"Voice","direction":"{dir}","action":"Phone Call","result":"{res}","to":{{"phoneNumber":"+16504366666","name":"Ben Baker","extensionNumber":"102","extensionId":"400618687102"}},"from":{{"phoneNumber":"+1415555{p:04}","name":"Caller {i}","location":"San Francisco, CA"}},"extension":{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/400618687001/extension/400618687102","id":400618687102}},"telephonySessionIdLegs":[]}}"#,
                s = 4_000_000 + i,
                // Newest first, as RingCentral orders them.
                h = 23 - i / 3600,
                m = 59 - (i / 60) % 60,
                sec = 59 - i % 60,
                d = i % 300,
                dir = if i % 3 == 0 { "Outbound" } else { "Inbound" },
                res = if i % 4 == 0 { "Ringing" } else { "In Progress" },
                p = i % 10_000,
            )
        })
        .collect();
    format!(
        r#"{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/~/extension/~/active-calls?view=Simple&page=1&perPage=1000","records":[{}],"paging":{{"page":1,"totalPages":1,"perPage":1000,"totalElements":{n},"pageStart":0,"pageEnd":{e}}},"navigation":{{"firstPage":{{"uri":"x"}},"lastPage":{{"uri":"x"}}}}}}"#,
        records.join(","),
        e = n.saturating_sub(1)
    )
}

fn views(text: &str) -> Vec<CallView> {
    let js = json::parse(text).expect("the page is JSON");
    let page = CallLogPage::read(&js).expect("the page reads");
    page.records
        .into_iter()
        .filter_map(CallView::from_record)
        .collect()
}

fn read(text: &str) -> usize {
    views(text).len()
}

#[wasm_bindgen_bench]
fn read_1000_records(c: &mut Criterion) {
    let text = page(1000);
    assert_eq!(read(&text), 1000);
    c.bench_function("read 1 000 records (JSON text to rows' views)", |b| {
        b.iter(|| read(&text))
    });
}

/// An admin signed in with an answer of 5 000 calls applied and observed, every number matched to a contact; and
/// those calls.
fn admin_with_5000_calls() -> (Rc<State>, Observer, Vec<CallView>) {
    let calls = views(&page(5000));
    assert_eq!(calls.len(), 5000);
    let numbers: Vec<String> = calls
        .iter()
        .filter_map(|c| c.remote.phone_number.clone())
        .collect();
    let found = numbers
        .iter()
        .map(|n| {
            let contact = Contact {
                name: format!("Contact {n}"),
                url: None,
            };
            (n.clone(), contact)
        })
        .collect();
    let mut s = Rc::new(State::new(Scope::Account, 0.0, None));
    let user = User {
        name: "Ada".into(),
        extension_number: None,
    };
    for a in [
        Action::SignedIn(user),
        Action::ContactsAnswered {
            asked: numbers,
            found,
            at: 0.0,
        },
    ] {
        s = s.reduce(a);
    }
    s = s.reduce(loaded(&calls, 1.0));
    let mut observer = Observer::default();
    observer.observe(&s);
    (s, observer, calls)
}

fn loaded(calls: &[CallView], at: f64) -> Action {
    Action::Loaded {
        calls: calls.to_vec(),
        skipped: 0,
        server_now: None,
        at,
        more: false,
    }
}

#[wasm_bindgen_bench]
fn apply_5000_calls(c: &mut Criterion) {
    let (mut s, mut observer, calls) = admin_with_5000_calls();
    // The next answer: one call ended, the rest as they were.
    let mut next = calls.clone();
    next[2500].status = Status::Ended("Call connected".into());
    let mut at = 1.0;
    let mut flip = false;
    // Ten samples: at the default hundred, the iterations of a 5 000-call answer hold the page longer than the
    // test runner waits for it.
    let mut c = std::mem::take(c).sample_size(10);
    c.bench_function(
        "apply an answer of 5 000 calls, one changed (reducer, status region, host events)",
        |b| {
            b.iter(|| {
                flip = !flip;
                at += 1.0;
                s = s
                    .clone()
                    .reduce(loaded(if flip { &next } else { &calls }, at));
                let events = observer.observe(&s);
                assert!(!events.is_empty());
            })
        },
    );
}

/// The host's events of the same answers dispatched on an element, as the widget dispatches them: writing them out
/// to JavaScript (`calls-changed` carries all 5 000 calls), whatever listens.
#[wasm_bindgen_bench]
fn dispatch_5000_calls(c: &mut Criterion) {
    let (mut s, mut observer, calls) = admin_with_5000_calls();
    let mut next = calls.clone();
    next[2500].status = Status::Ended("Call connected".into());
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
        .expect("an element");
    let host = Rc::new(Host::new(Some(el), None, false, None, true));
    let mut answers = [&next, &calls].into_iter().cycle();
    let mut at = 1.0;
    let mut events = move || {
        at += 1.0;
        s = s
            .clone()
            .reduce(loaded(answers.next().expect("cycles"), at));
        observer.observe(&s)
    };
    host.emit(events());
    let mut c = std::mem::take(c).sample_size(10);
    c.bench_function(
        "dispatch the host's events of an answer of 5 000 calls, one changed (calls-changed with every call)",
        |b| {
            b.iter_custom(|iters| {
                let mut spent = std::time::Duration::ZERO;
                for _ in 0..iters {
                    let e = events();
                    assert!(e.iter().any(|e| e.name() == "calls-changed"));
                    let start = Instant::now();
                    host.emit(e);
                    spent += start.elapsed();
                }
                spent
            })
        },
    );
}

/// Typing in a note while 5 000 calls are listed: each keystroke is an action, and nothing but the note changes.
#[wasm_bindgen_bench]
fn keystroke_with_5000_calls(c: &mut Criterion) {
    let (mut s, mut observer, calls) = admin_with_5000_calls();
    let id = calls[10].id.clone();
    s = s.reduce(Action::NoteOpen(id.clone()));
    observer.observe(&s);
    let mut typed = false;
    let mut c = std::mem::take(c).sample_size(10);
    c.bench_function(
        "a keystroke in a note with 5 000 calls listed (reducer, host events)",
        |b| {
            b.iter(|| {
                typed = !typed;
                let text = if typed { "Called back" } else { "Called bac" };
                s = s.clone().reduce(Action::NoteText(id.clone(), text.into()));
                assert!(observer.observe(&s).is_empty());
            })
        },
    );
}
