//! The widget's parsers of outside input, on `serde_json::Value`s (the same readers the browser runs on
//! `JsValue`s), each followed as far as its data goes: records into the reducer, the views' wording and the host's
//! events; error bodies into the panel's sentences; configuration into its problems.

use crate::engine::{seeds, Target};
use rc_active_calls::api::error::{ApiError, ErrorBody};
use rc_active_calls::api::json::Json;
use rc_active_calls::api::model::{CallLogPage, ExtensionInfo, TokenInfo};
use rc_active_calls::auth::flow::{denied_message, read_callback, Callback, Pending};
use rc_active_calls::config::{self, MountConfig, Scope};
use rc_active_calls::contacts::{read_answer, Contact};
use rc_active_calls::embed::commands::{self, Message};
use rc_active_calls::embed::events::Observer;
use rc_active_calls::embed::payload;
use rc_active_calls::feed::channel::Envelope;
use rc_active_calls::feed::frames::{self, Event, Frame};
use rc_active_calls::feed::reading;
use rc_active_calls::feed::reconcile::{apply, Reconciler};
use rc_active_calls::format::{self, CallView};
use rc_active_calls::state::{Action, State, User};
use rc_active_calls::url;
use serde_json::Value;
use std::rc::Rc;
use yew::Reducible;

/// 2027-01-15T08:00:00Z: the seeds' calls started minutes before.
const NOW: f64 = 1_800_000_000_000.0;
const PAGE: &str = "http://127.0.0.1:8080/";
const HOST: &str = "https://crm.example/app";

fn parse(input: &str) -> Option<Value> {
    serde_json::from_str(input).ok()
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what.to_string())
    }
}

/// Text with something to see: not blank, not only invisible characters.
fn readable(s: &str, what: &str) -> Result<(), String> {
    check(format::visible(s), &format!("{what} shows nothing"))
}

const RECORD_WORDS: &[&str] = &[
    "records",
    "paging",
    "navigation",
    "uri",
    "id",
    "sessionId",
    "telephonySessionId",
    "partyId",
    "startTime",
    "duration",
    "durationMs",
    "direction",
    "Inbound",
    "Outbound",
    "type",
    "Voice",
    "Fax",
    "action",
    "Phone Call",
    "result",
    "In Progress",
    "Ringing",
    "Call connected",
    "Missed",
    "Accepted",
    "Voicemail",
    "from",
    "to",
    "name",
    "phoneNumber",
    "extensionNumber",
    "extensionId",
    "location",
    "extension",
    "page",
    "perPage",
    "pageStart",
    "pageEnd",
    "totalPages",
    "totalElements",
    "nextPage",
    "firstPage",
    "lastPage",
    "2027-01-15T07:58:00.000Z",
    "2027-01-15T07:59:59Z",
    "1969-12-31T23:59:59Z",
    "9999-12-31T23:59:59.999Z",
    "+14155550100",
    "101",
    "reason",
    "legs",
    "transport",
    "PSTN",
    "VoIP",
    "delegate",
    "billing",
    "lastModifiedTime",
    "internalType",
    "recording",
];

/// `GET …/active-calls` answers, read and shown: the page reader, each record's view, the reducer (twice, so a
/// second answer is matched against the first), the wording, and the host's events.
pub struct Records {
    state: Rc<State>,
    observer: Observer,
}

pub fn records() -> Box<dyn Target> {
    Box::new(Records {
        state: Rc::new(State::new(Scope::Account, NOW, None)),
        observer: Observer::default(),
    })
}

