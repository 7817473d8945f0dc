//! rc-active-calls: a RingCentral active-calls panel for CRM pages, in Rust + Yew compiled to WebAssembly.
//!
//! Pure logic (configuration, PKCE encoding, the JSON model, error mapping, the poll scheduler, the reducer and the
//! wording) builds and is tested natively; the browser edges (`web`, `api::client`, `auth::session`,
//! `components`) are wasm-only.

pub mod api;
pub mod auth;
pub mod config;
pub mod contacts;
pub mod embed;
pub mod feed;
pub mod format;
pub mod list_window;
pub mod poll;
pub mod state;
pub mod time;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod tasks;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub use embed::element::{hand_back, mount, start, Widget};
