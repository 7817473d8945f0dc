use yew::prelude::*;

/// Signed out: one button, and why we are here when it was not the user's choice.
pub fn view(
    busy: bool,
    notice: Option<&str>,
    storage_blocked: bool,
    not_shared: bool,
    on_sign_in: &Callback<()>,
) -> Html {
    let click = on_sign_in.reform(|_: MouseEvent| ());
    html! {
        <div class="rcac-card rcac-signin" part="sign-in">
            <h2 class="rcac-title">{ "Active calls" }</h2>
            if let Some(n) = notice {
                <p class="rcac-notice" role="alert">{ n.to_string() }</p>
            }
            <p class="rcac-muted">{ "Sign in with RingCentral to see your calls as they happen." }</p>
            <button class="rcac-btn rcac-primary" part="button" onclick={click} disabled={busy}>
                { if busy { "Signing in…" } else if notice.is_some() { "Try again" } else { "Sign in with RingCentral" } }
            </button>
            if storage_blocked {
                <p class="rcac-muted">{ "This browser blocks storage here, so you will need to sign in again after reloading the page." }</p>
            }
            if not_shared {
                <p class="rcac-muted">{ "Tabs are not shared here: this widget signs in and updates on its own." }</p>
            }
        </div>
    }
}