impl Target for Records {
    fn seeds(&self) -> Vec<String> {
        seeds("records")
    }
    fn words(&self) -> &'static [&'static str] {
        RECORD_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let Some(v) = parse(input) else {
            return Ok("not JSON".into());
        };
        let page = match CallLogPage::read(&v) {
            Ok(p) => p,
            Err(e) => {
                readable(&e, "a page's refusal")?;
                return Ok(format!("refused {e}"));
            }
        };
        // The same records as a first page fetched again, kept after itself: none the page lists is kept twice.
        if let Ok((items, _)) = CallLogPage::items(&v) {
            let ids: Vec<String> = items.iter().filter_map(|r| r.str_at("id")).collect();
            let kept = CallLogPage::kept_after(&items, items.clone()).unwrap_or_default();
            if kept
                .iter()
                .any(|r| r.str_at("id").is_some_and(|id| ids.contains(&id)))
            {
                return Err("a record the page lists kept after it".into());
            }
            // The first half as a page fetched again, the rest kept from these records: the kept views taken from
            // their reading are what reading them gives.
            let page = &items[..items.len() / 2];
            if let Some(rest) = CallLogPage::kept_after(page, items.clone()) {
                let merged: Vec<_> = page.iter().chain(&rest).cloned().collect();
                let (before, _) = reading::read(&items);
                if reading::read_merged(&merged, page.len(), &before) != reading::read(&merged) {
                    return Err("kept records' views differ from their reading".into());
                }
            }
        }
        let unreadable = page.unreadable;
        let views: Vec<CallView> = page
            .records
            .into_iter()
            .filter_map(CallView::from_record)
            .collect();
        for c in &views {
            readable(&c.status.label(), "a status")?;
            readable(&format::party_name(&c.remote), "a party's name")?;
            let secs = c.seconds(NOW + 5_000.0, 0.0);
            readable(&format::duration(secs), "a duration")?;
            let (_, said) = format::direction(&c.direction);
            readable(&said, "a direction")?;
            let out = payload::call(c, secs, None);
            serde_json::to_value(&out).map_err(|e| format!("host payload: {e}"))?;
        }
        let shapes = format!("{:?}", views.first());
        let n = views.len();
        let signed_in = Action::SignedIn(User {
            name: "Ada".into(),
            extension_number: None,
        });
        let mut s = self.state.clone().reduce(signed_in);
        let mut later = views.clone();
        later.reverse();
        // A first page, the whole answer, then another.
        let first = views.iter().take(n / 2 + 1).cloned().collect();
        let answers = [
            (first, NOW - 1_000.0, true),
            (views, NOW, false),
            (later, NOW + 10_000.0, false),
        ];
        for (calls, at, more) in answers {
            s = s.reduce(Action::Loaded {
                calls,
                skipped: unreadable,
                server_now: Some(at - 1_500.0),
                at,
                more,
            });
            s = s.reduce(Action::Tick(at + 1_000.0));
            for e in self.observer.observe(&s) {
                serde_json::to_value(&e).map_err(|e| format!("host event: {e}"))?;
            }
        }
        check(s.calls.len() <= n, "the list grew past the answer")?;
        Ok(format!("{n} {unreadable} {} {shapes}", s.unknown))
    }
}

const ERROR_WORDS: &[&str] = &[
    "errorCode",
    "message",
    "errors",
    "error",
    "error_description",
    "permissionName",
    "parameterName",
    "parameterValue",
    "CMN-301",
    "CMN-102",
    "OAU-109",
    "OAU-213",
    "TokenInvalid",
    "InsufficientPermissions",
    "invalid_grant",
    "invalid_client",
    "unauthorized_client",
    "ReadCallLog",
    "ReadAccounts",
    "401",
    "403",
    "429",
    "500",
    "503",
    "400",
    "404",
    "60",
    "-1",
    "99999999999",
];

/// Refused answers: the first line is the status and `Retry-After`, the rest the body.
pub struct Errors;

pub fn errors() -> Box<dyn Target> {
    Box::new(Errors)
}

impl Target for Errors {
    fn seeds(&self) -> Vec<String> {
        seeds("errors")
    }
    fn words(&self) -> &'static [&'static str] {
        ERROR_WORDS
    }
    fn json(&self) -> bool {
        false
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let (head, body) = input.split_once('\n').unwrap_or((input, ""));
        let mut head = head.split(' ');
        let status = head
            .next()
            .and_then(|s| s.parse::<u16>().ok())
            .filter(|s| (300..=599).contains(s))
            .unwrap_or(500);
        let retry_after = head.next();
        let read = parse(body).map(|j| ErrorBody::read(&j));
        let e = ApiError::from_status(status, read, retry_after);
        readable(&e.summary(), "an error's summary")?;
        readable(&e.message(), "an error's message")?;
        readable(e.advice(), "an error's advice")?;
        if let ApiError::RateLimited {
            retry_after: Some(s),
        } = &e
        {
            check(*s <= 3600, "a penalty longer than an hour")?;
        }
        let event = payload::api_error(&e);
        serde_json::to_value(&event).map_err(|e| format!("host event: {e}"))?;
        Ok(format!("{e:?} {}", e.is_transient()))
    }
}

