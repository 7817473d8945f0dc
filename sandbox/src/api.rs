//! The REST endpoints the widget reads: the signed-in extension and the active calls (ringcentral-api.md 2, 3).

use crate::errors::ApiError;
use crate::events::Detail;
use crate::params::{Params, Segments};
use crate::ratelimit::Group;
use crate::state::AppState;
use crate::tokens::Session;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde_json::json;

/// Checks the bearer token (scheme compared case-insensitively: the JS SDK sends `bearer`).
pub fn authenticate(st: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let unauthorized = |code: &str, m: &str| ApiError::rest(StatusCode::UNAUTHORIZED, code, m);
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("OAU-123", "Authorization header is not specified"))?;
    let value = value
        .to_str()
        .map_err(|_| unauthorized("OAU-134", "Invalid Authorization header."))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized(
            "OAU-151",
            "Authorization method not supported",
        ));
    }
    let token = token.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(unauthorized("OAU-149", "Unparsable access token"));
    }
    let now = st.clock.now();
    st.lock()
        .tokens
        .authenticate(token, now)
        .map_err(|p| p.to_error())
}

pub fn rate_key(s: &Session) -> String {
    format!("{}/{}", s.user_id, s.client_id)
}

/// `~` or the real id.
fn resolve_account(st: &AppState, account: &str) -> Result<(), ApiError> {
    let id = st.lock().world.account.id.clone();
    if account == "~" || account == id {
        Ok(())
    } else {
        Err(ApiError::rest(
            StatusCode::NOT_FOUND,
            "CMN-102",
            "Resource for parameter [accountId] is not found",
        ))
    }
}

/// The extension a path names, as the session may see it: `~` is the signed-in one; another needs an admin.
fn resolve_extension(st: &AppState, s: &Session, ext: &str) -> Result<String, ApiError> {
    let g = st.lock();
    let id = if ext == "~" {
        s.user_id.clone()
    } else {
        ext.to_string()
    };
    if g.world.user(&id).is_none() {
        return Err(ApiError::rest(
            StatusCode::NOT_FOUND,
            "CMN-102",
            "Resource for parameter [extensionId] is not found",
        ));
    }
    let admin = g.world.user(&s.user_id).is_some_and(|u| u.admin);
    if id != s.user_id && !admin {
        return Err(ApiError::rest(
            StatusCode::FORBIDDEN,
            "CMN-404",
            "Attempt to access another extension",
        ));
    }
    Ok(id)
}

/// `GET /restapi/v1.0/account/{accountId}/extension/{extensionId}` (Light group).
pub async fn extension_info(
    State(st): State<AppState>,
    Segments((account, ext)): Segments<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = authenticate(&st, &headers)?;
    let rate = st.charge(&rate_key(&session), Group::Light)?;
    rate.answer((|| {
        resolve_account(&st, &account)?;
        let id = resolve_extension(&st, &session, &ext)?;
        let g = st.lock();
        let (Some(u), acc) = (g.world.user(&id), &g.world.account) else {
            return Err(ApiError::not_found());
        };
        let base = &st.public_url;
        Ok(Json(json!({
            "uri": format!("{base}/restapi/v1.0/account/{}/extension/{}", acc.id, u.id),
            "id": u.id.parse::<u64>().unwrap_or(0),
            "extensionNumber": u.extension_number,
            "name": u.name(),
            "type": "User",
            "status": "Enabled",
            "contact": {
                "firstName": u.first_name, "lastName": u.last_name, "email": u.email,
                "businessPhone": u.phone_number, "company": acc.name,
            },
            "account": { "uri": format!("{base}/restapi/v1.0/account/{}", acc.id), "id": acc.id },
            "permissions": { "admin": { "enabled": u.admin }, "internationalCalling": { "enabled": false } },
        })))
    })())
}

/// `GET /restapi/v1.0/account/{accountId}/extension/{extensionId}/presence` (Light group, `ReadPresence`): the
/// same body as a presence event, with `detailedTelephonyState` and `sipData` as the query asks.
pub async fn presence(
    State(st): State<AppState>,
    Segments((account, ext)): Segments<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = authenticate(&st, &headers)?;
    let rate = st.charge(&rate_key(&session), Group::Light)?;
    rate.answer((|| {
        resolve_account(&st, &account)?;
        require_app_permission(&st, &session, "ReadPresence")?;
        let id = resolve_extension(&st, &session, &ext)?;
        let p = Params::parse(q.as_deref().unwrap_or(""));
        let detail = Detail::from_query(&p).map_err(|n| ApiError::invalid_parameter(&n))?;
        let g = st.lock();
        let acc = g.world.account.id.clone();
        let mut body = g
            .presence_now(&id, detail)
            .ok_or_else(ApiError::not_found)?;
        let ext_uri = format!(
            "{}/restapi/v1.0/account/{acc}/extension/{id}",
            st.public_url
        );
        body["uri"] = json!(format!("{ext_uri}/presence"));
        body["extension"] = json!({
            "uri": ext_uri,
            "id": id.parse::<u64>().unwrap_or(0),
            "extensionNumber": g.world.user(&id).map(|u| u.extension_number.clone()),
        });
        Ok(Json(body))
    })())
}

