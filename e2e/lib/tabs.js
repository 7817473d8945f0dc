// Helpers for many tabs of one browser context (e2e/tests/tabs.test.js and bench/tabs): who leads, what each tab
// sent, and the clock that moves every tab and the sandbox together.
import { freshPage, control, signInOnSandboxPage, widgetUrl } from './harness.js';

export const LOCK = 'rc-active-calls:lead:demo-client@http://127.0.0.1:18790';
export const grants = (log, type) => log.filter((r) => r.path === '/restapi/oauth/token' && r.detail === type);
export const polls = (log) => log.filter((r) => r.method === 'GET' && r.path.endsWith('/active-calls'));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Polls `fn` until it returns something truthy; returns it.
export async function until(fn, ms = 10000, what = String(fn)) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

/// Which page holds the lead: the lock's holder, asked of the browser from a page that is not frozen.
export async function holder(page) {
  return page.evaluate(async (name) => {
    const { held } = await navigator.locks.query();
    return held.find((l) => l.name === name)?.clientId ?? null;
  }, LOCK);
}

/// Records what each page sends to the sandbox (by page), so a test can say who did the network work.
export function watchRequests(page) {
  const sent = [];
  page.on('request', (r) => {
    if (r.url().startsWith('http://127.0.0.1:18790/restapi')) sent.push({ url: r.url(), at: Date.now(), post: r.postData() ?? '' });
  });
  return sent;
}

/// `n` standalone tabs of one browser context: the first signs in by redirect as Ben Baker, the others open
/// afterwards and must be signed in without doing anything. With `clock`, the pages run on Playwright's clock and
/// the sandbox's clock is frozen, both starting together (`advance` moves them).
export async function tabs(browser, n, params = { pollSeconds: 6 }, { clock = false } = {}) {
  const s = await freshPage(browser);
  const pages = [s.page];
  for (let i = 1; i < n; i++) pages.push(await s.context.newPage());
  const sent = pages.map(watchRequests);
  if (clock) {
    await control('/sandbox/clock', { freeze: true });
    const { now } = await control('/sandbox/clock', undefined, 'GET');
    // One clock for the whole context (page.clock is the context's): every tab's time moves together.
    await s.context.clock.install({ time: now });
  }
  const first = pages[0];
  await first.goto(widgetUrl(params));
  await first.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await first.waitForURL(/authorize/);
  await signInOnSandboxPage(first, 'Ben Baker');
  await first.getByText('Ben Baker').first().waitFor();
  for (const p of pages.slice(1)) await p.goto(widgetUrl(params));
  for (const p of pages) await p.getByText('Ben Baker').first().waitFor({ timeout: 5000 });
  return { ...s, pages, sent };
}

export async function clientIdOf(page) {
  return page.evaluate(async (name) => {
    // The page's own lock request, queued behind the holder or holding it, names this page.
    const probe = `probe-${Math.random()}`;
    return navigator.locks.request(probe, async () => (await navigator.locks.query()).held.find((l) => l.name === probe)?.clientId);
  });
}

/// The tab that leads, among `pages`.
export async function leaderOf(pages) {
  const id = await holder(pages[0]);
  for (const p of pages) if ((await clientIdOf(p)) === id) return p;
  throw new Error('no page holds the lead');
}


/// The most requests at `times` (ms) within any 60 s.
export const maxInAnyMinute = (times) => Math.max(0, ...times.map((x) => times.filter((u) => u >= x && u < x + 60000).length));

/// Moves the tabs' clock and the sandbox's by `ms`, in 500 ms steps that let real answers arrive in between.
export async function advance(context, ms) {
  for (let done = 0; done < ms; done += 500) {
    await control('/sandbox/clock', { advanceMs: 500 });
    await context.clock.runFor(500);
    await sleep(10);
  }
}
