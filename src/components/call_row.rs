use crate::format::{direction, duration, our_side, party_detail, party_name, CallView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub call: CallView,
    pub seconds: u64,
    pub started: String,
    /// Account scope: the "our side" column names the extension.
    pub show_ours: bool,
}

/// One call. Every text is a Yew text node, so names like `<img onerror=…>` stay inert text.
#[function_component(CallRow)]
pub fn call_row(p: &Props) -> Html {
    let c = &p.call;
    let (arrow, dir) = direction(&c.direction);
    let status = c.status.label();
    let class = classes!("rcac-row", format!("rcac-{}", c.status.css()));
    html! {
        <tr class={class} tabindex="0" data-call-id={c.id.clone()}>
            <td class="rcac-dir"><span aria-hidden="true">{ arrow }</span><span class="rcac-dir-text">{ dir }</span></td>
            <td class="rcac-party">
                <bdi class="rcac-name">{ party_name(&c.remote) }</bdi>
                if let Some(d) = party_detail(&c.remote) { <bdi class="rcac-sub">{ d }</bdi> }
            </td>
            if p.show_ours { <td class="rcac-ours"><bdi>{ our_side(&c.ours) }</bdi></td> }
            <td class="rcac-state"><span class={classes!("rcac-pill", c.status.css())}>{ status }</span></td>
            <td class="rcac-start">{ p.started.clone() }</td>
            <td class="rcac-dur"><span role="timer" aria-label={format!("Duration {}", duration(p.seconds))}>{ duration(p.seconds) }</span></td>
        </tr>
    }
}
