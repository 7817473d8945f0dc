// For bench/render and bench/soak: an init script that keeps the page's wasm memory where the bench can read it
// (`window.__wasmMemory`), whichever WebAssembly entry point the page's loader uses. The widget exports nothing for
// this: the bench looks from outside, and finds the memory by what it is (the release build's exports have short
// names, scripts/short-names.mjs).
export const keepWasmMemory = () => {
  const keep = (r) => {
    window.__wasmMemory = Object.values((r.instance ?? r).exports).find((e) => e instanceof WebAssembly.Memory);
    return r;
  };
  const [is, i] = [WebAssembly.instantiateStreaming, WebAssembly.instantiate];
  WebAssembly.instantiateStreaming = (...a) => is(...a).then(keep);
  WebAssembly.instantiate = (...a) => i(...a).then(keep);
};
