use crate::format::ago;
use crate::state::State;
use crate::web::TimeFormat;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: State,
}

/// Freshness and health at a glance: updated N s ago, stale since, paused by the rate limit, offline, warnings.
#[function_component(StatusBar)]
pub fn status_bar(p: &Props) -> Html {
    let s = &p.state;
    let fmt = use_memo((), |_| TimeFormat::new());
    let mut items: Vec<Html> = vec![];
    if s.offline {
        items.push(html! { <span class="rcac-badge rcac-warn">{ "Offline — updates resume when the connection returns" }</span> });
    }
    if let Some(until) = s.paused_until {
        let secs = ((until - s.now) / 1000.0).ceil().max(0.0) as u64;
        items.push(html! {
            <span class="rcac-badge rcac-warn">{ format!("RingCentral's rate limit reached — updates resume in {secs} s") }</span>
        });
    }
    if let Some(since) = s.stale_since {
        items.push(html! { <span class="rcac-badge rcac-stale">{ format!("Stale since {}", fmt.format(since)) }</span> });
    }
    if let Some(at) = s.updated_at {
        items.push(
            html! { <span class="rcac-updated">{ format!("Updated {}", ago(s.now - at)) }</span> },
        );
    } else if s.busy {
        items.push(html! { <span class="rcac-updated">{ "Loading…" }</span> });
    }
    if s.skipped > 0 {
        let n = s.skipped;
        items.push(html! {
            <span class="rcac-badge rcac-quiet">{ format!("{n} record{} could not be read", if n == 1 { "" } else { "s" }) }</span>
        });
    }
    if s.unknown > 0 {
        items.push(html! { <span class="rcac-badge rcac-quiet">{ "Some values are new to this widget and shown as RingCentral sent them" }</span> });
    }
    if s.storage_blocked {
        items.push(html! { <span class="rcac-badge rcac-quiet">{ "Storage is blocked: sign in again after a reload" }</span> });
    }
    html! { <div class="rcac-status">{ for items }</div> }
}
