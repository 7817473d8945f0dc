//! The standalone page's entry point (trunk builds this binary for `index.html`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    rc_active_calls::start();
}
