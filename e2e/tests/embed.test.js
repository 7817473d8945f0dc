// Embedding, end to end: the demo CRM page (its own origin, 18081) embeds the widget (18080) as a custom element,
// through mount(), and in an iframe; each signs in by popup and shows calls. Also: hostile host CSS, live
// attribute changes and update(), unmount stopping every request, the documented event shapes, iframe origins,
// contact matching with failing and slow resolvers, notes acknowledged and refused, two independent widgets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, requests, control, signInByPopup, signInOnSandboxPage, widgetUrl, CRM, WIDGET, assertClean } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const SERVER = 'http://127.0.0.1:18790';
const EMBED = `${WIDGET}embed.js`;
const CALL_KEYS = ['id', 'sessionId', 'telephonySessionId', 'direction', 'from', 'to', 'status', 'result', 'startTime',
  'durationSeconds', 'extension', 'contact'];

/// Records every rc-active-calls event that reaches `document` (they bubble and are composed).
async function recordEvents(page) {
  await page.addInitScript(() => {
    window.__events = [];
    for (const t of ['signed-in', 'signed-out', 'calls-changed', 'call-started', 'call-updated', 'call-ended', 'call-selected', 'note', 'error']) {
      document.addEventListener(`rc-active-calls:${t}`, (e) => window.__events.push({ type: e.type, detail: e.detail, bubbles: e.bubbles, composed: e.composed }));
    }
  });
}
const events = (page, type) => page.evaluate((t) => window.__events.filter((e) => !t || e.type === t), type);

