// A new user opens the standalone page, signs in on the sandbox's page, sees their name and a call that a
// control-API request starts, watches it end and linger; the address bar keeps no code; no errors, no panic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startAll, freshPage, control, requests, signInOnSandboxPage, WIDGET, ARTIFACTS, widgetUrl } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

// The polling path (live updates have their own file, live.test.js).
const PAGE = widgetUrl({ pollSeconds: 6, live: 'off' });

test('sign in by redirect, watch a call come, end and linger, with a clean address bar', async () => {
  const { page, problems, network, context } = await freshPage(env.browser);
  await page.goto(PAGE);
  const signIn = page.getByRole('button', { name: 'Sign in with RingCentral' });
  await signIn.waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'signed-out.png') });
  await signIn.click();
  await page.waitForURL(/\/restapi\/oauth\/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.getByText('Ben Baker').first().waitFor();
  await page.getByText('No active calls right now.').waitFor();

  const url = new URL(page.url());
  assert.equal(url.searchParams.get('code'), null, 'no code in the address bar');
  assert.equal(url.searchParams.get('state'), null);
  assert.equal(url.searchParams.get('clientId'), 'demo-client', 'the configuration query is kept');
  const historyLength = await page.evaluate(() => history.length);

  // "Within one poll": every change below must show within pollSeconds (6 s) plus a little rendering slack.
  const ONE_POLL = 6000 + 1500;
  const within = async (what, locator) => {
    const t0 = Date.now();
    await locator.waitFor({ timeout: 15000 });
    assert.ok(Date.now() - t0 <= ONE_POLL, `${what} took ${Date.now() - t0} ms`);
  };
  await control('/sandbox/settings', { lingerSecs: 8 });
  const started = await control('/sandbox/calls', {
    extension: '102', from: { name: 'Northwind Traders', phoneNumber: '+12125550143', location: 'New York, NY' },
  });
  const row = page.locator(`tr[data-call-id="${started.id}"]`);
  await within('a new call', row);
  assert.match(await row.innerText(), /Northwind Traders/);
  assert.match(await row.innerText(), /Ringing/);
  await assert.doesNotReject(page.getByRole('status').filter({ hasText: 'Incoming call from Northwind Traders' }).waitFor());

  await control(`/sandbox/calls/${started.id}/answer`);
  await within('answered', row.getByText('Connected'));
  const d1 = await row.getByRole('timer').innerText();
  await page.waitForTimeout(2100);
  const d2 = await row.getByRole('timer').innerText();
  assert.notEqual(d1, d2, `the duration ticks (${d1} then ${d2})`);
  await page.screenshot({ path: join(ARTIFACTS, 'calls.png') });

  await control(`/sandbox/calls/${started.id}/end`);
  await within('ended', row.getByText('Accepted', { exact: true }));
  assert.equal(await row.getAttribute('data-status'), 'ended', 'ended rows are marked (greyed)');
  await page.screenshot({ path: join(ARTIFACTS, 'ended.png') });
  // It lingers while RingCentral lists it (8 s here), then goes within one poll.
  await page.waitForTimeout(3000);
  assert.equal(await row.count(), 1, 'lingers');
  await row.waitFor({ state: 'detached', timeout: 8000 + ONE_POLL });
  await control('/sandbox/settings', { lingerSecs: 120 });
  await control('/sandbox/calls', { extension: '102', from: { name: 'Second Caller' } });
  await page.locator('tbody').getByText('Second Caller').waitFor({ timeout: 15000 });

  // Reload: the session resumes without a new sign-in.
  await page.reload();
  await page.getByText('Ben Baker').first().waitFor();
  await page.locator('tbody').getByText('Second Caller').waitFor();
  // No history entry holds the code: the one before this page is the sandbox's sign-in page.
  await page.goBack();
  assert.doesNotMatch(page.url(), /[?&]code=/);
  await page.goForward();
  await page.getByText('Ben Baker').first().waitFor();
  assert.equal(new URL(page.url()).searchParams.get('code'), null);
  assert.ok(historyLength >= 1);

  const log = await requests();
  const calls = log.filter((r) => r.method === 'GET' && r.path.endsWith('/active-calls'));
  assert.ok(calls.length >= 3, 'polled');
  assert.ok(calls.every((r) => r.auth && r.status === 200), `every poll authorized and answered: ${JSON.stringify(log.map((r) => [r.method, r.path, r.status, r.detail]))}`);
  assert.equal(log.filter((r) => r.detail === 'authorization_code').length, 1, 'the code was exchanged once');
  assert.deepEqual(problems(), []);
  assert.deepEqual(network(), [], 'no failed request');
  await context.close();
});
