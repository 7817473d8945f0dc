//! The second hand, as a context: only the texts that count time (durations, "updated N s ago", a penalty's
//! countdown) read it, so a tick re-renders them and nothing else; rows, the header and the status line render when
//! what they show changes.

use crate::format::{ago, duration, elapsed_secs};
use crate::web;
use yew::prelude::*;

/// Now, in ms since the epoch.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Now(pub f64);

#[hook]
fn use_now() -> f64 {
    use_context::<Now>().map_or_else(web::now, |n| n.0)
}

#[derive(Properties, PartialEq)]
pub struct ClockProps {
    /// Ticks only while something may show a time (signed in).
    pub running: bool,
    #[prop_or_default]
    pub children: Html,
}

/// Provides `Now` to everything inside, once a second while running.
#[function_component]
pub fn Clock(p: &ClockProps) -> Html {
    let now = use_state(web::now);
    {
        let now = now.setter();
        use_effect_with(p.running, move |on| {
            // From the moment it starts, not from when the widget was mounted.
            now.set(web::now());
            let interval =
                on.then(|| gloo_timers::callback::Interval::new(1000, move || now.set(web::now())));
            move || drop(interval)
        });
    }
    html! { <ContextProvider<Now> context={Now(*now)}>{ p.children.clone() }</ContextProvider<Now>> }
}

#[derive(Properties, PartialEq)]
pub struct DurationProps {
    pub start_ms: f64,
    /// RingCentral's final duration in seconds, once the call has one.
    pub fixed: Option<f64>,
    pub skew_ms: f64,
}

/// A call's duration, ticking.
#[function_component]
pub fn Duration(p: &DurationProps) -> Html {
    let d = duration(elapsed_secs(p.start_ms, p.fixed, use_now(), p.skew_ms));
    html! { <span role="timer" aria-label={format!("Duration {d}")}>{ d }</span> }
}

#[derive(Properties, PartialEq)]
pub struct SinceProps {
    pub at: f64,
    /// Said before the time: "Updated" makes "Updated 3 s ago".
    pub label: AttrValue,
}

/// "Updated 3 s ago", ticking.
#[function_component]
pub fn Since(p: &SinceProps) -> Html {
    let now = use_now();
    html! { <>{ format!("{} {}", p.label, ago(now - p.at)) }</> }
}

#[derive(Properties, PartialEq)]
pub struct UntilProps {
    pub until: f64,
}

/// Seconds left until `until`, counting down.
#[function_component]
pub fn SecondsLeft(p: &UntilProps) -> Html {
    let secs = ((p.until - use_now()) / 1000.0).ceil().max(0.0) as u64;
    html! { <>{ secs.to_string() }</> }
}