const IDENTITY_WORDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "expires_in",
    "refresh_token_expires_in",
    "token_type",
    "bearer",
    "scope",
    "owner_id",
    "endpoint_id",
    "id",
    "extensionNumber",
    "name",
    "contact",
    "firstName",
    "lastName",
    "status",
    "Enabled",
    "ws_access_token",
    "uri",
    "ws://127.0.0.1:8790/ws",
    "3600",
    "604800",
];

/// The token answer and the signed-in user (`GET …/extension/~`).
pub struct Identity;

pub fn identity() -> Box<dyn Target> {
    Box::new(Identity)
}

impl Target for Identity {
    fn seeds(&self) -> Vec<String> {
        seeds("identity")
    }
    fn words(&self) -> &'static [&'static str] {
        IDENTITY_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let Some(v) = parse(input) else {
            return Ok("not JSON".into());
        };
        let token = TokenInfo::read(&v);
        if let Some(t) = &token {
            check(
                !t.access_token.is_empty(),
                "a token without its access token",
            )?;
        }
        let who = ExtensionInfo::read(&v);
        readable(&who.display_name(), "the user's name")?;
        Ok(format!("{:?} {who:?}", token.is_some()))
    }
}

const CONFIG_WORDS: &[&str] = &[
    "clientId",
    "client_id",
    "data-client-id",
    "server",
    "redirectUri",
    "redirect-uri",
    "scope",
    "account",
    "extension",
    "pollSeconds",
    "poll-seconds",
    "theme",
    "dark",
    "light",
    "auto",
    "login",
    "popup",
    "redirect",
    "pageSize",
    "sessionKey",
    "persist",
    "local",
    "session",
    "none",
    "live",
    "push",
    "poll",
    "embed",
    "parentOrigin",
    "parent-origin",
    "https://crm.example",
    "http://localhost:8081",
    "http://127.0.0.1:8790",
    "https://platform.ringcentral.com",
    "https://platform.devtest.ringcentral.com",
    "demo-client",
    "0",
    "5",
    "3600",
    "1000",
    "1001",
    "*",
    "resolveContacts",
];

/// The configuration: a query string (the standalone page), the same pairs as element attributes, and as a
/// `mount()` object.
pub struct Configuration;

pub fn configuration() -> Box<dyn Target> {
    Box::new(Configuration)
}

fn checked(pairs: &[(String, String)]) -> Result<String, String> {
    match config::from_pairs(pairs, PAGE) {
        Ok(c) => {
            check(
                (1..=1000).contains(&c.page_size),
                "a page size outside 1–1000",
            )?;
            check(c.server.starts_with("http"), "a server that is not http(s)")?;
            Ok(format!("{c:?}"))
        }
        Err(problems) => {
            check(!problems.is_empty(), "refused without a problem")?;
            readable(&config::describe(&problems), "the problems")?;
            Ok(format!(
                "{:?}",
                problems.iter().map(|p| p.key).collect::<Vec<_>>()
            ))
        }
    }
}

impl Target for Configuration {
    fn seeds(&self) -> Vec<String> {
        seeds("configuration")
    }
    fn words(&self) -> &'static [&'static str] {
        CONFIG_WORDS
    }
    fn json(&self) -> bool {
        false
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let pairs = url::parse_query(input.trim_start_matches('?'));
        let from_query = checked(&pairs)?;
        let attributes: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (format!("data-{}", k.to_ascii_lowercase()), v.clone()))
            .collect();
        checked(&attributes)?;
        // The same settings as a mount() object: numbers where they parse, text elsewhere.
        let object: serde_json::Map<String, Value> = pairs
            .iter()
            .map(|(k, v)| {
                let number = v.parse::<f64>().ok().and_then(serde_json::Number::from_f64);
                (
                    k.clone(),
                    number.map_or_else(|| Value::String(v.clone()), Value::Number),
                )
            })
            .collect();
        let keys: Vec<String> = object.keys().cloned().collect();
        let m: MountConfig =
            rc_active_calls::api::json::Source::read(&Value::Object(object)).unwrap_or_default();
        let (pairs, problems) = m.pairs(&keys, true, |n| n.to_string());
        if !problems.is_empty() {
            readable(&config::describe(&problems), "a mount() problem")?;
        }
        checked(&pairs)?;
        Ok(from_query)
    }
}

