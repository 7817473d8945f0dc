//! Where the calls come from, once one feed serves every widget of a browser (design.md, "one feed per browser").
//! This stage holds the typed messages of its two new boundaries, born typed: the WebSocket gateway's frames
//! (`frames`) and the messages between tabs (`channel`). Both are read leniently: an unknown type, kind or field
//! is ignored, never a panic.
//!
//! The socket itself (the live stage) should go through web-sys's `WebSocket`, not gloo-net's `websocket`
//! feature: measured in the release build, a probe that opens a socket, sends a frame and awaits one added
//! 1,535 B gzipped through web-sys and 4,724 B through gloo-net (its futures channel, Sink and Stream), for no
//! behaviour the feed needs (it is event-driven, not a stream consumer).

pub mod channel;
pub mod frames;
#[cfg(target_arch = "wasm32")]
pub mod tabs;
