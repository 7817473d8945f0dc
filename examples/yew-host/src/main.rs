//! A CRM-like Yew app with the calls panel as one of its components. `?server=` names the RingCentral server
//! (the demo sandbox when absent); the page itself is the sign-in's redirect URI.

#[cfg(target_arch = "wasm32")]
mod app {
    use rc_active_calls::{ActiveCalls, Scope, Settings};
    use yew::prelude::*;

    fn query(key: &str) -> Option<String> {
        let search = web_sys::window()?.location().search().ok()?;
        web_sys::UrlSearchParams::new_with_str(&search)
            .ok()?
            .get(key)
    }

    #[function_component]
    pub fn Crm() -> Html {
        let scope = use_state(|| Scope::Extension);
        let settings = Settings {
            client_id: "demo-client".into(),
            server: Some(query("server").unwrap_or_else(|| "http://127.0.0.1:8790".into())),
            scope: Some(*scope),
            poll_seconds: Some(6),
            ..Settings::default()
        };
        let toggle = {
            let scope = scope.clone();
            Callback::from(move |_| {
                scope.set(match *scope {
                    Scope::Extension => Scope::Account,
                    Scope::Account => Scope::Extension,
                })
            })
        };
        html! {
            <main>
                <h1>{ "Accounts" }</h1>
                <p>{ "A Yew app; the calls panel beside is one of its components." }</p>
                <button onclick={toggle}>{ "Switch whose calls" }</button>
                <ActiveCalls {settings} />
            </main>
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<app::Crm>::new().render();
}

// The app is a WebAssembly page; natively there is nothing to run.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
