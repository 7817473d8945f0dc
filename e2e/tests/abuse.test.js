// Hostile data and hostile neighbours: names built to break a table, links that are scripts, a page of 10 000
// records, a server that trickles or never stops answering, a flood of messages from another origin, and a sign-in
// callback opened by a page that is not ours. Each keeps the widget usable, says what happened where it matters,
// and logs no console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, control, requests, signInByPopup, assertClean, signedInPage, widgetUrl, signInOnSandboxPage, CRM, WIDGET } from '../lib/harness.js';
import { until } from '../lib/tabs.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const EMBED = `${WIDGET}embed.js`;
const SERVER = 'http://127.0.0.1:18790';

test('names of 100 KB, bidi overrides, zero-width only and emoji: rows stay one call each, readable and isolated', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser);
  const huge = 'Ω'.repeat(100 * 1024);
  const callers = [
    { name: huge, phoneNumber: '+14155550101' },
    { name: '\u202Egnp.exe\u202C Evil', phoneNumber: '+14155550102' },
    { name: '\u200B\u200D\uFEFF\u2066', phoneNumber: '+14155550103' },
    { name: '👩‍👩‍👧‍👦 Family 🏳️‍🌈', phoneNumber: '+14155550104' },
  ];
  for (const from of callers) await control('/sandbox/calls', { extension: '102', from });
  const rows = page.locator('tr.rcac-row');
  await until(async () => (await rows.count()) === 4, 15000);

  // The long name is cut (200 characters and an ellipsis) and its row stays a row, not a screen of text.
  const long = page.locator('bdi.rcac-name', { hasText: 'ΩΩΩ' });
  const text = await long.textContent();
  assert.equal([...text].length, 201);
  assert.ok(text.endsWith('…'));
  const heights = await rows.evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().height));
  assert.ok(Math.max(...heights) < 120, `row heights ${heights}`);
  // In a 320 px side panel the name takes two lines at most; the whole name is its title and its text.
  await page.setViewportSize({ width: 320, height: 600 });
  const box = await long.evaluate((e) => ({ h: e.getBoundingClientRect().height, line: parseFloat(getComputedStyle(e).lineHeight), title: e.title }));
  assert.ok(box.h <= 2 * box.line + 1, `name height ${box.h} for a line of ${box.line}`);
  assert.equal(box.title, text);

  // The override stays inside its own isolate: the name is a <bdi>, the status cell next to it reads left to right.
  const evil = page.locator('bdi.rcac-name', { hasText: 'gnp.exe' });
  assert.equal(await evil.count(), 1);
  assert.equal(await evil.evaluate((e) => getComputedStyle(e).unicodeBidi), 'isolate');
  // A name of invisible characters only: the number is shown instead of a blank.
  await page.getByRole('link', { name: '+1 415-555-0103 (+14155550103)' }).waitFor();
  await page.locator('bdi.rcac-name', { hasText: '👩‍👩‍👧‍👦 Family 🏳️‍🌈' }).waitFor();

  // Still usable: every row can be selected.
  for (let i = 0; i < 4; i++) {
    await rows.nth(i).click();
    assert.equal(await rows.nth(i).getAttribute('aria-current'), 'true');
  }
  assertClean({ problems, network });
  await context.close();
});

