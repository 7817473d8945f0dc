use crate::format::{direction, duration, our_side, party_detail, party_name, CallView};
use yew::prelude::*;

/// One call (styled by `data-status`: a literal `class` costs less wasm than a computed one). Every text is a Yew text node, so names like `<img onerror=…>` stay inert text.
pub fn view(c: &CallView, seconds: u64, started: String) -> Html {
    let (arrow, dir) = direction(&c.direction);
    let css = c.status.css();
    let dur = duration(seconds);
    html! {
        <tr key={c.id.clone()} class="rcac-row" data-status={css} tabindex="0" data-call-id={c.id.clone()}>
            <td class="rcac-dir"><span aria-hidden="true">{ arrow }</span><span class="rcac-dir-text">{ dir }</span></td>
            <td class="rcac-party">
                <bdi class="rcac-name">{ party_name(&c.remote) }</bdi>
                if let Some(d) = party_detail(&c.remote) { <bdi class="rcac-sub">{ d }</bdi> }
            </td>
            <td class="rcac-ours"><bdi>{ our_side(&c.ours) }</bdi></td>
            <td class="rcac-state"><span class="rcac-pill" data-status={css}>{ c.status.label() }</span></td>
            <td class="rcac-start">{ started }</td>
            <td class="rcac-dur"><span role="timer" aria-label={format!("Duration {dur}")}>{ dur.clone() }</span></td>
        </tr>
    }
}
