//! Authorization codes, sessions and tokens, with RingCentral's rules (ringcentral-api.md 1.4–1.7):
//! single-use codes valid 60 s; single-use rotating refresh tokens; the previous access token dies at once on
//! refresh; the previous refresh token keeps answering with the same new pair until ~10 s after the new access
//! token is first used (or 60 min if it never is); revoking any token ends the whole session; at most five
//! parallel sessions per user and app. Pure logic over an explicit `now`, so every rule is unit-tested.

use crate::clock::Millis;
use crate::errors::ApiError;
use crate::pkce::ChallengeMethod;
use axum::http::StatusCode;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::Serialize;
use std::collections::HashMap;

/// After the new access token is first used, the previous refresh token still works this long.
pub const REFRESH_GRACE_AFTER_USE_MS: Millis = 10_000;
/// If the new access token is never used, the previous refresh token works this long.
pub const REFRESH_GRACE_UNUSED_MS: Millis = 60 * 60_000;
/// RingCentral's usual limit of parallel active sessions per user and app (`api-docs:docs/authentication/tokens.md`).
pub const MAX_SESSIONS_PER_USER_AND_APP: usize = 5;

#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<(String, ChallengeMethod)>,
    pub user_id: String,
    pub scope: String,
    pub expires_at: Millis,
    pub used: bool,
    /// The session the code was exchanged for; a replay ends it (RFC 6749 section 4.1.2).
    pub session: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub endpoint_id: String,
    pub scope: String,
    pub created_at: Millis,
    pub access_token: String,
    pub access_expires_at: Millis,
    /// When the current access token was first presented to the API.
    pub access_first_used: Option<Millis>,
    pub refresh_token: Option<String>,
    pub refresh_expires_at: Millis,
    /// The refresh token this pair replaced, still answering during its grace period.
    pub previous_refresh: Option<PreviousRefresh>,
    pub access_ttl_secs: u32,
    pub refresh_ttl_secs: u32,
}

#[derive(Debug, Clone)]
pub struct PreviousRefresh {
    pub token: String,
    pub rotated_at: Millis,
}

/// TokenInfo, as `POST /restapi/oauth/token` answers (ringcentral-api.md 1.5).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenInfo {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_in: Option<i64>,
    pub scope: String,
    pub owner_id: String,
    pub endpoint_id: String,
    pub session_id: String,
}

/// Why an access token was refused on the API.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessProblem {
    NotFound,
    Expired,
}

impl AccessProblem {
    pub fn to_error(&self) -> ApiError {
        match self {
            AccessProblem::NotFound => {
                ApiError::rest(StatusCode::UNAUTHORIZED, "OAU-213", "Token not found")
            }
            AccessProblem::Expired => {
                ApiError::rest(StatusCode::UNAUTHORIZED, "OAU-128", "Access token expired.")
            }
        }
    }
}

pub struct TtlRequest {
    pub access: Option<u32>,
    pub refresh: Option<u32>,
}

#[derive(Debug, Default)]
pub struct TokenStore {
    codes: HashMap<String, CodeGrant>,
    sessions: HashMap<String, Session>,
    /// access token → session id (current access tokens only)
    access_index: HashMap<String, String>,
    /// refresh token → session id (current and previous refresh tokens)
    refresh_index: HashMap<String, String>,
}

pub fn random_token(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn invalid_grant(code: &str, msg: &str) -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_grant", code, msg)
}

impl TokenStore {
    pub fn clear(&mut self) {
        *self = TokenStore::default();
    }

    pub fn issue_code(&mut self, grant: CodeGrant) -> String {
        let code = random_token(32);
        self.codes.insert(code.clone(), grant);
        code
    }

