//! The browser's means for one feed per browser, in headless Chromium: the Web Lock that says who leads (queued,
//! released, stolen, abandoned) and the BroadcastChannel the tabs talk over; and the fallback where locks are gone.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may stop at the first surprise

use futures_util::future::{select, Either};
use rc_active_calls::feed::channel::{Envelope, Message, TabCommand, VERSION};
use rc_active_calls::feed::tabs::{lead, Channel, Said, Unavailable};
use rc_active_calls::web;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `Some` when `f` finishes within `ms`, `None` when it is still waiting (and is dropped).
async fn within<T>(ms: f64, f: impl std::future::Future<Output = T>) -> Option<T> {
    match select(Box::pin(f), Box::pin(web::sleep(ms))).await {
        Either::Left((v, _)) => Some(v),
        Either::Right(_) => None,
    }
}

#[wasm_bindgen_test]
async fn one_leader_at_a_time_and_the_next_in_line_takes_over() {
    let name = "rc-test:one-leader";
    let first = lead(name, false).await.unwrap();
    assert!(first.still_held().await);
    // While it leads, a second request waits; given up, it leaves the line without holding anything.
    assert!(within(200.0, lead(name, false)).await.is_none());
    assert!(first.still_held().await);
    // Queued again, it is granted as soon as the first lets go.
    let waiting = lead(name, false);
    drop(first);
    let second = within(2000.0, waiting)
        .await
        .expect("granted after release")
        .unwrap();
    assert!(second.still_held().await);
}

#[wasm_bindgen_test]
async fn a_steal_takes_the_lock_and_the_old_leader_learns_it() {
    let name = "rc-test:steal";
    let old = lead(name, false).await.unwrap();
    let new = within(1000.0, lead(name, true))
        .await
        .expect("a steal does not wait")
        .unwrap();
    web::sleep(50.0).await;
    assert!(old.lost(), "the old leader is told");
    assert!(!old.still_held().await);
    assert!(new.still_held().await);
    // The old one going away does not release the new one's lock.
    drop(old);
    assert!(new.still_held().await);
}

#[wasm_bindgen_test]
async fn without_web_locks_leading_is_unavailable_never_a_crash() {
    let navigator: JsValue = web::window().unwrap().navigator().into();
    let hide = js_sys::Object::new();
    js_sys::Reflect::set(&hide, &"value".into(), &JsValue::UNDEFINED).unwrap();
    js_sys::Reflect::set(&hide, &"configurable".into(), &JsValue::TRUE).unwrap();
    js_sys::Object::define_property(&navigator.clone().into(), &"locks".into(), &hide);
    let r = lead("rc-test:no-locks", false).await.err();
    js_sys::Reflect::delete_property(&navigator.into(), &"locks".into()).unwrap();
    assert_eq!(r, Some(Unavailable));
    assert!(
        lead("rc-test:no-locks", false).await.is_ok(),
        "back once restored"
    );
}

type Heard = Rc<RefCell<Vec<(Envelope, JsValue)>>>;

/// Two tabs' channels of one name: what the second hears (each message, and the whole of what came) is kept while
/// the returned listener lives.
fn two_tabs(name: &str) -> (Channel, Channel, Heard, gloo_events::EventListener) {
    let (a, b) = (Channel::open(name).unwrap(), Channel::open(name).unwrap());
    let heard: Heard = Rc::default();
    let listening = {
        let heard = heard.clone();
        b.listen(move |said| {
            if let Said::Message(e, data) = said {
                heard.borrow_mut().push((e, data))
            }
        })
    };
    (a, b, heard, listening)
}

/// Waits (up to a second) until `n` messages were heard.
async fn until_heard(heard: &Heard, n: usize) {
    for _ in 0..40 {
        if heard.borrow().len() >= n {
            break;
        }
        web::sleep(25.0).await;
    }
}

