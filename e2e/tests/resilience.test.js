// What RingCentral and the network do to a panel that stays open all day: each scenario asserts behaviour
// (the request log, the panel's text), never a screenshot alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startAll, freshPage, control, requests, signInOnSandboxPage, signInByPopup, onlyStatuses, ARTIFACTS, assertClean, signedInPage, widgetUrl, signOut } from '../lib/harness.js';
import { until } from '../lib/tabs.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const polls = (log) => log.filter((r) => r.method === 'GET' && r.path.endsWith('/active-calls'));
// Scenarios of what a poll meets poll every 6 s, live updates off: with them on, the poll after the subscription's
// fetch is the minute's safety poll, so a fault set just after that fetch met no request within the test's wait.
const POLLING = { params: { pollSeconds: 6, live: 'off' } };

test('an expired access token is refreshed silently, once, without flicker', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, POLLING);
  await control('/sandbox/requests', undefined, 'DELETE');
  await control('/sandbox/tokens/expire', { kind: 'access', extension: '102' });
  let flickered = false;
  page.on('framenavigated', () => { flickered = true; });
  const watcher = setInterval(async () => {
    if (await page.getByRole('button', { name: 'Sign in with RingCentral' }).count().catch(() => 0)) flickered = true;
  }, 200);
  await page.waitForTimeout(8000);
  clearInterval(watcher);
  const log = await requests();
  assert.equal(log.filter((r) => r.detail === 'refresh_token').length, 1, 'exactly one refresh');
  assert.ok(polls(log).some((r) => r.status === 200), 'polling goes on with the new token');
  assert.equal(flickered, false, 'never signed out');
  assertClean({ problems, network }, [401]);
  await context.close();
});

test('a 429 from the token endpoint while refreshing pauses polling and keeps the session', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, POLLING);
  await control('/sandbox/faults', { kind: 'rate_limit', path: '/restapi/oauth/token', method: 'POST', retryAfterSecs: 5 });
  await control('/sandbox/tokens/expire', { kind: 'access', extension: '102' });
  await page.getByText('updates resume in', { exact: false }).waitFor({ timeout: 15000 });
  await page.getByText('updates resume in', { exact: false }).waitFor({ state: 'detached', timeout: 20000 });
  await page.locator('.rcac-status').getByText('Updated').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign in with RingCentral' }).count(), 0, 'still signed in');
  assertClean({ problems, network }, [401, 429]);
  await context.close();
});

test('a dead refresh token returns to signed-out with the reason, and signing in again works', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, POLLING);
  await control('/sandbox/tokens/expire', { kind: 'refresh', extension: '102' });
  await control('/sandbox/tokens/expire', { kind: 'access', extension: '102' });
  await page.getByText('Your RingCentral session ended', { exact: false }).waitFor({ timeout: 15000 });
  assert.match(await page.locator('.rcac-notice').innerText(), /OAU-210 Token expired/);
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('refresh')).length), 0);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.getByText('Ben Baker').first().waitFor();
  assertClean({ problems, network }, [400, 401]);
  await context.close();
});

test('5xx three times: backoff, a stale badge, and recovery clears it', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, POLLING);
  await control('/sandbox/faults', { kind: 'server_error', path: 'active-calls', method: 'GET', count: 3 });
  await page.getByText('Stale since', { exact: false }).waitFor({ timeout: 15000 });
  await page.getByText('RingCentral had a problem').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'stale.png') });
  await page.getByText('Stale since', { exact: false }).waitFor({ state: 'detached', timeout: 30000 });
  const failed = polls(await requests()).filter((r) => r.status === 500).map((r) => r.at);
  assert.equal(failed.length, 3);
  assert.ok(failed[2] - failed[1] > failed[1] - failed[0] - 500, `backoff grows: ${failed}`);
  assertClean({ problems, network }, [500]);
  await context.close();
});

