//! The widget's configuration, read from the standalone page's query string, `data-` attributes on the mount
//! element, the custom element's attributes or a `mount()` config object, and validated. Keys are accepted as
//! `clientId` (query, JS) or `client-id` (attributes).

use crate::url;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;

pub const DEFAULT_SERVER: &str = "https://platform.ringcentral.com";
pub const DEFAULT_POLL_SECONDS: u32 = 10;
/// RingCentral's Heavy group allows 10 active-calls requests a minute: polling faster than every 6 s cannot work.
pub const MIN_POLL_SECONDS: u32 = 6;
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Whose calls the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The signed-in user's calls: `/account/~/extension/~/active-calls`.
    Extension,
    /// Every extension's calls (admins): `/account/~/active-calls`.
    Account,
}

impl Scope {
    /// The name used in configuration, commands and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Extension => "extension",
            Scope::Account => "account",
        }
    }

    /// The scope a name (`extension`, `account`) stands for.
    pub fn parse(s: &str) -> Option<Scope> {
        [Scope::Extension, Scope::Account]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Where the session's refresh token is kept between page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persist {
    /// Each open tab's sessionStorage: the session lives while any of its tabs is open (a reload keeps it), and
    /// nothing of it survives the last tab.
    Tabs,
    /// localStorage: it survives closing the browser.
    Browser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFlow {
    /// A popup when the widget is framed (RingCentral's login page cannot be framed), else a full-page redirect.
    Auto,
    Redirect,
    Popup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follows the browser's `prefers-color-scheme`.
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// How much room a call takes: `compact` for side panels that show many calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Density {
    Comfortable,
    Compact,
}

impl Density {
    pub fn as_str(self) -> &'static str {
        match self {
            Density::Comfortable => "comfortable",
            Density::Compact => "compact",
        }
    }
}

/// iframe mode (`?embed=1&parentOrigin=…`): events go to the parent at exactly `parent_origin`; commands are
/// accepted from `allowed` only.
#[derive(Debug, Clone, PartialEq)]
pub struct Embed {
    pub parent_origin: String,
    pub allowed: Vec<String>,
    /// Ask the parent to match phone numbers to its contacts (`resolveContacts=1`).
    pub contacts: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WidgetConfig {
    pub client_id: String,
    /// Server origin, no trailing slash.
    pub server: String,
    pub redirect_uri: String,
    pub scope: Scope,
    pub poll_seconds: u32,
    pub login: LoginFlow,
    /// `perPage` of active-calls requests (1–1000).
    pub page_size: u32,
    pub theme: Theme,
    pub density: Density,
    /// Widgets that share a client ID and server keep separate sessions when their keys differ.
    pub session_key: String,
    pub persist: Persist,
    /// Live updates through RingCentral's WebSocket when they work (`live=auto`); `false`: polling only (`off`).
    pub live: bool,
    pub embed: Option<Embed>,
}

impl WidgetConfig {
    /// The configuration inside a host's page (`mount()`, the element, the Yew component): RingCentral's sign-in
    /// page cannot be framed, and the host page must not be navigated away, so sign-in is a popup; no embed mode.
    pub fn in_host_page(mut self) -> WidgetConfig {
        self.login = LoginFlow::Popup;
        self.embed = None;
        self
    }
}

/// One value of a `mount()` config object: text, a number, or a value of another type (a problem to name).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Setting {
    #[default]
    Absent,
    Text(String),
    Number(f64),
    Wrong,
}

impl<'de> Deserialize<'de> for Setting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SettingVisitor)
    }
}

struct SettingVisitor;

