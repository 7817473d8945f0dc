//! RingCentral's two error shapes, as one type that turns into an HTTP answer.
//!
//! REST (ringcentral-api.md 3.1): `{"errorCode", "message", "errors":[{"errorCode","message",...}]}`.
//! OAuth (1.10): `{"error", "error_description", "errors":[{"errorCode","message"}]}`.
//! The sign-in page's two ways of refusing (a 400 page, or back to the client with `error`) are answers of this type
//! too, so every handler returns `Result<Response, ApiError>` and uses `?`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// A REST API error. `top_code` is the top-level `errorCode` (sometimes symbolic, e.g.
    /// `InsufficientPermissions`); `code` the one in `errors[]`.
    Rest {
        status: StatusCode,
        top_code: String,
        code: String,
        message: String,
        /// Extra attributes on the inner error and, for permission errors, at the top level too.
        extra: Vec<(String, String)>,
        /// Response headers (`Retry-After`, `X-Rate-Limit-*`).
        headers: Vec<(&'static str, String)>,
    },
    /// An OAuth endpoint error.
    OAuth {
        status: StatusCode,
        error: &'static str,
        code: String,
        description: String,
    },
    /// The authorization request cannot be trusted to go back to its redirect URI: a 400 page, as RingCentral answers.
    SignInPage { code: String, message: String },
    /// Back to the client's redirect URI, with `error`, `error_description` and `state` in the query: a 302.
    RedirectBack(String),
}

impl ApiError {
    pub fn rest(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError::Rest {
            status,
            top_code: code.into(),
            code: code.into(),
            message: message.into(),
            extra: vec![],
            headers: vec![],
        }
    }

    /// Adds a response header (REST errors only; the others have no use for one).
    pub fn with_header(mut self, name: &'static str, value: impl ToString) -> Self {
        if let ApiError::Rest { headers, .. } = &mut self {
            headers.push((name, value.to_string()));
        }
        self
    }

    pub fn oauth(
        status: StatusCode,
        error: &'static str,
        code: &str,
        description: impl Into<String>,
    ) -> Self {
        ApiError::OAuth {
            status,
            error,
            code: code.into(),
            description: description.into(),
        }
    }

    pub fn invalid_parameter(name: &str) -> Self {
        let mut e = Self::rest(
            StatusCode::BAD_REQUEST,
            "CMN-101",
            format!("Parameter [{name}] value is invalid"),
        );
        if let ApiError::Rest { extra, .. } = &mut e {
            extra.push(("parameterName".into(), name.into()));
        }
        e
    }

    /// 429 CMN-301 with `Retry-After` (seconds).
    pub fn rate_limited(retry_after: u32) -> Self {
        Self::rest(
            StatusCode::TOO_MANY_REQUESTS,
            "CMN-301",
            "Request rate exceeded",
        )
        .with_header("retry-after", retry_after)
    }

    /// The verbatim 403 for a non-admin reading company active calls (ringcentral-api.md 2.1).
    pub fn insufficient_permissions(permission: &str) -> Self {
        ApiError::Rest {
            status: StatusCode::FORBIDDEN,
            top_code: "InsufficientPermissions".into(),
            code: "CMN-408".into(),
            message: format!("[{permission}] permission required"),
            extra: vec![("permissionName".into(), permission.into())],
            headers: vec![],
        }
    }

    /// The 403 for an app that lacks an app permission (`api-docs:docs/voice/call-log/access.md`).
    pub fn app_permission_missing(permission: &str) -> Self {
        ApiError::Rest {
            status: StatusCode::FORBIDDEN,
            top_code: "InsufficientPermissions".into(),
            code: "CMN-401".into(),
            message: format!(
                "In order to call this API endpoint, application needs to have [{permission}] permission"
            ),
            extra: vec![("permissionName".into(), permission.into())],
            headers: vec![],
        }
    }

    pub fn not_found() -> Self {
        Self::rest(
            StatusCode::NOT_FOUND,
            "CMN-102",
            "Resource for parameter [path] is not found",
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Rest { status, .. } | ApiError::OAuth { status, .. } => *status,
            ApiError::SignInPage { .. } => StatusCode::BAD_REQUEST,
            ApiError::RedirectBack(_) => StatusCode::FOUND,
        }
    }

    /// The `errorCode` a client should act on (the one in `errors[]`).
    pub fn code(&self) -> &str {
        match self {
            ApiError::Rest { code, .. } | ApiError::OAuth { code, .. } => code,
            ApiError::SignInPage { code, .. } => code,
            ApiError::RedirectBack(_) => "",
        }
    }

    pub fn body(&self) -> Value {
        match self {
            ApiError::Rest {
                top_code,
                code,
                message,
                extra,
                ..
            } => {
                let mut inner = Map::new();
                inner.insert("errorCode".into(), json!(code));
                inner.insert("message".into(), json!(message));
                let mut top = Map::new();
                top.insert("errorCode".into(), json!(top_code));
                top.insert("message".into(), json!(message));
                for (k, v) in extra {
                    inner.insert(k.clone(), json!(v));
                    if k == "permissionName" {
                        top.insert(k.clone(), json!(v));
                    }
                }
                top.insert("errors".into(), Value::Array(vec![Value::Object(inner)]));
                Value::Object(top)
            }
            ApiError::OAuth {
                error,
                code,
                description,
                ..
            } => json!({
                "error": error,
                "errors": [{ "errorCode": code, "message": description }],
                "error_description": description,
            }),
            ApiError::SignInPage { code, message } => {
                json!({ "errorCode": code, "message": message })
            }
            ApiError::RedirectBack(to) => json!({ "location": to }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::SignInPage { code, message } => (
                StatusCode::BAD_REQUEST,
                Html(crate::pages::refusal_page(&code, &message)),
            )
                .into_response(),
            ApiError::RedirectBack(to) => {
                (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
            }
            other => {
                let mut res = (other.status(), axum::Json(other.body())).into_response();
                if let ApiError::Rest { headers, .. } = other {
                    for (name, value) in headers {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            res.headers_mut().insert(name, v);
                        }
                    }
                }
                res
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_error_matches_ringcentral_verbatim() {
        let body = ApiError::insufficient_permissions("ReadCompanyCallLog").body();
        let expected: Value = serde_json::from_str(
            r#"{"errorCode":"InsufficientPermissions","message":"[ReadCompanyCallLog] permission required","errors":[{"errorCode":"CMN-408","message":"[ReadCompanyCallLog] permission required","permissionName":"ReadCompanyCallLog"}],"permissionName":"ReadCompanyCallLog"}"#,
        )
        .unwrap();
        assert_eq!(body, expected);
    }

    #[test]
    fn rate_limit_error_is_cmn_301() {
        let e = ApiError::rate_limited(60);
        assert_eq!(e.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            e.body(),
            json!({"errorCode":"CMN-301","message":"Request rate exceeded",
                   "errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]})
        );
    }

    #[test]
    fn oauth_error_has_both_forms() {
        let body = ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "OAU-210",
            "Token expired",
        )
        .body();
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(body["error_description"], "Token expired");
        assert_eq!(body["errors"][0]["errorCode"], "OAU-210");
    }
}
