//! rc-active-calls: the widget crate (placeholder until the widget lands).