fn require_app_permission(st: &AppState, s: &Session, permission: &str) -> Result<(), ApiError> {
    let ok = st
        .lock()
        .world
        .app(&s.client_id)
        .is_some_and(|a| a.has(permission));
    if ok {
        Ok(())
    } else {
        Err(ApiError::app_permission_missing(permission))
    }
}

/// `GET /restapi/v1.0/account/{accountId}/extension/{extensionId}/active-calls`
pub async fn extension_active_calls(
    State(st): State<AppState>,
    Segments((account, ext)): Segments<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    active_calls(st, account, Some(ext), q, headers)
}

/// `GET /restapi/v1.0/account/{accountId}/active-calls` (admins only).
pub async fn account_active_calls(
    State(st): State<AppState>,
    Segments(account): Segments<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    active_calls(st, account, None, q, headers)
}

fn parse_enum_list(p: &Params, name: &str, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
    p.all(name)
        .into_iter()
        .map(|v| {
            allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(v))
                .map(|a| a.to_string())
                .ok_or_else(|| ApiError::invalid_parameter(name))
        })
        .collect()
}

fn active_calls(
    st: AppState,
    account: String,
    ext: Option<String>,
    q: Option<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = authenticate(&st, &headers)?;
    // Heavy group: counted before anything else is checked, as at RingCentral.
    let rate = st.charge(&rate_key(&session), Group::Heavy)?;
    rate.answer((|| {
        resolve_account(&st, &account)?;
        require_app_permission(&st, &session, "ReadCallLog")?;
        let only_ext = match &ext {
            Some(e) => Some(resolve_extension(&st, &session, e)?),
            None => {
                let admin = st
                    .lock()
                    .world
                    .user(&session.user_id)
                    .is_some_and(|u| u.admin);
                if !admin {
                    return Err(ApiError::insufficient_permissions("ReadCompanyCallLog"));
                }
                None
            }
        };
        let p = Params::parse(q.as_deref().unwrap_or(""));
        let dup = |n: String| ApiError::invalid_parameter(&n);
        let view = match p.one("view").map_err(dup)? {
            None => "Simple",
            Some(v) if v.eq_ignore_ascii_case("simple") => "Simple",
            Some(v) if v.eq_ignore_ascii_case("detailed") => "Detailed",
            Some(_) => return Err(ApiError::invalid_parameter("view")),
        };
        let filter = crate::calls::Filter {
            direction: parse_enum_list(&p, "direction", &["Inbound", "Outbound"])?,
            call_type: parse_enum_list(&p, "type", &["Voice", "Fax"])?,
            transport: parse_enum_list(&p, "transport", &["PSTN", "VoIP"])?,
        };
        parse_enum_list(&p, "conferenceType", &["AudioConferencing", "Meetings"])?;
        let page = match p.one("page").map_err(dup)? {
            None => 1,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| ApiError::invalid_parameter("page"))?,
        };
        let per_page = match p.one("perPage").map_err(dup)? {
            None => 100,
            Some("max") => 1000,
            // Above 1000 is clamped to 1000, as RingCentral does.
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .map(|n| n.min(1000))
                .ok_or_else(|| ApiError::invalid_parameter("perPage"))?,
        };
        let g = st.lock();
        let acc = g.world.account.id.clone();
        // RingCentral's list is a cache that lags the calls themselves (realtime-and-tabs.md D).
        let as_of = st.clock.now() - g.world.settings.active_calls_lag_secs as i64 * 1000;
        let mut calls: Vec<_> = g
            .calls
            .iter()
            .filter(|c| only_ext.as_ref().is_none_or(|e| &c.extension_id == e))
            .filter(|c| filter.matches(c))
            .collect();
        // Newest first ("ordered by start time in descending order"); id breaks ties for a stable order.
        calls.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| b.id.cmp(&a.id)));
        let listed: Vec<_> = calls
            .iter()
            .filter_map(|c| Some((*c, c.phase_at(as_of)?)))
            .collect();
        let per_page = if g.world.settings.ignore_per_page {
            calls.len().max(1)
        } else {
            per_page
        };
        let path = match &only_ext {
            Some(e) => format!("/restapi/v1.0/account/{acc}/extension/{e}/active-calls"),
            None => format!("/restapi/v1.0/account/{acc}/active-calls"),
        };
        let kept = p.encode_without(&["page", "perPage"]);
        let detailed = view == "Detailed";
        Ok(Json(crate::calls::page_response(
            listed.len(),
            |i| {
                let (c, phase) = listed[i];
                c.render(phase, &st.public_url, &acc, detailed)
            },
            page,
            per_page,
            &st.public_url,
            &path,
            &kept,
        )))
    })())
}