/// Polls `fn` until it returns true (for values inside cross-origin frames, where waitForFunction cannot go).
async function until(fn, ms = 10000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`not true within ${ms} ms: ${fn}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/// Active-calls requests the sandbox has seen (preflights included), with when.
const activeCallRequests = async () => (await requests()).filter((r) => /active-calls/.test(r.path)).map((r) => `${r.method} ${r.path} @${r.at}`);

test('element: signs in by popup, matches contacts, selects a call into the CRM record, and a note round-trips', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await recordEvents(page);
  await page.goto(`${CRM}?mode=element&pollSeconds=6`);
  const widget = page.locator('rc-active-calls');
  await signInByPopup(context, widget, 'Ada Admin');
  await widget.getByText('Ada Admin').waitFor();
  const { id } = await control('/sandbox/calls', { extension: '101', from: { name: 'NORTHWIND TRADERS', phoneNumber: '+12125550143' } });
  // The CRM's name replaces RingCentral's, as a link to the record.
  const link = widget.getByRole('link', { name: 'Nancy Davolio (Northwind Traders)' });
  await link.waitFor({ timeout: 15000 });
  assert.match(await link.getAttribute('href'), /^http:\/\/127\.0\.0\.1:18081\/\?mode=element#contact-nancy$/);

  const row = widget.locator('tr.rcac-row').first();
  await row.click();
  await page.locator('#record h3', { hasText: 'Nancy Davolio' }).waitFor();
  await row.focus();
  await page.keyboard.press('Enter');

  await row.getByRole('button', { name: /^Note on the call with/ }).click();
  await widget.getByRole('textbox').fill('Wants a quote for 40 seats');
  await widget.getByRole('button', { name: 'Save note' }).click();
  await widget.getByRole('button', { name: /Noted/ }).waitFor();
  await page.locator('#record .notes li', { hasText: 'Wants a quote for 40 seats' }).waitFor();

  // The documented shapes.
  const [signedIn] = await events(page, 'rc-active-calls:signed-in');
  assert.deepEqual(signedIn.detail, { user: { name: 'Ada Admin', extensionNumber: '101' } });
  assert.ok(signedIn.bubbles && signedIn.composed);
  const [started] = await events(page, 'rc-active-calls:call-started');
  assert.deepEqual(Object.keys(started.detail.call), CALL_KEYS);
  assert.equal(started.detail.call.from.phoneNumber, '+12125550143');
  assert.equal(started.detail.call.direction, 'Inbound');
  assert.ok(['ringing', 'connected'].includes(started.detail.call.status));
  assert.equal(typeof started.detail.call.durationSeconds, 'number');
  const selected = await events(page, 'rc-active-calls:call-selected');
  assert.equal(selected.length, 2, 'a click and Enter');
  assert.deepEqual(selected[0].detail.call.contact, { name: 'Nancy Davolio (Northwind Traders)', url: 'http://127.0.0.1:18081/?mode=element#contact-nancy' });
  const [note] = await events(page, 'rc-active-calls:note');
  assert.deepEqual(Object.keys(note.detail), ['noteId', 'call', 'text']);
  assert.equal(note.detail.text, 'Wants a quote for 40 seats');
  const changed = await events(page, 'rc-active-calls:calls-changed');
  assert.equal(changed.at(-1).detail.scope, 'extension');
  assert.equal(changed.at(-1).detail.calls.length, 1);

  // Answered: call-updated, with the new status.
  await control(`/sandbox/calls/${id}/answer`);
  await page.waitForFunction(() => window.__events.some((e) => e.type === 'rc-active-calls:call-updated'), null, { timeout: 15000 });
  const [updated] = await events(page, 'rc-active-calls:call-updated');
  assert.equal(updated.detail.call.id, started.detail.call.id);
  assert.equal(updated.detail.call.status, 'connected');
  // The call ends: call-ended with its result.
  await control(`/sandbox/calls/${id}/end`);
  await page.waitForFunction(() => window.__events.some((e) => e.type === 'rc-active-calls:call-ended'), null, { timeout: 15000 });
  const [ended] = await events(page, 'rc-active-calls:call-ended');
  assert.equal(ended.detail.call.status, 'ended');
  assertClean({ problems, network });
  await context.close();
});

// The release's glue builds short ASCII strings itself and leaves the others to TextDecoder
// (scripts/short-strings.mjs): names short and long, ASCII or not, reach the rows and the host's events as sent.
test('names of every length and script reach the rows and the host events as RingCentral sent them', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await recordEvents(page);
  await page.goto(widgetUrl({ pollSeconds: 6 }));
  await page.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await page.waitForURL(/authorize/);
  await signInOnSandboxPage(page, 'Ben Baker');
  await page.locator('.rcac-status').getByText('Updated').waitFor();
  const names = ['Zoë', 'Ana Trujillo', 'Bartholomew Featherstonehaugh-Smythe', 'Åsa Lindqvist-Øverby Großmann-Müllerová', '王小明', 'A'];
  for (const [i, name] of names.entries()) {
    await control('/sandbox/calls', { extension: '102', from: { name, phoneNumber: `+1415555014${i}` } });
  }
  for (const name of names) {
    await page.locator('tr.rcac-row .rcac-name').getByText(name, { exact: true }).waitFor({ timeout: 15000 });
  }
  await page.waitForFunction((n) => window.__events.filter((e) => e.type === 'rc-active-calls:call-started').length >= n, names.length);
  const sent = (await events(page, 'rc-active-calls:call-started')).map((e) => e.detail.call.from.name);
  assert.deepEqual(sent.sort(), [...names].sort());
  assertClean({ problems, network });
  await context.close();
});

test('hostile host CSS leaves the widget intact, and the widget\'s CSS stays inside', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      // A constructable sheet: the CRM page's CSP refuses inline <style>, as a strict host's would.
      const s = new CSSStyleSheet();
      s.replaceSync('* { all: revert; color: red !important } table { display: none } button { visibility: hidden }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
      document.body.insertAdjacentHTML('beforeend',
        '<p class="rcac-muted" id="lookalike">page text</p><table class="rcac-table" id="host-table"><tr><td>x</td></tr></table>');
    });
  });
  await page.goto(`${CRM}?mode=element&pollSeconds=6`);
  await page.locator('#host-table').waitFor({ state: 'attached' });
  const widget = page.locator('rc-active-calls');
  // The page hides its own buttons; the widget's stay visible.
  await signInByPopup(context, widget, 'Ada Admin');
  await control('/sandbox/calls', { extension: '101', from: { name: 'Contoso', phoneNumber: '+14155550199' } });
  await widget.locator('tr.rcac-row').first().waitFor({ timeout: 15000 });
  const inside = await page.evaluate(() => {
    const root = document.querySelector('rc-active-calls').shadowRoot;
    const css = (sel) => getComputedStyle(root.querySelector(sel));
    return {
      table: css('table').display,
      cellColor: css('td.rcac-party').color,
      font: css('section.rcac').fontFamily,
      button: css('button').visibility,
      borderCollapse: css('table').borderCollapse,
    };
  });
  assert.equal(inside.table, 'table');
  assert.notEqual(inside.cellColor, 'rgb(255, 0, 0)');
  assert.match(inside.font, /system-ui/);
  assert.equal(inside.button, 'visible');
  assert.equal(inside.borderCollapse, 'collapse');
  const outside = await page.evaluate(() => ({
    lookalike: getComputedStyle(document.getElementById('lookalike')).color,
    table: getComputedStyle(document.getElementById('host-table')).display,
  }));
  assert.equal(outside.lookalike, 'rgb(255, 0, 0)', 'the page\'s own rules still win outside');
  assert.equal(outside.table, 'none');
  assertClean({ problems, network });
  await context.close();
});

test('element: attribute changes apply live; removing it stops every request; putting it back mounts again', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=element&pollSeconds=6`);
  const widget = page.locator('rc-active-calls');
  await signInByPopup(context, widget, 'Ada Admin');
  await widget.getByText('No active calls right now.').waitFor();
  await page.evaluate(() => {
    const w = document.querySelector('rc-active-calls');
    w.setAttribute('theme', 'dark');
    w.setAttribute('scope', 'account');
  });
  await widget.getByText('No active calls in the account right now.').waitFor();
  assert.equal(await widget.locator('section.rcac').getAttribute('data-theme'), 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector('rc-active-calls').shadowRoot.querySelector('section')).backgroundColor);
  assert.equal(bg, 'rgb(21, 24, 29)');

  // Removal: no request afterwards, no listener left (a hidden/visible flip would otherwise trigger one).
  await page.evaluate(() => { window.__kept = document.querySelector('rc-active-calls'); window.__kept.remove(); });
  await page.waitForTimeout(1000); // a request sent just before the removal may still be on its way
  const before = await activeCallRequests();
  await page.waitForTimeout(8000);
  await page.evaluate(() => { document.dispatchEvent(new Event('visibilitychange')); dispatchEvent(new Event('online')); });
  await page.waitForTimeout(1000);
  assert.deepEqual(await activeCallRequests(), before, 'a removed widget sends nothing');
  // Back in the page: it resumes the session this tab holds.
  await page.evaluate(() => document.getElementById('widget-slot').append(window.__kept));
  await widget.getByText('Ada Admin').waitFor();
  await page.evaluate(() => document.querySelector('rc-active-calls').setAttribute('poll-seconds', '2'));
  await widget.getByText('pollSeconds').waitFor();
  assertClean({ problems, network });
  await context.close();
});

