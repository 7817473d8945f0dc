//! Where the calls come from: one feed serves every widget of a browser that shares a session (design.md, "one
//! feed per browser"). `leader` runs it (the Web Lock and BroadcastChannel of `tabs`, the fetches of `poller`);
//! `push` its WebSocket; `protocol`, `snapshot`, `reconcile` (push × polling), `reading` (records to views) and `reconnect` are its
//! pure decisions; `channel` and `frames` are the typed messages of its two
//! boundaries (the tabs, and the WebSocket gateway), read leniently: an unknown type, kind or field is ignored,
//! never a panic. `wire` is how the tabs' messages travel: serde by position.
//!
//! The socket itself (the live stage) should go through web-sys's `WebSocket`, not gloo-net's `websocket`
//! feature: measured in the release build, a probe that opens a socket, sends a frame and awaits one added
//! 1,535 B gzipped through web-sys and 4,724 B through gloo-net (its futures channel, Sink and Stream), for no
//! behaviour the feed needs (it is event-driven, not a stream consumer).

pub mod channel;
pub mod frames;
#[cfg(target_arch = "wasm32")]
pub mod leader;
#[cfg(target_arch = "wasm32")]
pub mod poller;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
mod push;
pub mod reading;
pub mod reconcile;
pub mod reconnect;
#[cfg(target_arch = "wasm32")]
mod signing;
pub mod snapshot;
#[cfg(target_arch = "wasm32")]
pub mod tabs;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub use leader::Feed;
