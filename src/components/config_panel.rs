use crate::config::Problem;
use yew::prelude::*;

/// Says exactly what to set when the configuration is missing or wrong.
pub fn view(problems: &[Problem]) -> Html {
    html! {
        <div class="rcac-card rcac-config" part="config" role="alert">
            <h2 class="rcac-title">{ "The widget needs configuring" }</h2>
            <ul>
                { for problems.iter().map(|pr| html! {
                    <li><code>{ pr.key }</code>{ " " }{ pr.message.clone() }</li>
                }) }
            </ul>
            <p class="rcac-muted">
                { "Set these in the page address (" }<code>{ "?clientId=…&server=…" }</code>
                { "), as attributes of the widget's element (" }<code>{ "client-id=\"…\"" }</code>{ ") or in the " }<code>{ "mount()" }</code>{ " config." }
            </p>
        </div>
    }
}
