// The iframe way on a CRM of another site: the demo CRM page opened as http://localhost:18081 frames the widget from
// http://127.0.0.1:18080, two sites. A Playwright context blocks third-party storage like an incognito window: the
// frame's sessionStorage, localStorage and Web Locks throw. The widget works alone there and says so once; it asks
// for storage access on the user's click; refused, the message stays and nothing asks again; allowed, the session
// survives reloads until sign-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, requests, signInByPopup, onlyStatuses, signOut } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const CROSS_SITE_CRM = 'http://localhost:18081/?mode=iframe&pollSeconds=6';
const KEEP = 'Stay signed in here';
// Chromium's own log line when a storage access request is refused: the browser's, not the widget's.
const REFUSED = /requestStorageAccess: Permission denied/;

async function crossSite() {
  const s = await freshPage(env.browser);
  await s.page.goto(CROSS_SITE_CRM);
  const frame = s.page.frameLocator('iframe[title="RingCentral active calls"]');
  await frame.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  return { ...s, frame };
}

const frameText = (frame) => frame.locator('.rcac').innerText();

test('cross-site frame: storage and locks blocked, it signs in by popup, works alone and says so once', async () => {
  const s = await crossSite();
  const { page, context, frame } = s;
  const blocked = await page.frames()[1].evaluate(async () => {
    const throws = (f) => { try { f(); return false; } catch { return true; } };
    const locked = await navigator.locks.request('probe', () => {}).then(() => false, () => true);
    return throws(() => sessionStorage.length) && throws(() => localStorage.length) && locked;
  });
  assert.ok(blocked, 'this context blocks the frame\'s storage, as the issue describes');
  let text = await frameText(frame);
  assert.equal(text.match(/blocks storage here/g)?.length, 1, text);
  assert.equal(text.match(/on its own/g)?.length, 1, `storage and sharing in one sentence: ${text}`);
  assert.doesNotMatch(text, /Tabs are not shared/);
  await frame.getByRole('button', { name: KEEP }).waitFor();

  await signInByPopup(context, frame, 'Ben Baker');
  await frame.getByText('Ben Baker').first().waitFor();
  await frame.locator('.rcac-status').getByText('Updated').waitFor();
  text = await frame.locator('.rcac-status').innerText();
  assert.equal(text.match(/on its own/g)?.length, 1, text);
  assert.match(text, /Storage is blocked/);
  assert.ok((await requests()).some((r) => r.path.endsWith('/active-calls')), 'the frame fetches calls alone');
  assert.deepEqual(s.problems(), []);
  onlyStatuses(s.network(), []);
  await context.close();
});

test('cross-site frame: a refused storage request keeps the message, offers signing in again, and never asks again', async () => {
  const s = await crossSite();
  const { page, context, frame } = s;
  await signInByPopup(context, frame, 'Ben Baker');
  await frame.locator('.rcac-status').getByText('Updated').waitFor();
  await frame.getByRole('button', { name: KEEP }).click();
  // Refused (no grant in this context): the button goes, the message stays.
  await frame.getByRole('button', { name: KEEP }).waitFor({ state: 'detached' });
  assert.match(await frame.locator('.rcac-status').innerText(), /sign in again after a reload/);
  await page.waitForTimeout(1000);
  assert.equal(await frame.getByRole('button', { name: KEEP }).count(), 0, 'not asked again on this load');

  // A reload signs the frame out, and the way that works is there: sign in again.
  await page.reload();
  await frame.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  assert.match(await frameText(frame), /sign in again after reloading/);
  await signInByPopup(context, frame, 'Ben Baker');
  await frame.getByText('Ben Baker').first().waitFor();
  assert.deepEqual(s.problems().filter((p) => !REFUSED.test(p)), []);
  assert.ok(s.problems().some((p) => REFUSED.test(p)), 'the request did reach the browser');
  onlyStatuses(s.network(), []);
  await context.close();
});

test('cross-site frame: storage access allowed on the user\'s click keeps the session across reloads, until sign-out', async () => {
  const s = await crossSite();
  const { page, context, frame } = s;
  await signInByPopup(context, frame, 'Ben Baker');
  await frame.locator('.rcac-status').getByText('Updated').waitFor();
  // The user says yes to the browser's prompt (the permission Chromium keeps for the pair of sites).
  await context.grantPermissions(['storage-access']);
  await frame.getByRole('button', { name: KEEP }).click();
  await frame.getByRole('button', { name: KEEP }).waitFor({ state: 'detached' });
  let status = await frame.locator('.rcac-status').innerText();
  assert.doesNotMatch(status, /Storage is blocked/);
  assert.equal(status.match(/on its own/g)?.length, 1, `still working alone, said once: ${status}`);

  const signIns = async () => (await requests()).filter((r) => r.path === '/restapi/oauth/token').length;
  const before = await signIns();
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await frame.getByText('Ben Baker').first().waitFor();
    await frame.locator('.rcac-status').getByText('Updated').waitFor();
    assert.equal(await frame.getByRole('button', { name: 'Sign in with RingCentral' }).count(), 0);
    assert.doesNotMatch(await frame.locator('.rcac-status').innerText(), /Storage is blocked/);
  }
  // Each reload resumed with the kept refresh token (one refresh each), no new sign-in.
  assert.equal(await signIns(), before + 2);
  const cookie = (await context.cookies('http://127.0.0.1:18080/')).find((c) => c.name.startsWith('rcac.t.'));
  assert.ok(cookie, 'kept in a cookie of the widget\'s site');
  assert.equal(cookie.expires, -1, 'persist=tabs: a session cookie, gone when the browser closes');
  assert.equal(cookie.sameSite, 'None');

  await signOut(frame);
  await frame.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  await page.reload();
  await frame.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  assert.equal((await context.cookies('http://127.0.0.1:18080/')).filter((c) => c.name.startsWith('rcac.')).length, 0,
    'signing out removes it');
  assert.deepEqual(s.problems(), []);
  onlyStatuses(s.network(), []);
  await context.close();
});
