// rc-active-calls: the host page's API. Names here are stable once published.

/** Options for `mount()`; the <rc-active-calls> element takes the same as attributes (`client-id`, `poll-seconds`, …). */
export interface WidgetConfig {
  /** The Client ID of your RingCentral app (auth: Authorization Code with PKCE, no secret). */
  clientId: string;
  /** RingCentral's server origin. Default `https://platform.ringcentral.com`. */
  server?: string;
  /** Registered with your app; a page of yours that loads this script. Default: the host page's address. */
  redirectUri?: string;
  /** `extension` (the signed-in user's calls, default) or `account` (every extension's; admins). */
  scope?: "extension" | "account";
  /** Seconds between refreshes, 6–3600 (RingCentral allows 10 active-calls requests a minute). Default 10. */
  pollSeconds?: number | string;
  theme?: "auto" | "light" | "dark";
  /** Widgets sharing a Client ID and server keep separate sessions when their keys differ. */
  sessionKey?: string;
  /** Where the session is kept between page loads: `tabs` (while any of its tabs is open, default) or `browser`. */
  persist?: "tabs" | "browser";
  /** `auto` (default): calls pushed over RingCentral's WebSocket when it works, a ringing call shown at once;
   *  `off`: polling only. */
  live?: "auto" | "off";
  /** `compact`: less room per call, for side panels that show many (the user can switch in the menu). */
  density?: "comfortable" | "compact";
  /** `perPage` of active-calls requests, 1–1000. Default 1000. */
  pageSize?: number | string;
  /** Matches phone numbers to your records. Answers are cached (2 h a match, 5 min no match); a slow or failing
   *  resolver never blocks the panel (8 s timeout, retried after a minute). */
  resolveContacts?: ResolveContacts;
}

export type ResolveContacts = (phoneNumbers: string[]) => Promise<Record<string, Contact | null>> | Record<string, Contact | null>;

export interface Contact {
  name: string;
  /** An http(s) URL or a path on your origin ("/contacts/42"); anything else is not linked. */
  url?: string;
}

export interface Party {
  name: string | null;
  phoneNumber: string | null;
  extensionNumber: string | null;
}

/** A call as the host sees it: our own stable shape, not RingCentral's record. */
export interface Call {
  id: string;
  sessionId: string | null;
  telephonySessionId: string | null;
  /** "Inbound" | "Outbound", or RingCentral's text for a value added later. */
  direction: string;
  /** As RingCentral means them: the caller and the called. */
  from: Party;
  to: Party;
  status: "ringing" | "connected" | "ended";
  /** RingCentral's `result` text ("In Progress", "Call connected", "Missed", …). */
  result: string | null;
  /** RFC 3339, as RingCentral sent it. */
  startTime: string;
  /** At the moment of the event. */
  durationSeconds: number;
  /** The RingCentral extension id the call belongs to. */
  extension: string | null;
  /** Your contact for the other party, when `resolveContacts` matched it. */
  contact: Contact | null;
}

export interface WidgetEvents {
  "rc-active-calls:signed-in": { user: { name: string; extensionNumber: string | null } };
  /** `reason` is set when the session ended without the user choosing to sign out. */
  "rc-active-calls:signed-out": { reason: string | null };
  "rc-active-calls:calls-changed": { scope: "extension" | "account"; calls: Call[] };
  /** A call the widget had not listed before (including calls in progress at the first load). */
  "rc-active-calls:call-started": { call: Call };
  "rc-active-calls:call-ended": { call: Call };
  /** A listed call's status changed while it lasts (ringing → connected, on hold, back). */
  "rc-active-calls:call-updated": { call: Call };
  /** The user clicked a call or pressed Enter on it. */
  "rc-active-calls:call-selected": { call: Call };
  /** The user saved a note. Answer with `ackNote(noteId, true)` or `ackNote(noteId, false, "why")` within 15 s. */
  "rc-active-calls:note": { noteId: string; call: Call; text: string };
  "rc-active-calls:error": {
    kind: "config" | "sign-in" | "unauthorized" | "forbidden" | "rate-limited" | "rejected" | "server" | "network" | "slow" | "malformed";
    /** RingCentral's error code, when it sent one (for `sign-in`: the OAuth `error`, e.g. `access_denied`, or an
     *  `errorCode`, e.g. `OAU-109`). */
    code: string | null;
    message: string;
  };
}

