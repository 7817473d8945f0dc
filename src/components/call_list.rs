//! The table of calls. Past `VIRTUAL_FROM` calls it scrolls in its own box and holds only the rows in view (plus
//! overscan) between two spacer rows, so five thousand calls cost the DOM and the main thread about what forty do.
//! The table says how many rows there are (`aria-rowcount`) and each row where it stands (`aria-rowindex`); the row
//! with keyboard focus stays rendered wherever it scrolls; the arrow keys, Page Up/Down, Home and End move between
//! rows, bringing the next one into the DOM first when it is not there.

use super::call_row::CallRow;
use super::panel::NoteEvent;
use crate::list_window::{
    covers, in_view, moved, parts, pitch, reveal, step, window, Part, VIRTUAL_FROM,
};
use crate::state::State;
use crate::web::TimeFormat;
use std::cell::RefCell;
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

/// The call id of the row an event came from (a row itself, not a button or the note box inside it).
fn row_of(target: Option<web_sys::EventTarget>) -> Option<String> {
    target?
        .dyn_into::<Element>()
        .ok()?
        .get_attribute("data-call-id")
}

/// The row for `id` among the body's children.
fn find_row(body: &Element, id: &str) -> Option<HtmlElement> {
    let rows = body.children();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .find(|r| r.get_attribute("data-call-id").as_deref() == Some(id))
        .and_then(|r| r.dyn_into().ok())
}

/// What the list keeps between renders (one mutable cell: each hook of its own type would cost wasm bytes).
struct Local {
    scroller: NodeRef,
    body: NodeRef,
    /// The first row in view and how many fit.
    first: usize,
    fit: usize,
    /// A row's height and the header's, as measured.
    row_h: f64,
    head_h: f64,
    /// The row with keyboard focus (kept rendered), and the one to focus once rendered.
    focused: Option<String>,
    to_focus: Option<String>,
    /// The scroll offset a key asked for, applied again once the spacers have their new heights (until then the
    /// box may be too short to scroll that far).
    want_top: Option<f64>,
    /// A window move left for the task after the frame (`follow`).
    following: bool,
}

impl Local {
    /// The rows in view at the scroller's offset (or `top`).
    fn view(&self, el: &Element, top: Option<f64>) -> (usize, usize) {
        let top = top.unwrap_or_else(|| el.scroll_top() as f64);
        in_view(top, el.client_height() as f64 - self.head_h, self.row_h)
    }

    /// Moves the window to the rows in view; whether it moved (then the list renders again).
    fn look(&mut self, el: &Element, top: Option<f64>, total: usize) -> bool {
        let view = self.view(el, top);
        self.move_to(view, total)
    }

    /// Moves the window to `first` and `fit`, the rows in view; whether it moved.
    fn move_to(&mut self, (first, fit): (usize, usize), total: usize) -> bool {
        let moved = fit != self.fit || moved(self.first, first, total, fit);
        if moved {
            (self.first, self.fit) = (first, fit);
        }
        moved
    }
}

/// Moves the window to where the list has scrolled, in a task after the current frame: the frame paints the rows it
/// has, and rendering the overscan rows that came into reach (removing those out of it) is left out of it. A wheel
/// step shorter than the overscan then costs the frame no rendering at all (bench/render's longest task scrolling).
fn follow(
    local: &Rc<RefCell<Local>>,
    redraw: &yew::functional::UseForceUpdateHandle,
    total: usize,
) {
    let mut l = local.borrow_mut();
    if std::mem::replace(&mut l.following, true) {
        return;
    }
    let (local, redraw) = (Rc::downgrade(local), redraw.clone());
    // The timer is set now, not when the task first runs: a timer set after this one fires after it.
    let after_frame = gloo_timers::future::TimeoutFuture::new(0);
    crate::tasks::spawn(async move {
        after_frame.await;
        // The list may be gone by now.
        let Some(local) = local.upgrade() else {
            return;
        };
        let mut l = local.borrow_mut();
        l.following = false;
        let moved = match l.scroller.cast::<Element>() {
            Some(el) => l.look(&el, None, total),
            None => false,
        };
        drop(l);
        if moved {
            redraw.force_update();
        }
    });
}