test('mount(): bad config throws, update() applies, unmount() stops requests, two widgets stay independent', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=mount&pollSeconds=6`);
  await page.locator('#mount-point').waitFor({ state: 'attached' });
  const thrown = await page.evaluate(async (url) => {
    const { mount } = await import(url);
    try { mount(document.body.appendChild(document.createElement('div')), { clientId: '', pollSecond: 5 }); return null; } catch (e) { return { error: e instanceof Error, message: e.message }; }
  }, EMBED);
  assert.equal(thrown.error, true);
  assert.match(thrown.message, /clientId/);
  assert.match(thrown.message, /pollSecond/);

  // Two more widgets, each with its own session.
  await page.evaluate(async ({ url, server }) => {
    const { mount } = await import(url);
    const make = (id, key) => {
      const d = document.createElement('div');
      d.id = id;
      document.body.append(d);
      return mount(d, { clientId: 'demo-client', server, redirectUri: `${location.origin}/callback.html`, pollSeconds: 6, sessionKey: key });
    };
    window.a = make('wa', 'a');
    window.b = make('wb', 'b');
  }, { url: EMBED, server: SERVER });
  await signInByPopup(context, page.locator('#wa'), 'Ada Admin');
  await page.locator('#wa').getByText('Ada Admin').waitFor();
  await signInByPopup(context, page.locator('#wb'), 'Ben Baker');
  await page.locator('#wb').getByText('Ben Baker').waitFor();
  assert.equal(await page.locator('#wa').getByText('Ben Baker').count(), 0);

  const grants = async () => (await requests()).filter((r) => r.path === '/restapi/oauth/token').length;
  const grantsBefore = await grants();
  await page.evaluate(() => window.a.update({ clientId: 'demo-client', server: 'http://127.0.0.1:18790', redirectUri: `${location.origin}/callback.html`, sessionKey: 'a', scope: 'account', theme: 'dark', pageSize: 50 }));
  await page.locator('#wa').getByText('No active calls in the account right now.').waitFor();
  // A new scope and page size are the poll's plan, not a new session: nothing signs in or refreshes again.
  await until(async () => (await activeCallRequests()).some((r) => r.includes('/account/') || /perPage=50/.test(r)));
  assert.equal(await grants(), grantsBefore);
  assert.equal(await page.locator('#wa section.rcac').getAttribute('data-theme'), 'dark');
  const badUpdate = await page.evaluate(() => { try { window.a.update({ clientId: 'x', scope: 'galaxy' }); return null; } catch (e) { return e.message; } });
  assert.match(badUpdate, /scope/);

  // Sign-out in one leaves the other signed in.
  await page.evaluate(() => window.b.signOut());
  await page.locator('#wb').getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  await page.locator('#wa').getByText('Ada Admin').waitFor();

  // Unmount everything: no request afterwards.
  await page.evaluate(() => { window.a.unmount(); window.b.unmount(); });
  await page.waitForTimeout(1000);
  const before = await activeCallRequests();
  await page.waitForTimeout(8000);
  assert.deepEqual(await activeCallRequests(), before);
  assert.equal(await page.evaluate(() => document.getElementById('wa').shadowRoot.childElementCount), 0);
  assertClean({ problems, network });
  await context.close();
});

test('contact matching survives a rejecting, a throwing and a slow resolver', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=mount&pollSeconds=6`);
  await page.locator('#mount-point').waitFor({ state: 'attached' });
  await page.evaluate(async ({ url, server }) => {
    const { mount } = await import(url);
    const make = (id, resolveContacts) => {
      const d = document.createElement('div');
      d.id = id;
      document.body.append(d);
      return mount(d, { clientId: 'demo-client', server, redirectUri: `${location.origin}/callback.html`, pollSeconds: 6, sessionKey: id, resolveContacts });
    };
    window.w = [
      make('rejecting', () => Promise.reject(new Error('CRM down'))),
      make('throwing', () => { throw new Error('bug'); }),
      make('slow', (numbers) => new Promise((ok) => setTimeout(() => ok(Object.fromEntries(numbers.map((n) => [n, { name: 'Slow Match', url: 'javascript:alert(1)' }]))), 3000))),
    ];
  }, { url: EMBED, server: SERVER });
  // Three users: each user and app has its own Heavy budget (10 a minute), as at RingCentral.
  const users = { rejecting: ['Ada Admin', '101'], throwing: ['Ben Baker', '102'], slow: ['Chloe Chen', '103'] };
  for (const [id, [user, ext]] of Object.entries(users)) {
    await signInByPopup(context, page.locator(`#${id}`), user);
    await page.locator(`#${id}`).getByText(user).waitFor();
    await control('/sandbox/calls', { extension: ext, from: { name: 'Fabrikam Support', phoneNumber: '+13125550123' } });
  }
  for (const id of ['rejecting', 'throwing', 'slow']) {
    await page.locator(`#${id}`).getByText('Fabrikam Support', { exact: true }).waitFor({ timeout: 15000 });
  }
  // The slow one answers later; its javascript: URL is not made a link.
  await page.locator('#slow').getByText('Slow Match').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('#slow a.rcac-name').count(), 0);
  assert.equal(await page.locator('#rejecting').getByText('Fabrikam Support', { exact: true }).count(), 1);
  await page.evaluate(() => window.w.forEach((w) => w.unmount()));
  assertClean({ problems, network });
  await context.close();
});

