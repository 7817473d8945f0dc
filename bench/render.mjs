// See bench/render. Each figure is the median of RUNS runs (3 by default): the main thread's busy time moves with
// the machine's load, so the plain page runs in the same round as the widget and the ratio is what to read.
import { startAll, control, freshPage, widgetUrl, signInOnSandboxPage, approve, SANDBOX } from '../e2e/lib/harness.js';
import { createRequire } from 'node:module';
import { keepWasmMemory } from './wasm-memory.mjs';

const SDK_BUNDLE = createRequire(new URL('../e2e/package.json', import.meta.url)).resolve('@ringcentral/sdk/dist/ringcentral.min.js');

const sizes = (process.env.SIZES ?? '10,1000,5000').split(',').map(Number);
const IDLE_MS = 10000;
const RUNS = Number(process.env.RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/// Long tasks seen by the page, from the start: durations since the last reset, and every one with its start.
const watchLongTasks = () => {
  window.__long = [];
  window.__allLong = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) { window.__long.push(e.duration); window.__allLong.push([e.startTime, e.duration]); }
  }).observe({ type: 'longtask', buffered: true });
};

/// The longest task from the first rows on: the answers that follow (another page's worth of records, the host's
/// events) included, which the idle window may not see.
const longestAfterFirst = () => Math.max(0, ...window.__allLong.filter(([at]) => at >= window.__first).map(([, d]) => d));

async function measure(page, list) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  await page.evaluate(() => { window.__long = []; });
  const a = await metric();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const b = await metric();
  const idleLong = Math.max(0, ...(await page.evaluate(() => window.__long)));
  await page.evaluate(() => { window.__long = []; });
  // The wheel over the list: the widget's long list scrolls in its own box, the plain page's with the window.
  await page.locator(list).nth(2).hover();
  for (let i = 0; i < 40; i++) { await page.mouse.wheel(0, 600); await new Promise((r) => setTimeout(r, 30)); }
  await new Promise((r) => setTimeout(r, 300));
  const scrollLong = Math.max(0, ...(await page.evaluate(() => window.__long)));
  // What the page keeps alive, not the garbage it has yet to collect (which moves with the collector's timing).
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await metric()).JSHeapUsedSize / 1e6;
  return {
    busy: ((b.TaskDuration - a.TaskDuration) * 1000) / (IDLE_MS / 1000),
    idleLong, scrollLong, heap,
    wasm: (await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? 0)) / 1e6,
  };
}

/// The widget's script time per selection of a row (each renders the whole app: nothing in the list changes).
async function selecting(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const script = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value;
  const rows = page.locator('tr.rcac-row');
  const before = await script();
  for (let i = 0; i < 20; i++) await rows.nth(i % 10).evaluate((r) => r.click());
  await new Promise((r) => setTimeout(r, 300));
  return ((await script()) - before) * 1000 / 20;
}

/// A plain page: RingCentral's JS SDK (@ringcentral/sdk's browser bundle, signed in with a token the bench got
/// beforehand), a table by createElement, durations ticking every second, a poll every 10 s.
const PLAIN = (token) => `<!doctype html><meta charset="utf-8"><table><tbody id="b"></tbody></table>
<script src="/bench/sdk.js"></script><script>
const M = RingCentral.SDK;
const sdk = new (M.SDK || M.default || M)({ server: location.origin, clientId: 'demo-server-app' });
const platform = sdk.platform();
const fmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
let rows = [];
async function load() {
  await platform.auth().setData({ token_type: 'bearer', access_token: '${token}', expires_in: 3600, refresh_token_expires_in: 86400 });
  let recs = [], page = 1;
  for (;;) {
    const j = await (await platform.get('/restapi/v1.0/account/~/extension/~/active-calls', { view: 'Simple', perPage: 1000, page })).json();
    recs = recs.concat(j.records || []);
    if (!j.navigation || !j.navigation.nextPage) break;
    page++;
  }
  const b = document.getElementById('b');
  b.textContent = '';
  rows = recs.map((c) => {
    const tr = document.createElement('tr');
    const start = Date.parse(c.startTime);
    for (const v of [c.direction, c.from && (c.from.name || c.from.phoneNumber), c.to && (c.to.name || c.to.phoneNumber), c.result, fmt.format(start)]) {
      const td = document.createElement('td'); td.textContent = v || ''; tr.append(td);
    }
    const d = document.createElement('td'); tr.append(d); b.append(tr);
    return { d, start };
  });
  tick();
}
function tick() { const now = Date.now(); for (const r of rows) { const s = Math.max(0, Math.floor((now - r.start) / 1000)); r.d.textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); } }
load(); setInterval(load, 10000); setInterval(tick, 1000);
</script>`;

