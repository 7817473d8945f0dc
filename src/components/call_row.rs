use super::panel::NoteEvent;
use super::panel::{note_form, Actions};
use crate::format::{direction, duration, our_side, party_detail, party_name, CallView};
use crate::state::State;
use web_sys::HtmlTableRowElement;
use yew::prelude::*;

/// One call (styled by `data-status`: a literal `class` costs less wasm than a computed one), and its note box
/// when open. Every text is a Yew text node, so names like `<img onerror=…>` stay inert text. Clicking the row or
/// pressing Enter on it selects the call.
pub fn view(s: &State, c: &CallView, started: String, p: &Actions) -> Vec<Html> {
    let (arrow, dir) = direction(&c.direction);
    let css = c.status.css();
    let dur = duration(c.seconds(s.now, s.skew_ms));
    let id = c.id.clone();
    let select = p.on_select.reform({
        let id = id.clone();
        move |_: MouseEvent| id.clone()
    });
    let on_select = p.on_select.clone();
    let keydown = {
        let id = id.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Enter on the row itself, not in a button or the note box inside it.
            if e.key() == "Enter" && e.target_dyn_into::<HtmlTableRowElement>().is_some() {
                on_select.emit(id.clone());
            }
        })
    };
    let contact = c
        .remote
        .phone_number
        .as_deref()
        .and_then(|n| s.contacts.get(n));
    // The name on screen: the host's contact, else RingCentral's.
    let shown = contact.map_or_else(|| party_name(&c.remote), |m| m.name.clone());
    let name = match contact {
        Some(m) => match &m.url {
            Some(url) => {
                html! { <a class="rcac-name" part="contact" href={url.clone()} target="_top">{ m.name.clone() }</a> }
            }
            None => html! { <bdi class="rcac-name" part="contact">{ m.name.clone() }</bdi> },
        },
        None => html! { <bdi class="rcac-name">{ shown.clone() }</bdi> },
    };
    let detail = match contact {
        Some(_) => c.remote.phone_number.clone(),
        None => party_detail(&c.remote),
    };
    let selected = s.selected.as_deref() == Some(c.id.as_str());
    let note = p.on_note.as_ref().map(|on_note| {
        let open = on_note.reform({
            let id = id.clone();
            move |_: MouseEvent| NoteEvent::Open(id.clone())
        });
        let noted = s.noted.contains(&c.id);
        let cell = html! {
            <td class="rcac-act">
                <button class="rcac-btn" part="button" onclick={open}
                        aria-label={format!("{} on the call with {shown}", if noted { "Noted. Another note" } else { "Note" })}>
                    { if noted { "Noted ✓" } else { "Note" } }
                </button>
            </td>
        };
        let form = s.note(&c.id).map(|n| html! {
            <tr key={format!("{}/note", c.id)} class="rcac-note-row"><td colspan="7">{ note_form(n, on_note, false) }</td></tr>
        });
        (cell, form)
    });
    let (cell, form) = match note {
        Some((cell, form)) => (cell, form),
        None => (html! {}, None),
    };
    let row = html! {
        <tr key={c.id.clone()} class="rcac-row" part="row" data-status={css} tabindex="0" data-call-id={c.id.clone()}
            aria-current={selected.then_some("true")} onclick={select} onkeydown={keydown}>
            <td class="rcac-dir"><span aria-hidden="true">{ arrow }</span><span class="rcac-dir-text">{ dir }</span></td>
            <td class="rcac-party">
                { name }
                if let Some(d) = detail { <bdi class="rcac-sub">{ d }</bdi> }
            </td>
            <td class="rcac-ours"><bdi>{ our_side(&c.ours) }</bdi></td>
            <td class="rcac-state"><span class="rcac-pill" part="status" data-status={css}>{ c.status.label() }</span></td>
            <td class="rcac-start">{ started }</td>
            <td class="rcac-dur"><span role="timer" aria-label={format!("Duration {dur}")}>{ dur.clone() }</span></td>
            { cell }
        </tr>
    };
    std::iter::once(row).chain(form).collect()
}