    /// `grant_type=authorization_code`.
    #[allow(clippy::too_many_arguments)] // the token request's own fields, passed through as they came `client_id` is the authenticated (confidential) or declared (public) client.
    pub fn exchange_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        ttl: TtlRequest,
        defaults: (u32, u32),
        issue_refresh: bool,
        now: Millis,
    ) -> Result<TokenInfo, ApiError> {
        let Some(grant) = self.codes.get_mut(code) else {
            return Err(invalid_grant("OAU-106", "Invalid authorization code"));
        };
        if grant.used {
            // A replayed code is a sign of theft: end whatever it was exchanged for.
            let session = grant.session.take();
            if let Some(s) = session {
                self.end_session(&s);
            }
            return Err(invalid_grant("OAU-106", "Invalid authorization code"));
        }
        if now >= grant.expires_at {
            return Err(invalid_grant("OAU-108", "Authorization code is expired"));
        }
        if grant.client_id != client_id {
            return Err(invalid_grant(
                "OAU-110",
                "Code is not issued for this application",
            ));
        }
        if redirect_uri != Some(grant.redirect_uri.as_str()) {
            return Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_redirect_uri",
                "OAU-109",
                "Redirect URIs do not match",
            ));
        }
        if let Some((challenge, method)) = &grant.challenge {
            let Some(verifier) = verifier.filter(|v| !v.is_empty()) else {
                return Err(ApiError::oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "OAU-101",
                    "Parameter [code_verifier] is not specified",
                ));
            };
            if !crate::pkce::verify(verifier, challenge, method) {
                return Err(invalid_grant("OAU-106", "Invalid code verifier"));
            }
        }
        grant.used = true;
        let (user_id, scope, client) = (
            grant.user_id.clone(),
            grant.scope.clone(),
            grant.client_id.clone(),
        );
        let session =
            self.start_session(&client, &user_id, &scope, ttl, defaults, issue_refresh, now);
        if let Some(g) = self.codes.get_mut(code) {
            g.session = Some(session.clone());
        }
        self.token_info(&session, now)
    }

    #[allow(clippy::too_many_arguments)]
    fn start_session(
        &mut self,
        client_id: &str,
        user_id: &str,
        scope: &str,
        ttl: TtlRequest,
        defaults: (u32, u32),
        issue_refresh: bool,
        now: Millis,
    ) -> String {
        let (access_ttl, refresh_ttl) = clamp_ttls(ttl, defaults);
        // Beyond the parallel-session limit the oldest session of this user and app ends.
        let mut mine: Vec<(Millis, String)> = self
            .sessions
            .values()
            .filter(|s| s.client_id == client_id && s.user_id == user_id)
            .map(|s| (s.created_at, s.id.clone()))
            .collect();
        mine.sort();
        while mine.len() >= MAX_SESSIONS_PER_USER_AND_APP {
            let (_, id) = mine.remove(0);
            self.end_session(&id);
        }
        let id = random_token(22);
        let access = random_token(48);
        let refresh = issue_refresh.then(|| random_token(48));
        self.access_index.insert(access.clone(), id.clone());
        if let Some(r) = &refresh {
            self.refresh_index.insert(r.clone(), id.clone());
        }
        self.sessions.insert(
            id.clone(),
            Session {
                id: id.clone(),
                client_id: client_id.into(),
                user_id: user_id.into(),
                endpoint_id: random_token(22),
                scope: scope.into(),
                created_at: now,
                access_token: access,
                access_expires_at: now + access_ttl as Millis * 1000,
                access_first_used: None,
                refresh_token: refresh,
                refresh_expires_at: now + refresh_ttl as Millis * 1000,
                previous_refresh: None,
                access_ttl_secs: access_ttl,
                refresh_ttl_secs: refresh_ttl,
            },
        );
        id
    }

    fn token_info(&self, session_id: &str, now: Millis) -> Result<TokenInfo, ApiError> {
        let s = self
            .sessions
            .get(session_id)
            .ok_or_else(|| invalid_grant("OAU-213", "Token not found"))?;
        Ok(TokenInfo {
            access_token: s.access_token.clone(),
            token_type: "bearer",
            expires_in: ((s.access_expires_at - now) / 1000).max(0),
            refresh_token: s.refresh_token.clone(),
            refresh_token_expires_in: s
                .refresh_token
                .as_ref()
                .map(|_| ((s.refresh_expires_at - now) / 1000).max(0)),
            scope: s.scope.clone(),
            owner_id: s.user_id.clone(),
            endpoint_id: s.endpoint_id.clone(),
            session_id: s.id.clone(),
        })
    }

    /// `grant_type=refresh_token`.
    pub fn refresh(
        &mut self,
        refresh_token: &str,
        client_id: &str,
        ttl: TtlRequest,
        now: Millis,
    ) -> Result<TokenInfo, ApiError> {
        let not_found = || invalid_grant("OAU-213", "Token not found");
        let session_id = self
            .refresh_index
            .get(refresh_token)
            .cloned()
            .ok_or_else(not_found)?;
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return Err(not_found());
        };
        if s.client_id != client_id {
            return Err(invalid_grant(
                "OAU-110",
                "Token is not issued for this application",
            ));
        }
        if s.refresh_token.as_deref() == Some(refresh_token) {
            if now >= s.refresh_expires_at {
                return Err(invalid_grant("OAU-210", "Token expired"));
            }
            // Rotate: the old access token dies now; the old refresh token enters its grace period.
            // Without a requested TTL the session keeps the lifetimes it was given.
            let (access_ttl, refresh_ttl) =
                clamp_ttls(ttl, (s.access_ttl_secs, s.refresh_ttl_secs));
            let old_access = std::mem::replace(&mut s.access_token, random_token(48));
            let new_refresh = random_token(48);
            let old_refresh = s.refresh_token.replace(new_refresh.clone());
            let dropped_previous = s.previous_refresh.take();
            s.previous_refresh = old_refresh.map(|token| PreviousRefresh {
                token,
                rotated_at: now,
            });
            s.access_expires_at = now + access_ttl as Millis * 1000;
            s.refresh_expires_at = now + refresh_ttl as Millis * 1000;
            s.access_first_used = None;
            s.access_ttl_secs = access_ttl;
            s.refresh_ttl_secs = refresh_ttl;
            let new_access = s.access_token.clone();
            self.access_index.remove(&old_access);
            self.access_index.insert(new_access, session_id.clone());
            if let Some(p) = dropped_previous {
                self.refresh_index.remove(&p.token);
            }
            self.refresh_index.insert(new_refresh, session_id.clone());
            return self.token_info(&session_id, now);
        }
        // The previous refresh token: same new pair while its grace lasts.
        let in_grace = match &s.previous_refresh {
            Some(p) if p.token == refresh_token => {
                let deadline = match s.access_first_used {
                    Some(used) => (used + REFRESH_GRACE_AFTER_USE_MS)
                        .min(p.rotated_at + REFRESH_GRACE_UNUSED_MS),
                    None => p.rotated_at + REFRESH_GRACE_UNUSED_MS,
                };
                now < deadline
            }
            _ => false,
        };
        if in_grace {
            self.token_info(&session_id, now)
        } else {
            if let Some(p) = s.previous_refresh.take() {
                self.refresh_index.remove(&p.token);
            }
            Err(not_found())
        }
    }

    /// Checks a bearer token for an API call and records its first use.
    pub fn authenticate(
        &mut self,
        access_token: &str,
        now: Millis,
    ) -> Result<Session, AccessProblem> {
        let id = self
            .access_index
            .get(access_token)
            .ok_or(AccessProblem::NotFound)?;
        let s = self.sessions.get_mut(id).ok_or(AccessProblem::NotFound)?;
        if now >= s.access_expires_at {
            return Err(AccessProblem::Expired);
        }
        s.access_first_used.get_or_insert(now);
        Ok(s.clone())
    }

    /// `POST /restapi/oauth/revoke`: any token of a session ends all of it. Unknown tokens are not an error
    /// (RFC 7009 section 2.2). Returns whether a session ended.
    pub fn revoke(&mut self, token: &str, client_id: Option<&str>) -> bool {
        let id = self
            .access_index
            .get(token)
            .or_else(|| self.refresh_index.get(token))
            .cloned();
        match id {
            Some(id)
                if client_id
                    .is_none_or(|c| self.sessions.get(&id).is_some_and(|s| s.client_id == c)) =>
            {
                self.end_session(&id);
                true
            }
            _ => false,
        }
    }

    pub fn end_session(&mut self, id: &str) {
        if let Some(s) = self.sessions.remove(id) {
            self.access_index.remove(&s.access_token);
            if let Some(r) = &s.refresh_token {
                self.refresh_index.remove(r);
            }
            if let Some(p) = &s.previous_refresh {
                self.refresh_index.remove(&p.token);
            }
        }
    }

    /// Control API: make a user's (or one token's session's) access or refresh tokens expire now.
    pub fn expire(
        &mut self,
        user_id: Option<&str>,
        token: Option<&str>,
        refresh: bool,
        now: Millis,
    ) -> usize {
        let by_token = token.and_then(|t| {
            self.access_index
                .get(t)
                .or_else(|| self.refresh_index.get(t))
                .cloned()
        });
        let mut n = 0;
        for s in self.sessions.values_mut() {
            let hit = by_token.as_deref() == Some(s.id.as_str())
                || user_id.is_some_and(|u| u == s.user_id);
            if hit {
                if refresh {
                    s.refresh_expires_at = now;
                    s.previous_refresh = None;
                } else {
                    s.access_expires_at = now;
                }
                n += 1;
            }
        }
        n
    }

    /// Whether an OAuth session still lives: not revoked or replaced, and not past the end of its refresh token
    /// (or, without one, of its access token). The gateway closes the sockets of a session that does not.
    pub fn session_alive(&self, id: &str, now: Millis) -> bool {
        self.sessions.get(id).is_some_and(|s| {
            let end = if s.refresh_token.is_some() {
                s.refresh_expires_at
            } else {
                s.access_expires_at
            };
            now < end
        })
    }

    /// The user a refresh token (current or in its grace period) belongs to.
    pub fn owner_of_refresh(&self, token: &str) -> Option<(String, String)> {
        let s = self.sessions.get(self.refresh_index.get(token)?)?;
        Some((s.user_id.clone(), s.client_id.clone()))
    }

    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}

