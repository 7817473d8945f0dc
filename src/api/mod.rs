//! Talking to RingCentral: the JSON model, the error type, and the one request function.

#[cfg(target_arch = "wasm32")]
pub mod client;
pub mod error;
#[cfg(target_arch = "wasm32")]
pub mod js_de;
pub mod json;
pub mod lenient;
pub mod model;
