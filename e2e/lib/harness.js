// Starts rc-sandbox and a static server for dist/, launches Debian's Chromium, and fails a test on any page error,
// console error or "panicked" text. Each test gets a fresh browser context and a reset sandbox.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SANDBOX = 'http://127.0.0.1:18790';
export const WIDGET = 'http://127.0.0.1:18080/';
export const CRM = 'http://127.0.0.1:18081/';
export const ARTIFACTS = join(root, 'e2e', 'artifacts');

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/// The standalone page's Content-Security-Policy, as strict as the widget allows: scripts and styles from its own
/// origin only (no inline ones), WebAssembly, RingCentral (the sandbox) and its WebSocket gateway, no plugins, no
/// base or form tricks; framed by nobody, or in embed mode by exactly the parent origins it names.
export function standaloneCsp(query) {
  const parents = query.get('embed') ? (query.get('parentOrigin') ?? '').split(',').map((o) => o.trim()) : [];
  const ok = parents.length > 0 && parents.every((o) => /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o));
  return [
    "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
    `connect-src 'self' ${SANDBOX} ${SANDBOX.replace(/^http/, 'ws')}`, 'img-src data:', "base-uri 'none'",
    "form-action 'none'", `frame-ancestors ${ok ? parents.join(' ') : "'none'"}`,
  ].join('; ');
}

function serveDist(port) {
  // `make build` writes the release here (trunk serve keeps dist/ for the demo).
  return serveDir(join(root, 'target', 'release-dist'), port,
    (url) => standaloneCsp(url.searchParams));
}

/// A static server for `dir` on `port`; HTML pages get the Content-Security-Policy `csp(url)` returns.
export function serveDir(dir, port, csp) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = decodeURIComponent(url.pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      // Host pages on other origins load embed.js, the glue and the wasm (as trunk serve allows in Trunk.toml).
      const headers = {
        'content-type': TYPES[extname(file)] || 'application/octet-stream',
        'access-control-allow-origin': '*',
      };
      if (extname(file) === '.html') headers['content-security-policy'] = csp(url);
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

async function waitFor(url, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(url)).status < 500) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

export async function startAll() {
  await mkdir(ARTIFACTS, { recursive: true });
  const sandbox = spawn(join(root, 'target', 'debug', 'rc-sandbox'),
    ['--listen', '127.0.0.1:18790', '--config', join(root, 'e2e', 'sandbox-world.json'), '--seed', '7'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const web = await serveDist(18080);
  const crm = spawn(process.execPath, [join(root, 'examples', 'crm', 'serve.mjs'), '--port', '18081',
    '--widget', 'http://127.0.0.1:18080', '--server', SANDBOX], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(`${SANDBOX}/sandbox/state`);
  await waitFor(`${CRM}config.js`);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    browser,
    async stop() {
      await browser.close();
      web.close();
      crm.kill();
      sandbox.kill('SIGINT');
    },
  };
}

export async function control(path, body, method = 'POST') {
  const res = await fetch(`${SANDBOX}${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export const requests = () => control('/sandbox/requests', undefined, 'GET');

/// What a person does on the sandbox's sign-in page, as a form post: approves the authorization request `url` as
/// `user` (an extension id) and returns the query of the redirect back (`code`, `state`).
export async function approve(url, user) {
  const form = new URLSearchParams(new URL(url).searchParams);
  form.set('sandbox_user', user);
  form.set('decision', 'allow');
  const res = await fetch(`${SANDBOX}/restapi/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location')).searchParams;
}

/// A fresh context (with Playwright's `contextOptions`) and page whose every error is recorded. `problems()` lists
/// uncaught exceptions, console errors and anything "panicked". Chromium also logs every non-2xx fetch as a console
/// error ("Failed to load resource"); those are the browser's network log, not the page's: `network()` lists them,
/// so a test that injects a fault can allow exactly the statuses it caused.
export async function freshPage(browser, contextOptions = {}) {
  await control('/sandbox/reset', { seed: 7, noTraffic: true });
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const seen = [];
  const net = [];
  // Every page of the context reports Content-Security-Policy violations (in shadow roots too: the event is composed).
  await context.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    }, true);
  });
  const watch = (p) => {
    p.on('pageerror', (e) => seen.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      const text = m.text();
      if (m.type() === 'error' && /^Failed to load resource/.test(text)) net.push(text);
      else if (m.type() === 'error' || /panicked/i.test(text)) seen.push(`console ${m.type()}: ${text}`);
    });
  };
  watch(page);
  context.on('page', watch);
  return { context, page, problems: () => seen.slice(), network: () => net.slice() };
}

