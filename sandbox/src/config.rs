//! Who exists in the sandbox (client apps, the account and its extensions) and the tunable rules
//! (rate limits, traffic rates, linger time). Defaults make a working demo; a JSON file overrides them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub client_id: String,
    /// `None` for a public (browser) app that authenticates with PKCE and sends `client_id` in the form body.
    /// `Some` for a confidential app that sends `Authorization: Basic base64(id:secret)`.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Exact redirect URIs; RingCentral compares them character for character.
    pub redirect_uris: Vec<String>,
    /// App permissions, e.g. `ReadCallLog`, `ReadAccounts`.
    #[serde(default = "default_permissions")]
    pub permissions: Vec<String>,
    /// "Issue refresh tokens" (an app setting at RingCentral).
    #[serde(default = "yes")]
    pub refresh_tokens: bool,
}

fn default_permissions() -> Vec<String> {
    vec!["ReadCallLog".into(), "ReadAccounts".into()]
}

/// What the demo apps may do: read calls, and be told of them live (presence over a WebSocket).
fn live_permissions() -> Vec<String> {
    [
        "ReadCallLog",
        "ReadAccounts",
        "ReadPresence",
        "WebSocketsSubscription",
    ]
    .map(String::from)
    .to_vec()
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Extension id, a numeric string as RingCentral's ids are.
    pub id: String,
    pub extension_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Admins may read company (account-level) active calls (`ReadCompanyCallLog`).
    #[serde(default)]
    pub admin: bool,
    /// Direct number used as our side of PSTN calls.
    pub phone_number: String,
}

