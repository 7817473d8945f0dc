//! The pure half of the sign-in flow: the authorize URL, the token request bodies, and reading the callback.

use crate::config::WidgetConfig;
use crate::url;

/// What the page must remember across the round trip to RingCentral (kept in sessionStorage only for it).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub state: String,
    pub verifier: String,
    /// The page address to return to (with its configuration query), without `code`/`state`.
    pub return_to: String,
}

impl Pending {
    pub fn encode(&self) -> String {
        url::to_query(&[
            ("state", &self.state),
            ("verifier", &self.verifier),
            ("return", &self.return_to),
        ])
    }

    pub fn decode(s: &str) -> Option<Pending> {
        let q = url::parse_query(s);
        Some(Pending {
            state: url::get(&q, "state")?.to_string(),
            verifier: url::get(&q, "verifier")?.to_string(),
            return_to: url::get(&q, "return")?.to_string(),
        })
    }
}

/// A popup's `state` starts with this, so the page that loads in the popup knows to hand the result back.
pub const POPUP_STATE_PREFIX: &str = "p.";

pub fn authorize_url(c: &WidgetConfig, state: &str, challenge: &str, popup: bool) -> String {
    let mut q = vec![
        ("response_type", "code"),
        ("client_id", c.client_id.as_str()),
        ("redirect_uri", c.redirect_uri.as_str()),
        ("state", state),
        ("code_challenge", challenge),
        // RingCentral assumes `plain` when the method is omitted: always say S256.
        ("code_challenge_method", "S256"),
    ];
    if popup {
        q.push(("display", "popup"));
    }
    format!("{}/restapi/oauth/authorize?{}", c.server, url::to_query(&q))
}

pub fn code_body(c: &WidgetConfig, code: &str, verifier: &str) -> String {
    url::to_query(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &c.redirect_uri),
        ("client_id", &c.client_id),
        ("code_verifier", verifier),
    ])
}

pub fn refresh_body(c: &WidgetConfig, refresh_token: &str) -> String {
    url::to_query(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", &c.client_id),
    ])
}

pub fn revoke_body(c: &WidgetConfig, token: &str) -> String {
    url::to_query(&[("token", token), ("client_id", &c.client_id)])
}

/// What came back on the redirect URI.
#[derive(Debug, Clone, PartialEq)]
pub enum Callback {
    /// Not a callback: no `code`, `error` or `state` in the query.
    None,
    Code {
        code: String,
        state: String,
    },
    /// RingCentral (or the user) refused: `error`, `error_description`.
    Denied {
        error: String,
        description: String,
        state: String,
    },
}

pub fn read_callback(query: &str) -> Callback {
    let q = url::parse_query(query);
    let state = url::get(&q, "state").unwrap_or_default().to_string();
    if let Some(error) = url::get(&q, "error") {
        return Callback::Denied {
            error: error.to_string(),
            description: url::get(&q, "error_description")
                .unwrap_or_default()
                .to_string(),
            state,
        };
    }
    match url::get(&q, "code") {
        Some(code) if !code.is_empty() => Callback::Code {
            code: code.to_string(),
            state,
        },
        _ => Callback::None,
    }
}

/// The parameters RingCentral adds to the redirect URI, removed from the address bar after reading them.
pub const CALLBACK_PARAMS: &[&str] = &["code", "state", "expires_in", "error", "error_description"];

/// A sentence for a refused sign-in, after the codes Embeddable groups the same way (ringcentral-api.md 1.3).
pub fn denied_message(error: &str, description: &str) -> String {
    let what = match error {
        "access_denied" => "Sign-in was cancelled.",
        "server_error" | "temporarily_unavailable" => {
            "RingCentral could not sign you in just now. Try again in a minute."
        }
        "login_required" | "interaction_required" => "RingCentral needs you to sign in.",
        _ => "RingCentral refused the sign-in request. Check the app's Client ID and redirect URI.",
    };
    if description.is_empty() {
        format!("{what} ({error})")
    } else {
        format!("{what} ({error}: {description})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> WidgetConfig {
        crate::config::from_pairs(
            &[
                ("clientId".into(), "demo-client".into()),
                ("server".into(), "http://127.0.0.1:8790".into()),
            ],
            "http://127.0.0.1:8080/",
        )
        .unwrap()
    }

    #[test]
    fn authorize_url_sends_s256_and_exact_redirect() {
        let u = authorize_url(&cfg(), "s1", "ch", false);
        assert_eq!(
            u,
            "http://127.0.0.1:8790/restapi/oauth/authorize?response_type=code&client_id=demo-client\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F&state=s1&code_challenge=ch&code_challenge_method=S256"
        );
        assert!(authorize_url(&cfg(), "p.x", "ch", true).ends_with("&display=popup"));
    }

    #[test]
    fn token_bodies_carry_client_id_and_no_secret() {
        assert_eq!(
            code_body(&cfg(), "c", "v"),
            "grant_type=authorization_code&code=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F&client_id=demo-client&code_verifier=v"
        );
        assert_eq!(
            refresh_body(&cfg(), "r+1"),
            "grant_type=refresh_token&refresh_token=r%2B1&client_id=demo-client"
        );
        assert_eq!(revoke_body(&cfg(), "t"), "token=t&client_id=demo-client");
    }

    #[test]
    fn reads_callbacks() {
        assert_eq!(read_callback("?clientId=x"), Callback::None);
        assert_eq!(
            read_callback("?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&expires_in=60"),
            Callback::Code {
                code: "SplxlOBeZQQYbYS6WxSbIA".into(),
                state: "xyz".into()
            }
        );
        assert_eq!(
            read_callback("?error=access_denied&error_description=The+user+denied&state=s"),
            Callback::Denied {
                error: "access_denied".into(),
                description: "The user denied".into(),
                state: "s".into()
            }
        );
    }

    #[test]
    fn pending_round_trips() {
        let p = Pending {
            state: "p.a&b".into(),
            verifier: "v".into(),
            return_to: "http://h/?clientId=a&x=1".into(),
        };
        assert_eq!(Pending::decode(&p.encode()), Some(p));
        assert_eq!(Pending::decode("state=a"), None);
    }

    #[test]
    fn denied_messages() {
        assert!(denied_message("access_denied", "").starts_with("Sign-in was cancelled."));
        assert!(
            denied_message("invalid_request", "Code challenge is required")
                .contains("Code challenge is required")
        );
    }
}
