// Minutes of polling in seconds: Playwright's clock drives the page, the sandbox's frozen clock moves in step.
// The request log (sandbox time) must never show more than 10 active-calls requests in any 60 s window, and
// nothing while a penalty runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, control, requests, signInOnSandboxPage, onlyStatuses, WIDGET, assertClean, widgetUrl } from '../lib/harness.js';
import { advance, maxInAnyMinute } from '../lib/tabs.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const polls = (log) => log.filter((r) => r.method === 'GET' && r.path.endsWith('/active-calls'));

/// Signs in under a fake page clock and a frozen sandbox clock that start together.
async function signedInWithClock(browser) {
  const s = await freshPage(browser);
  await control('/sandbox/clock', { freeze: true });
  const { now } = await control('/sandbox/clock', undefined, 'GET');
  await s.page.clock.install({ time: now });
  // Polling's own budget: live updates off.
  await s.page.goto(widgetUrl({ pollSeconds: 6, live: 'off' }));
  await s.page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await s.page.waitForURL(/authorize/);
  await signInOnSandboxPage(s.page, 'Ben Baker');
  await s.page.getByText('Ben Baker').first().waitFor();
  return s;
}

after(async () => { await control('/sandbox/clock', { freeze: false }).catch(() => {}); });

test('over five simulated minutes, with the refresh button pressed often: never more than 10 a minute', async () => {
  const { page, context, problems, network } = await signedInWithClock(env.browser);
  await control('/sandbox/requests', undefined, 'DELETE');
  for (let i = 0; i < 60; i++) {
    await advance(context, 5000);
    const refresh = page.getByRole('button', { name: 'Refresh' });
    if (await refresh.isEnabled()) await refresh.click();
  }
  const times = polls(await requests()).map((r) => r.at);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(times.length >= 45, `kept polling: ${times.length}, gaps ${gaps}`);
  assert.ok(maxInAnyMinute(times) <= 10, `at most 10 in any 60 s window, saw ${maxInAnyMinute(times)}`);
  assert.ok(polls(await requests()).every((r) => r.status === 200), 'the sandbox never had to refuse one');
  assertClean({ problems, network });
  await context.close();
});

test('429 with Retry-After: nothing reaches the sandbox until it has passed', async () => {
  const { page, context, problems, network } = await signedInWithClock(env.browser);
  await advance(context, 7000);
  await control('/sandbox/faults', { kind: 'rate_limit', path: 'active-calls', method: 'GET', retryAfterSecs: 30 });
  await advance(context, 7000);
  const limited = polls(await requests()).find((r) => r.status === 429);
  assert.ok(limited, 'the fault was hit');
  await page.getByText('updates resume in', { exact: false }).waitFor();
  await advance(context, 40000);
  const after = polls(await requests()).filter((r) => r.at > limited.at).map((r) => r.at - limited.at);
  assert.ok(after.length > 0, 'polling resumed');
  assert.ok(after[0] >= 30000, `first request ${after[0]} ms after the 429`);
  assertClean({ problems, network }, [429]);
  await context.close();
});

test('429 with the header hidden from the browser: nothing for 60 s', async () => {
  const { page, context, problems, network } = await signedInWithClock(env.browser);
  await control('/sandbox/settings', { hideRateLimitHeaders: true });
  await advance(context, 7000);
  await control('/sandbox/faults', { kind: 'rate_limit', path: 'active-calls', method: 'GET', retryAfterSecs: 5 });
  await advance(context, 7000);
  const limited = polls(await requests()).find((r) => r.status === 429);
  assert.ok(limited, 'the fault was hit');
  await advance(context, 70000);
  const after = polls(await requests()).filter((r) => r.at > limited.at).map((r) => r.at - limited.at);
  assert.ok(after.length > 0, 'polling resumed');
  assert.ok(after[0] >= 60000, `Retry-After unreadable: waited ${after[0]} ms, not the hidden 5 s`);
  await control('/sandbox/settings', { hideRateLimitHeaders: false });
  assertClean({ problems, network }, [429]);
  await context.close();
});

test('a lower limit in readable headers is adopted: the sandbox never has to refuse', async () => {
  const { page, context, problems, network } = await signedInWithClock(env.browser);
  await control('/sandbox/settings', { heavy: { requests: 3, windowSecs: 60, penaltySecs: 60 } });
  await control('/sandbox/requests', undefined, 'DELETE');
  await advance(context, 180000);
  const log = polls(await requests());
  assert.ok(log.length >= 7, `kept polling: ${log.length}`);
  assert.ok(maxInAnyMinute(log.map((r) => r.at)) <= 3, 'at most 3 a minute');
  assert.ok(log.every((r) => r.status === 200), 'never refused');
  await control('/sandbox/settings', { heavy: { requests: 10, windowSecs: 60, penaltySecs: 60 } });
  assertClean({ problems, network });
  await context.close();
});

test('a real penalty with the headers hidden: nothing is sent while it runs', async () => {
  const { page, context, problems, network } = await signedInWithClock(env.browser);
  await control('/sandbox/settings', { hideRateLimitHeaders: true, heavy: { requests: 3, windowSecs: 60, penaltySecs: 60 } });
  await control('/sandbox/requests', undefined, 'DELETE');
  await advance(context, 240000);
  const log = polls(await requests());
  const refused = log.filter((r) => r.status === 429);
  assert.ok(refused.length >= 1, 'the sandbox limited');
  for (const r of refused) {
    const next = log.find((x) => x.at > r.at);
    if (next) assert.ok(next.at - r.at >= 60000, `a request ${next.at - r.at} ms into a penalty`);
  }
  assert.ok(refused.length <= log.length / 3, 'a 429 is the exception, not the rhythm');
  await control('/sandbox/settings', { hideRateLimitHeaders: false, heavy: { requests: 10, windowSecs: 60, penaltySecs: 60 } });
  assertClean({ problems, network }, [429]);
  await context.close();
});

test('hidden page: no requests while hidden; shown: one immediate refresh', async () => {
  const { page, context, problems, network } = await signedInWithClock(env.browser);
  await advance(context, 7000);
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { value: h, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await advance(context, 1000);
  const before = polls(await requests()).length;
  await advance(context, 60000);
  assert.equal(polls(await requests()).length, before, 'nothing while hidden');
  await setHidden(false);
  await advance(context, 500);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(polls(await requests()).length, before + 1, 'one refresh at once');
  assertClean({ problems, network });
  await context.close();
});
