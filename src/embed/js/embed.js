// rc-active-calls for host pages: `init()`, `mount(element, config)` and the <rc-active-calls> element.
// Types: embed.d.ts. The element class is here because wasm-bindgen cannot extend HTMLElement.
import load, * as wasm from "./rc-active-calls.js";

let ready;

/** Loads the widget once. A page that is a sign-in popup's callback hands the answer back and closes. */
export function init() {
  return (ready ??= load({ module_or_path: new URL("rc-active-calls_bg.wasm", import.meta.url) }).then(() => {
    wasm.handBack();
  }));
}

/** Mounts a widget on `element` (after `await init()`); throws an Error naming every problem in `config`. */
export function mount(element, config) {
  if (!ready) throw new Error("rc-active-calls: call and await init() before mount()");
  return wasm.mount(element, config, true);
}

// Attribute → the config key mount() takes.
const KEYS = { "client-id": "clientId", server: "server", "redirect-uri": "redirectUri", scope: "scope",
  "poll-seconds": "pollSeconds", theme: "theme", "session-key": "sessionKey", "page-size": "pageSize",
  persist: "persist", live: "live", login: "login", density: "density" };
const ATTRS = Object.keys(KEYS);

class RcActiveCalls extends HTMLElement {
  static observedAttributes = ATTRS;
  #w;
  #r;
  #config() {
    const c = { resolveContacts: this.#r };
    for (const a of ATTRS) if (this.hasAttribute(a)) c[KEYS[a]] = this.getAttribute(a);
    return c;
  }
  connectedCallback() {
    init().then(() => {
      if (this.isConnected && !this.#w) {
        try {
          this.#w = wasm.mount(this, this.#config(), false);
        } catch (e) {
          console.warn(e.message);
        }
      }
    }, (e) => console.warn("rc-active-calls: could not load", e));
  }
  disconnectedCallback() {
    this.#w?.unmount();
    this.#w = undefined;
  }
  attributeChangedCallback() {
    this.#w?.update(this.#config());
  }
  /** `(phoneNumbers) => Promise<{ [number]: { name, url? } }>`. */
  get resolveContacts() {
    return this.#r;
  }
  set resolveContacts(f) {
    this.#r = typeof f === "function" ? f : undefined;
    this.#w?.update(this.#config());
  }
  refresh() { this.#w?.refresh(); }
  signOut() { this.#w?.signOut(); }
  setScope(s) { this.#w?.setScope(s); }
  ackNote(id, ok, message) { this.#w?.ackNote(id, ok, message); }
}

if (!customElements.get("rc-active-calls")) customElements.define("rc-active-calls", RcActiveCalls);
