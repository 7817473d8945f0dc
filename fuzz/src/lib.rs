//! Fuzzers for every parser that takes outside input, in the widget and in rc-sandbox. `make fuzz` runs ten
//! million inputs; `cargo test` a short run of each target (tests/short.rs). See `engine` for how inputs are made.

pub mod engine;
pub mod sandbox;
pub mod widget;

use engine::Make;

/// Every target, by name: what it reads.
pub const TARGETS: &[(&str, Make)] = &[
    ("records", widget::records),
    ("errors", widget::errors),
    ("identity", widget::identity),
    ("configuration", widget::configuration),
    ("mount", widget::mount),
    ("sign-in-return", widget::sign_in_return),
    ("host-messages", widget::host_messages),
    ("socket-frames", widget::socket_frames),
    ("tab-messages", widget::tab_messages),
    ("sandbox-http", sandbox::http),
    ("sandbox-socket", sandbox::socket),
];