#[wasm_bindgen_test]
async fn tabs_hear_each_other_and_ignore_what_is_not_a_message() {
    let (a, _b, heard, _listening) = two_tabs("rc-test:channel");
    // Junk and another version first, through the raw channel: dropped.
    let raw = web_sys::BroadcastChannel::new("rc-test:channel").unwrap();
    raw.post_message(&"junk".into()).unwrap();
    for other in [
        format!(r#"{{"v":{VERSION},"from":"x","message":"bye"}}"#),
        r#"[1,"x",2]"#.to_string(),
        format!(r#"[{VERSION},"x",[42]]"#),
    ] {
        raw.post_message(&rc_active_calls::api::json::parse(&other).unwrap())
            .unwrap();
    }
    let sent = Envelope::new(
        "tab-a",
        Message::Command {
            command: TabCommand::Refresh,
        },
    );
    assert!(a.post(&sent, None));
    until_heard(&heard, 1).await;
    web::sleep(50.0).await;
    let got: Vec<Envelope> = heard.borrow().iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(got, vec![sent]);
    raw.close();
}

/// Another build of the widget (a tab loaded before a release, or after one) is told apart by its version, from
/// this build's messages and from what has no version at all.
#[wasm_bindgen_test]
async fn another_builds_messages_are_told_apart() {
    let (a, b) = (
        Channel::open("rc-test:builds").unwrap(),
        Channel::open("rc-test:builds").unwrap(),
    );
    let others: Rc<RefCell<Vec<f64>>> = Rc::default();
    let mine: Rc<RefCell<Vec<Envelope>>> = Rc::default();
    let _listening = {
        let (others, mine) = (others.clone(), mine.clone());
        b.listen(move |said| match said {
            Said::Message(e, _) => mine.borrow_mut().push(e),
            Said::OtherBuild(v) => others.borrow_mut().push(v),
        })
    };
    let raw = web_sys::BroadcastChannel::new("rc-test:builds").unwrap();
    let newer = VERSION + 1;
    for text in [
        r#"{"v":1,"from":"old","message":{"heartbeat":{"term":4,"hidden":false}}}"#.to_string(),
        format!(r#"[{newer},"new",[3,5,false]]"#),
        format!(r#"[{VERSION},"t",[99]]"#),
        r#"{"from":"x"}"#.to_string(),
        r#""junk""#.to_string(),
        r#"[]"#.to_string(),
    ] {
        raw.post_message(&rc_active_calls::api::json::parse(&text).unwrap())
            .unwrap();
    }
    let sent = Envelope::new("tab-a", Message::Bye);
    assert!(a.post(&sent, None));
    for _ in 0..40 {
        if !mine.borrow().is_empty() {
            break;
        }
        web::sleep(25.0).await;
    }
    web::sleep(50.0).await;
    assert_eq!(*others.borrow(), vec![1.0, f64::from(newer)]);
    assert_eq!(*mine.borrow(), vec![sent]);
    raw.close();
}

/// A snapshot crosses with everything a follower needs (a signed-in user, a list's answer time, a typed error, a
/// pause) and the records beside it, as they were: what a follower renders is what the leader had.
#[wasm_bindgen_test]
async fn a_snapshot_and_its_records_cross_between_tabs_intact() {
    use rc_active_calls::api::error::ApiError;
    use rc_active_calls::config::Scope;
    use rc_active_calls::feed::channel::TokenSet;
    use rc_active_calls::feed::reconcile::{Overlay, Pushed};
    use rc_active_calls::feed::snapshot::{Auth, Failure, Push, Snapshot};
    use rc_active_calls::state::User;

    let (a, _b, heard, _listening) = two_tabs("rc-test:snapshot");
    let mut snapshot = Snapshot {
        term: 7,
        auth: Auth::SignedIn {
            user: User {
                name: "<img src=x onerror=alert(1)>".into(),
                extension_number: None,
            },
        },
        busy: true,
        paused_until: Some(1.5e12),
        lists: vec![],
        overlay: Overlay {
            live: vec![Pushed {
                telephony_session_id: "s-1".into(),
                extension_id: Some("102".into()),
                direction: Some("Inbound".into()),
                remote_number: Some("+12125550143".into()),
                remote_name: None,
                our_number: Some("+16505550100".into()),
                status: "Ringing".into(),
                start_ms: 1.7e12,
                seen: 1.7e12,
                own: true,
            }],
            ended: vec![("s-0".into(), 1.6e12)],
        },
        push: Push::Off {
            why: "the WebSocket keeps failing".into(),
            every_secs: 10,
        },
    };
    let l = snapshot.list_mut(Scope::Account);
    l.at = Some(1.7e12);
    l.more = true;
    l.failure = Some(Failure {
        error: ApiError::Forbidden {
            permission: Some("ReadCompanyCallLog".into()),
            code: Some("CMN-408".into()),
            message: "In order to call this API endpoint, user needs to have [ReadCompanyCallLog] permission".into(),
        },
        at: 1.7e12,
    });
    snapshot.list_mut(Scope::Extension).failure = Some(Failure {
        error: ApiError::Network("no connection".into()),
        at: 2.0,
    });
    let records =
        rc_active_calls::api::json::parse(r#"{"account":[{"id":"x","odd":[1,{"deep":null}]}]}"#)
            .unwrap();
    let messages = [
        Message::Snapshot {
            snapshot: snapshot.clone(),
        },
        Message::Tokens {
            tokens: Some(TokenSet {
                access: "a".into(),
                access_expires_at: 1.0e12,
                refresh: Some("r".into()),
            }),
        },
        Message::Tokens { tokens: None },
        Message::Bye,
    ];
    for m in &messages {
        a.post(
            &Envelope::new("leader", m.clone()),
            Some(records.unchecked_ref()),
        );
    }
    until_heard(&heard, messages.len()).await;
    let heard = heard.borrow();
    let got: Vec<Message> = heard.iter().map(|(e, _)| e.message.clone()).collect();
    assert_eq!(got, messages);
    let beside =
        js_sys::Reflect::get_u32(&heard[0].1, rc_active_calls::feed::tabs::RECORDS).unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&beside)
            .unwrap()
            .as_string()
            .unwrap(),
        r#"{"account":[{"id":"x","odd":[1,{"deep":null}]}]}"#
    );
}