test('contact links from the host: javascript: and data: URLs are never links, https ones are', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=mount&pollSeconds=6`);
  await page.locator('#mount-point').waitFor({ state: 'attached' });
  await page.evaluate(async ({ url, server }) => {
    const { mount } = await import(url);
    const d = document.createElement('div');
    d.id = 'hostile';
    document.body.append(d);
    const links = {
      '+14155550111': { name: 'Script Link', url: 'javascript:alert(1)' },
      '+14155550112': { name: 'Data Link', url: 'data:text/html,<script>alert(1)</script>' },
      '+14155550113': { name: 'Proto Relative', url: '//evil.example/x' },
      '+14155550114': { name: 'Real Contact', url: 'https://crm.example/c/1' },
    };
    window.w = mount(d, { clientId: 'demo-client', server, redirectUri: `${location.origin}/callback.html`, pollSeconds: 6, sessionKey: 'hostile', resolveContacts: (numbers) => Object.fromEntries(numbers.filter((n) => links[n]).map((n) => [n, links[n]])) });
  }, { url: EMBED, server: SERVER });
  const root = page.locator('#hostile');
  await signInByPopup(context, root, 'Ben Baker');
  for (const n of ['+14155550111', '+14155550112', '+14155550113', '+14155550114']) {
    await control('/sandbox/calls', { extension: '102', from: { phoneNumber: n } });
  }
  await root.getByRole('link', { name: 'Real Contact' }).waitFor({ timeout: 15000 });
  for (const name of ['Script Link', 'Data Link', 'Proto Relative']) {
    await root.getByText(name, { exact: true }).waitFor();
    assert.equal(await root.getByRole('link', { name }).count(), 0, `${name} is not a link`);
  }
  const hrefs = await root.locator('a.rcac-name').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['https://crm.example/c/1']);
  // The numbers are tel: links, each named by its full number.
  const tels = await root.locator('a.rcac-tel').evaluateAll((as) => as.map((a) => `${a.getAttribute('href')} ${a.getAttribute('aria-label')}`));
  assert.deepEqual(tels.sort(), ['111', '112', '113', '114'].map((n) => `tel:+14155550${n} +1 415-555-0${n} (+14155550${n})`));
  await page.evaluate(() => window.w.unmount());
  assertClean({ problems, network });
  await context.close();
});

test('a page of 10 000 records (a server ignoring perPage) is read and listed', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await control('/sandbox/settings', { ignorePerPage: true });
  for (const ext of ['101', '102']) {
    await control('/sandbox/calls', { extension: ext, count: 5000, answered: true, from: { name: 'Bulk Caller', phoneNumber: '+14155550100' } });
  }
  await page.goto(widgetUrl({ scope: 'account', pollSeconds: 30, pageSize: 100 }));
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ada Admin');
  await page.getByRole('status').filter({ hasText: '10000 active calls' }).waitFor({ timeout: 30000 });
  const table = page.getByRole('table', { name: 'Active calls in the account' });
  assert.equal(await table.getAttribute('aria-rowcount'), '10001');
  assert.ok(await page.locator('tr.rcac-row').count() < 80);
  // Each refresh took one request: the whole list came in its first page.
  const polls = (await requests()).filter((r) => r.path.endsWith('/active-calls'));
  assert.ok(polls.length >= 1 && polls.every((r) => !/(^|&)page=[2-9]/.test(r.query)), JSON.stringify(polls));
  await control('/sandbox/settings', { ignorePerPage: false });
  assertClean({ problems, network });
  await context.close();
});

test('a server that answers a byte a second: the request times out, the panel says the server is slow, then recovers', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, { params: { pollSeconds: 6, live: 'off' } });
  await control('/sandbox/calls', { extension: '102', from: { name: 'Kept Caller', phoneNumber: '+14155550120' } });
  await page.locator('bdi.rcac-name', { hasText: 'Kept Caller' }).waitFor({ timeout: 10000 });
  await control('/sandbox/faults', { kind: 'trickle', path: 'active-calls', delayMs: 1000 });
  const alert = page.getByRole('alert').filter({ hasText: 'RingCentral is slow' });
  await alert.waitFor({ timeout: 30000 });
  assert.match(await alert.textContent(), /no whole answer within 15 s/);
  // Nothing lost while it waited.
  await page.locator('bdi.rcac-name', { hasText: 'Kept Caller' }).waitFor();
  // The next try (after a backoff) is answered normally.
  await alert.waitFor({ state: 'detached', timeout: 30000 });
  await page.locator('.rcac-status').getByText('Updated').waitFor();
  assertClean({ problems, network });
  await context.close();
});

test('a 50 MB answer is refused past the size cap while it streams, and the page never freezes', async () => {
  const { page, context, problems, network } = await signedInPage(env.browser, { params: { pollSeconds: 6, live: 'off' } });
  await control('/sandbox/calls', { extension: '102', from: { name: 'Kept Caller', phoneNumber: '+14155550120' } });
  await page.locator('bdi.rcac-name', { hasText: 'Kept Caller' }).waitFor({ timeout: 10000 });
  await control('/sandbox/faults', { kind: 'huge', path: 'active-calls', bytes: 50 * 1024 * 1024 });
  // Animation frames keep coming while the answer streams in: the main thread is never held for long.
  await page.evaluate(() => {
    window.gaps = [];
    let last = performance.now();
    const frame = (t) => { window.gaps.push(t - last); last = t; window.raf = requestAnimationFrame(frame); };
    window.raf = requestAnimationFrame(frame);
  });
  const alert = page.getByRole('alert').filter({ hasText: 'larger than 16 MB' });
  await alert.waitFor({ timeout: 30000 });
  const gaps = await page.evaluate(() => { cancelAnimationFrame(window.raf); return window.gaps; });
  assert.ok(gaps.length > 10, `${gaps.length} frames`);
  assert.ok(Math.max(...gaps) < 1000, `longest gap between frames ${Math.max(...gaps)} ms`);
  await page.locator('bdi.rcac-name', { hasText: 'Kept Caller' }).waitFor();
  // The wasm memory did not take the 50 MB in.
  const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  assert.ok(memory < 40 * 1024 * 1024, `JS heap ${memory}`);
  await alert.waitFor({ state: 'detached', timeout: 30000 });
  assertClean({ problems, network });
  await context.close();
});

test('iframe: 1 000 messages a second from another origin are ignored', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=iframe&pollSeconds=6`);
  const frame = page.frameLocator('iframe[title="RingCentral active calls"]');
  await signInByPopup(context, frame.locator('body'), 'Ada Admin');
  await frame.getByText('Ada Admin', { exact: true }).waitFor();
  await frame.locator('.rcac-status').getByText('Updated').waitFor();
  const events = await page.locator('#log li').count();

  // A window of another origin (localhost is not 127.0.0.1) that the CRM page opened floods the widget's frame
  // with commands and contact answers for three seconds.
  const [foreign] = await Promise.all([
    context.waitForEvent('page'),
    page.evaluate(() => { window.open('http://localhost:18081/callback.html?noop=1'); }),
  ]);
  await foreign.waitForLoadState();
  const sent = await foreign.evaluate(() => new Promise((done) => {
    const target = window.opener.frames[0];
    const kinds = [
      { target: 'rc-active-calls', command: 'signOut' },
      { target: 'rc-active-calls', command: 'setScope', scope: 'account' },
      { target: 'rc-active-calls', command: 'resolveContacts', requestId: '1', contacts: { '+14155550199': { name: 'Spoofed', url: 'javascript:alert(1)' } } },
      'x'.repeat(10000),
    ];
    let n = 0;
    const tick = setInterval(() => {
      for (let i = 0; i < 100; i++) target.postMessage(kinds[n++ % kinds.length], '*');
      if (n >= 3000) { clearInterval(tick); done(n); }
    }, 100);
  }));
  assert.equal(sent, 3000);
  await foreign.close();
  // Still signed in, in the extension's scope, and the parent heard no new event from the flood.
  await frame.getByText('Ada Admin', { exact: true }).waitFor();
  assert.equal(await frame.locator('select').inputValue(), 'extension');
  assert.equal(await frame.getByText('Spoofed').count(), 0);
  assert.equal(await page.locator('#log li').count(), events);
  // And it still obeys its real parent.
  await page.selectOption('#scope', 'account');
  await until(async () => (await frame.locator('select').inputValue()) === 'account');
  assertClean({ problems, network });
  await context.close();
});

test('the sign-in callback opened by a page of another origin hands nothing to it and closes', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  // A page on another origin opens the widget's redirect URI with a code and a popup state, as if it had started
  // a sign-in: the callback posts only to its own origin, so the opener hears nothing.
  await page.goto('http://localhost:18081/callback.html?noop=1');
  await page.evaluate(() => { window.heard = []; addEventListener('message', (e) => window.heard.push(e.data)); });
  const [popup] = await Promise.all([
    context.waitForEvent('page'),
    page.evaluate((u) => { window.open(u, 'cb', 'popup'); }, `${WIDGET}?code=stolen&state=p.forged`),
  ]);
  await popup.waitForEvent('close', { timeout: 10000 });
  await page.waitForTimeout(500);
  assert.deepEqual(await page.evaluate(() => window.heard), []);
  // No token was asked for with that code.
  assert.equal((await requests()).filter((r) => r.path === '/restapi/oauth/token').length, 0);
  assertClean({ problems, network });
  await context.close();
});