/// `mount()`'s own keys, and values with meaning to it.
static MOUNT_WORDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let values = [
        "account",
        "extension",
        "dark",
        "popup",
        "local",
        "push",
        "https://platform.ringcentral.com",
        "demo-client",
    ];
    [&MountConfig::KEYS[..], &values[..]].concat()
});

/// `mount(element, config)` objects as a host writes them, any types.
pub struct Mount;

pub fn mount() -> Box<dyn Target> {
    Box::new(Mount)
}

impl Target for Mount {
    fn seeds(&self) -> Vec<String> {
        seeds("mount")
    }
    fn words(&self) -> &'static [&'static str] {
        &MOUNT_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let Some(v) = parse(input) else {
            return Ok("not JSON".into());
        };
        let keys: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let Some(m) = rc_active_calls::api::json::Source::read::<MountConfig>(&v) else {
            return Ok("not an object".into());
        };
        let (pairs, problems) = m.pairs(&keys, true, |n| n.to_string());
        if !problems.is_empty() {
            readable(&config::describe(&problems), "a mount() problem")?;
        }
        Ok(format!("{} {}", problems.len(), checked(&pairs)?))
    }
}

const RETURN_WORDS: &[&str] = &[
    "code",
    "state",
    "error",
    "error_description",
    "access_denied",
    "server_error",
    "temporarily_unavailable",
    "invalid_request",
    "unauthorized_client",
    "login_required",
    "expires_in",
    "p.",
    "verifier",
    "return",
    "U0xHMDFQMTRQQVMwMHxBQUFIQkE",
    "http%3A%2F%2F127.0.0.1%3A8080%2F%3FclientId%3Ddemo",
];

/// What comes back on the redirect URI (`code`, `state`, `error`), and the pending sign-in kept in storage.
pub struct SignInReturn;

pub fn sign_in_return() -> Box<dyn Target> {
    Box::new(SignInReturn)
}

impl Target for SignInReturn {
    fn seeds(&self) -> Vec<String> {
        seeds("sign-in-return")
    }
    fn words(&self) -> &'static [&'static str] {
        RETURN_WORDS
    }
    fn json(&self) -> bool {
        false
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let callback = read_callback(input.trim_start_matches('?'));
        match &callback {
            Callback::Denied {
                error, description, ..
            } => readable(
                &denied_message(error, description),
                "a refused sign-in's sentence",
            )?,
            Callback::Code { code, .. } => check(!code.is_empty(), "an empty code")?,
            Callback::None => {}
        }
        let pending = Pending::decode(input);
        if let Some(p) = &pending {
            check(
                Pending::decode(&p.encode()).as_ref() == Some(p),
                "a pending sign-in changed on its way back",
            )?;
        }
        let kind = match callback {
            Callback::None => "none",
            Callback::Code { .. } => "code",
            Callback::Denied { .. } => "denied",
        };
        Ok(format!("{kind} {}", pending.is_some()))
    }
}

const HOST_WORDS: &[&str] = &[
    "target",
    "rc-active-calls",
    "command",
    "refresh",
    "signOut",
    "setScope",
    "scope",
    "account",
    "extension",
    "ackNote",
    "noteId",
    "ok",
    "message",
    "requestId",
    "contacts",
    "resolveContacts",
    "+14155550100",
    "+12125550143",
    "name",
    "url",
    "https://crm.example/c/1",
    "/contacts/42",
    "//evil.example",
    "javascript:alert(1)",
    "data:text/html,x",
    "source",
];

/// The parent page's messages in iframe mode: commands, and the answers to contact questions.
pub struct HostMessages;

pub fn host_messages() -> Box<dyn Target> {
    Box::new(HostMessages)
}

impl Target for HostMessages {
    fn seeds(&self) -> Vec<String> {
        seeds("host-messages")
    }
    fn words(&self) -> &'static [&'static str] {
        HOST_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let Some(v) = parse(input) else {
            return Ok("not JSON".into());
        };
        let asked = ["+14155550100".to_string(), "+12125550143".to_string()];
        // A contact answer may also come straight from a resolver function (element and mount() ways).
        let found = match commands::read(&v) {
            Some(Message::Contacts { contacts, .. }) => read_answer(&contacts, &asked, HOST),
            Some(Message::Command(c)) => return Ok(format!("{c:?}")),
            None => read_answer(&v, &asked, HOST),
        };
        for (_, c) in &found {
            contact_is_safe(c)?;
        }
        Ok(format!("{found:?}"))
    }
}

