//! One error type for everything RingCentral or the network can answer, from both error body shapes
//! (REST: `errorCode`/`message`/`errors[]`, section 3.1; OAuth: `error`/`error_description`, section 1.10).

use super::json::Source;
use super::lenient;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorItem {
    #[serde(deserialize_with = "lenient::string")]
    pub error_code: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub permission_name: Option<String>,
}

/// Both error shapes in one: whichever fields are there.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    #[serde(deserialize_with = "lenient::string")]
    pub error_code: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(deserialize_with = "items")]
    pub errors: Vec<ErrorItem>,
    #[serde(deserialize_with = "lenient::string")]
    pub permission_name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub error: Option<String>,
    #[serde(rename = "error_description", deserialize_with = "lenient::string")]
    pub error_description: Option<String>,
}

fn items<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ErrorItem>, D::Error> {
    Ok(lenient::list(d)?.unwrap_or_default())
}

impl ErrorBody {
    pub fn read<J: Source>(j: &J) -> ErrorBody {
        j.read().unwrap_or_default()
    }
}

/// Serializable, so the tab that leads can tell the others what went wrong (feed::channel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ApiError {
    /// 401, or an OAuth `invalid_grant`/`invalid_client`: the session (or the app) is not accepted.
    Unauthorized {
        code: Option<String>,
        message: String,
    },
    /// 403: the user or the app lacks a permission.
    Forbidden {
        permission: Option<String>,
        code: Option<String>,
        message: String,
    },
    /// 429. `retry_after` in seconds, when the header could be read.
    RateLimited { retry_after: Option<u32> },
    /// Another 4xx: the request itself was refused.
    Rejected {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// 5xx.
    Server {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// No answer: offline, DNS, CORS, a dropped connection.
    Network(String),
    /// No whole answer within this many seconds (a server trickling its answer, a proxy holding it).
    Slow(u32),
    /// An answer we could not read (malformed or truncated JSON, a body of the wrong shape).
    Malformed(String),
}

impl ApiError {
    /// Maps a non-2xx answer. `body` is the parsed JSON body, if it was JSON of either shape.
    pub fn from_status(
        status: u16,
        body: Option<ErrorBody>,
        retry_after: Option<&str>,
    ) -> ApiError {
        let b = body.unwrap_or_default();
        let first = b.errors.first().cloned().unwrap_or_default();
        // The specific code is in errors[]; the top-level one may be symbolic (`InsufficientPermissions`).
        // A blank field says nothing: the next one speaks (fuzzing found `errors[0].message: ""` shown as nothing).
        let said = |s: &Option<String>| s.clone().filter(|t| crate::format::visible(t));
        let code = said(&first.error_code).or(said(&b.error_code));
        let message = said(&first.message)
            .or(said(&b.error_description))
            .or(said(&b.message))
            .or(said(&b.error))
            .unwrap_or_else(|| format!("HTTP {status}"));
        let oauth = b.error.as_deref();
        match status {
            429 => ApiError::RateLimited {
                retry_after: retry_after
                    .and_then(|v| v.trim().parse::<u32>().ok())
                    .map(|s| s.min(3600)),
            },
            401 => ApiError::Unauthorized { code, message },
            403 => ApiError::Forbidden {
                permission: first.permission_name.or(b.permission_name),
                code,
                message,
            },
            400 if matches!(oauth, Some("invalid_grant")) => {
                ApiError::Unauthorized { code, message }
            }
            s if s >= 500 => ApiError::Server {
                status,
                code,
                message,
            },
            _ => ApiError::Rejected {
                status,
                code,
                message,
            },
        }
    }

    /// Worth trying again after a pause without the user doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Network(_)
                | ApiError::Slow(_)
                | ApiError::Malformed(_)
                | ApiError::RateLimited { .. }
        )
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::Rejected { code, .. }
            | ApiError::Server { code, .. } => code.as_deref(),
            ApiError::RateLimited { .. } => Some("CMN-301"),
            _ => None,
        }
    }

    /// RingCentral's message, or ours for failures that have none.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthorized { message, .. }
            | ApiError::Forbidden { message, .. }
            | ApiError::Rejected { message, .. }
            | ApiError::Server { message, .. } => message.clone(),
            ApiError::RateLimited { .. } => "Request rate exceeded".into(),
            ApiError::Network(m) => format!("RingCentral could not be reached ({m})."),
            ApiError::Slow(s) => format!("The server is slow: no whole answer within {s} s."),
            ApiError::Malformed(m) => format!("RingCentral's answer could not be read ({m})."),
        }
    }

    /// `OAU-109 Redirect URIs do not match`
    pub fn summary(&self) -> String {
        match self.code() {
            Some(c) => format!("{c} {}", self.message()),
            None => self.message(),
        }
    }

    /// What the person in front of the panel can do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            ApiError::Unauthorized { .. } => "Sign in again.",
            ApiError::Forbidden { permission: Some(p), .. } if p == "ReadCompanyCallLog" => {
                "Company calls are for administrators. Switch back to your own calls, or ask an admin."
            }
            ApiError::Forbidden { .. } => "The app or your user lacks a permission it needs (ReadCallLog). Ask your RingCentral admin.",
            ApiError::RateLimited { .. } => "Updates pause until RingCentral's limit resets, then resume by themselves.",
            ApiError::Rejected { .. } => "Check the widget's configuration (client ID, redirect URI, server).",
            ApiError::Server { .. } | ApiError::Malformed(_) => "Retrying by itself; the calls shown may be out of date.",
            ApiError::Network(_) => "Retrying by itself; check your connection.",
            ApiError::Slow(_) => "Retrying by itself, less often; the calls shown may be out of date.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Option<ErrorBody> {
        serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .map(|v| ErrorBody::read(&v))
    }

    fn map(status: u16, json: &str) -> ApiError {
        ApiError::from_status(status, body(json), None)
    }

    #[test]
    fn oauth_samples_of_section_1_10() {
        let e = map(
            401,
            r#"{ "error" : "invalid_client", "error_description" : "Client authentication is required", "errors" : [ { "errorCode" : "OAU-123", "message" : "Client authentication is required" } ] }"#,
        );
        assert_eq!(
            e,
            ApiError::Unauthorized {
                code: Some("OAU-123".into()),
                message: "Client authentication is required".into()
            }
        );
        let e = map(
            400,
            r#"{"error":"invalid_redirect_uri","errors":[{"errorCode":"OAU-109","message":"Redirect URIs do not match"}],"error_description":"Redirect URIs do not match"}"#,
        );
        assert_eq!(e.summary(), "OAU-109 Redirect URIs do not match");
        assert!(matches!(e, ApiError::Rejected { status: 400, .. }));
        let e = map(
            400,
            r#"{"error":"invalid_grant","errors":[{"errorCode":"OAU-210","message":"Token expired"}],"error_description":"Token expired"}"#,
        );
        assert_eq!(
            e,
            ApiError::Unauthorized {
                code: Some("OAU-210".into()),
                message: "Token expired".into()
            }
        );
        let e = map(
            400,
            r#"{"error":"invalid_grant","errors":[{"errorCode":"OAU-140","message":"Invalid resource owner credentials"}]}"#,
        );
        assert_eq!(e.code(), Some("OAU-140"));
        let e = map(
            401,
            r#"{"error":"invalid_client","error_description":"[ThirdPartyAppAccess] permission required","errors":[{"errorCode":"CMN-408","message":"[ThirdPartyAppAccess] permission required","parameters":[{"parameterName":"permissionName","parameterValue":"ThirdPartyAppAccess"}]}]}"#,
        );
        assert_eq!(e.code(), Some("CMN-408"));
        let e = map(
            400,
            r#"{"error":"unauthorized_client","errors":[{"errorCode":"OAU-251","message":"Unauthorized for this grant type"}]}"#,
        );
        assert_eq!(e.summary(), "OAU-251 Unauthorized for this grant type");
    }

    #[test]
    fn blank_fields_give_way_to_the_next() {
        // Found by fuzzing: an empty message in errors[] hid the top-level one.
        let e = map(
            401,
            r#"{"errorCode":"TokenInvalid","message":"Access token is invalid","errors":[{"errorCode":" ","message":""}]}"#,
        );
        assert_eq!(e.summary(), "TokenInvalid Access token is invalid");
        assert_eq!(map(500, r#"{"message":"\r\n"}"#).message(), "HTTP 500");
    }

    #[test]
    fn rest_samples_of_section_3_1() {
        let e = map(
            403,
            r#"{"errorCode":"InsufficientPermissions","message":"In order to call this API endpoint, application needs to have [ReadCallLog] permission","errors":[{"errorCode":"CMN-401","message":"In order to call this API endpoint, application needs to have [ReadCallLog] permission","permissionName":"ReadCallLog"}],"permissionName":"ReadCallLog"}"#,
        );
        assert_eq!(
            e,
            ApiError::Forbidden {
                permission: Some("ReadCallLog".into()),
                code: Some("CMN-401".into()),
                message: "In order to call this API endpoint, application needs to have [ReadCallLog] permission".into()
            }
        );
        let e = map(
            403,
            r#"{"errorCode":"InsufficientPermissions","message":"[ReadCompanyCallLog] permission required","errors":[{"errorCode":"CMN-408","message":"[ReadCompanyCallLog] permission required","permissionName":"ReadCompanyCallLog"}],"permissionName":"ReadCompanyCallLog"}"#,
        );
        assert!(e.advice().contains("administrators"));
        let e = ApiError::from_status(
            429,
            body(
                r#"{"errorCode":"CMN-301","message":"Request rate exceeded","errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}"#,
            ),
            Some("60"),
        );
        assert_eq!(
            e,
            ApiError::RateLimited {
                retry_after: Some(60)
            }
        );
        assert_eq!(
            ApiError::from_status(429, None, Some("soon")),
            ApiError::RateLimited { retry_after: None }
        );
        let e = map(
            401,
            r#"{"errorCode":"OAU-123","message":"Authorization header is not specified","errors":[{"errorCode":"OAU-123","message":"Authorization header is not specified"}]}"#,
        );
        assert_eq!(e.summary(), "OAU-123 Authorization header is not specified");
        let e = map(
            401,
            r#"{"errorCode":"OAU-128","message":"Access token expired.","errors":[{"errorCode":"OAU-128","message":"Access token expired."}]}"#,
        );
        assert_eq!(e.code(), Some("OAU-128"));
        let e = map(
            400,
            r#"{"errors":[{"errorCode":"CMN-101","message":"Parameter [direction] value is invalid","parameterName":"direction"}]}"#,
        );
        assert_eq!(
            e,
            ApiError::Rejected {
                status: 400,
                code: Some("CMN-101".into()),
                message: "Parameter [direction] value is invalid".into()
            }
        );
    }

    #[test]
    fn bodies_that_are_not_ringcentral_json() {
        let e = ApiError::from_status(502, None, None);
        assert_eq!(
            e,
            ApiError::Server {
                status: 502,
                code: None,
                message: "HTTP 502".into()
            }
        );
        assert!(e.is_transient());
        assert!(!map(401, "{}").is_transient());
        assert!(ApiError::Malformed("x".into()).is_transient());
    }
}
