use super::status_bar;
use crate::state::{keeping_note, other_build_note, Keeping, OtherBuild};
use yew::prelude::*;

/// Signed out: one button, and why we are here when it was not the user's choice.
pub fn view(
    busy: bool,
    notice: Option<&str>,
    keeping: Keeping,
    not_shared: bool,
    other_build: Option<OtherBuild>,
    on_sign_in: &Callback<()>,
    on_keep: &Callback<()>,
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
            if let Some((note, _)) = keeping_note(keeping, not_shared) {
                <p class="rcac-muted">{ note }</p>
            }
            if let Some((note, _)) = other_build.map(other_build_note) {
                <p class="rcac-muted">{ note }</p>
            }
            if keeping == Keeping::Askable {
                { status_bar::keep_button(on_keep) }
            }
        </div>
    }
}
