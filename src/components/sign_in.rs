use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub busy: bool,
    pub notice: Option<String>,
    pub storage_blocked: bool,
    pub on_sign_in: Callback<()>,
}

/// Signed out: one button, and why we are here when it was not the user's choice.
#[function_component(SignIn)]
pub fn sign_in(p: &Props) -> Html {
    let click = p.on_sign_in.reform(|_: MouseEvent| ());
    html! {
        <div class="rcac-card rcac-signin">
            <h2 class="rcac-title">{ "Active calls" }</h2>
            if let Some(n) = &p.notice {
                <p class="rcac-notice" role="alert">{ n.clone() }</p>
            }
            <p class="rcac-muted">{ "Sign in with RingCentral to see your calls as they happen." }</p>
            <button class="rcac-btn rcac-primary" onclick={click} disabled={p.busy}>
                { if p.busy { "Signing in…" } else if p.notice.is_some() { "Try again" } else { "Sign in with RingCentral" } }
            </button>
            if p.storage_blocked {
                <p class="rcac-muted">{ "This browser blocks storage here, so you will need to sign in again after reloading the page." }</p>
            }
        </div>
    }
}