test('a dropped connection is a network error with backoff, then recovery', async () => {
  const { page, context, network } = await signedInPage(env.browser, POLLING);
  // Chromium retries a GET once on a reused connection that drops, so one drop is invisible: drop three.
  await control('/sandbox/faults', { kind: 'drop', path: 'active-calls', method: 'GET', count: 3 });
  await page.getByText('Stale since', { exact: false }).waitFor({ timeout: 15000 });
  await page.getByText('Stale since', { exact: false }).waitFor({ state: 'detached', timeout: 20000 });
  onlyStatuses(network(), ['ERR_EMPTY_RESPONSE']);
  await context.close();
});

test('offline: the offline state and no request storm; online: resumes at once', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser);
  await context.setOffline(true);
  await page.getByText('Offline', { exact: false }).waitFor();
  const before = polls(await requests()).length;
  await page.waitForTimeout(7000);
  assert.equal(polls(await requests()).length, before, 'nothing sent while offline');
  await context.setOffline(false);
  await page.getByText('Offline', { exact: false }).waitFor({ state: 'detached' });
  await page.waitForTimeout(1500);
  assert.ok(polls(await requests()).length > before, 'polled at once when back online');
  assert.deepEqual(problems(), []);
  // A poll in flight at the moment the network goes may fail as disconnected.
  onlyStatuses(network(), ['ERR_INTERNET_DISCONNECTED']);
  await context.close();
});

test('malformed, truncated, unknown values and an unreadable record: good rows stay, a quiet warning', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, POLLING);
  const { id } = await control('/sandbox/calls', { extension: '102', from: { name: 'Good Caller', phoneNumber: '+14155550100' } });
  const row = page.locator(`tr[data-call-id="${id}"]`);
  await row.waitFor({ timeout: 15000 });
  await control('/sandbox/faults', { kind: 'bad_record', path: 'active-calls', method: 'GET' });
  await page.getByText('1 record could not be read').waitFor({ timeout: 15000 });
  assert.equal(await row.count(), 1, 'the good row stays');
  await control('/sandbox/faults', { kind: 'unknown_enums', path: 'active-calls', method: 'GET' });
  await page.getByText('Some values are new to this widget', { exact: false }).waitFor({ timeout: 15000 });
  assert.match(await row.innerText(), /Sideways/);
  assert.match(await row.innerText(), /Teleported/);
  await control('/sandbox/faults', { kind: 'malformed_json', path: 'active-calls', method: 'GET' });
  await page.getByText('Unreadable answer').waitFor({ timeout: 15000 });
  assert.equal(await row.count(), 1, 'the rows stay through an unreadable answer');
  await control('/sandbox/faults', { kind: 'truncated_json', path: 'active-calls', method: 'GET' });
  await page.getByText('Unreadable answer').waitFor({ state: 'detached', timeout: 30000 });
  assertClean({ problems, network });
  await context.close();
});

test('hostile names are inert text', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser);
  await page.exposeFunction('pwned', () => { throw new Error('script ran'); });
  const names = ['<img src=x onerror=pwned()>', '</script><script>pwned()</script>', '\u202Eevil\u202C caller'];
  for (const name of names) await control('/sandbox/calls', { extension: '102', from: { name } });
  await page.locator('tbody tr').nth(2).waitFor({ timeout: 15000 });
  const text = await page.locator('tbody').innerText();
  for (const name of names) assert.ok(text.includes(name.replace(/[\u202E\u202C]/g, '').trim()) || text.includes(name), name);
  assert.equal(await page.locator('tbody img, tbody script').count(), 0);
  assertClean({ problems, network });
  await context.close();
});

