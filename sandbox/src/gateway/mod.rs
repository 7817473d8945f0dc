//! The WebSocket gateway's parts that need no server: its memory (`hub`: tokens, sessions, connections, fan-out),
//! its frames, and event filters. The HTTP side (wstoken, the upgrade, the connection tasks) is `crate::websocket`.

pub mod filters;
pub mod frames;
pub mod hub;
