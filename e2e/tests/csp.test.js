// Strict Content-Security-Policy: the standalone page and the CRM page are served with policies that have no
// 'unsafe-inline' (every test fails on a violation, see harness.js); here, what those policies hold, that the widget
// is styled under them, and that a host whose connect-src leaves out the WebSocket gets polling that says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, control, signInByPopup, signInOnSandboxPage, assertClean, widgetUrl, CRM } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

/// The widget's shadow root: no <style> element, one adopted sheet, and that sheet's rules in force.
async function styledBySheet(page, host) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel).shadowRoot;
    return {
      styleElements: root.querySelectorAll('style').length,
      adopted: root.adoptedStyleSheets.length,
      font: getComputedStyle(root.querySelector('section.rcac')).fontFamily,
    };
  }, host);
}

test('the standalone page under its strict policy: styled, signed in and live', async () => {
  const s = await freshPage(env.browser);
  const { page } = s;
  const response = await page.goto(widgetUrl({ pollSeconds: 6 }));
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /style-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.locator('.rcac-status').getByText('Live').waitFor();
  const styled = await styledBySheet(page, '#rc-active-calls');
  assert.equal(styled.styleElements, 0);
  assert.equal(styled.adopted, 1);
  assert.match(styled.font, /system-ui/);
  assertClean(s);
  await s.context.close();
});

test('a host whose connect-src has no WebSocket: polling, and the status line says why', async () => {
  const s = await freshPage(env.browser);
  const { page, context } = s;
  // A second policy on the CRM page (both are enforced), whose connect-src has no ws: source. (Added as a meta
  // element: rewriting the page's response in the test would make the browser treat it as from another network.)
  await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
    const m = document.createElement('meta');
    m.httpEquiv = 'Content-Security-Policy';
    m.content = "connect-src 'self' http://127.0.0.1:18080 http://127.0.0.1:18790";
    document.head.append(m);
  }));
  const blocked = [];
  page.on('console', (m) => { if (/CSP violation: connect-src blocked ws:/.test(m.text())) blocked.push(m.text()); });
  await page.goto(`${CRM}?mode=element&pollSeconds=6`);
  const widget = page.locator('rc-active-calls');
  await signInByPopup(context, widget, 'Ben Baker');
  await widget.locator('.rcac-status').getByText('Live updates off (this page does not allow a WebSocket to RingCentral) — checking every 6 s').waitFor({ timeout: 15000 });
  const { id } = await control('/sandbox/calls', { extension: '102', from: { name: 'Northwind Traders', phoneNumber: '+12125550143' } });
  await widget.locator(`tr[data-call-id="${id}"]`).waitFor({ timeout: 6000 + 2000 });
  const styled = await styledBySheet(page, 'rc-active-calls');
  assert.equal(styled.styleElements, 0);
  assert.equal(styled.adopted, 1);
  // The refused socket is the only problem on the page.
  assert.deepEqual(s.problems().filter((p) => !/CSP violation: connect-src blocked ws:|Connecting to 'ws:[^']*' violates/.test(p)), []);
  // Refused by the page's policy, the socket is not tried again soon (each try costs a wstoken).
  assert.equal(blocked.length, 1);
  await context.close();
});
