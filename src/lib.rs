//! rc-active-calls: a RingCentral active-calls panel for CRM pages, in Rust + Yew compiled to WebAssembly.
//!
//! For Rust/Yew apps the public API is the [`ActiveCalls`] component and its [`Settings`] (see its example);
//! JavaScript hosts use the npm package (`<rc-active-calls>`, `mount()`), whose types are `embed.d.ts`. The
//! modules below are the widget's inside, public for its tests and fuzzers, and may change in any release.
//!
//! Pure logic (configuration, PKCE encoding, the JSON model, error mapping, the poll scheduler, the reducer and the
//! wording) builds and is tested natively; the browser edges (`web`, `api::client`, `auth::session`,
//! `components`) are wasm-only.
#![deny(missing_docs)]

#[doc(hidden)]
pub mod api;
#[doc(hidden)]
pub mod auth;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod contacts;
#[doc(hidden)]
pub mod cookie;
#[doc(hidden)]
pub mod embed;
#[doc(hidden)]
pub mod feed;
#[doc(hidden)]
pub mod format;
#[doc(hidden)]
pub mod list_window;
#[doc(hidden)]
pub mod phone;
#[doc(hidden)]
pub mod poll;
#[doc(hidden)]
pub mod state;
#[doc(hidden)]
pub mod time;
#[doc(hidden)]
pub mod url;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod components;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod storage_access;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod tasks;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod web;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use embed::element::{hand_back, mount, start, Widget};

#[cfg(target_arch = "wasm32")]
mod yew_component;

// The bundle's allocator (the `talc` feature, Cargo.toml). One thread: the wasm is built without atomics.
#[cfg(all(
    feature = "talc",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
pub use config::Scope;
#[cfg(target_arch = "wasm32")]
pub use yew_component::{ActiveCalls, ActiveCallsProps, Settings};
