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

/// A text that counts time.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Counting {
    /// A call's duration (`fixed`: RingCentral's final one in seconds; `skew_ms` corrects this machine's clock).
    Duration {
        start_ms: f64,
        fixed: Option<f64>,
        skew_ms: f64,
    },
    /// "Updated 3 s ago".
    Updated { at: f64 },
    /// Seconds left until `until`.
    SecondsLeft { until: f64 },
    /// "ended 3 min ago": a call that ended at `end_ms` (RingCentral's clock; `skew_ms` as for durations).
    EndedAgo { end_ms: f64, skew_ms: f64 },
}

#[derive(Properties, PartialEq)]
pub struct TimerProps {
    pub counting: Counting,
}

/// One component for every ticking text (each kind of component costs wasm bytes).
#[function_component]
pub fn Timer(p: &TimerProps) -> Html {
    let now = use_now();
    match p.counting {
        Counting::Duration {
            start_ms,
            fixed,
            skew_ms,
        } => {
            let d = duration(elapsed_secs(start_ms, fixed, now, skew_ms));
            html! { <span role="timer" aria-label={format!("Duration {d}")}>{ d }</span> }
        }
        Counting::Updated { at } => html! { <>{ format!("Updated {}", ago(now - at)) }</> },
        Counting::EndedAgo { end_ms, skew_ms } => {
            html! { <>{ format!("ended {}", ago(now + skew_ms - end_ms)) }</> }
        }
        Counting::SecondsLeft { until } => {
            let secs = ((until - now) / 1000.0).ceil().max(0.0) as u64;
            html! { <>{ secs.to_string() }</> }
        }
    }
}
