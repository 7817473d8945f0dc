//! Embedding in a host page: the custom element and `mount()` API (wasm exports in `element`), host events, contact
//! matching and host commands. The pure parts (`payload`, `events`, `contacts`, `commands`) run under native tests.

pub mod commands;
pub mod events;
pub mod payload;

#[cfg(target_arch = "wasm32")]
pub mod element;
#[cfg(target_arch = "wasm32")]
pub mod host;
