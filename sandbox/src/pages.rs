//! The sandbox's own HTML: the sign-in page's frame and the page of a refused sign-in request.

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>{title}</title><style>
body{{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fff}}
h1{{font-size:1.3rem}} .tag{{font-size:.75rem;background:#eef;border-radius:4px;padding:0 .3rem}}
fieldset{{border:1px solid #ccd;border-radius:8px}} label{{display:block;padding:.35rem 0;cursor:pointer}}
button{{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #0b5cad;margin:.75rem .5rem 0 0;cursor:pointer}}
.primary{{background:#0b5cad;color:#fff}} .err{{color:#a4000f}} small{{color:#555}}
</style></head><body><main><h1>{title}</h1>{body}<p><small>rc-sandbox — a local stand-in for RingCentral. No real account is used.</small></p></main></body></html>"#
    )
}

/// The 400 page of a refused sign-in request.
pub fn refusal_page(code: &str, message: &str) -> String {
    page(
        "Sign-in request refused",
        &format!(
            "<p class=err><strong>{}</strong> {}</p><p>The application that sent you here is not set up \
             correctly. Nothing was signed in.</p>",
            html_escape(code),
            html_escape(message)
        ),
    )
}
