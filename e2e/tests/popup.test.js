// The popup sign-in: the popup signs in and closes and the opener gets the result; a popup closed early and a
// blocked popup each give a clear message and a retry; a tampered state is refused before any token request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, requests, signInOnSandboxPage, WIDGET, assertClean, widgetUrl } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const PAGE = widgetUrl({ login: 'popup' });

/// Clicks sign-in and returns the popup once it shows the sandbox's sign-in page.
async function openPopup(page, context) {
  const [popup] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('button', { name: 'Sign in with RingCentral' }).click(),
  ]);
  await popup.waitForURL(/\/restapi\/oauth\/authorize/);
  return popup;
}

test('popup: signs in, closes itself, and the opener shows the user', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(PAGE);
  const popup = await openPopup(page, context);
  assert.match(popup.url(), /display=popup/);
  // Listening before the click: a popup that closes quickly must not be missed.
  const closed = popup.waitForEvent('close');
  await signInOnSandboxPage(popup, 'Ada Admin');
  await closed;
  await page.getByText('Ada Admin').first().waitFor();
  await page.getByText('No active calls right now.').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('code'), null);
  const log = await requests();
  assert.equal(log.filter((r) => r.detail === 'authorization_code').length, 1);
  assertClean({ problems, network });
  await context.close();
});

test('popup closed early: a clear message and a retry', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(PAGE);
  const popup = await openPopup(page, context);
  await popup.close();
  await page.getByText('The sign-in window was closed before signing in finished.').waitFor();
  await page.getByRole('button', { name: 'Try again' }).waitFor();
  assertClean({ problems, network });
  await context.close();
});

test('popup blocked: a clear message and a retry', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.addInitScript(() => { window.open = () => null; });
  await page.goto(PAGE);
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.getByText('Your browser blocked the sign-in window.', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Try again' }).waitFor();
  assertClean({ problems, network });
  await context.close();
});

test('a message from a foreign origin is ignored', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(PAGE);
  const popup = await openPopup(page, context);
  // The sandbox's page (another origin) posts a forged callback to the opener.
  await popup.evaluate(() => window.opener.postMessage(
    { source: 'rc-active-calls', type: 'oauth-callback', query: '?code=forged&state=p.x' }, '*'));
  await page.waitForTimeout(800);
  assert.equal((await requests()).filter((r) => r.path === '/restapi/oauth/token').length, 0, 'no token request');
  await signInOnSandboxPage(popup, 'Ben Baker');
  await page.getByText('Ben Baker').first().waitFor();
  assertClean({ problems, network });
  await context.close();
});

test('redirect with a tampered state: refused with a clear message and no token request', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(widgetUrl());
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  // Rewrite the state the sandbox will send back.
  const url = new URL(page.url());
  url.searchParams.set('state', 'r.tampered');
  await page.goto(url.toString());
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.getByText('state mismatch', { exact: false }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('code'), null, 'the code is gone from the address bar');
  assert.equal((await requests()).filter((r) => r.path === '/restapi/oauth/token').length, 0, 'no token request');
  assertClean({ problems, network });
  await context.close();
});