/// For both pages, measured the same way: the first frame with a call's row in it, in ms from the page's navigation
/// (the widget's page being the one the sign-in redirects back to, which exchanges the code first).
const watchPage = () => {
  const found = () => document.querySelector('tbody tr') || document.querySelector('#rc-active-calls')?.shadowRoot?.querySelector('tr.rcac-row');
  const look = () => { if (found()) window.__first = performance.now(); else requestAnimationFrame(look); };
  requestAnimationFrame(look);
};

async function plainToken() {
  const redirect = `${SANDBOX}/callback`;
  const url = `${SANDBOX}/restapi/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'demo-server-app', redirect_uri: redirect, state: 'b' })}`;
  const code = (await approve(url, '400618687102')).get('code');
  const r = await fetch(`${SANDBOX}/restapi/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from('demo-server-app:demo-server-secret').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect }),
  });
  return (await r.json()).access_token;
}

const env = await startAll();
try {
  for (const n of sizes) {
    const runs = [];
    for (let run = 0; run < RUNS; run++) runs.push(await round(n));
    const m = (k) => median(runs.map((r) => r[k]));
    // A long task while scrolling is a stutter however rarely it comes: the worst run is printed too.
    const worst = (k) => Math.max(...runs.map((r) => r[k]));
    const f = (x) => x.toFixed(1);
    console.log(`${n} calls (median of ${RUNS}): first rows ${Math.round(m('first'))} ms (plain ${Math.round(m('plainFirst'))} ms; `
      + `from each page's navigation); main thread busy per idle second ${f(m('busy'))} ms `
      + `(plain ${f(m('plainBusy'))}, ratio ${f(m('ratio'))}); longest task idle ${f(m('idleLong'))} ms `
      + `(plain ${f(m('plainIdleLong'))}), scrolling ${f(m('scrollLong'))} ms (worst run ${f(worst('scrollLong'))}; plain ${f(m('plainScrollLong'))}), `
      + `from first rows on ${f(m('afterFirst'))} ms (plain ${f(m('plainAfterFirst'))}); `
      + `JS heap ${f(m('heap'))} MB (plain ${f(m('plainHeap'))}); wasm memory ${f(m('wasm'))} MB; `
      + `script per selection of a row ${f(m('select'))} ms`);
  }
} finally {
  await env.stop();
}

async function round(n) {
  // The widget: signed in by redirect; timed on the page the redirect comes back to. (freshPage resets the sandbox.)
  const s = await freshPage(env.browser);
  await control('/sandbox/calls', { extension: '102', count: n, answered: true, from: { name: 'Bench Caller', phoneNumber: '+14155550100' } });
  await s.page.addInitScript(watchLongTasks);
  await s.page.addInitScript(watchPage);
  await s.page.addInitScript(keepWasmMemory);
  await s.page.goto(widgetUrl({}));
  await s.page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await s.page.waitForURL(/authorize/);
  await signInOnSandboxPage(s.page, 'Ben Baker');
  await s.page.locator('tr.rcac-row').first().waitFor({ timeout: 60000 });
  await s.page.waitForFunction(() => window.__first, null, { timeout: 60000 });
  const first = await s.page.evaluate(() => window.__first);
  await s.page.waitForTimeout(2000);
  const w = await measure(s.page, 'tr.rcac-row');
  const afterFirst = await s.page.evaluate(longestAfterFirst);
  const select = await selecting(s.page);
  await s.context.close();
  // The plain page, same records, served from the sandbox's origin (its CORS is not what is measured).
  const token = await plainToken();
  const ctx = await env.browser.newContext();
  const p = await ctx.newPage();
  await p.route(`${SANDBOX}/bench/plain.html`, (r) => r.fulfill({ contentType: 'text/html', body: PLAIN(token) }));
  await p.route(`${SANDBOX}/bench/sdk.js`, (r) => r.fulfill({ contentType: 'text/javascript', path: SDK_BUNDLE }));
  await p.addInitScript(watchLongTasks);
  await p.addInitScript(watchPage);
  await p.addInitScript(keepWasmMemory);
  await p.goto(`${SANDBOX}/bench/plain.html`);
  await p.waitForFunction(() => window.__first, null, { timeout: 60000 });
  const plainFirst = await p.evaluate(() => window.__first);
  await p.waitForTimeout(2000);
  const b = await measure(p, 'tbody tr');
  const plainAfterFirst = await p.evaluate(longestAfterFirst);
  await ctx.close();
  return {
    first, plainFirst, busy: w.busy, plainBusy: b.busy, ratio: w.busy / b.busy, idleLong: w.idleLong,
    plainIdleLong: b.idleLong, scrollLong: w.scrollLong, plainScrollLong: b.scrollLong, heap: w.heap, plainHeap: b.heap,
    wasm: w.wasm, afterFirst, plainAfterFirst, select,
  };
}
