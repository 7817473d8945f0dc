//! The table of calls. Past `VIRTUAL_FROM` calls it scrolls in its own box and holds only the rows in view (plus
//! overscan) between two spacer rows, so five thousand calls cost the DOM and the main thread about what forty do.
//! The table says how many rows there are (`aria-rowcount`) and each row where it stands (`aria-rowindex`); the row
//! with keyboard focus stays rendered wherever it scrolls; the arrow keys, Page Up/Down, Home and End move between
//! rows, bringing the next one into the DOM first when it is not there.

use super::call_row::CallRow;
use super::panel::NoteEvent;
use crate::list_window::{in_view, moved, parts, reveal, step, window, Part, VIRTUAL_FROM};
use crate::state::State;
use crate::web::TimeFormat;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// The state as the list gets it: the reducer's handle in the widget, a plain `Rc` in tests.
pub trait StateRef: std::ops::Deref<Target = State> + PartialEq + Clone + 'static {}
impl<T: std::ops::Deref<Target = State> + PartialEq + Clone + 'static> StateRef for T {}

#[derive(Properties, PartialEq)]
pub struct ListProps<S: StateRef> {
    pub state: S,
    pub fmt: Rc<TimeFormat>,
    pub on_select: Callback<String>,
    pub on_note: Option<Callback<NoteEvent>>,
}

/// The row element an event came from (a row itself, not a button or the note box inside it).
fn row_of(target: Option<web_sys::EventTarget>) -> Option<(HtmlElement, String)> {
    let row = target?.dyn_into::<HtmlElement>().ok()?;
    let id = row.get_attribute("data-call-id")?;
    Some((row, id))
}

/// The row for `id` among the body's children.
fn find_row(body: &Element, id: &str) -> Option<HtmlElement> {
    let rows = body.children();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .find(|r| r.get_attribute("data-call-id").as_deref() == Some(id))
        .and_then(|r| r.dyn_into().ok())
}

