// axe-core finds no violation in the signed-out, calls, error and rate-limited states; a replayed
// authorization code shows RingCentral's error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, control, signInOnSandboxPage, onlyStatuses, WIDGET, assertClean, widgetUrl, axe, signOut } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

// Polling, live updates off: the faults below are met by the next poll, not by a minute's safety poll.
const PAGE = widgetUrl({ pollSeconds: 6, live: 'off' });

test('axe: signed out, calls, error and rate limited', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(PAGE);
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  await axe(page, 'signed out');
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await axe(page, 'the sandbox sign-in page');
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.getByText('Ben Baker').first().waitFor();
  await control('/sandbox/calls', { extension: '102', from: { name: 'Northwind Traders', phoneNumber: '+12125550143' } });
  const { id } = await control('/sandbox/calls', { extension: '102', direction: 'Outbound', answered: true, to: { name: 'Contoso' } });
  await page.locator(`tr[data-call-id="${id}"]`).waitFor({ timeout: 15000 });
  await control(`/sandbox/calls/${id}/end`);
  await page.locator(`tr[data-call-id="${id}"][data-status="ended"]`).waitFor({ timeout: 15000 });
  await axe(page, 'calls');
  await control('/sandbox/faults', { kind: 'server_error', path: 'active-calls', method: 'GET', count: 5 });
  await page.getByText('RingCentral had a problem').waitFor({ timeout: 15000 });
  await axe(page, 'error');
  await control('/sandbox/faults', undefined, 'DELETE');
  await control('/sandbox/faults', { kind: 'rate_limit', path: 'active-calls', method: 'GET', retryAfterSecs: 60 });
  await page.getByText('updates resume in', { exact: false }).waitFor({ timeout: 60000 });
  await axe(page, 'rate limited');
  assertClean({ problems, network }, [500, 429]);
  await context.close();
});

test('a replayed authorization code: RingCentral\'s error is shown', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  let callback;
  page.on('framenavigated', (f) => { if (f === page.mainFrame() && /[?&]code=/.test(f.url())) callback = f.url(); });
  await page.goto(PAGE);
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.getByText('Ben Baker').first().waitFor();
  assert.ok(callback, 'saw the callback');
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  // Back to the page with the old code, but the state of this new request.
  const state = new URL(page.url()).searchParams.get('state');
  const replay = new URL(callback);
  replay.searchParams.set('state', state);
  await page.goto(replay.toString());
  await page.getByText('OAU-106 Invalid authorization code', { exact: false }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('code'), null);
  assertClean({ problems, network }, [400]);
  await context.close();
});
