use super::clock::{Counting, Timer};
use crate::state::{keeping_note, other_build_note, Keeping, State};
use crate::web::TimeFormat;
use yew::prelude::*;

/// `kind`: warn, stale, quiet or updated (a literal `class` keeps yew from building a class set at run time).
fn badge(kind: &'static str, content: impl Into<Html>) -> Html {
    html! { <span class="rcac-badge" data-kind={kind}>{ content.into() }</span> }
}

/// Freshness and health at a glance: updated N s ago, stale since, paused by the rate limit, offline, warnings.
pub fn view(s: &State, fmt: &TimeFormat, on_keep: &Callback<()>) -> Html {
    const WARN: &str = "warn";
    const QUIET: &str = "quiet";
    let mut items: Vec<Html> = vec![];
    if s.offline {
        items.push(badge(
            WARN,
            "Offline — updates resume when the connection returns",
        ));
    }
    if let Some(until) = s.paused_until {
        items.push(badge(
            WARN,
            html! {
                <>{ "RingCentral's rate limit reached — updates resume in " }<Timer counting={Counting::SecondsLeft { until }} />{ " s" }</>
            },
        ));
    }
    if let Some(since) = s.stale_since {
        items.push(badge("stale", format!("Stale since {}", fmt.format(since))));
    }
    if let Some(at) = s.updated_at {
        items.push(badge(
            "updated",
            html! { <Timer counting={Counting::Updated { at }} /> },
        ));
    } else if s.busy {
        let text = if s.loading_more() {
            "Loading more calls…"
        } else {
            "Loading…"
        };
        items.push(badge("updated", text));
    }
    if s.skipped > 0 {
        let n = s.skipped;
        items.push(badge(
            QUIET,
            format!(
                "{n} record{} could not be read",
                if n == 1 { "" } else { "s" }
            ),
        ));
    }
    if s.unknown > 0 {
        items.push(badge(
            QUIET,
            "Some values are new to this widget and shown as RingCentral sent them",
        ));
    }
    use crate::feed::snapshot::Push;
    match &s.push {
        Push::Live { .. } => items.push(badge(QUIET, "Live")),
        Push::Polling { every_secs } if *every_secs > 0 => {
            items.push(badge(QUIET, format!("Checking every {every_secs} s")))
        }
        Push::Off { why, every_secs } => items.push(badge(
            QUIET,
            format!("Live updates off ({why}) — checking every {every_secs} s"),
        )),
        Push::Polling { .. } => {}
    }
    if let Some((_, short)) = keeping_note(s.keeping, s.not_shared) {
        items.push(badge(QUIET, short));
    }
    if let Some((_, short)) = s.other_build.map(other_build_note) {
        items.push(badge(QUIET, short));
    }
    if s.keeping == Keeping::Askable {
        items.push(keep_button(on_keep));
    }
    html! { <div class="rcac-status" part="status-bar">{ for items }</div> }
}

/// Asks the browser to let this frame keep the session (the Storage Access API wants the user's own click).
pub fn keep_button(on_keep: &Callback<()>) -> Html {
    let click = on_keep.reform(|_: MouseEvent| ());
    html! {
        <button class="rcac-btn rcac-keep" part="button" onclick={click}
                title="Asks your browser to let this widget keep you signed in on this site">{ "Stay signed in here" }</button>
    }
}