/** What `mount()` returns. */
export interface Widget {
  /** Applies a new config; throws an Error naming every problem. */
  update(config: WidgetConfig): void;
  /** Stops every timer, request and listener and empties the element. */
  unmount(): void;
  refresh(): void;
  signOut(): void;
  setScope(scope: "extension" | "account"): void;
  ackNote(noteId: string, ok: boolean, message?: string): void;
}

/** Loads the widget (once). On a sign-in popup's callback page it hands the answer back and closes the popup. */
export function init(): Promise<void>;
/** After `await init()`. Throws an Error naming every problem in `config`. */
export function mount(element: Element, config: WidgetConfig): Widget;

/** <rc-active-calls client-id="…" server="…" redirect-uri="…" scope="…" poll-seconds="…" theme="…" density="…" session-key="…"> */
export interface RcActiveCallsElement extends HTMLElement {
  resolveContacts: ResolveContacts | undefined;
  refresh(): void;
  signOut(): void;
  setScope(scope: "extension" | "account"): void;
  ackNote(noteId: string, ok: boolean, message?: string): void;
}

/** iframe mode (`…/?embed=1&parentOrigin=…&allowedOrigins=…&resolveContacts=1`): the widget posts
 *  `WidgetMessage`s to the parent at exactly `parentOrigin`, and heeds `WidgetCommand`s only from `allowedOrigins`
 *  (default: `parentOrigin`). */
export type WidgetMessage =
  | { [K in keyof WidgetEvents]: { source: "rc-active-calls"; type: K; detail: WidgetEvents[K] } }[keyof WidgetEvents]
  | { source: "rc-active-calls"; type: "rc-active-calls:resolve-contacts"; detail: { requestId: string; phoneNumbers: string[] } };

export type WidgetCommand =
  | { target: "rc-active-calls"; command: "refresh" }
  | { target: "rc-active-calls"; command: "signOut" }
  | { target: "rc-active-calls"; command: "setScope"; scope: "extension" | "account" }
  | { target: "rc-active-calls"; command: "ackNote"; noteId: string; ok: boolean; message?: string }
  | { target: "rc-active-calls"; command: "contacts"; requestId: string; contacts: Record<string, Contact | null> };

declare global {
  interface HTMLElementTagNameMap {
    "rc-active-calls": RcActiveCallsElement;
  }
  interface HTMLElementEventMap {
    "rc-active-calls:signed-in": CustomEvent<WidgetEvents["rc-active-calls:signed-in"]>;
    "rc-active-calls:signed-out": CustomEvent<WidgetEvents["rc-active-calls:signed-out"]>;
    "rc-active-calls:calls-changed": CustomEvent<WidgetEvents["rc-active-calls:calls-changed"]>;
    "rc-active-calls:call-started": CustomEvent<WidgetEvents["rc-active-calls:call-started"]>;
    "rc-active-calls:call-ended": CustomEvent<WidgetEvents["rc-active-calls:call-ended"]>;
    "rc-active-calls:call-updated": CustomEvent<WidgetEvents["rc-active-calls:call-updated"]>;
    "rc-active-calls:call-selected": CustomEvent<WidgetEvents["rc-active-calls:call-selected"]>;
    "rc-active-calls:note": CustomEvent<WidgetEvents["rc-active-calls:note"]>;
    "rc-active-calls:error": CustomEvent<WidgetEvents["rc-active-calls:error"]>;
  }
}