/// The standalone widget's address for the demo app on the sandbox, with more query parameters
/// (`widgetUrl({ pollSeconds: 6, scope: 'account' })`).
export function widgetUrl(params = {}) {
  const u = new URL(WIDGET);
  u.searchParams.set('clientId', 'demo-client');
  u.searchParams.set('server', SANDBOX);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.href;
}

/// A fresh page with the standalone widget at `widgetUrl(params)`, signed in by redirect as `user`: resolves once
/// the panel shows the user and a first answer.
export async function signedInPage(browser, { user = 'Ben Baker', params = { pollSeconds: 6 } } = {}) {
  const s = await freshPage(browser);
  await s.page.goto(widgetUrl(params));
  await s.page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await s.page.waitForURL(/authorize/);
  await signInOnSandboxPage(s.page, user);
  await s.page.getByText(user).first().waitFor();
  await s.page.locator('.rcac-status').getByText('Updated').waitFor();
  return s;
}

/// What every test checks at its end: no page error, no console error, no "panicked", and no failed request but
/// those whose `statuses` the test itself caused (see `onlyStatuses`).
export function assertClean({ problems, network }, statuses = []) {
  const seen = problems();
  if (seen.length) throw new Error(`problems on the page: ${seen.join(' | ')}`);
  onlyStatuses(network(), statuses);
}

/// Signs in on the sandbox page as `user` ("Ben Baker", "Ada Admin").
export async function signInOnSandboxPage(page, user) {
  await page.getByRole('radio', { name: new RegExp(user) }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/// Signs out from the header's menu inside `scope` (a page, a locator, a frame locator).
export async function signOut(scope) {
  await scope.getByRole('button', { name: 'More' }).click();
  await scope.getByRole('menuitem', { name: 'Sign out' }).click();
}

/// Clicks "Sign in" inside `scope` (a page, a locator, a frame locator), signs in as `user` in the popup it opens,
/// and waits for the popup to close.
export async function signInByPopup(context, scope, user) {
  const [popup] = await Promise.all([
    context.waitForEvent('page'),
    scope.getByRole('button', { name: 'Sign in with RingCentral' }).click(),
  ]);
  await popup.waitForURL(/\/restapi\/oauth\/authorize/);
  // Listening before the click: a popup that closes quickly must not be missed.
  const closed = popup.waitForEvent('close');
  await signInOnSandboxPage(popup, user);
  await closed;
}

/// Asserts that every network error the browser logged is one of `statuses` (HTTP statuses, or net:: errors such
/// as 'ERR_EMPTY_RESPONSE') that the test itself caused.
export function onlyStatuses(network, statuses) {
  const bad = network.filter((t) => !statuses.some((s) => t.includes(typeof s === 'number' ? `status of ${s}` : s)));
  if (bad.length) throw new Error(`unexpected network errors: ${bad.join(' | ')}`);
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/// Runs axe-core on the page and fails with every violation it finds (`label` says which state). Evaluated through
/// the DevTools protocol, as a script tag would be refused by the page's Content-Security-Policy.
export async function axe(page, label) {
  await page.evaluate(await readFile(AXE, 'utf8'));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
  assert.deepEqual(result, [], `${label}: axe violations`);
}
