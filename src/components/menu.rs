//! The header's overflow menu: what a narrow side panel has no room for (the row density, sign-out). A menu button
//! as the WAI-ARIA pattern has it: Enter, Space or ArrowDown open it on its first item; ArrowUp/ArrowDown, Home and
//! End move; Escape closes it and returns to the button; Tab or a click elsewhere closes it.

use crate::config::Density;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MenuProps {
    pub density: Density,
    pub on_density: Callback<Density>,
    pub on_sign_out: Callback<()>,
}

/// Focuses the `i`th item (wrapping).
fn focus_item(list: &NodeRef, i: i64) {
    let Some(list) = list.cast::<HtmlElement>() else {
        return;
    };
    let items = list.children();
    let n = i64::from(items.length());
    if n == 0 {
        return;
    }
    let at = i.rem_euclid(n) as u32;
    if let Some(item) = items
        .item(at)
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(e).ok())
    {
        let _ = item.focus();
    }
}

#[function_component]
pub fn Menu(p: &MenuProps) -> Html {
    let open = use_state_eq(|| false);
    let button = use_node_ref();
    let list = use_node_ref();
    {
        let list = list.clone();
        use_effect_with(*open, move |open| {
            if *open {
                focus_item(&list, 0);
            }
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_button_key = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "ArrowDown" {
                e.prevent_default();
                open.set(true);
            }
        })
    };
    // Closing by Escape returns focus to the button; Tab and clicks elsewhere let it go where it goes.
    let close = {
        let (open, button) = (open.clone(), button.clone());
        move |refocus: bool| {
            open.set(false);
            if let (true, Some(b)) = (refocus, button.cast::<HtmlElement>()) {
                let _ = b.focus();
            }
        }
    };
    let item_key = |i: i64| {
        let (list, close) = (list.clone(), close.clone());
        Callback::from(move |e: KeyboardEvent| {
            let to = match e.key().as_str() {
                "ArrowDown" => i + 1,
                "ArrowUp" => i - 1,
                "Home" => 0,
                "End" => -1,
                "Escape" => {
                    e.prevent_default();
                    close(true);
                    return;
                }
                "Tab" => {
                    close(false);
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            focus_item(&list, to);
        })
    };
    let on_focus_out = {
        let close = close.clone();
        Callback::from(move |e: FocusEvent| {
            // Focus left the menu and its button altogether (a click elsewhere).
            let inside = e
                .related_target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
                .zip(
                    e.current_target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok()),
                )
                .is_some_and(|(to, menu)| menu.contains(Some(&to)));
            if !inside {
                close(false);
            }
        })
    };
    let compact = p.density == Density::Compact;
    let on_density = {
        let (cb, close) = (p.on_density.clone(), close.clone());
        let next = if compact {
            Density::Comfortable
        } else {
            Density::Compact
        };
        Callback::from(move |_: MouseEvent| {
            cb.emit(next);
            close(true);
        })
    };
    let (key_0, key_1) = (item_key(0), item_key(1));
    let on_sign_out = {
        let cb = p.on_sign_out.clone();
        Callback::from(move |_: MouseEvent| {
            close(false);
            cb.emit(());
        })
    };
    html! {
        <div class="rcac-menu-wrap" onfocusout={on_focus_out}>
            <button ref={button} class="rcac-btn rcac-icon" part="button" aria-haspopup="menu" aria-expanded={open.to_string()}
                    aria-label="More" title="More" onclick={toggle} onkeydown={on_button_key}>{ "⋯" }</button>
            if *open {
                <div ref={list} class="rcac-menu" role="menu" aria-label="More" part="menu">
                    <button class="rcac-item" role="menuitemcheckbox" aria-checked={compact.to_string()} tabindex="-1"
                            onclick={on_density} onkeydown={key_0}>{ "Compact rows" }</button>
                    <button class="rcac-item" role="menuitem" tabindex="-1"
                            onclick={on_sign_out} onkeydown={key_1}>{ "Sign out" }</button>
                </div>
            }
        </div>
    }
}
