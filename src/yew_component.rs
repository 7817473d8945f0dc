//! The widget as a Yew component, for Rust/Yew apps. It renders a `<div>` and mounts the widget in that element's
//! shadow root, as `mount()` does for JavaScript hosts: the same isolation of styles, the same sign-in, and the same
//! one feed per browser shared with every other widget of the site.

use crate::config::{self, Scope};
use crate::embed::element::{self, Widget};
use crate::web;
use yew::prelude::*;

/// What a host sets: the keys and rules of `mount()`'s configuration (the README's "Configuration"). Only
/// `client_id` is required; a value the widget refuses is shown in the panel, with what to write instead.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// The Client ID of your RingCentral app (its auth: "Authorization Code with PKCE").
    pub client_id: String,
    /// RingCentral's server; `https://platform.ringcentral.com` when `None`.
    pub server: Option<String>,
    /// Where RingCentral sends the user back after signing in: a page of your app that renders this component
    /// (registered in the RingCentral app). This page's address when `None`.
    pub redirect_uri: Option<String>,
    /// The signed-in user's calls, or the whole account's (admins); the user's when `None`.
    pub scope: Option<Scope>,
    /// Seconds between two refreshes when live updates are off (6–3600).
    pub poll_seconds: Option<u32>,
    /// Any other setting by its `mount()` key: `theme`, `density`, `pageSize`, `sessionKey`, `persist`, `live`.
    pub other: Vec<(String, String)>,
}

impl Settings {
    fn pairs(&self) -> Vec<(String, String)> {
        let mut p = vec![("clientId".to_string(), self.client_id.clone())];
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                p.push((k.to_string(), v));
            }
        };
        put("server", self.server.clone());
        put("redirectUri", self.redirect_uri.clone());
        put("scope", self.scope.map(|s| s.as_str().to_string()));
        put("pollSeconds", self.poll_seconds.map(|n| n.to_string()));
        p.extend(self.other.iter().cloned());
        p
    }

    fn read(&self) -> element::Config {
        config::from_pairs(&self.pairs(), &web::page_url()).map(config::WidgetConfig::in_host_page)
    }
}

/// The properties of [`ActiveCalls`].
#[derive(Properties, PartialEq)]
pub struct ActiveCallsProps {
    /// The widget's configuration; a change applies at once (a new app or server signs in afresh).
    pub settings: Settings,
    /// Classes for the host `<div>` (size and place it; the widget's own styles are inside its shadow root).
    #[prop_or_default]
    pub class: Classes,
}

/// The active-calls panel.
///
/// ```ignore
/// use rc_active_calls::{ActiveCalls, Settings};
/// use yew::prelude::*;
///
/// #[function_component]
/// fn Crm() -> Html {
///     let settings = Settings { client_id: "YOUR_CLIENT_ID".into(), ..Settings::default() };
///     html! {
///         <main>
///             <h1>{ "Accounts" }</h1>
///             <ActiveCalls {settings} />
///         </main>
///     }
/// }
/// ```
///
/// The page given as `redirect_uri` must render this component too: in the sign-in popup it hands RingCentral's
/// answer back to the app and closes.
#[function_component(ActiveCalls)]
pub fn active_calls(props: &ActiveCallsProps) -> Html {
    let node = use_node_ref();
    let widget = use_mut_ref(|| None::<Widget>);
    {
        let (node, widget) = (node.clone(), widget.clone());
        use_effect_with(props.settings.clone(), move |settings| {
            let mut w = widget.borrow_mut();
            match (&mut *w, node.cast::<web_sys::Element>()) {
                (Some(mounted), _) => mounted.reconfigure(settings.read()),
                // In the sign-in popup: hand the answer back (the window closes) and mount nothing.
                (None, Some(el)) if !element::hand_back() => {
                    *w = element::mount_read(el, settings.read(), None, false).ok();
                }
                _ => {}
            }
        });
    }
    use_effect_with((), move |_| {
        move || {
            if let Some(mut w) = widget.borrow_mut().take() {
                w.unmount();
            }
        }
    });
    html! { <div ref={node} class={props.class.clone()}></div> }
}
