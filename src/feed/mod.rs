//! Where the calls come from, once one feed serves every widget of a browser (design.md, "one feed per browser").
//! This stage holds the typed messages of its two new boundaries, born typed: the WebSocket gateway's frames
//! (`frames`) and the messages between tabs (`channel`). Both are read leniently: an unknown type, kind or field
//! is ignored, never a panic.

pub mod channel;
pub mod frames;
