// Nothing for the widget: no plugin, no wasm option. A fixed output folder for the e2e server.
export default { build: { outDir: 'dist', emptyOutDir: true } };
