// All day in one tab: 10 000 polls on a driven clock (Playwright's, and the sandbox's with it), calls starting and
// ending along the way, then what grew: wasm memory, JS heap (after a forced GC), DOM nodes, event listeners,
// live timers and requests in flight. Printed at the start (after a warm-up), every 2 000 polls and at the end.
import { startAll, control, freshPage, widgetUrl, signInOnSandboxPage } from '../e2e/lib/harness.js';
import { sleep, grants } from '../e2e/lib/tabs.js';
import { requests } from '../e2e/lib/harness.js';
import { keepWasmMemory } from './wasm-memory.mjs';

const POLLS = Number(process.env.POLLS ?? 10000);
const WARM_UP = 200;
// The sandbox's clock moves a step ahead of the page's: short steps keep the two within a second of each other, so
// the sandbox's rate-limit window sees what the widget's scheduler saw.
const STEP_MS = 1000;

/// Counts the page's live timers and requests in flight (and reads the wasm memory `keepWasmMemory` kept).
const counters = () => {
  const live = new Set();
  const [st, ct, si, ci] = [setTimeout, clearTimeout, setInterval, clearInterval];
  window.setTimeout = function (f, ...a) {
    const id = st.call(this, function (...x) { live.delete(id); return typeof f === 'function' ? f.apply(this, x) : undefined; }, ...a);
    live.add(id);
    return id;
  };
  window.clearTimeout = (id) => { live.delete(id); return ct(id); };
  window.setInterval = function (...a) { const id = si.apply(this, a); live.add(id); return id; };
  window.clearInterval = (id) => { live.delete(id); return ci(id); };
  let inflight = 0;
  const f = fetch;
  window.fetch = (...a) => { inflight++; return f(...a).finally(() => { inflight--; }); };
  window.__counts = () => ({ timers: live.size, inflight, wasm: window.__wasmMemory?.buffer.byteLength ?? 0 });
};

const env = await startAll();
try {
  const s = await freshPage(env.browser);
  const { page, context } = s;
  await control('/sandbox/clock', { freeze: true });
  const { now } = await control('/sandbox/clock', undefined, 'GET');
  await context.clock.install({ time: now });
  await page.addInitScript(counters);
  await page.addInitScript(keepWasmMemory);
  let sent = 0;
  let done = 0;
  const isPoll = (r) => r.method() === 'GET' && r.url().includes('/active-calls');
  page.on('request', (r) => { if (isPoll(r)) sent++; });
  const finished = (r) => { if (isPoll(r)) done++; };
  page.on('requestfinished', finished);
  page.on('requestfailed', finished);
  for (let i = 0; i < 10; i++) {
    await control('/sandbox/calls', { extension: '102', answered: i % 2 === 0, from: { name: `Caller ${i}`, phoneNumber: `+1415555${String(1000 + i)}` } });
  }
  await page.goto(widgetUrl({ pollSeconds: 6, live: 'off' }));
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.locator('tr.rcac-row').first().waitFor();

  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    const c = await page.evaluate(() => window.__counts());
    return { polls: done, wasm: c.wasm, heap: m.JSHeapUsedSize, nodes: m.Nodes, listeners: m.JSEventListeners, timers: c.timers, inflight: c.inflight };
  };
  const show = (x, base) => {
    const mb = (v) => (v / 1e6).toFixed(2);
    const d = (k) => (base ? ` (${x[k] - base[k] >= 0 ? '+' : ''}${k === 'wasm' || k === 'heap' ? mb(x[k] - base[k]) + ' MB' : x[k] - base[k]})` : '');
    console.log(`${String(x.polls).padStart(6)} polls: wasm ${mb(x.wasm)} MB${d('wasm')}, JS heap ${mb(x.heap)} MB${d('heap')}, `
      + `DOM nodes ${x.nodes}${d('nodes')}, listeners ${x.listeners}${d('listeners')}, timers ${x.timers}${d('timers')}, `
      + `requests in flight ${x.inflight}`);
  };

  let churn = 0;
  const ids = [];
  const run = async (polls) => {
    const target = done + polls;
    while (done < target) {
      // A call starts and an older one ends now and then, so rows come and go all day.
      if (++churn % 150 === 0) {
        const { id } = await control('/sandbox/calls', { extension: '102', from: { name: `Soak ${churn}`, phoneNumber: '+14155550199' } });
        ids.push(id);
        if (ids.length > 5) await control(`/sandbox/calls/${ids.shift()}/end`);
      }
      await control('/sandbox/clock', { advanceMs: STEP_MS });
      await context.clock.runFor(STEP_MS);
      // The poll this step started, answered and handled before the clock moves on.
      if (done < sent) {
        for (let i = 0; i < 100 && done < sent; i++) await sleep(2);
        await sleep(2);
      }
    }
  };
  const t0 = Date.now();
  await run(WARM_UP);
  const base = await sample();
  show(base);
  for (let n = 0; n < POLLS; n += 2000) {
    await run(Math.min(2000, POLLS - n));
    show(await sample(), base);
  }
  const rows = await page.locator('tr.rcac-row').count();
  const log = await requests();
  const refused = log.filter((r) => r.path.endsWith('/active-calls') && r.status === 429).length;
  console.log(`${POLLS} polls after the warm-up in ${((Date.now() - t0) / 1000).toFixed(0)} s real time; ${rows} rows shown at the end; `
    + `${grants(log, 'refresh_token').length} token refreshes, ${refused} requests refused (429); problems on the page: ${s.problems().length ? s.problems().join(' | ') : 'none'}`);
} finally {
  await control('/sandbox/clock', { freeze: false }).catch(() => {});
  await env.stop();
}
