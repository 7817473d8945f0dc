//! Event filters of a subscription: which ones the sandbox knows, who may use them, and which events they match.
//! RingCentral accepts them with or without the `/restapi/v1.0` prefix and with `~` or real ids
//! (realtime-and-tabs.md C; ringcentral-api.md 4.1).

use crate::config::{App, User, World};
use crate::errors::ApiError;
use crate::events::{Detail, Event};
use crate::params::Params;
use axum::http::StatusCode;

#[derive(Debug, Clone, PartialEq)]
pub enum Topic {
    Presence(Detail),
    /// Telephony sessions, with the optional `direction` and `statusCode` query filters.
    Sessions {
        direction: Option<String>,
        status_codes: Vec<String>,
    },
}

/// Whose events: one extension, or (admins) every extension of the account.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Extension(String),
    Account,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// As the client sent it, echoed in the subscription.
    pub raw: String,
    pub topic: Topic,
    pub scope: Scope,
}

/// `Parameter [eventFilters] value is invalid` (CMN-101), as RingCentral answers an unknown filter.
pub fn invalid() -> ApiError {
    ApiError::invalid_parameter("eventFilters")
}

/// Reads one filter as `owner` (the signed-in extension) sees it.
pub fn parse(raw: &str, owner: &User, world: &World) -> Result<Filter, ApiError> {
    let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
    let path = path.strip_prefix("/restapi/v1.0").unwrap_or(path);
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let (account, rest) = match parts.as_slice() {
        ["", "account", account, rest @ ..] => (*account, rest),
        _ => return Err(invalid()),
    };
    if account != "~" && account != world.account.id {
        return Err(ApiError::rest(
            StatusCode::FORBIDDEN,
            "SUB-406",
            "Not allowed subscribe for events to extensions of other account",
        ));
    }
    let (scope, topic) = match rest {
        ["extension", ext, topic @ ..] => {
            let id = if *ext == "~" { owner.id.as_str() } else { ext };
            if world.user(id).is_none() {
                return Err(ApiError::rest(
                    StatusCode::FORBIDDEN,
                    "SUB-408",
                    "Not allowed subscribe for unknown user",
                ));
            }
            (Scope::Extension(id.to_string()), topic)
        }
        topic => (Scope::Account, topic),
    };
    let p = Params::parse(query);
    let allowed: &[&str] = match topic {
        ["presence"] => &["detailedTelephonyState", "sipData", "aggregated"],
        ["telephony", "sessions"] => &[
            "direction",
            "missedCall",
            "phoneNumber",
            "sipData",
            "statusCode",
            "withRecordings",
        ],
        _ => return Err(invalid()),
    };
    if p.0.iter().any(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(invalid());
    }
    let topic = if topic == ["presence"] {
        let detail = Detail::from_query(&p).map_err(|_| invalid())?;
        p.flag("aggregated").map_err(|_| invalid())?;
        Topic::Presence(detail)
    } else {
        let direction = match p.one("direction").map_err(|_| invalid())? {
            None => None,
            Some(d) if d.eq_ignore_ascii_case("inbound") => Some("Inbound".to_string()),
            Some(d) if d.eq_ignore_ascii_case("outbound") => Some("Outbound".to_string()),
            Some(_) => return Err(invalid()),
        };
        let status_codes = p
            .all("statusCode")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        for name in ["missedCall", "sipData", "withRecordings"] {
            p.flag(name).map_err(|_| invalid())?;
        }
        Topic::Sessions {
            direction,
            status_codes,
        }
    };
    Ok(Filter {
        raw: raw.to_string(),
        topic,
        scope,
    })
}

/// The permissions a filter needs, checked in RingCentral's order: the app's, then the user's.
pub fn authorize(f: &Filter, app: &App, owner: &User) -> Result<(), ApiError> {
    let (app_permission, company_permission) = match f.topic {
        Topic::Presence(_) => ("ReadPresence", "ReadPresenceStatus"),
        Topic::Sessions { .. } => ("CallControl", "ReadCompanyCallLog"),
    };
    if !app.has(app_permission) {
        return Err(ApiError::app_permission_missing(app_permission));
    }
    match &f.scope {
        Scope::Extension(id) if id != &owner.id && !owner.admin => Err(ApiError::rest(
            StatusCode::FORBIDDEN,
            "CMN-404",
            "Attempt to access another extension",
        )),
        Scope::Account if !owner.admin => {
            Err(ApiError::insufficient_permissions(company_permission))
        }
        _ => Ok(()),
    }
}

