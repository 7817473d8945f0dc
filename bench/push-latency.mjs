// See bench/push-latency. Real time throughout (push and the sandbox's lag are about real seconds).
import { startAll, control, requests } from '../e2e/lib/harness.js';
import { tabs, polls, sleep, until } from '../e2e/lib/tabs.js';

const live = process.env.LIVE ?? 'auto';
const calls = Number(process.env.CALLS ?? 20);
const n = Number(process.env.TABS ?? 4);
const steady = Number(process.env.STEADY_SECS ?? 120);
// A big account: this many calls listed (answered, in pages of 1 000) while the calls come and go.
const listed = Number(process.env.LISTED ?? 0);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

const env = await startAll();
try {
  const t = await tabs(env.browser, n, { live }, {});
  // Listed before active-calls lags, so they are listed at once.
  if (listed) {
    await control('/sandbox/calls', { extension: '102', count: listed, answered: true, startedSecsAgo: 60, from: { name: 'Listed Caller' } });
    for (const p of t.pages) {
      // aria-rowcount is set once the list is long enough to be drawn in part.
      const rows = async () => Number((await p.locator('table.rcac-table').getAttribute('aria-rowcount'))
        ?? (await p.locator('tr.rcac-row').count()) + 1);
      await until(async () => (await rows()) > listed, 60000, `${listed} calls listed`);
    }
    await sleep(3000);
  }
  await control('/sandbox/settings', { activeCallsLagSecs: 5 });
  if (live !== 'off') {
    for (const p of t.pages) await p.locator('.rcac-status').getByText('Live', { exact: true }).waitFor({ timeout: 10000 });
  }
  // Long tasks in every tab while the calls come and go.
  for (const p of t.pages) {
    await p.evaluate(() => {
      window.benchLongTasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.benchLongTasks.push(e.duration); }).observe({ type: 'longtask' });
    });
  }
  await control('/sandbox/requests', undefined, 'DELETE');
  const worst = [];
  for (let i = 0; i < calls; i++) {
    const name = `BENCH CALLER ${i}`;
    const at = Date.now();
    const { id } = await control('/sandbox/calls', { extension: '102', from: { name, phoneNumber: '+14155550100' } });
    const seen = await Promise.all(t.pages.map(async (p) => {
      await p.locator('tr.rcac-row', { hasText: name }).waitFor({ timeout: 30000 });
      return Date.now() - at;
    }));
    worst.push(Math.max(...seen));
    await control(`/sandbox/calls/${id}/end`);
    await sleep(1500);
  }
  console.log(`${n} tabs, live=${live}, active-calls ${5} s behind, ${listed} calls listed: call start → row in every `
    + `tab over ${calls} calls: p50 ${pct(worst, 50)} ms, p95 ${pct(worst, 95)} ms, max ${Math.max(...worst)} ms`);
  const during = polls(await requests());
  const pages = during.map((q) => /page=(\d+)/.exec(q.query)?.[1] ?? '?');
  console.log(`  meanwhile ${during.length} active-calls requests (pages ${pages.join(' ')})`);
  for (const [i, p] of t.pages.entries()) {
    const long = await p.evaluate(() => window.benchLongTasks);
    const ms = long.map(Math.round);
    console.log(`  tab ${i + 1}: ${ms.length} tasks over 50 ms, median ${ms.length ? pct(ms, 50) : 0} ms, longest ${Math.max(0, ...ms)} ms`);
  }
  // Steady state: let the last calls' lingering settle, then count.
  await sleep(5000);
  await control('/sandbox/requests', undefined, 'DELETE');
  await sleep(steady * 1000);
  const log = await requests();
  const heavy = polls(log).length;
  const tokens = log.filter((r) => r.method === 'POST' && r.path === '/restapi/oauth/wstoken').length;
  const sockets = (await control('/sandbox/state', undefined, 'GET')).connections.length;
  // A rate only over a minute or more: a shorter window that holds the safety poll's whole fetch (one request a
  // page) would read as more a minute than the Heavy budget lets through.
  const steadyPages = polls(log).map((q) => /page=(\d+)/.exec(q.query)?.[1] ?? '?').join(' ');
  const rate = steady >= 60 ? `, ${(heavy / (steady / 60)).toFixed(1)}/min` : '';
  console.log(`steady state, ${steady} s with nothing happening: ${heavy} active-calls requests `
    + `(pages ${steadyPages || 'none'}${rate}), ${tokens} wstokens, ${sockets} socket(s) open`);
  await t.context.close();
} finally {
  await env.stop();
}
