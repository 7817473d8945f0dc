// Screenshot tests: fixed scenes (signed out, three calls, ten calls and the same in compact rows, an error, rate
// limited) at 320 px (a CRM side panel) and 800 px, light and dark, compared with the reference images in
// e2e/screenshots/ within a small tolerance. The scenes are fixed: the sandbox's clock frozen at one time of day,
// the page's clock installed at the same instant and moved with it, backoff jitter from a fixed sequence, the same
// seed and calls, UTC and en-US, live updates off (polling's status line does not depend on a socket).
//
// After a deliberate change of the look, update the references with `make screenshots` and review the new images
// like code. A mismatch writes the actual image and a diff (changed pixels in magenta) to e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startAll, freshPage, control, signInOnSandboxPage, widgetUrl, assertClean, root, ARTIFACTS } from '../lib/harness.js';
import { advance } from '../lib/tabs.js';

const REFERENCES = process.env.SCREENSHOT_DIR ?? join(root, 'e2e', 'screenshots');
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';
// The time of day every scene shows (UTC). The sandbox's clock only moves forward, so each run of a test starts at
// the next such instant; the date is never shown.
const TIME_OF_DAY = (15 * 3600 + 4 * 60 + 5) * 1000;
const DAY = 86_400_000;
// A pixel differs when a channel moves by more than this; a scene fails when more than this share of pixels differ
// (antialiasing, or a duration a second apart when an answer lands on the other side of a clock step, moves a few
// hundred pixels; a moved column, a changed colour or wording moves thousands).
const CHANNEL = 40;
const SHARE = 0.005;

let env;

/// Stops the sandbox at the next instant of TIME_OF_DAY; returns it.
async function standStill() {
  const { now } = await control('/sandbox/clock', undefined, 'GET');
  const at = Math.floor(now / DAY) * DAY + DAY + TIME_OF_DAY;
  await control('/sandbox/clock', { advanceMs: at - now });
  return at;
}

/// Both clocks a second on, together: a new answer is a newer one.
const tick = (page, ms = 1000) => advance(page.context(), ms);

/// Clicks Refresh once it is enabled. A request under way disables it until its answer comes (real time); only one
/// held back for RingCentral's budget needs the clocks moved, and that happens the same way in every run.
async function refresh(page) {
  const button = page.getByRole('button', { name: 'Refresh' });
  for (let i = 0; i < 100 && !(await button.isEnabled()); i++) await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 20 && !(await button.isEnabled()); i++) {
    await tick(page, 500);
    await new Promise((r) => setTimeout(r, 50));
  }
  await button.click();
}

// Calls as a CRM agent sees them: a ringing call, a queue call, connected ones, one ended.
const CALLS = [
  { from: { name: 'Northwind Traders', phoneNumber: '+16505550901' }, startedSecsAgo: 12 },
  { from: { name: 'Sales Line - Fabrikam Incorporated International Holdings', phoneNumber: '+493012345678' }, answered: true, startedSecsAgo: 95 },
  { direction: 'Outbound', to: { name: 'Contoso', phoneNumber: '+442071234567' }, answered: true, startedSecsAgo: 380 },
];
const MORE = [
  { from: { phoneNumber: '+16505550177' }, startedSecsAgo: 4 },
  { from: { name: 'Adventure Works', phoneNumber: '+16505550188' }, answered: true, startedSecsAgo: 40 },
  { from: { name: 'Tailspin Toys', phoneNumber: '+33142685300' }, answered: true, startedSecsAgo: 620 },
  { direction: 'Outbound', to: { name: 'Wide World Importers', phoneNumber: '+61291234567' }, answered: true, startedSecsAgo: 1500 },
  { from: { name: 'Support Queue - Litware', phoneNumber: '+16505550199' }, answered: true, startedSecsAgo: 200 },
  { from: { name: 'Alpine Ski House', phoneNumber: '+16505550111' }, answered: true, startedSecsAgo: 3700 },
  { from: { name: 'Blue Yonder Airlines', phoneNumber: '+16505550122' }, startedSecsAgo: 30, end: 'Missed' },
];

async function addCalls(calls) {
  for (const { end, ...c } of calls) {
    const { id } = await control('/sandbox/calls', { extension: '102', ...c });
    if (end) await control(`/sandbox/calls/${id}/end`, { result: end });
  }
}

/// Compares two PNGs in a blank page (the browser decodes them): the share of pixels that differ, and a diff image.
async function compare(page, actual, expected) {
  return page.evaluate(async ([a, b, channel]) => {
    const load = async (b64) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const [x, y] = [await load(a), await load(b)];
    if (x.width !== y.width || x.height !== y.height) {
      return { share: 1, why: `size ${x.width}×${x.height}, reference ${y.width}×${y.height}` };
    }
    const pixels = (img) => {
      const c = new OffscreenCanvas(img.width, img.height).getContext('2d');
      c.drawImage(img, 0, 0);
      return c.getImageData(0, 0, img.width, img.height);
    };
    const [p, q] = [pixels(x), pixels(y)];
    let changed = 0;
    for (let i = 0; i < p.data.length; i += 4) {
      const differs = [0, 1, 2, 3].some((k) => Math.abs(p.data[i + k] - q.data[i + k]) > channel);
      if (differs) { changed++; p.data.set([255, 0, 255, 255], i); }
    }
    const canvas = new OffscreenCanvas(x.width, x.height);
    canvas.getContext('2d').putImageData(p, 0, 0);
    const diff = await canvas.convertToBlob({ type: 'image/png' });
    const bytes = new Uint8Array(await diff.arrayBuffer());
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return { share: changed / (x.width * x.height), why: `${changed} pixels differ`, diff: btoa(bin) };
  }, [actual.toString('base64'), expected.toString('base64'), CHANNEL]);
}