impl Filter {
    /// The `event` field of a notification this filter delivers, or `None` when it does not match.
    pub fn event_path(&self, e: &Event, account_id: &str) -> Option<String> {
        let ext = e.extension_id();
        if let Scope::Extension(id) = &self.scope {
            if id != ext {
                return None;
            }
        }
        match (&self.topic, e) {
            (Topic::Presence(detail), Event::Presence { .. }) => Some(format!(
                "/restapi/v1.0/account/{account_id}/extension/{ext}/presence{}",
                detail.query()
            )),
            (
                Topic::Sessions {
                    direction,
                    status_codes,
                },
                Event::Session {
                    direction: d,
                    status,
                    ..
                },
            ) => {
                let wanted = direction.as_ref().is_none_or(|x| x == d)
                    && (status_codes.is_empty() || status_codes.iter().any(|s| s == status));
                wanted.then(|| match self.scope {
                    Scope::Extension(_) => {
                        format!(
                            "/restapi/v1.0/account/{account_id}/extension/{ext}/telephony/sessions"
                        )
                    }
                    Scope::Account => {
                        format!("/restapi/v1.0/account/{account_id}/telephony/sessions")
                    }
                })
            }
            _ => None,
        }
    }

    /// Which body of the event this filter delivers.
    pub fn detail(&self) -> Detail {
        match self.topic {
            Topic::Presence(d) => d,
            Topic::Sessions { .. } => Detail::Detailed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::default()
    }

    #[test]
    fn known_filters_in_both_spellings() {
        let w = world();
        let ada = &w.account.users[0];
        let f = parse(
            "/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true&sipData=true",
            ada,
            &w,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.topic, Topic::Presence(Detail::WithSip));
        assert_eq!(f.scope, Scope::Extension(ada.id.clone()));
        let f =
            parse("/account/~/extension/~/presence", ada, &w).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.topic, Topic::Presence(Detail::Basic));
        let f = parse(
            "/restapi/v1.0/account/400618687004/telephony/sessions?direction=Inbound&statusCode=Setup,Answered",
            ada,
            &w,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.scope, Scope::Account);
        assert_eq!(
            f.topic,
            Topic::Sessions {
                direction: Some("Inbound".into()),
                status_codes: vec!["Setup".into(), "Answered".into()]
            }
        );
    }

    #[test]
    fn unknown_and_malformed_filters_are_cmn_101() {
        let w = world();
        let ada = &w.account.users[0];
        for raw in [
            "",
            "presence",
            "/restapi/v1.0/account/~/extension/~/message-store",
            "/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=maybe",
            "/restapi/v1.0/account/~/extension/~/presence?colour=red",
            "/restapi/v1.0/account/~/extension/~/telephony/sessions?direction=Sideways",
        ] {
            assert_eq!(
                parse(raw, ada, &w).map_err(|e| e.code().to_string()),
                Err("CMN-101".into()),
                "{raw}"
            );
        }
        let other = parse("/restapi/v1.0/account/1/extension/~/presence", ada, &w);
        assert_eq!(
            other.map_err(|e| e.code().to_string()),
            Err("SUB-406".into())
        );
        let unknown = parse("/restapi/v1.0/account/~/extension/999/presence", ada, &w);
        assert_eq!(
            unknown.map_err(|e| e.code().to_string()),
            Err("SUB-408".into())
        );
    }

    #[test]
    fn permissions_of_the_app_and_the_user() {
        let w = world();
        let (ada, ben) = (&w.account.users[0], &w.account.users[1]);
        let mut app = w.apps[0].clone();
        app.permissions = vec!["ReadCallLog".into()];
        let presence = parse("/restapi/v1.0/account/~/extension/~/presence", ben, &w)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            authorize(&presence, &app, ben).map_err(|e| e.code().to_string()),
            Err("CMN-401".into())
        );
        app.permissions.push("ReadPresence".into());
        assert_eq!(authorize(&presence, &app, ben), Ok(()));
        let company =
            parse("/restapi/v1.0/account/~/presence", ben, &w).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            authorize(&company, &app, ben).map_err(|e| e.code().to_string()),
            Err("CMN-408".into())
        );
        assert_eq!(authorize(&company, &app, ada), Ok(()));
        let adas = parse(
            &format!("/restapi/v1.0/account/~/extension/{}/presence", ada.id),
            ben,
            &w,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            authorize(&adas, &app, ben).map_err(|e| e.code().to_string()),
            Err("CMN-404".into())
        );
        let sessions = parse(
            "/restapi/v1.0/account/~/extension/~/telephony/sessions",
            ada,
            &w,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            authorize(&sessions, &app, ada).map_err(|e| e.code().to_string()),
            Err("CMN-401".into())
        );
    }
}