test('a note the host refuses keeps its text and says why; a later acknowledgement saves it', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=mount&pollSeconds=6`);
  await page.locator('#mount-point').waitFor({ state: 'attached' });
  await page.evaluate(async ({ url, server }) => {
    const { mount } = await import(url);
    const d = document.createElement('div');
    d.id = 'notes';
    document.body.append(d);
    const w = mount(d, { clientId: 'demo-client', server, redirectUri: `${location.origin}/callback.html`, pollSeconds: 6, sessionKey: 'n' });
    let tries = 0;
    d.addEventListener('rc-active-calls:note', (e) => {
      tries += 1;
      if (tries === 1) w.ackNote(e.detail.noteId, false, 'Record is locked by another user');
      else w.ackNote(e.detail.noteId, true);
    });
  }, { url: EMBED, server: SERVER });
  const w = page.locator('#notes');
  await signInByPopup(context, w, 'Ada Admin');
  await control('/sandbox/calls', { extension: '101', from: { name: 'Tailspin Toys', phoneNumber: '+17205550111' } });
  await w.getByRole('button', { name: 'Note on the call with Tailspin Toys' }).click({ timeout: 15000 });
  await w.getByRole('textbox').fill('Call back Monday');
  await w.getByRole('button', { name: 'Save note' }).click();
  await w.getByText('Record is locked by another user').waitFor();
  assert.equal(await w.getByRole('textbox').inputValue(), 'Call back Monday');
  await w.getByRole('button', { name: 'Save note' }).click();
  await w.getByRole('button', { name: /^Noted\. Another note on the call with Tailspin Toys/ }).waitFor();
  assert.equal(await w.getByRole('textbox').count(), 0);
  assertClean({ problems, network });
  await context.close();
});

test('iframe: events reach the parent at its origin, contacts resolve over postMessage, commands obey the allow-list', async () => {
  const { page, context, problems, network } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=iframe&pollSeconds=6`);
  const frame = page.frameLocator('iframe[title="RingCentral active calls"]');
  await signInByPopup(context, frame.locator('body'), 'Ada Admin');
  await frame.getByText('Ada Admin', { exact: true }).waitFor();
  await page.locator('#log li[data-type="rc-active-calls:signed-in"]').waitFor();
  await control('/sandbox/calls', { extension: '101', from: { name: 'CONTOSO', phoneNumber: '+14155550199' } });
  await frame.getByRole('link', { name: 'Ana Trujillo (Contoso Ltd)' }).waitFor({ timeout: 15000 });
  await frame.locator('tr.rcac-row').first().click();
  await page.locator('#record h3', { hasText: 'Ana Trujillo' }).waitFor();
  await page.locator('#log li[data-type="rc-active-calls:call-started"]').waitFor();

  // An allowed command works.
  await page.selectOption('#scope', 'account');
  await until(async () => (await frame.locator('select').inputValue()) === 'account');

  // A window of another origin that the CRM page opened tries commands: ignored. (A window, not a frame: the CRM
  // page's CSP frames only the widget.)
  const [foreign] = await Promise.all([
    context.waitForEvent('page'),
    page.evaluate(() => { window.open('http://localhost:18081/callback.html?noop=1'); }),
  ]);
  await foreign.waitForLoadState();
  await foreign.evaluate(() => {
    const target = window.opener.frames[0];
    for (const command of ['signOut', 'refresh']) target.postMessage({ target: 'rc-active-calls', command }, '*');
    target.postMessage({ target: 'rc-active-calls', command: 'setScope', scope: 'extension' }, '*');
  });
  await page.waitForTimeout(1500);
  await frame.getByText('Ada Admin', { exact: true }).waitFor();
  assert.equal(await frame.locator('select').inputValue(), 'account');
  assertClean({ problems, network });
  await context.close();
});