/// A contact's link is http(s) only: a `javascript:` or `data:` URL from the host's data never becomes a link.
fn contact_is_safe(c: &Contact) -> Result<(), String> {
    readable(&c.name, "a contact's name")?;
    if let Some(u) = &c.url {
        check(
            u.starts_with("https://") || u.starts_with("http://"),
            &format!("a contact link that is not http(s): {u}"),
        )?;
    }
    Ok(())
}

const FRAME_WORDS: &[&str] = &[
    "type",
    "ClientRequest",
    "ServerNotification",
    "Error",
    "ConnectionDetails",
    "Heartbeat",
    "messageId",
    "status",
    "headers",
    "wsc",
    "token",
    "sequence",
    "body",
    "uuid",
    "event",
    "subscriptionId",
    "timestamp",
    "ownerId",
    "extensionId",
    "telephonyStatus",
    "Ringing",
    "CallConnected",
    "NoCall",
    "OnHold",
    "activeCalls",
    "direction",
    "from",
    "to",
    "startTime",
    "sessionId",
    "telephonySessionId",
    "partyId",
    "/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true",
    "/restapi/v1.0/account/~/presence",
    "recoveryState",
    "Successful",
    "Failed",
    "recoveryErrorCode",
    "WSG-1003",
    "WSG-1005",
    "idleTimeout",
    "absoluteTimeout",
    "maxConnectionsPerSession",
    "recoveryBufferSize",
    "recoveryTimeout",
    "errorCode",
    "id",
    "expiresIn",
    "eventFilters",
    "Active",
];

/// The gateway's frames, and the presence events in them laid over a list.
pub struct SocketFrames {
    reconciler: Reconciler,
    at: f64,
}

pub fn socket_frames() -> Box<dyn Target> {
    Box::new(SocketFrames {
        reconciler: Reconciler::default(),
        at: NOW,
    })
}

impl Target for SocketFrames {
    fn seeds(&self) -> Vec<String> {
        seeds("socket-frames")
    }
    fn words(&self) -> &'static [&'static str] {
        FRAME_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let Some(v) = parse(input) else {
            return Ok("not JSON".into());
        };
        let frame = frames::read(&v);
        if let Frame::Notification {
            event: Event::Presence(p),
            owner_id,
            ..
        } = &frame
        {
            self.at += 1_000.0;
            // The leader's list answers clear what push laid over it; without them the overlay only grows.
            if self.at > NOW + 1_000_000.0 {
                self.at = NOW;
                self.reconciler = Reconciler::default();
            }
            if self.reconciler.owner.is_none() {
                self.reconciler.owner = owner_id.clone();
            }
            let verdict = self.reconciler.presence(p, self.at);
            let me = rc_active_calls::state::User {
                name: "Ben Baker".into(),
                extension_number: Some("102".into()),
            };
            let shown = apply(vec![], &self.reconciler.overlay, NOW, true, Some(&me));
            for c in &shown {
                readable(&c.status.label(), "a pushed call's status")?;
            }
            return Ok(format!("presence {verdict:?} {}", shown.len()));
        }
        Ok(format!("{frame:?}"))
    }
}

/// The tabs' messages travel by position (`feed::wire`): what is worth inserting is values.
const TAB_WORDS: &[&str] = &[
    "tab-a",
    "tab-b",
    "a",
    "r",
    "Ada Admin",
    "101",
    "s-1",
    "Inbound",
    "Outbound",
    "Ringing",
    "CallConnected",
    "OnHold",
    "CMN-401",
    "no connection",
    "",
];

/// Messages from the other tabs of this browser (BroadcastChannel): another version, or a broken tab.
pub struct TabMessages;

pub fn tab_messages() -> Box<dyn Target> {
    Box::new(TabMessages)
}

impl Target for TabMessages {
    fn seeds(&self) -> Vec<String> {
        seeds("tab-messages")
    }
    fn words(&self) -> &'static [&'static str] {
        TAB_WORDS
    }
    fn run(&mut self, input: &str) -> Result<String, String> {
        let Some(v) = parse(input) else {
            return Ok("not JSON".into());
        };
        Ok(format!("{:?}", Envelope::read(v).map(|e| e.message)))
    }
}
