//! The least a widget on the named stack does: a Yew app with one reducer, an effect that fetches a list with
//! gloo-net and reads it through serde-wasm-bindgen into derived records, a keyed list of row components with a
//! click handler each, and a payload out to the page through serde-wasm-bindgen. No sign-in, no errors shown, no
//! tabs, no live updates, no embedding: what is left is the stack's own code.

use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Party {
    phone_number: Option<String>,
    name: Option<String>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    id: String,
    start_time: Option<String>,
    duration: Option<f64>,
    from: Option<Party>,
    to: Option<Party>,
}

#[derive(Deserialize)]
struct Answer {
    records: Vec<Record>,
}

#[derive(Default, PartialEq)]
struct State {
    records: Vec<Record>,
    selected: Option<String>,
}

enum Action {
    Loaded(Vec<Record>),
    Select(String),
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = State {
            records: self.records.clone(),
            selected: self.selected.clone(),
        };
        match action {
            Action::Loaded(r) => s.records = r,
            Action::Select(id) => s.selected = Some(id),
        }
        Rc::new(s)
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    record: Record,
    selected: bool,
    on_select: Callback<String>,
}

#[function_component]
fn Row(p: &RowProps) -> Html {
    let id = p.record.id.clone();
    let select = p.on_select.reform(move |_: MouseEvent| id.clone());
    let name = p
        .record
        .from
        .as_ref()
        .and_then(|f| f.name.clone())
        .unwrap_or_default();
    html! {
        <tr class="row" aria-current={p.selected.then_some("true")} onclick={select}>
            <td>{ name }</td>
            <td>{ p.record.start_time.clone().unwrap_or_default() }</td>
        </tr>
    }
}

#[function_component]
fn App() -> Html {
    let state = use_reducer(State::default);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(res) = gloo_net::http::Request::get(
                    "/restapi/v1.0/account/~/extension/~/active-calls",
                )
                .header("Accept", "application/json")
                .send()
                .await
                else {
                    return;
                };
                let Ok(text) = res.text().await else { return };
                let Ok(value) = js_sys::JSON::parse(&text) else {
                    return;
                };
                if let Ok(answer) = serde_wasm_bindgen::from_value::<Answer>(value) {
                    state.dispatch(Action::Loaded(answer.records));
                }
            });
        });
    }
    let on_select = {
        let state = state.clone();
        Callback::from(move |id: String| {
            // The selected record out to the page, as the widget's events carry theirs.
            if let Some(r) = state.records.iter().find(|r| r.id == id) {
                if let (Some(w), Ok(v)) = (web_sys::window(), serde_wasm_bindgen::to_value(r)) {
                    let _ = js_sys::Reflect::set(&w, &"selectedCall".into(), &v);
                }
            }
            state.dispatch(Action::Select(id));
        })
    };
    html! {
        <table class="calls">
            <caption>{ format!("{} active calls", state.records.len()) }</caption>
            { for state.records.iter().map(|r| html! {
                <Row key={r.id.clone()} record={r.clone()} selected={state.selected.as_ref() == Some(&r.id)}
                     on_select={on_select.clone()} />
            }) }
        </table>
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("floor"))
    {
        yew::Renderer::<App>::with_root(root).render();
    }
}