test('iframe: a page that is not the configured parent cannot frame the widget, and without that policy hears nothing', async () => {
  const { page, context, problems } = await freshPage(env.browser);
  // localhost:18081 is another origin than 127.0.0.1:18081, the parentOrigin the frame is given.
  await page.goto('http://localhost:18081/callback.html?noop=1');
  const src = `${WIDGET}?embed=1&parentOrigin=http://127.0.0.1:18081&server=${SERVER}`;
  // Served with its CSP, the widget's page names its parent in frame-ancestors: the browser refuses the frame.
  const refused = new Promise((ok) => page.on('console', (m) => { if (/frame-ancestors/.test(m.text())) ok(); }));
  await page.evaluate((u) => { const f = document.createElement('iframe'); f.id = 'refused'; f.src = u; document.body.append(f); }, src);
  await refused;
  assert.equal(await page.frameLocator('#refused').locator('#rc-active-calls').count(), 0);
  await page.evaluate(() => document.getElementById('refused').remove());
  // A host that serves the page without that policy: the widget's own check still addresses the parent only.
  await page.route((u) => u.href.startsWith(`${WIDGET}?embed=1`), async (route) => {
    const r = await route.fetch();
    const headers = { ...r.headers() };
    delete headers['content-security-policy'];
    await route.fulfill({ response: r, headers });
  });
  await page.evaluate((src) => {
    window.__heard = [];
    addEventListener('message', (e) => window.__heard.push(e.data));
    const f = document.createElement('iframe');
    f.src = src;
    document.body.append(f);
  }, src);
  // No clientId: the widget reports an `error` event at once, addressed to 127.0.0.1:18081 only.
  const frame = page.frameLocator('iframe');
  await frame.getByText('The widget needs configuring').waitFor();
  await page.waitForTimeout(1000);
  assert.deepEqual(await page.evaluate(() => window.__heard), []);
  // The browser itself refuses delivery to the wrong origin (and says so in the console); nothing else failed.
  assert.deepEqual(problems().filter((p) => !/target origin provided .* does not match the recipient window's origin|frame-ancestors/.test(p)), []);
  await context.close();
});

test('theme: auto follows the browser\'s dark preference, light and dark override it, host properties win', async () => {
  const { page, context, problems } = await freshPage(env.browser);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${CRM}?mode=mount`);
  await page.locator('#mount-point').waitFor({ state: 'attached' });
  const colours = await page.evaluate(async ({ url, server }) => {
    const { mount } = await import(url);
    const bg = async (theme, bgProperty) => {
      const d = document.createElement('div');
      // Through the CSSOM: the page's CSP refuses style attributes.
      if (bgProperty) d.style.setProperty('--rcac-bg', bgProperty);
      document.body.append(d);
      const w = mount(d, { clientId: 'demo-client', server, theme });
      await new Promise((r) => setTimeout(r, 50)); // the first render is scheduled, not synchronous
      const c = getComputedStyle(d.shadowRoot.querySelector('section')).backgroundColor;
      w.unmount();
      return c;
    };
    return { auto: await bg('auto'), light: await bg('light'), dark: await bg('dark'), host: await bg('dark', 'rgb(1, 2, 3)') };
  }, { url: EMBED, server: SERVER });
  assert.deepEqual(colours, { auto: 'rgb(21, 24, 29)', light: 'rgb(255, 255, 255)', dark: 'rgb(21, 24, 29)', host: 'rgb(1, 2, 3)' });
  assert.deepEqual(problems(), []);
  await context.close();
});