async function check(s, name) {
  await s.page.mouse.move(0, 0);
  const actual = await s.page.locator('.rcac').screenshot({ animations: 'disabled', caret: 'hide' });
  const file = join(REFERENCES, `${name}.png`);
  const expected = UPDATE ? actual : await readFile(file).catch(() => null);
  assert.ok(expected, `no reference ${file}: run make screenshots, and review the images`);
  // Compared in a context of its own, and the same way when updating: opening a page moves the widget's page to
  // the background and back (its feed then fetches), so every run must do it at the same moments.
  const other = await env.browser.newContext();
  const { share, why, diff } = await compare(await other.newPage(), actual, expected);
  await other.close();
  if (UPDATE) {
    await writeFile(file, actual);
    return;
  }
  if (share > SHARE) {
    await writeFile(join(ARTIFACTS, `${name}.actual.png`), actual);
    if (diff) await writeFile(join(ARTIFACTS, `${name}.diff.png`), Buffer.from(diff, 'base64'));
  }
  assert.ok(share <= SHARE, `${name}: ${why} (see e2e/artifacts/${name}.*.png)`);
}

// One test whose subtests are the variants: it starts and stops what they share itself.
test('screenshots', async (t) => {
  env = await startAll();
  try {
    if (UPDATE) await mkdir(REFERENCES, { recursive: true });
    await control('/sandbox/clock', { freeze: true });
    for (const width of [320, 800]) {
      for (const scheme of ['light', 'dark']) await t.test(`at ${width} px, ${scheme}`, () => scenes(width, scheme));
    }
  } finally {
    // A frozen sandbox does not finish shutting down: its clock runs again first (as in time.test.js).
    await control('/sandbox/clock', { freeze: false }).catch(() => {});
    await env.stop();
  }
});

async function scenes(width, scheme) {
  const s = await freshPage(env.browser, {
    viewport: { width, height: 700 }, colorScheme: scheme, timezoneId: 'UTC', locale: 'en-US',
  });
  const tag = (scene) => `${scene}-${width}-${scheme}`;
  // RingCentral's list lags behind new calls; on a clock that stands still, that lag would never end.
  await control('/sandbox/settings', { activeCallsLagSecs: 0 });
  // The page's clock is Playwright's, moved only with the sandbox's: durations, "updated" and countdowns show
  // the same in every run.
  await s.page.clock.install({ time: await standStill() });
  // Backoff jitter from a fixed sequence, so retries come at the same moments in every run.
  await s.context.addInitScript(() => {
    let x = 7;
    Math.random = () => ((x = (x * 48271) % 2147483647) / 2147483647);
  });
  try {
    await s.page.goto(widgetUrl({ pollSeconds: 6, live: 'off' }));
    await s.page.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
    await check(s, tag('signed-out'));

    await addCalls(CALLS);
    await s.page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
    await s.page.waitForURL(/authorize/);
    await signInOnSandboxPage(s.page, 'Ben Baker');
    await s.page.locator('tr.rcac-row').nth(2).waitFor();
    await check(s, tag('three-calls'));

    await addCalls(MORE);
    await tick(s.page);
    await refresh(s.page);
    await s.page.locator('tr.rcac-row').nth(9).waitFor();
    await check(s, tag('ten-calls'));

    // Compact rows, chosen in the header's menu by keyboard, and back.
    const more = s.page.getByRole('button', { name: 'More' });
    await more.focus();
    await s.page.keyboard.press('Enter');
    await s.page.getByRole('menuitemcheckbox', { name: 'Compact rows' }).waitFor();
    await s.page.keyboard.press('Enter');
    await s.page.locator('.rcac[data-density=compact]').waitFor();
    await more.blur();
    await check(s, tag('ten-calls-compact'));
    await more.click();
    await s.page.getByRole('menuitemcheckbox', { name: 'Compact rows', checked: true }).click();
    await s.page.locator('.rcac[data-density=comfortable]').waitFor();

    await control('/sandbox/faults', { kind: 'server_error', path: 'active-calls', count: 1000 });
    await tick(s.page);
    await refresh(s.page);
    await s.page.locator('.rcac-error').waitFor();
    await check(s, tag('error'));

    await control('/sandbox/faults', undefined, 'DELETE');
    await control('/sandbox/faults', { kind: 'rate_limit', path: 'active-calls', count: 1000, retryAfterSecs: 60 });
    // The backoff's next retry (at the same moment in every run) meets the 429.
    const limited = s.page.locator('.rcac-status').getByText('rate limit');
    for (let i = 0; i < 40 && !(await limited.count()); i++) {
      await tick(s.page, 500);
      await new Promise((r) => setTimeout(r, 50));
    }
    await limited.waitFor({ timeout: 5_000 });
    await check(s, tag('rate-limited'));
    assertClean(s, [500, 503, 429]);
  } finally {
    await s.context.close();
  }

}
