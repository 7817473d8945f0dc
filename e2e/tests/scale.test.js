// An admin's account view with 5 000 live calls: the list holds only the rows in view, scrolls, keeps its row
// indexes, selects, moves by keyboard, and the status region still says what changed; axe finds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, control, signInOnSandboxPage, assertClean, widgetUrl, axe } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

/// The rendered rows' places (aria-rowindex − 2 = the call's place in the list), checked against the order of
/// their call ids in the widget's own list.
/// The focused element's row index, through the widget's shadow root.
const focusedRow = (page) => page.evaluate(() => {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a?.getAttribute('aria-rowindex');
});

const rendered = (page) => page.locator('tr.rcac-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-rowindex')) - 2));

test('5 000 calls in account scope: scroll, select, keyboard and the status region', async () => {
  const s = await freshPage(env.browser);
  const { page } = s;
  await control('/sandbox/calls', { extension: '102', count: 5000, answered: true, from: { name: 'Bench Caller', phoneNumber: '+14155550100' } });
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.goto(widgetUrl({ scope: 'account', pollSeconds: 30 }));
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ada Admin');
  const table = page.getByRole('table', { name: 'Active calls in the account' });
  await table.waitFor({ timeout: 60000 });
  await page.getByRole('status').filter({ hasText: '5000 active calls' }).waitFor();
  assert.equal(await table.getAttribute('aria-rowcount'), '5001');
  let places = await rendered(page);
  assert.equal(places[0], 0);
  assert.ok(places.length < 80, `${places.length} rows in the DOM`);
  await axe(page, '5 000 calls');

  // Scroll well down with the wheel: other rows come in, in order, and the DOM stays small.
  await page.locator('tr.rcac-row').nth(3).hover();
  const scroller = page.locator('.rcac-scroll');
  // Wheeled until well down (how far one turn goes varies with how busy the page is as the list arrives).
  for (let i = 0; i < 90 && (await scroller.evaluate((e) => e.scrollTop)) < 40000; i++) {
    for (let j = 0; j < 5; j++) await page.mouse.wheel(0, 2000);
  }
  // Until the wheel's scrolling has come to rest (its events arrive after the loop).
  for (let last = -1, now = 0; now !== last; await page.waitForTimeout(200)) {
    last = now;
    now = await scroller.evaluate((e) => e.scrollTop);
  }
  places = await rendered(page);
  assert.ok(places[0] > 500, `scrolled down: ${places[0]}`);
  assert.ok(places.length < 80, `${places.length} rows in the DOM`);
  places.slice(1).forEach((p, i) => assert.equal(p, places[i] + 1, `rows in order: ${places}`));
  // The rows in view are real rows, not blank space.
  const picked = await page.locator('tr.rcac-row').nth(Math.floor(places.length / 2)).getAttribute('data-call-id');
  const mid = page.locator(`tr[data-call-id="${picked}"]`);
  assert.ok(await mid.isVisible());
  assert.match(await mid.innerText(), /Bench Caller/);

  // Select by click; then the keyboard: End reaches the last call, which is rendered on the way.
  await mid.click();
  assert.equal(await mid.getAttribute('aria-current'), 'true');
  await mid.focus();
  await page.keyboard.press('End');
  const last = page.locator('tr.rcac-row[aria-rowindex="5001"]');
  await last.waitFor();
  // The row is rendered first and focused by the render after it (once the spacers have their heights): wait for
  // the focus to land (up to 5 s), not for one frame.
  for (let i = 0; i < 50 && (await focusedRow(page)) !== '5001'; i++) await page.waitForTimeout(100);
  assert.equal(await focusedRow(page), '5001');
  await page.keyboard.press('Enter');
  assert.equal(await last.getAttribute('aria-current'), 'true');
  await page.keyboard.press('Home');
  await page.locator('tr.rcac-row[aria-rowindex="2"]').waitFor();
  assert.equal(await focusedRow(page), '2');
  // The first selection is no longer current (one selection at a time), wherever its row is.
  assert.equal(await page.locator(`tr[data-call-id="${picked}"][aria-current]`).count(), 0);

  // A new call rings on another extension: the status region says so and it is row 1 of 5 001.
  // (Pushed: its row may stand for the call before the next answer lists it.)
  await control('/sandbox/calls', { extension: '101', from: { name: 'Northwind Traders', phoneNumber: '+12125550143' } });
  await page.getByRole('status').filter({ hasText: 'Incoming call from Northwind Traders' }).waitFor({ timeout: 15000 });
  const ringing = page.locator('tr.rcac-row').filter({ hasText: 'Northwind Traders' });
  await ringing.waitFor();
  assert.equal(await ringing.getAttribute('aria-rowindex'), '2');
  assert.equal(await table.getAttribute('aria-rowcount'), '5002');
  assertClean(s);
  await s.context.close();
});

// A list's first answer in pages: the first page's rows show while the rest come, and the list counts as answered
// (announced, told to the host, "Updated") once it is whole. The sandbox holds page 2 back for 10 s, far longer
// than the first page takes to show.
test("a list's first answer shows its first page while the rest load", async () => {
  const s = await freshPage(env.browser);
  const { page } = s;
  await control('/sandbox/calls', { extension: '102', count: 250, answered: true, from: { name: 'Bench Caller', phoneNumber: '+14155550100' } });
  await control('/sandbox/faults', { kind: 'delay', path: 'active-calls', query: 'page=2', delayMs: 10000 });
  await page.addInitScript(() => {
    window.__started = 0;
    document.addEventListener('rc-active-calls:call-started', () => { window.__started += 1; });
  });
  await page.goto(widgetUrl({ pageSize: 100, pollSeconds: 30 }));
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  const table = page.getByRole('table', { name: 'Your active calls' });
  await page.locator('.rcac-status').getByText('Loading more calls…').waitFor();
  assert.equal(await page.locator('tr.rcac-row').count(), 100);
  assert.equal(await table.getAttribute('aria-busy'), 'true');
  assert.equal(await page.evaluate(() => window.__started), 0, 'the host hears of no call before the list is whole');
  assert.equal(await page.getByRole('status').textContent(), '');

  await page.getByRole('status').filter({ hasText: '250 active calls' }).waitFor({ timeout: 20000 });
  assert.equal(await table.getAttribute('aria-rowcount'), '251');
  assert.equal(await table.getAttribute('aria-busy'), null);
  await page.locator('.rcac-status').getByText('Updated').waitFor();
  assert.equal(await page.evaluate(() => window.__started), 250);
  assertClean(s);
  await s.context.close();
});