#[function_component]
pub fn CallList<S: StateRef>(p: &ListProps<S>) -> Html {
    let s = &*p.state;
    let total = s.calls.len();
    let virtualised = total >= VIRTUAL_FROM;
    let account = s.scope == crate::config::Scope::Account;
    let scroller = use_node_ref();
    let body = use_node_ref();
    // The first row in view and how many fit; a row's height and the header's, as measured.
    let view = use_state_eq(|| (0usize, 16usize));
    let row_h = use_state_eq(|| 50.0f64);
    let head_h = use_mut_ref(|| 0.0f64);
    // The row with keyboard focus (kept rendered), and the one to focus once rendered.
    let focused = use_mut_ref(|| None::<String>);
    let to_focus = use_mut_ref(|| None::<String>);

    {
        let (scroller, body, view, row_h, head_h, to_focus) = (
            scroller.clone(),
            body.clone(),
            view.clone(),
            row_h.clone(),
            head_h.clone(),
            to_focus.clone(),
        );
        // A gap's one cell has no colspan: spanning the columns a narrow panel hides would bring them back.
        // After every render: size the spacers, measure, and move focus where a key asked.
        use_effect(move || {
            let Some(body) = body.cast::<Element>() else {
                return;
            };
            if virtualised {
                let rows = body.children();
                let mut measured = None;
                for r in (0..rows.length()).filter_map(|i| rows.item(i)) {
                    if let Some(n) = r.get_attribute("data-rows") {
                        if let Some(r) = r.dyn_ref::<HtmlElement>() {
                            let n = n.parse::<f64>().unwrap_or(0.0);
                            // Through the CSSOM: a strict style-src forbids style attributes, not this.
                            let _ = r
                                .style()
                                .set_property("height", &format!("{}px", n * *row_h));
                        }
                    } else if measured.is_none() && r.has_attribute("data-call-id") {
                        measured = Some(r.get_bounding_client_rect().height());
                    }
                }
                if let Some(h) = measured.filter(|h| *h > 0.0 && (h - *row_h).abs() > 0.5) {
                    row_h.set(h);
                }
                if let Some(el) = scroller.cast::<Element>() {
                    if let Some(head) = el.query_selector("thead").ok().flatten() {
                        *head_h.borrow_mut() = head.get_bounding_client_rect().height();
                    }
                    let (first, fit) = in_view(
                        el.scroll_top() as f64,
                        el.client_height() as f64 - *head_h.borrow(),
                        *row_h,
                    );
                    if fit != view.1 || moved(view.0, first, total, fit) {
                        view.set((first, fit));
                    }
                }
            }
            let id = to_focus.borrow_mut().take();
            if let Some(id) = id {
                if let Some(row) = find_row(&body, &id) {
                    let _ = row.focus();
                }
            }
        });
    }

    let onscroll = {
        let (view, row_h, head_h) = (view.clone(), *row_h, head_h.clone());
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<Element>() else {
                return;
            };
            let (first, fit) = in_view(
                el.scroll_top() as f64,
                el.client_height() as f64 - *head_h.borrow(),
                row_h,
            );
            if fit != view.1 || moved(view.0, first, total, fit) {
                view.set((first, fit));
            }
        })
    };
    let onfocusin = {
        let focused = focused.clone();
        Callback::from(move |e: FocusEvent| {
            if let Some((_, id)) = row_of(e.target()) {
                *focused.borrow_mut() = Some(id);
            }
        })
    };
    let onkeydown = {
        let (state, scroller, body) = (p.state.clone(), scroller.clone(), body.clone());
        let (view, row_h, head_h, to_focus) =
            (view.clone(), *row_h, head_h.clone(), to_focus.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some((_, id)) = row_of(e.target()) else {
                return;
            };
            let calls = &state.calls;
            let Some(i) = calls.iter().position(|c| c.id == id) else {
                return;
            };
            let Some(to) = step(&e.key(), i, calls.len(), view.1.saturating_sub(1)) else {
                return;
            };
            e.prevent_default();
            let target = calls[to].id.clone();
            let rendered = body.cast::<Element>().and_then(|b| find_row(&b, &target));
            match (rendered, scroller.cast::<Element>()) {
                (Some(row), _) => {
                    let _ = row.focus();
                }
                (None, Some(el)) => {
                    // Not in the DOM: scroll to it, render, then focus (the effect above).
                    let viewport = el.client_height() as f64 - *head_h.borrow();
                    if let Some(top) = reveal(to, el.scroll_top() as f64, viewport, row_h) {
                        el.set_scroll_top(top as i32);
                    }
                    let (first, fit) = in_view(el.scroll_top() as f64, viewport, row_h);
                    *to_focus.borrow_mut() = Some(target);
                    view.set((first, fit));
                }
                (None, None) => {}
            }
        })
    };

    let row = |i: usize| {
        let c = &s.calls[i];
        let contact = c
            .remote
            .phone_number
            .as_deref()
            .and_then(|n| s.contacts.get(n))
            .cloned();
        html! {
            <CallRow key={c.id.clone()} call={c.clone()} fmt={p.fmt.clone()} skew_ms={s.skew_ms} {contact}
                index={virtualised.then_some(i)}
                selected={s.selected.as_deref() == Some(c.id.as_str())} noted={s.noted.contains(&c.id)}
                note={s.note(&c.id).cloned()} on_select={p.on_select.clone()} on_note={p.on_note.clone()} />
        }
    };
    let rows: Html = if virtualised {
        let keep = focused
            .borrow()
            .as_deref()
            .and_then(|id| s.calls.iter().position(|c| c.id == id));
        let (first, fit) = *view;
        let mut out = vec![];
        for (n, part) in parts(total, window(first, fit, total), keep)
            .into_iter()
            .enumerate()
        {
            match part {
                Part::Gap(rows) => out.push(html! {
                    <tr key={format!("gap/{n}")} class="rcac-gap" aria-hidden="true" data-rows={rows.to_string()}><td></td></tr>
                }),
                Part::Rows(r) => out.extend(r.map(row)),
            }
        }
        out.into_iter().collect()
    } else {
        (0..total).map(row).collect()
    };

    let table = html! {
        <table class="rcac-table" part="list" data-scope={s.scope.as_str()}
               aria-rowcount={virtualised.then(|| (total + 1).to_string())}>
            <caption class="rcac-sr">{ if account { "Active calls in the account" } else { "Your active calls" } }</caption>
            <thead><tr aria-rowindex={virtualised.then_some("1")}>
                { for [
                    ("rcac-dir", "Direction"),
                    ("", "Other party"),
                    ("rcac-ours", if account { "Extension" } else { "Our side" }),
                    ("rcac-state", "Status"),
                    ("rcac-start", "Started"),
                    ("rcac-dur", "Duration"),
                ].into_iter().map(|(class, label)| html! { <th scope="col" {class}>{ label }</th> }) }
                if p.on_note.is_some() { <th scope="col" class="rcac-act"><span class="rcac-sr">{ "Notes" }</span></th> }
            </tr></thead>
            <tbody ref={body} {onkeydown} {onfocusin}>{ rows }</tbody>
        </table>
    };
    if virtualised {
        html! { <div class="rcac-scroll" part="scroller" ref={scroller} {onscroll}>{ table }</div> }
    } else {
        table
    }
}