#[function_component]
pub fn CallList<S: StateRef>(p: &ListProps<S>) -> Html {
    let s = &*p.state;
    let total = s.calls.len();
    let virtualised = total >= VIRTUAL_FROM;
    let account = s.scope == crate::config::Scope::Account;
    let local = use_mut_ref(|| Local {
        scroller: NodeRef::default(),
        body: NodeRef::default(),
        first: 0,
        fit: 16,
        row_h: 50.0,
        head_h: 0.0,
        focused: None,
        to_focus: None,
        want_top: None,
        following: false,
    });
    let redraw = use_force_update();

    {
        let (local, redraw) = (local.clone(), redraw.clone());
        // After every render: size the spacers, measure, and move focus where a key asked.
        use_effect(move || {
            let mut l = local.borrow_mut();
            let Some(body) = l.body.cast::<Element>() else {
                return;
            };
            if virtualised {
                let rows = body.children();
                let rows: Vec<Element> = (0..rows.length()).filter_map(|i| rows.item(i)).collect();
                // Every spacer first, then the measuring: a layout read between two writes would see the box
                // half resized, and the browser would clamp the scroll offset to it.
                for r in &rows {
                    if let (Some(n), Some(e)) =
                        (r.get_attribute("data-rows"), r.dyn_ref::<HtmlElement>())
                    {
                        // Whole pixels, and an integer parsed: formatting or parsing an f64 would bring the float
                        // formatting code into the wasm (20 KB gzip). Through the CSSOM: a strict style-src
                        // forbids style attributes, not this.
                        let px = (n.parse::<u32>().unwrap_or(0) as f64 * l.row_h).round() as u64;
                        let _ = e.style().set_property("height", &format!("{px}px"));
                    }
                }
                // Then the rows' pitch (list_window::pitch): a call's row by its box, a spacer or note box none.
                let boxes: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        r.has_attribute("data-call-id").then(|| {
                            let b = r.get_bounding_client_rect();
                            (b.top(), b.height())
                        })
                    })
                    .collect();
                let measured = pitch(&boxes);
                let mut again = false;
                if let Some(h) = measured.filter(|h| (h - l.row_h).abs() > 0.01) {
                    l.row_h = h;
                    again = true;
                }
                if let Some(el) = l.scroller.cast::<Element>() {
                    if let Some(head) = el.query_selector("thead").ok().flatten() {
                        l.head_h = head.get_bounding_client_rect().height();
                    }
                    if let Some(top) = l.want_top.take() {
                        el.set_scroll_top(top as i32);
                    }
                    again |= l.look(&el, None, total);
                }
                if again {
                    // Not while borrowed: the render it starts reads `local`.
                    drop(l);
                    redraw.force_update();
                    return;
                }
            }
            let id = l.to_focus.take();
            drop(l);
            if let Some(row) = id.and_then(|id| find_row(&body, &id)) {
                let _ = row.focus();
            }
        });
    }

    let onscroll = {
        let (local, redraw) = (local.clone(), redraw.clone());
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<Element>() else {
                return;
            };
            let mut l = local.borrow_mut();
            // The offset and height are read once: the window moves to them at once unless the rows are there.
            let (first, fit) = l.view(&el, None);
            if covers(&window(l.first, l.fit, total), first, fit, total) {
                drop(l);
                follow(&local, &redraw, total);
            } else if l.move_to((first, fit), total) {
                drop(l);
                redraw.force_update();
            }
        })
    };
    let onfocusin = {
        let local = local.clone();
        Callback::from(move |e: FocusEvent| {
            if let Some(id) = row_of(e.target()) {
                local.borrow_mut().focused = Some(id);
            }
        })
    };
    let onkeydown = {
        let (state, local) = (p.state.clone(), local.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(id) = row_of(e.target()) else {
                return;
            };
            let calls = &state.calls;
            let Some(i) = calls.iter().position(|c| c.id == id) else {
                return;
            };
            let (fit, body, scroller) = {
                let l = local.borrow();
                (l.fit, l.body.clone(), l.scroller.clone())
            };
            let Some(to) = step(&e.key(), i, calls.len(), fit.saturating_sub(1)) else {
                return;
            };
            e.prevent_default();
            let target = calls[to].id.clone();
            // No borrow of `local` is held from here: focusing runs our focusin handler, rendering reads it.
            if let Some(row) = body.cast::<Element>().and_then(|b| find_row(&b, &target)) {
                let _ = row.focus();
            } else if let Some(el) = scroller.cast::<Element>() {
                // Not in the DOM: scroll to it, render, then focus (the effect above).
                {
                    let mut l = local.borrow_mut();
                    let viewport = el.client_height() as f64 - l.head_h;
                    let top = reveal(to, el.scroll_top() as f64, viewport, l.row_h);
                    if let Some(top) = top {
                        el.set_scroll_top(top as i32);
                    }
                    l.look(&el, top, total);
                    l.want_top = top;
                    l.to_focus = Some(target);
                }
                redraw.force_update();
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
    let l = local.borrow();
    let rows: Html = if virtualised {
        let keep = l
            .focused
            .as_deref()
            .and_then(|id| s.calls.iter().position(|c| c.id == id));
        let (first, fit) = (l.first, l.fit);
        let mut out = vec![];
        // A spacer is keyed by the row it starts at: a moving window then adds and drops spacers around the rows
        // that stay, and never moves a row (moving the focused one would blur it).
        let mut at = 0;
        for part in parts(total, window(first, fit, total), keep) {
            match part {
                // One cell, no colspan: spanning the columns a narrow panel hides would bring them back.
                Part::Gap(rows) => {
                    out.push(html! {
                        <tr key={format!("gap/{at}")} class="rcac-gap" aria-hidden="true" data-rows={rows.to_string()}><td></td></tr>
                    });
                    at += rows;
                }
                Part::Rows(r) => {
                    at = r.end;
                    out.extend(r.map(row));
                }
            }
        }
        out.into_iter().collect()
    } else {
        (0..total).map(row).collect()
    };

    let table = html! {
        <table class="rcac-table" part="list" data-scope={s.scope.as_str()}
               aria-rowcount={virtualised.then(|| (total + 1).to_string())}
               aria-busy={s.loading_more().then_some("true")}>
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
            <tbody ref={l.body.clone()} {onkeydown} {onfocusin}>{ rows }</tbody>
        </table>
    };
    if virtualised {
        html! { <div class="rcac-scroll" part="scroller" ref={l.scroller.clone()} {onscroll}>{ table }</div> }
    } else {
        table
    }
}
