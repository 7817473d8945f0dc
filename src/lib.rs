//! rc-active-calls: a RingCentral active-calls panel for CRM pages, in Rust + Yew compiled to WebAssembly.
//!
//! Pure logic (configuration, PKCE encoding, the JSON model, error mapping, the poll scheduler, the reducer and the
//! wording) builds and is tested natively; the browser edges (`web`, `api::client`, `auth::session`,
//! `components`) are wasm-only.

pub mod api;
pub mod auth;
pub mod config;
pub mod format;
pub mod poll;
pub mod state;
pub mod time;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod tasks;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
mod standalone {
    use crate::components::app::{App, AppProps};
    use crate::{config, url, web};
    use std::rc::Rc;

    /// The standalone page: configuration from the query string and the mount element's `data-` attributes
    /// (the query wins). A popup's callback hands its answer back and renders nothing.
    pub fn start() {
        if crate::auth::login::hand_back_to_opener() {
            return;
        }
        let Some(doc) = web::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(root) = doc
            .get_element_by_id("rc-active-calls")
            .or_else(|| doc.body().map(Into::into))
        else {
            return;
        };
        let mut pairs = vec![];
        let attrs = root.attributes();
        for i in 0..attrs.length() {
            if let Some(a) = attrs.item(i) {
                if a.name().starts_with("data-") {
                    pairs.push((a.name(), a.value()));
                }
            }
        }
        // Back from RingCentral the address holds only `code` and `state`: the configuration is the query of the
        // page that started the sign-in.
        let query = crate::auth::login::pending_return_query().unwrap_or_else(web::location_search);
        pairs.extend(url::parse_query(&query));
        let config = config::from_pairs(&pairs, &web::page_url());
        yew::Renderer::<App>::with_root_and_props(
            root,
            AppProps {
                config: Rc::new(config),
            },
        )
        .render();
    }
}

#[cfg(target_arch = "wasm32")]
pub use standalone::start;