test('an admin sees every extension in account scope; a user gets the explanation and a way back', async () => {
  await control('/sandbox/reset', { seed: 7, noTraffic: true });
  const admin = await signedInPage(env.browser, { user: 'Ada Admin' });
  await control('/sandbox/calls', { extension: '102', from: { name: 'For Ben' } });
  await control('/sandbox/calls', { extension: '101', from: { name: 'For Ada' } });
  await admin.page.getByRole('combobox').selectOption('account');
  await admin.page.getByText('For Ben', { exact: true }).waitFor({ timeout: 15000 });
  await admin.page.getByText('For Ada', { exact: true }).waitFor();
  assert.match(await admin.page.locator('thead').innerText(), /Extension/i);
  assert.match(await admin.page.locator('tbody').innerText(), /Ben Baker \(ext\.\u00a0102\)/);
  await admin.context.close();

  const user = await signedInPage(env.browser);
  await control('/sandbox/calls', { extension: '102', from: { name: 'For Ben' } });
  await user.page.getByRole('combobox').selectOption('account');
  await user.page.getByText('[ReadCompanyCallLog] permission required', { exact: false }).waitFor({ timeout: 15000 });
  await user.page.screenshot({ path: join(ARTIFACTS, 'forbidden.png') });
  await user.page.getByRole('button', { name: 'Show my calls' }).click();
  await user.page.getByText('For Ben', { exact: true }).waitFor({ timeout: 15000 });
  assert.deepEqual(user.problems(), []);
  onlyStatuses(user.network(), [403]);
  onlyStatuses(admin.network(), []);
  await user.context.close();
});

test('sign out: revoke reaches the sandbox, no token is kept, polling stops', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser);
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  // The panel signs out before the revoke's answer; a request already on its way when the button was pressed may
  // still land. After that, nothing.
  await page.waitForTimeout(1000);
  const log = await requests();
  const revokes = log.filter((r) => r.path === '/restapi/oauth/revoke');
  assert.equal(revokes.length, 1, JSON.stringify(revokes));
  assert.equal(revokes[0].status, 200);
  const kept = await page.evaluate(() => Object.entries(sessionStorage));
  assert.deepEqual(kept.filter(([k]) => k.startsWith('rc-active-calls')), [], 'storage holds no token');
  const n = polls(log).length;
  await page.waitForTimeout(7000);
  assert.equal(polls(await requests()).length, n, 'no more polling');
  assert.equal((await control('/sandbox/state', undefined, 'GET')).sessions, 0, 'the session is gone at the server');
  assertClean({ problems, network });
  await context.close();
});

test('500 calls over several pages render and update', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, { params: { pollSeconds: 6, pageSize: 100 } });
  await control('/sandbox/calls', { extension: '102', count: 500, from: { name: 'Bulk caller' } });
  // Past 200 calls the list holds only the rows in view: all 500 are counted, and the last one is reachable.
  await page.locator('table[aria-rowcount="501"]').waitFor({ timeout: 20000 });
  // Rows shown from push first give way to the records (another id): focus the record's row.
  await until(async () => (await page.locator('tr.rcac-row[data-call-id^="push:"]').count()) === 0, 20000);
  assert.ok(await page.locator('tr.rcac-row').count() < 100);
  await page.locator('tr.rcac-row').first().focus();
  await page.keyboard.press('End');
  assert.match(await page.locator('tr.rcac-row[aria-rowindex="501"]').innerText(), /Bulk caller/);
  const pages = polls(await requests()).filter((r) => /page=5/.test(r.query));
  assert.ok(pages.length >= 1, 'fetched page 5');
  assertClean({ problems, network });
  await context.close();
});

test('storage blocked: works for the tab and says it cannot keep the session', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.addInitScript(() => {
    Object.defineProperty(window, 'sessionStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });
  });
  await page.goto(widgetUrl({ pollSeconds: 6 }));
  await page.getByText('This browser blocks storage here', { exact: false }).waitFor();
  await signInByPopup(context, page, 'Ben Baker');
  await page.getByText('Ben Baker').first().waitFor();
  await page.getByText('Storage is blocked', { exact: false }).waitFor();
  assertClean({ problems, network });
  await context.close();
});
