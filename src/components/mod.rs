//! The view: `App` owns the store and the effects; the others get data and callbacks.

pub mod app;
pub mod call_list;
pub mod call_row;
pub mod clock;
pub mod config_panel;
pub mod hooks;
pub mod menu;
pub mod panel;
pub mod sign_in;
pub mod status_bar;