/// RingCentral accepts `access_token_ttl` 600–3600 and `refresh_token_ttl` up to 2,592,000 s (30 days).
fn clamp_ttls(req: TtlRequest, defaults: (u32, u32)) -> (u32, u32) {
    let access = req.access.map(|t| t.clamp(600, 3600)).unwrap_or(defaults.0);
    let refresh = req
        .refresh
        .map(|t| t.clamp(access, 2_592_000))
        .unwrap_or(defaults.1);
    (access, refresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: (u32, u32) = (3600, 604_800);

    fn no_ttl() -> TtlRequest {
        TtlRequest {
            access: None,
            refresh: None,
        }
    }

    fn grant(now: Millis) -> CodeGrant {
        CodeGrant {
            client_id: "app".into(),
            redirect_uri: "http://localhost:8080/".into(),
            challenge: Some((
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
                ChallengeMethod::S256,
            )),
            user_id: "101".into(),
            scope: "ReadCallLog".into(),
            expires_at: now + 60_000,
            used: false,
            session: None,
        }
    }

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const REDIRECT: Option<&str> = Some("http://localhost:8080/");

    /// `exchange_code` with the defaults every test but the TTL one uses.
    fn exchange(
        store: &mut TokenStore,
        code: &str,
        client: &str,
        redirect: Option<&str>,
        verifier: Option<&str>,
        now: Millis,
    ) -> Result<TokenInfo, ApiError> {
        store.exchange_code(
            code,
            client,
            redirect,
            verifier,
            no_ttl(),
            DEFAULTS,
            true,
            now,
        )
    }

    fn signed_in(store: &mut TokenStore, now: Millis) -> TokenInfo {
        let code = store.issue_code(grant(now));
        exchange(store, &code, "app", REDIRECT, Some(VERIFIER), now).unwrap()
    }

    #[test]
    fn code_exchange_issues_every_tokeninfo_field() {
        let mut store = TokenStore::default();
        let t = signed_in(&mut store, 0);
        assert_eq!(t.token_type, "bearer");
        assert_eq!(t.expires_in, 3600);
        assert_eq!(t.refresh_token_expires_in, Some(604_800));
        assert_eq!(t.owner_id, "101");
        assert!(!t.endpoint_id.is_empty() && !t.session_id.is_empty());
        assert!(store.authenticate(&t.access_token, 1).is_ok());
    }

    #[test]
    fn code_is_single_use_and_replay_ends_the_session() {
        let mut store = TokenStore::default();
        let code = store.issue_code(grant(0));
        let t = exchange(&mut store, &code, "app", REDIRECT, Some(VERIFIER), 0).unwrap();
        let again = exchange(&mut store, &code, "app", REDIRECT, Some(VERIFIER), 1);
        assert_eq!(
            again.unwrap_err().body()["errors"][0]["errorCode"],
            "OAU-106"
        );
        assert_eq!(
            store.authenticate(&t.access_token, 2).err(),
            Some(AccessProblem::NotFound)
        );
    }

    #[test]
    fn code_expires_after_60_seconds() {
        let mut store = TokenStore::default();
        let code = store.issue_code(grant(0));
        let e = exchange(&mut store, &code, "app", REDIRECT, Some(VERIFIER), 60_000).unwrap_err();
        assert_eq!(e.body()["errors"][0]["errorCode"], "OAU-108");
    }

    #[test]
    fn wrong_verifier_redirect_or_client_is_refused() {
        let mut store = TokenStore::default();
        let code = store.issue_code(grant(0));
        let wrong = "x".repeat(43);
        let bad = exchange(&mut store, &code, "app", REDIRECT, Some(&wrong), 0);
        assert_eq!(bad.unwrap_err().body()["error"], "invalid_grant");
        let missing = exchange(&mut store, &code, "app", REDIRECT, None, 0);
        assert_eq!(missing.unwrap_err().body()["error"], "invalid_request");
        let redirect = exchange(
            &mut store,
            &code,
            "app",
            Some("http://evil/"),
            Some(VERIFIER),
            0,
        );
        assert_eq!(
            redirect.unwrap_err().body()["errors"][0]["errorCode"],
            "OAU-109"
        );
        let client = exchange(&mut store, &code, "other", REDIRECT, Some(VERIFIER), 0);
        assert_eq!(
            client.unwrap_err().body()["errors"][0]["errorCode"],
            "OAU-110"
        );
        // None of the failures used the code up.
        assert!(exchange(&mut store, &code, "app", REDIRECT, Some(VERIFIER), 0).is_ok());
    }

    #[test]
    fn refresh_rotates_and_kills_the_old_access_token_at_once() {
        let mut store = TokenStore::default();
        let t = signed_in(&mut store, 0);
        let rt = t.refresh_token.clone().unwrap();
        let t2 = store.refresh(&rt, "app", no_ttl(), 1000).unwrap();
        assert_ne!(t2.access_token, t.access_token);
        assert_ne!(t2.refresh_token, t.refresh_token);
        assert_eq!(
            store.authenticate(&t.access_token, 1001).err(),
            Some(AccessProblem::NotFound)
        );
        assert!(store.authenticate(&t2.access_token, 1001).is_ok());
    }

    #[test]
    fn old_refresh_token_returns_same_pair_until_10s_after_first_use() {
        let mut store = TokenStore::default();
        let t = signed_in(&mut store, 0);
        let rt = t.refresh_token.clone().unwrap();
        let t2 = store.refresh(&rt, "app", no_ttl(), 1000).unwrap();
        // Unused new token: the old refresh token answers with the same pair.
        let again = store.refresh(&rt, "app", no_ttl(), 30 * 60_000).unwrap();
        assert_eq!(again.access_token, t2.access_token);
        assert_eq!(again.refresh_token, t2.refresh_token);
        // First use at 31 min: 10 s more of grace, then gone.
        store.authenticate(&t2.access_token, 31 * 60_000).unwrap();
        assert!(store
            .refresh(&rt, "app", no_ttl(), 31 * 60_000 + 9_999)
            .is_ok());
        let late = store
            .refresh(&rt, "app", no_ttl(), 31 * 60_000 + 10_000)
            .unwrap_err();
        assert_eq!(late.body()["error"], "invalid_grant");
        // The new refresh token still works.
        assert!(store
            .refresh(
                t2.refresh_token.as_deref().unwrap(),
                "app",
                no_ttl(),
                32 * 60_000
            )
            .is_ok());
    }

    #[test]
    fn old_refresh_token_dies_after_60_minutes_unused() {
        let mut store = TokenStore::default();
        let t = signed_in(&mut store, 0);
        let rt = t.refresh_token.unwrap();
        store.refresh(&rt, "app", no_ttl(), 0).unwrap();
        assert!(store.refresh(&rt, "app", no_ttl(), 60 * 60_000).is_err());
    }

    #[test]
    fn expired_tokens_answer_with_their_codes() {
        let mut store = TokenStore::default();
        let t = signed_in(&mut store, 0);
        assert_eq!(
            store.authenticate(&t.access_token, 3_600_000).err(),
            Some(AccessProblem::Expired)
        );
        let e = store
            .refresh(
                t.refresh_token.as_deref().unwrap(),
                "app",
                no_ttl(),
                604_800_000,
            )
            .unwrap_err();
        assert_eq!(e.body()["errors"][0]["errorCode"], "OAU-210");
    }

    #[test]
    fn ttl_requests_are_honoured_within_ringcentral_bounds() {
        let mut store = TokenStore::default();
        let code = store.issue_code(grant(0));
        let t = store
            .exchange_code(
                &code,
                "app",
                REDIRECT,
                Some(VERIFIER),
                TtlRequest {
                    access: Some(900),
                    refresh: Some(7200),
                },
                DEFAULTS,
                true,
                0,
            )
            .unwrap();
        assert_eq!(
            (t.expires_in, t.refresh_token_expires_in),
            (900, Some(7200))
        );
        assert_eq!(
            clamp_ttls(
                TtlRequest {
                    access: Some(1),
                    refresh: Some(u32::MAX)
                },
                DEFAULTS
            ),
            (600, 2_592_000)
        );
    }

    #[test]
    fn revoke_by_either_token_ends_the_whole_session() {
        let mut store = TokenStore::default();
        let t = signed_in(&mut store, 0);
        assert!(store.revoke(t.refresh_token.as_deref().unwrap(), Some("app")));
        assert_eq!(
            store.authenticate(&t.access_token, 1).err(),
            Some(AccessProblem::NotFound)
        );
        assert!(store
            .refresh(t.refresh_token.as_deref().unwrap(), "app", no_ttl(), 1)
            .is_err());
        assert!(!store.revoke("unknown", Some("app")));
    }

    #[test]
    fn a_sixth_session_ends_the_oldest() {
        let mut store = TokenStore::default();
        let first = signed_in(&mut store, 0);
        for i in 1..=5 {
            signed_in(&mut store, i);
        }
        assert_eq!(store.session_count(), 5);
        assert_eq!(
            store.authenticate(&first.access_token, 10).err(),
            Some(AccessProblem::NotFound)
        );
    }
}