impl User {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Limit {
    pub requests: u32,
    pub window_secs: u32,
    pub penalty_secs: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Heavy group (active calls): 10 requests per 60 s, 60 s penalty (RingCentral's default plan).
    pub heavy: Limit,
    /// Medium group (creating a subscription): 40 per 60 s.
    pub medium: Limit,
    /// Light group (extension info, presence): 50 per 60 s.
    pub light: Limit,
    /// Auth group (every /restapi/oauth/* call): 5 per 60 s.
    pub auth: Limit,
    /// Seconds an ended call stays listed (RingCentral: "approximately 120 seconds").
    pub linger_secs: u32,
    /// Mean seconds between simulated calls, per extension; 0 turns simulated traffic off.
    pub mean_call_gap_secs: u32,
    /// Expose `X-Rate-Limit-*` and `Retry-After` to browsers through CORS (production may not).
    pub expose_rate_limit_headers: bool,
    pub access_token_ttl_secs: u32,
    pub refresh_token_ttl_secs: u32,
    /// Lifetime of an authorization code (RingCentral answers `expires_in=60`).
    pub code_ttl_secs: u32,
    /// How far active-calls lags behind events, in seconds: RingCentral's cache is 3–10 s behind
    /// (realtime-and-tabs.md D). 0 lists a call as soon as it changes.
    pub active_calls_lag_secs: u32,
    /// Answer every call in one page whatever `perPage` asks: a misbehaving server or proxy (abuse tests).
    pub ignore_per_page: bool,
    /// The WebSocket gateway.
    pub ws: WsSettings,
}

/// The gateway's numbers, as `ConnectionDetails` reports them (RingCentral's sample values by default).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct WsSettings {
    /// Lifetime of a `ws_access_token` (the mock's 60 s; the documentation's example says 30).
    pub token_ttl_secs: u32,
    /// A dropped session can be recovered with `wsc` this long.
    pub recovery_timeout_secs: u32,
    /// Events kept for a recovery.
    pub recovery_buffer_size: u32,
    /// A connection with nothing from the client this long is closed with WSG-902.
    pub idle_timeout_secs: u32,
    /// A connection this old is closed with WSG-903.
    pub absolute_timeout_secs: u32,
    pub max_connections_per_session: u32,
    pub max_active_requests: u32,
}

impl Default for WsSettings {
    fn default() -> Self {
        WsSettings {
            token_ttl_secs: 60,
            recovery_timeout_secs: 180,
            recovery_buffer_size: 100,
            idle_timeout_secs: 1800,
            absolute_timeout_secs: 86_400,
            max_connections_per_session: 50,
            max_active_requests: 10,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            heavy: Limit {
                requests: 10,
                window_secs: 60,
                penalty_secs: 60,
            },
            medium: Limit {
                requests: 40,
                window_secs: 60,
                penalty_secs: 60,
            },
            light: Limit {
                requests: 50,
                window_secs: 60,
                penalty_secs: 60,
            },
            auth: Limit {
                requests: 5,
                window_secs: 60,
                penalty_secs: 60,
            },
            linger_secs: 120,
            mean_call_gap_secs: 90,
            expose_rate_limit_headers: true,
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 604_800,
            code_ttl_secs: 60,
            active_calls_lag_secs: 0,
            ignore_per_page: false,
            ws: WsSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub name: String,
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct World {
    pub apps: Vec<App>,
    pub account: Account,
    #[serde(default)]
    pub settings: Settings,
}

impl App {
    /// Whether the app has this app permission (`ReadCallLog`, `WebSocketsSubscription`, …).
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

impl World {
    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }
    pub fn user(&self, id: &str) -> Option<&User> {
        self.account.users.iter().find(|u| u.id == id)
    }
    pub fn user_by_number(&self, number: &str) -> Option<&User> {
        self.account
            .users
            .iter()
            .find(|u| u.extension_number == number)
    }

    /// Checks what a file could get wrong, so a bad file fails at start with a clear message.
    pub fn validate(&self) -> Result<(), String> {
        if self.apps.is_empty() {
            return Err("no apps configured".into());
        }
        if self.account.users.is_empty() {
            return Err("the account has no users".into());
        }
        let mut seen = BTreeMap::new();
        for u in &self.account.users {
            if u.id.is_empty() || !u.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("user id {:?} must be numeric", u.id));
            }
            if seen.insert(u.id.clone(), ()).is_some() {
                return Err(format!("user id {} appears twice", u.id));
            }
        }
        for a in &self.apps {
            if a.redirect_uris.is_empty() {
                return Err(format!("app {} has no redirect URI", a.client_id));
            }
        }
        for l in [
            &self.settings.heavy,
            &self.settings.medium,
            &self.settings.light,
            &self.settings.auth,
        ] {
            if l.requests == 0 || l.window_secs == 0 {
                return Err(
                    "rate limits need at least one request and a window of at least one second"
                        .into(),
                );
            }
        }
        Ok(())
    }
}

impl Default for World {
    fn default() -> Self {
        let redirect = |port: u16| {
            vec![
                format!("http://127.0.0.1:{port}/"),
                format!("http://localhost:{port}/"),
            ]
        };
        let user = |id: &str, ext: &str, first: &str, last: &str, admin: bool, phone: &str| User {
            id: id.into(),
            extension_number: ext.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: format!(
                "{}.{}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            admin,
            phone_number: phone.into(),
        };
        World {
            apps: vec![
                App {
                    client_id: "demo-client".into(),
                    client_secret: None,
                    // The standalone widget, and the demo CRM page's sign-in callback (examples/crm).
                    redirect_uris: [
                        redirect(8080),
                        vec!["http://127.0.0.1:8081/callback.html".into()],
                    ]
                    .concat(),
                    permissions: live_permissions(),
                    refresh_tokens: true,
                },
                App {
                    client_id: "demo-server-app".into(),
                    client_secret: Some("demo-server-secret".into()),
                    redirect_uris: vec!["http://127.0.0.1:8790/callback".into()],
                    // Also telephony-session events, which need CallControl.
                    permissions: [live_permissions(), vec!["CallControl".into()]].concat(),
                    refresh_tokens: true,
                },
                App {
                    client_id: "no-calls-app".into(),
                    client_secret: None,
                    redirect_uris: redirect(8080),
                    permissions: vec!["ReadAccounts".into()],
                    refresh_tokens: false,
                },
            ],
            account: Account {
                id: "400618687004".into(),
                name: "Acme Sandbox Inc.".into(),
                users: vec![
                    user("400618687101", "101", "Ada", "Admin", true, "+16505550101"),
                    user("400618687102", "102", "Ben", "Baker", false, "+16505550102"),
                    user(
                        "400618687103",
                        "103",
                        "Chloe",
                        "Chen",
                        false,
                        "+16505550103",
                    ),
                    user(
                        "400618687104",
                        "104",
                        "Diego",
                        "Díaz",
                        false,
                        "+16505550104",
                    ),
                ],
            },
            settings: Settings::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_world_is_valid_and_has_an_admin_and_a_user() {
        let w = World::default();
        assert_eq!(w.validate(), Ok(()));
        assert!(w.account.users.iter().any(|u| u.admin));
        assert!(w.account.users.iter().any(|u| !u.admin));
        let demo = w.app("demo-client").map(|a| a.redirect_uris.clone());
        assert_eq!(
            demo,
            Some(vec![
                "http://127.0.0.1:8080/".to_string(),
                "http://localhost:8080/".to_string(),
                "http://127.0.0.1:8081/callback.html".to_string()
            ])
        );
    }

    #[test]
    fn file_with_only_apps_and_account_gets_default_settings() {
        let json = r#"{"apps":[{"clientId":"x","redirectUris":["http://a/"]}],
            "account":{"id":"1","name":"A","users":[{"id":"2","extensionNumber":"101","firstName":"A",
            "lastName":"B","email":"a@b","phoneNumber":"+1"}]}}"#;
        let w: World = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.settings, Settings::default());
        assert_eq!(w.apps[0].permissions, default_permissions());
        assert_eq!(w.validate(), Ok(()));
    }

    #[test]
    fn rejects_non_numeric_user_ids() {
        let mut w = World::default();
        w.account.users[0].id = "abc".into();
        assert!(w.validate().is_err());
    }
}