impl<'de> Visitor<'de> for SettingVisitor {
    type Value = Setting;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Setting, E> {
        Ok(Setting::Text(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Setting, E> {
        Ok(Setting::Number(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Setting, E> {
        Ok(Setting::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Setting, E> {
        Ok(Setting::Number(v as f64))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Setting, E> {
        Ok(Setting::Wrong)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Setting, E> {
        Ok(Setting::Absent)
    }
    fn visit_none<E: de::Error>(self) -> Result<Setting, E> {
        Ok(Setting::Absent)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Setting, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Setting, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Setting::Wrong)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Setting, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Setting::Wrong)
    }
}

/// A `mount()`/`update()` config object, as the host wrote it (`resolveContacts`, a function, is read apart).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MountConfig {
    pub client_id: Setting,
    pub server: Setting,
    pub redirect_uri: Setting,
    pub scope: Setting,
    pub poll_seconds: Setting,
    pub theme: Setting,
    pub login: Setting,
    pub page_size: Setting,
    pub session_key: Setting,
    pub persist: Setting,
    pub live: Setting,
    pub density: Setting,
}

impl MountConfig {
    /// Every key a config object may hold; `mount()` names any other as a problem.
    pub const KEYS: [&'static str; 13] = [
        "clientId",
        "server",
        "redirectUri",
        "scope",
        "pollSeconds",
        "theme",
        "login",
        "pageSize",
        "sessionKey",
        "persist",
        "live",
        "density",
        "resolveContacts",
    ];

    /// The settings as `from_pairs` reads them, and a problem for each value of the wrong type and, when
    /// `strict`, each key in `keys` (the object's own) that is not one of `KEYS`. `number` writes a number as
    /// text (in the browser JS's own formatting, which costs no wasm).
    pub fn pairs(
        &self,
        keys: &[String],
        strict: bool,
        number: impl Fn(f64) -> String,
    ) -> (Vec<(String, String)>, Vec<Problem>) {
        let mut pairs = vec![];
        let mut problems = vec![];
        let fields = [
            &self.client_id,
            &self.server,
            &self.redirect_uri,
            &self.scope,
            &self.poll_seconds,
            &self.theme,
            &self.login,
            &self.page_size,
            &self.session_key,
            &self.persist,
            &self.live,
            &self.density,
        ];
        for (key, value) in Self::KEYS.iter().zip(fields) {
            match value {
                Setting::Absent => {}
                Setting::Text(t) => pairs.push((key.to_string(), t.clone())),
                Setting::Number(n) => pairs.push((key.to_string(), number(*n))),
                Setting::Wrong if strict => problems.push(Problem {
                    key: "config",
                    message: format!("option “{key}” must be a string or a number."),
                }),
                Setting::Wrong => {}
            }
        }
        if strict {
            for k in keys.iter().filter(|k| !Self::KEYS.contains(&k.as_str())) {
                problems.push(Problem {
                    key: "config",
                    message: format!("has an unknown option “{k}”."),
                });
            }
        }
        (pairs, problems)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The key as the query string spells it.
    pub key: &'static str,
    pub message: String,
}

/// Every problem in one line ("pollSeconds is “2”; use … clientId is missing: …"), for an `Error` or an event.
pub fn describe(problems: &[Problem]) -> String {
    let text: Vec<String> = problems
        .iter()
        .map(|p| format!("{} {}", p.key, p.message))
        .collect();
    text.join(" ")
}

pub fn normalize(key: &str) -> String {
    key.trim_start_matches("data-")
        .replace(['-', '_'], "")
        .to_ascii_lowercase()
}

/// An http(s) URL; plain http only to this machine, because tokens travel over it.
fn check_url(v: &str) -> Result<(), String> {
    let Some(host) = url::host(v) else {
        return Err(format!("“{v}” is not an http(s) URL"));
    };
    if v.starts_with("http://") && !matches!(host, "localhost" | "127.0.0.1" | "::1") {
        return Err(format!(
            "“{v}” must use https (plain http is allowed for localhost only)"
        ));
    }
    Ok(())
}

/// A bare origin such as `https://crm.example` (never `*`).
fn check_origin(v: &str) -> Result<(), String> {
    check_url(v)?;
    if url::origin(v) != Some(v) {
        return Err(format!(
            "“{v}” must be a bare origin such as https://crm.example"
        ));
    }
    Ok(())
}

/// `value` (any case) as the index of the name it is in `names` (a name may be followed by a description:
/// "account (all calls, admins only)"); unset is the first. Else what to write instead.
fn choose(value: Option<&str>, names: &[&str]) -> Result<usize, String> {
    let Some(v) = value else { return Ok(0) };
    let word = |n: &str| {
        n.split(' ')
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case(v))
    };
    if let Some(i) = names.iter().position(|n| word(n)) {
        return Ok(i);
    }
    let (last, first) = names.split_last().unwrap_or((&"", &[]));
    Err(format!("is “{v}”; use {} or {last}.", first.join(", ")))
}

/// Reads and checks the configuration. `page_url` is this page's address without query or fragment; it is the
/// default redirect URI.
pub fn from_pairs(
    pairs: &[(String, String)],
    page_url: &str,
) -> Result<WidgetConfig, Vec<Problem>> {
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| normalize(k) == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let problems = RefCell::new(vec![]);
    let problem = |key, message: String| problems.borrow_mut().push(Problem { key, message });
    // An option with a few named values: its index in `names` (the first when unset).
    let pick = |key: &'static str, names: &[&str]| {
        choose(get(&key.to_ascii_lowercase()), names).unwrap_or_else(|message| {
            problem(key, message);
            0
        })
    };

    let client_id = get("clientid").unwrap_or_default().to_string();
    if client_id.is_empty() {
        problem("clientId", "is missing: set the Client ID of your RingCentral app (Auth: “Authorization Code with PKCE”).".into());
    } else if client_id.len() > 200
        || client_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        problem(
            "clientId",
            "does not look like a RingCentral Client ID.".into(),
        );
    }

    let server = get("server")
        .unwrap_or(DEFAULT_SERVER)
        .trim_end_matches('/')
        .to_string();
    if let Err(e) = check_url(&server) {
        problem("server", e);
    } else if url::origin(&server) != Some(server.as_str()) {
        problem(
            "server",
            format!("“{server}” must be a bare origin such as {DEFAULT_SERVER}"),
        );
    }

    let redirect_uri = get("redirecturi").unwrap_or(page_url).to_string();
    if let Err(e) = check_url(&redirect_uri) {
        problem("redirectUri", e);
    } else if redirect_uri.contains('#') {
        problem("redirectUri", "must not contain a fragment (#).".into());
    }

    let scope = [Scope::Extension, Scope::Account][pick(
        "scope",
        &["extension (your calls)", "account (all calls, admins only)"],
    )];

    let poll_seconds = match get("pollseconds") {
        None => DEFAULT_POLL_SECONDS,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (MIN_POLL_SECONDS..=3600).contains(&n) => n,
            _ => {
                problem(
                    "pollSeconds",
                    format!("is “{v}”; use a whole number of seconds from {MIN_POLL_SECONDS} to 3600 (RingCentral allows 10 active-calls requests a minute)."),
                );
                DEFAULT_POLL_SECONDS
            }
        },
    };

    let login = [LoginFlow::Auto, LoginFlow::Redirect, LoginFlow::Popup]
        [pick("login", &["auto", "redirect", "popup"])];

    let page_size = match get("pagesize") {
        None => MAX_PAGE_SIZE,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                problem("pageSize", format!("is “{v}”; use 1 to {MAX_PAGE_SIZE}."));
                MAX_PAGE_SIZE
            }
        },
    };

    let theme = [Theme::Auto, Theme::Light, Theme::Dark][pick("theme", &["auto", "light", "dark"])];

    let density =
        [Density::Comfortable, Density::Compact][pick("density", &["comfortable", "compact"])];

    let session_key = get("sessionkey").unwrap_or_default().to_string();

    let persist = [Persist::Tabs, Persist::Browser][pick("persist", &["tabs", "browser"])];

    let live = pick("live", &["auto", "off"]) == 0;

    let embed = match get("embed") {
        None | Some("0" | "false") => None,
        Some(_) => {
            let parent_origin = get("parentorigin").unwrap_or_default().to_string();
            if parent_origin.is_empty() {
                problem("parentOrigin", "is missing: embed mode posts events to exactly this origin (the page that frames the widget), for example https://crm.example.".into());
            } else if let Err(e) = check_origin(&parent_origin) {
                problem("parentOrigin", e);
            }
            let mut allowed: Vec<String> = get("allowedorigins")
                .unwrap_or_default()
                .split([',', ' '])
                .filter(|o| !o.is_empty())
                .map(|o| o.trim_end_matches('/').to_string())
                .collect();
            for o in &allowed {
                if let Err(e) = check_origin(o) {
                    problem("allowedOrigins", e);
                }
            }
            if allowed.is_empty() {
                allowed.push(parent_origin.clone());
            }
            let contacts = matches!(get("resolvecontacts"), Some("1" | "true"));
            Some(Embed {
                parent_origin,
                allowed,
                contacts,
            })
        }
    };
    // RingCentral's sign-in page cannot be framed: embedded widgets sign in in a popup.
    let login = if embed.is_some() {
        LoginFlow::Popup
    } else {
        login
    };

    let problems = problems.into_inner();
    if problems.is_empty() {
        Ok(WidgetConfig {
            client_id,
            server,
            redirect_uri,
            scope,
            poll_seconds,
            login,
            page_size,
            theme,
            density,
            session_key,
            persist,
            live,
            embed,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const PAGE: &str = "http://127.0.0.1:8080/";

    #[test]
    fn defaults_from_a_client_id_alone() {
        let c = from_pairs(&pairs(&[("clientId", "abc")]), PAGE).unwrap();
        assert_eq!(c.server, DEFAULT_SERVER);
        assert_eq!(c.redirect_uri, PAGE);
        assert_eq!(
            (c.scope, c.poll_seconds, c.login, c.page_size),
            (Scope::Extension, 10, LoginFlow::Auto, 1000)
        );
    }

    #[test]
    fn attribute_and_query_spellings() {
        let c = from_pairs(
            &pairs(&[
                ("data-client-id", "abc"),
                ("server", "http://127.0.0.1:8790/"),
                ("redirect-uri", "http://localhost:8080/cb"),
                ("scope", "Account"),
                ("poll-seconds", "6"),
                ("login", "popup"),
                ("pageSize", "50"),
            ]),
            PAGE,
        )
        .unwrap();
        assert_eq!(c.server, "http://127.0.0.1:8790");
        assert_eq!(c.redirect_uri, "http://localhost:8080/cb");
        assert_eq!(
            (c.scope, c.poll_seconds, c.login, c.page_size),
            (Scope::Account, 6, LoginFlow::Popup, 50)
        );
    }

    #[test]
    fn every_problem_is_named() {
        let e = from_pairs(
            &pairs(&[
                ("server", "http://evil.example"),
                ("redirectUri", "javascript:alert(1)"),
                ("scope", "galaxy"),
                ("pollSeconds", "1"),
                ("login", "magic"),
                ("pageSize", "0"),
            ]),
            PAGE,
        )
        .unwrap_err();
        let keys: Vec<&str> = e.iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            [
                "clientId",
                "server",
                "redirectUri",
                "scope",
                "pollSeconds",
                "login",
                "pageSize"
            ]
        );
        assert!(e[1].message.contains("https"));
        assert!(e[4].message.contains("10 active-calls requests a minute"));
    }

    #[test]
    fn theme_session_key_and_embed_mode() {
        let c = from_pairs(
            &pairs(&[
                ("clientId", "abc"),
                ("theme", "Dark"),
                ("session-key", "queue"),
                ("embed", "1"),
                ("parentOrigin", "http://127.0.0.1:8081"),
                ("resolveContacts", "1"),
            ]),
            PAGE,
        )
        .unwrap();
        assert_eq!((c.theme, c.session_key.as_str()), (Theme::Dark, "queue"));
        assert_eq!(c.density, Density::Comfortable);
        let dense = |v: &str| from_pairs(&pairs(&[("clientId", "a"), ("density", v)]), PAGE);
        assert_eq!(dense("Compact").map(|c| c.density), Ok(Density::Compact));
        assert_eq!(
            dense("tiny").map_err(|p| p[0].message.clone()),
            Err("is “tiny”; use comfortable or compact.".into())
        );
        assert_eq!(c.login, LoginFlow::Popup);
        let e = c.embed.unwrap();
        assert_eq!(e.allowed, ["http://127.0.0.1:8081"]);
        assert!(e.contacts);
        assert_eq!(c.persist, Persist::Tabs);
        assert!(c.live);
        let live = |v: &str| from_pairs(&pairs(&[("clientId", "abc"), ("live", v)]), PAGE);
        assert_eq!(live("OFF").map(|c| c.live), Ok(false));
        assert_eq!(
            live("sometimes").map_err(|p| p[0].message.clone()),
            Err("is “sometimes”; use auto or off.".into())
        );
        let persist = |v: &str| from_pairs(&pairs(&[("clientId", "abc"), ("persist", v)]), PAGE);
        assert_eq!(persist("Browser").map(|c| c.persist), Ok(Persist::Browser));
        assert_eq!(persist("tabs").map(|c| c.persist), Ok(Persist::Tabs));
        assert_eq!(
            persist("disk").map_err(|p| p[0].message.clone()),
            Err("is “disk”; use tabs or browser.".into())
        );

        let c = from_pairs(
            &pairs(&[
                ("clientId", "abc"),
                ("embed", "1"),
                ("parentOrigin", "https://crm.example"),
                (
                    "allowedOrigins",
                    "https://crm.example, https://admin.crm.example/",
                ),
            ]),
            PAGE,
        )
        .unwrap();
        assert_eq!(
            c.embed.unwrap().allowed,
            ["https://crm.example", "https://admin.crm.example"]
        );
    }

    #[test]
    fn embed_mode_needs_exact_origins() {
        for (parent, allowed, key) in [
            ("", "", "parentOrigin"),
            ("*", "", "parentOrigin"),
            ("https://crm.example/page", "", "parentOrigin"),
            ("http://crm.example", "", "parentOrigin"),
            ("https://crm.example", "*", "allowedOrigins"),
        ] {
            let e = from_pairs(
                &pairs(&[
                    ("clientId", "abc"),
                    ("embed", "1"),
                    ("parentOrigin", parent),
                    ("allowedOrigins", allowed),
                ]),
                PAGE,
            )
            .unwrap_err();
            assert_eq!(e[0].key, key, "{parent} {allowed}");
        }
        let e = from_pairs(&pairs(&[("clientId", "a"), ("theme", "pink")]), PAGE).unwrap_err();
        assert_eq!(e[0].key, "theme");
    }

    #[test]
    fn named_values_in_any_case_else_the_choices_said() {
        let c = from_pairs(
            &pairs(&[("clientId", "a"), ("scope", "ACCOUNT"), ("login", "Popup")]),
            PAGE,
        )
        .unwrap();
        assert_eq!((c.scope, c.login), (Scope::Account, LoginFlow::Popup));
        let e = from_pairs(
            &pairs(&[("clientId", "a"), ("scope", "all"), ("login", "x")]),
            PAGE,
        )
        .unwrap_err();
        assert_eq!(
            describe(&e),
            "scope is “all”; use extension (your calls) or account (all calls, admins only). \
             login is “x”; use auto, redirect or popup."
        );
    }

    #[test]
    fn a_mount_object_is_read_with_every_problem_named() {
        let object = serde_json::json!({"clientId": "abc", "pollSeconds": 6, "theme": true, "scope": null,
                                        "pollSecond": 5, "resolveContacts": {}});
        let m = MountConfig::deserialize(&object).unwrap();
        assert_eq!(m.client_id, Setting::Text("abc".into()));
        assert_eq!(
            (m.poll_seconds.clone(), m.theme.clone(), m.scope.clone()),
            (Setting::Number(6.0), Setting::Wrong, Setting::Absent)
        );
        let keys: Vec<String> = object.as_object().unwrap().keys().cloned().collect();
        let (pairs, problems) = m.pairs(&keys, true, |n| format!("{n}"));
        assert_eq!(
            pairs,
            [
                ("clientId".to_string(), "abc".to_string()),
                ("pollSeconds".into(), "6".into())
            ]
        );
        let said: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            said,
            [
                "option “theme” must be a string or a number.",
                "has an unknown option “pollSecond”."
            ]
        );
        // The element's attributes: unknown keys and odd values are let be.
        assert!(m.pairs(&keys, false, |n| format!("{n}")).1.is_empty());
        assert!(from_pairs(&pairs, PAGE).is_ok());
    }

    #[test]
    fn server_must_be_an_origin() {
        let e = from_pairs(
            &pairs(&[("clientId", "a"), ("server", "https://x.example/restapi")]),
            PAGE,
        )
        .unwrap_err();
        assert_eq!(e[0].key, "server");
    }
}
