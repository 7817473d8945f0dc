//! Sign-in: PKCE, the redirect and popup flows, and the token session.

pub mod flow;
#[cfg(target_arch = "wasm32")]
pub mod login;
pub mod pkce;
#[cfg(target_arch = "wasm32")]
pub mod session;
