//! rc-sandbox: a local RingCentral-compatible server for the widget's demo and tests. It implements the endpoints
//! the widget uses, with RingCentral's formats, error bodies, rate limits and token rules as
//! `shared/ringcentral-api.md` records them, RingCentral's WebSocket API (`gateway`) as
//! `shared/realtime-and-tabs.md` records it, plus simulated call traffic and a control API.

pub mod api;
pub mod calls;
pub mod clock;
pub mod config;
pub mod control;
pub mod errors;
pub mod events;
pub mod faults;
pub mod gateway;
pub mod http;
pub mod oauth;
pub mod pages;
pub mod params;
pub mod pkce;
pub mod ratelimit;
pub mod requestlog;
pub mod state;
pub mod tokens;
pub mod traffic;
pub mod websocket;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use state::AppState;

/// The whole server: RingCentral's paths, the control API, and the gate every answer passes through.
pub fn router(st: AppState) -> Router {
    Router::new()
        .route(
            "/restapi/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .route("/restapi/oauth/token", post(oauth::token))
        .route("/restapi/oauth/revoke", post(oauth::revoke))
        .route("/restapi/oauth/wstoken", post(websocket::wstoken))
        .route("/ws", get(websocket::connect))
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}",
            get(api::extension_info),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}/active-calls",
            get(api::extension_active_calls),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}/presence",
            get(api::presence),
        )
        .route(
            "/restapi/v1.0/account/{account}/active-calls",
            get(api::account_active_calls),
        )
        .merge(control::routes())
        .fallback(|| async { errors::ApiError::not_found() })
        .method_not_allowed_fallback(|| async {
            errors::ApiError::rest(
                StatusCode::METHOD_NOT_ALLOWED,
                "AGW-405",
                "Method not allowed",
            )
            .into_response()
        })
        .layer(axum::middleware::from_fn_with_state(st.clone(), http::gate))
        .with_state(st)
}
