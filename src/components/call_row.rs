use super::clock::{Counting, Timer};
use super::panel::note_form;
use super::panel::NoteEvent;
use crate::contacts::Contact;
use crate::format::{
    direction, number_only, our_side, party_detail, party_name, shown_number, via_queue, CallView,
    Detail,
};
use crate::phone;
use crate::state::Note;
use crate::web::TimeFormat;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlTableRowElement;
use yew::prelude::*;

thread_local! {
    static RENDERS: Cell<u64> = const { Cell::new(0) };
}

/// How many times any row has rendered (for tests and benchmarks: a tick must not render rows).
pub fn renders() -> u64 {
    RENDERS.with(Cell::get)
}

/// What one row shows: its call and what the panel knows about it. Rows are memoised on this, so a row renders when
/// its call, contact, selection or note changes, and not on a tick or another row's change.
#[derive(Properties, PartialEq)]
pub struct RowProps {
    pub call: CallView,
    /// Where the row stands in a virtualised list (`aria-rowindex`); `None` when every row is in the DOM, so that
    /// a call added at the top does not render every row below it.
    #[prop_or_default]
    pub index: Option<usize>,
    pub fmt: Rc<TimeFormat>,
    pub skew_ms: f64,
    pub contact: Option<Contact>,
    pub selected: bool,
    pub noted: bool,
    pub note: Option<Note>,
    pub on_select: Callback<String>,
    pub on_note: Option<Callback<NoteEvent>>,
}

/// A number as a `tel:` link: its accessible name is the visible text first (a name must begin with what is seen),
/// then the full E.164 number.
fn tel(shown: String, e164: &str, class: &'static str) -> Html {
    let name = format!("{shown} ({e164})");
    html! { <a class={class} href={format!("tel:{e164}")} aria-label={name}>{ shown }</a> }
}

/// The line under a name: the number, a `tel:` link when it is E.164 (its accessible name also holds the full
/// number), and where it is.
fn detail_line(d: Detail) -> Html {
    let number = d.number.map(|(shown, dial)| match dial {
        Some(e) => tel(shown, &e, "rcac-tel"),
        None => html! { <span class="rcac-tel">{ shown }</span> },
    });
    let sep = (number.is_some() && d.location.is_some()).then_some(" · ");
    html! { <>{ for number }{ for sep }{ for d.location }</> }
}

/// One call (styled by `data-status`: a literal `class` costs less wasm than a computed one), and its note box
/// when open. Every text is a Yew text node, so names like `<img onerror=…>` stay inert text. Clicking the row or
/// pressing Enter on it selects the call.
#[function_component]
pub fn CallRow(p: &RowProps) -> Html {
    RENDERS.with(|r| r.set(r.get() + 1));
    let c = &p.call;
    let (arrow, dir) = direction(&c.direction);
    let css = c.status.css();
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
    let contact = p.contact.as_ref();
    let queue = via_queue(c);
    // The name on screen: the host's contact, else RingCentral's (without the queue it came through).
    let shown = match (contact, queue) {
        (Some(m), _) => m.name.clone(),
        (None, Some((_, caller))) => caller.to_string(),
        (None, None) => party_name(&c.remote),
    };
    let name = match contact {
        Some(m) => match &m.url {
            Some(url) => {
                html! { <a class="rcac-name" part="contact" href={url.clone()} target="_top" title={m.name.clone()}>{ m.name.clone() }</a> }
            }
            None => {
                html! { <bdi class="rcac-name" part="contact" title={m.name.clone()}>{ m.name.clone() }</bdi> }
            }
        },
        // No name: the number is the name, as a tel: link when it can be one.
        None => match number_only(&c.remote).and_then(phone::e164) {
            Some(e) => tel(shown.clone(), e, "rcac-name rcac-tel"),
            None => html! { <bdi class="rcac-name" title={shown.clone()}>{ shown.clone() }</bdi> },
        },
    };
    let detail = match contact {
        Some(_) => c.remote.phone_number.as_deref().map(|n| Detail {
            number: Some(shown_number(n)),
            location: None,
        }),
        None => party_detail(&c.remote),
    };
    let note = p.on_note.as_ref().map(|on_note| {
        let open = on_note.reform({
            let id = id.clone();
            move |_: MouseEvent| NoteEvent::Open(id.clone())
        });
        let noted = p.noted;
        let cell = html! {
            <td class="rcac-act">
                <button class="rcac-btn" part="button" onclick={open}
                        aria-label={format!("{} on the call with {shown}", if noted { "Noted. Another note" } else { "Note" })}>
                    { if noted { "Noted ✓" } else { "Note" } }
                </button>
            </td>
        };
        let form = p.note.as_ref().map(|n| html! {
            <tr key={format!("{}/note", c.id)} class="rcac-note-row"><td colspan="7">{ note_form(n, on_note, false) }</td></tr>
        });
        (cell, form)
    });
    let (cell, form) = match note {
        Some((cell, form)) => (cell, form),
        None => (html! {}, None),
    };
    html! {
        <>
            <tr key={c.id.clone()} class="rcac-row" part="row" data-status={css} tabindex="0" data-call-id={c.id.clone()}
                aria-rowindex={p.index.map(|i| (i + 2).to_string())}
                aria-current={p.selected.then_some("true")} onclick={select} onkeydown={keydown}>
                <td class="rcac-dir"><span aria-hidden="true">{ arrow }</span><span class="rcac-dir-text">{ dir.clone() }</span></td>
                <td class="rcac-party">
                    <span class="rcac-dir-inline"><span aria-hidden="true">{ arrow }</span><span class="rcac-sr">{ dir }</span></span>
                    { name }
                    if let Some(d) = detail { <bdi class="rcac-sub">{ detail_line(d) }</bdi> }
                    if let Some((q, _)) = queue { <bdi class="rcac-sub">{ format!("via {q}") }</bdi> }
                </td>
                <td class="rcac-ours"><bdi class={number_only(&c.ours).map(|_| "rcac-tel")}>{ our_side(&c.ours) }</bdi></td>
                <td class="rcac-state">
                    <span class="rcac-pill" part="status" data-status={css}>{ c.status.label() }</span>
                    if c.status.is_ended() {
                        <span class="rcac-sub">{ match c.final_duration {
                            Some(secs) => html! { <Timer counting={Counting::EndedAgo { end_ms: c.start_ms + secs * 1000.0, skew_ms: p.skew_ms }} /> },
                            None => html! { "ended" },
                        } }</span>
                    }
                </td>
                <td class="rcac-start">{ p.fmt.format(c.start_ms) }</td>
                <td class="rcac-dur"><Timer counting={Counting::Duration { start_ms: c.start_ms, fixed: c.final_duration, skew_ms: p.skew_ms }} /></td>
                { cell }
            </tr>
            { for form }
        </>
    }
}
