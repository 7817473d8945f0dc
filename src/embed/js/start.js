// The standalone page: starts the widget once trunk's loader (loader.js) has the wasm. A file, not an inline
// script, so the page works under `script-src 'self'`.
addEventListener('TrunkApplicationStarted', () => window.wasmBindings.start());
