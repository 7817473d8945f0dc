//! Query strings and form bodies as RingCentral reads them: repeated keys kept in order (multi-valued filters,
//! `ui_options`), empty values tolerated, a duplicated single-valued parameter reported.

use crate::errors::ApiError;
use axum::body::Body;
use axum::http::StatusCode;

/// axum's `Path`, refusing a segment it cannot decode (`%C3%28`) the way RingCentral refuses an unknown resource:
/// axum's own refusal is plain text, not RingCentral's shape (found by fuzzing).
pub struct Segments<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S>
    for Segments<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| Segments(t))
            .map_err(|_| ApiError::not_found())
    }
}

/// Form bodies larger than this get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(s: &str) -> Self {
        Params(form_urlencoded::parse(s.as_bytes()).into_owned().collect())
    }

    /// A single-valued parameter; empty counts as absent. `Err(name)` when it appears more than once.
    pub fn one(&self, name: &str) -> Result<Option<&str>, String> {
        let mut found = self.0.iter().filter(|(k, v)| k == name && !v.is_empty());
        let first = found.next().map(|(_, v)| v.as_str());
        if found.next().is_some() {
            return Err(name.to_string());
        }
        Ok(first)
    }

    /// A `true`/`false` parameter (either case); absent is `false`. `Err(name)` when duplicated or not a boolean.
    pub fn flag(&self, name: &str) -> Result<bool, String> {
        match self.one(name)? {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(name.to_string()),
        }
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Re-encodes the pairs, except those named in `skip`.
    pub fn encode_without(&self, skip: &[&str]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if !skip.contains(&k.as_str()) {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

/// Reads a form body: 413 past the size limit, 400 for bytes that are not UTF-8.
pub async fn read_form(body: Body) -> Result<Params, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::rest(
                StatusCode::PAYLOAD_TOO_LARGE,
                "CMN-114",
                "Request body is too large",
            )
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "OAU-101",
            "Request body is not valid UTF-8",
        )
    })?;
    Ok(Params::parse(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_empty_parameters() {
        let p = Params::parse(
            "ui_options=hide_logo&ui_options=hide_tos&state=&display=&client_id=a&client_id=b",
        );
        assert_eq!(p.all("ui_options"), vec!["hide_logo", "hide_tos"]);
        assert_eq!(p.one("state"), Ok(None));
        assert_eq!(p.one("client_id"), Err("client_id".to_string()));
        assert_eq!(
            p.encode_without(&["client_id", "ui_options"]),
            "state=&display="
        );
    }
}
