// One browser, one session, one feed: many tabs (pages of one browser context) and several widgets of one page
// share one sign-in and one poller. The tab holding the Web Lock leads; the others follow its snapshots. Checked
// against the sandbox's own log: grants, revokes and active-calls requests, by whom and when.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAll, freshPage, control, requests, signInOnSandboxPage, signInByPopup, widgetUrl, assertClean, CRM, WIDGET, signOut } from '../lib/harness.js';
import { tabs, holder, leaderOf, clientIdOf, until, sleep, grants, polls, maxInAnyMinute, advance, LOCK } from '../lib/tabs.js';

let env;
before(async () => { env = await startAll(); });
after(async () => {
  await control('/sandbox/clock', { freeze: false }).catch(() => {});
  await env?.stop();
});

test('four tabs: one sign-in, every tab shows a new call, one tab polls', async () => {
  const t = await tabs(env.browser, 4);
  await control('/sandbox/requests', undefined, 'DELETE');
  await control('/sandbox/calls', { extension: '102', from: { name: 'SHARED CALLER' } });
  for (const p of t.pages) await p.getByText('SHARED CALLER', { exact: true }).waitFor({ timeout: 10000 });
  await sleep(7000);
  const log = await requests();
  const byPage = t.sent.map((s) => s.filter((r) => r.url.includes('/active-calls')).length);
  assert.equal(byPage.filter((n) => n > 0).length, 1, `one tab polls: ${byPage}`);
  const all = await control('/sandbox/requests', undefined, 'GET');
  assert.equal(grants(all, 'authorization_code').length, 0, 'nobody signed in again');
  assert.equal(grants(log, 'refresh_token').length, 0, 'and nobody refreshed');
  // Every tab reads as the leader does: the same rows, the same "Updated" source.
  const rows = await Promise.all(t.pages.map((p) => p.locator('tbody tr').count()));
  assert.ok(rows.every((r) => r === rows[0]), `same rows everywhere: ${rows}`);
  assertClean(t, [401]);
  await t.context.close();
});

test('signing in in a follower tab signs in every tab within a second, with no popup elsewhere', async () => {
  const s = await freshPage(env.browser);
  const pages = [s.page, await s.context.newPage(), await s.context.newPage(), await s.context.newPage()];
  for (const p of pages) await p.goto(widgetUrl({ pollSeconds: 6 }));
  for (const p of pages) await p.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  const third = pages[2];
  await third.getByRole('button', { name: 'Sign in with RingCentral' }).click();
  await third.waitForURL(/authorize/);
  await signInOnSandboxPage(third, 'Ben Baker');
  await third.getByText('Ben Baker').first().waitFor();
  const signedInAt = Date.now();
  for (const p of pages) await p.getByText('Ben Baker').first().waitFor({ timeout: 3000 });
  const lag = Date.now() - signedInAt;
  assert.ok(lag < 1000, `every tab signed in ${lag} ms after the one that signed in`);
  assert.equal(s.context.pages().length, 4, 'no popup anywhere');
  assert.equal(grants(await requests(), 'authorization_code').length, 1);
  assertClean(s);
  await s.context.close();
});

test('sign-out in one tab signs out every tab, with one revoke', async () => {
  const t = await tabs(env.browser, 4);
  await signOut(t.pages[2]);
  for (const p of t.pages) await p.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor({ timeout: 3000 });
  await sleep(500);
  const log = await requests();
  assert.equal(log.filter((r) => r.path === '/restapi/oauth/revoke').length, 1, 'one revoke');
  for (const p of t.pages) {
    const kept = await p.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('refresh')));
    assert.deepEqual(kept, [], 'no tab keeps a token');
  }
  const n = polls(await requests()).length;
  await sleep(7000);
  assert.equal(polls(await requests()).length, n, 'nobody polls');
  assertClean(t, [401]);
  await t.context.close();
});

test('closing the leader: a follower leads within 2 s, without a new grant, and calls keep coming', async () => {
  const t = await tabs(env.browser, 3);
  const leader = await leaderOf(t.pages);
  const rest = t.pages.filter((p) => p !== leader);
  const before = await holder(rest[0]);
  const closedAt = Date.now();
  await leader.close();
  await until(async () => { const h = await holder(rest[0]); return h && h !== before; }, 5000, 'a new holder');
  const takeover = Date.now() - closedAt;
  console.log(`# takeover after close: ${takeover} ms`);
  assert.ok(takeover < 2000, `took ${takeover} ms`);
  await control('/sandbox/calls', { extension: '102', from: { name: 'AFTER CLOSE' } });
  for (const p of rest) await p.getByText('AFTER CLOSE', { exact: true }).waitFor({ timeout: 10000 });
  const log = await requests();
  assert.equal(grants(log, 'authorization_code').length, 1, 'the one sign-in only');
  assert.equal(grants(log, 'refresh_token').length, 0, 'no refresh either');
  assertClean(t, [401]);
  await t.context.close();
});

/// Hangs or freezes the leader, checks a follower takes over within 10 s, wakes the old leader, and checks it sends
/// nothing and follows; then an expired token is refreshed once, by the new leader only.
async function silentLeader(how) {
  const t = await tabs(env.browser, 3);
  const leader = await leaderOf(t.pages);
  const index = t.pages.indexOf(leader);
  const rest = t.pages.filter((p) => p !== leader);
  const before = await holder(rest[0]);
  const wake = await how(leader, t.context);
  const silentAt = Date.now();
  await until(async () => { const h = await holder(rest[0]); return h && h !== before; }, 12000, 'a new holder');
  const takeover = Date.now() - silentAt;
  console.log(`# takeover after a ${how.name}: ${takeover} ms`);
  assert.ok(takeover < 10000, `took ${takeover} ms`);
  await control('/sandbox/calls', { extension: '102', from: { name: 'WHILE SILENT' } });
  for (const p of rest) await p.getByText('WHILE SILENT', { exact: true }).waitFor({ timeout: 10000 });
  // The old leader wakes: it stands down without sending anything, and follows the new leader.
  const sentBefore = t.sent[index].length;
  await wake();
  await leader.getByText('WHILE SILENT', { exact: true }).waitFor({ timeout: 10000 });
  await control('/sandbox/tokens/expire', { kind: 'access', extension: '102' });
  await control('/sandbox/calls', { extension: '102', from: { name: 'AFTER WAKING' } });
  // A request now (push alone would need none): the 401 is answered by one refresh.
  await rest[0].getByRole('button', { name: 'Refresh' }).click();
  for (const p of t.pages) await p.getByText('AFTER WAKING', { exact: true }).waitFor({ timeout: 15000 });
  await sleep(1000);
  assert.deepEqual(t.sent[index].slice(sentBefore).map((r) => r.url), [], 'the old leader sent nothing after waking');
  const log = await requests();
  assert.equal(grants(log, 'refresh_token').length, 1, `one refresh, by the new leader: ${JSON.stringify(grants(log, 'refresh_token'))} ${t.sent.map((x) => x.filter((r) => r.post.includes('refresh_token')).length)}`);
  assert.ok(log.filter((r) => r.path === '/restapi/oauth/token').every((r) => r.status === 200), 'no refresh token spent twice');
  assertClean(t, [401]);
  await t.context.close();
}

test('a hung leader (a busy loop): a follower takes over within 10 s; it wakes, sends nothing, follows', async () => {
  await silentLeader(async function busyLoop(page) {
    const done = page.evaluate(() => { const end = Date.now() + 12000; while (Date.now() < end) { /* hung */ } });
    return () => done;
  });
});

// Frozen through the DevTools protocol: its script stopped by the debugger, so no timer, event or promise callback
// runs until it is let go. (`Page.setWebLifecycleState` "frozen" leaves a shown page running in this Chromium:
// measured, its timers kept firing.)
test('a frozen leader (paused by DevTools): a follower takes over within 10 s; let go, it sends nothing, follows', async () => {
  await silentLeader(async function freeze(page, context) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    return async () => {
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
    };
  });
});

test('a hidden leader hands over to a shown tab', async () => {
  const t = await tabs(env.browser, 2);
  const leader = await leaderOf(t.pages);
  const other = t.pages.find((p) => p !== leader);
  const before = await holder(other);
  await leader.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await until(async () => { const h = await holder(other); return h && h !== before; }, 5000, 'the shown tab leads');
  assert.equal(await clientIdOf(other), await holder(other));
  await control('/sandbox/calls', { extension: '102', from: { name: 'SHOWN TAB' } });
  await other.getByText('SHOWN TAB', { exact: true }).waitFor({ timeout: 10000 });
  assertClean(t, [401]);
  await t.context.close();
});

test('an access token expired while four tabs are open: exactly one refresh_token grant', async () => {
  const t = await tabs(env.browser, 4);
  await control('/sandbox/requests', undefined, 'DELETE');
  await control('/sandbox/tokens/expire', { kind: 'access', extension: '102' });
  await control('/sandbox/calls', { extension: '102', from: { name: 'AFTER EXPIRY' } });
  await t.pages[1].getByRole('button', { name: 'Refresh' }).click();
  for (const p of t.pages) await p.getByText('AFTER EXPIRY', { exact: true }).waitFor({ timeout: 15000 });
  await sleep(2000);
  const log = await requests();
  assert.equal(grants(log, 'refresh_token').length, 1, JSON.stringify(grants(log, 'refresh_token')));
  assert.equal(log.filter((r) => r.status === 401).length, 1, 'one 401, retried after the one refresh');
  assertClean(t, [401]);
  await t.context.close();
});

test('three simulated minutes with four tabs: never more than 10 active-calls requests a minute', async () => {
  try {
    const t = await tabs(env.browser, 4, { pollSeconds: 6, live: 'off' }, { clock: true });
    await control('/sandbox/requests', undefined, 'DELETE');
    await advance(t.context, 180000);
    const times = polls(await requests()).map((r) => r.at);
    const most = maxInAnyMinute(times);
    console.log(`# 4 tabs, 3 simulated minutes: ${times.length} active-calls requests, at most ${most} in any minute`);
    assert.ok(times.length >= 15, `kept polling: ${times.length}`);
    const who = t.sent.map((x) => x.filter((r) => r.url.includes('/active-calls')).length);
    assert.ok(most <= 10, `at most 10 in any 60 s, saw ${most}: ${polls(await requests()).map((r) => `${r.at - times[0]}:${r.status}`)} by page ${who}`);
    const refused = polls(await requests()).filter((r) => r.status !== 200);
    assert.deepEqual(refused, [], 'none refused');
    assertClean(t);
    await t.context.close();
  } finally {
    await control('/sandbox/clock', { freeze: false });
  }
});

test('persist=browser survives closing every tab; the default does not', async () => {
  for (const [persist, survives] of [['browser', true], ['tabs', false]]) {
    const t = await tabs(env.browser, 2, { pollSeconds: 6, persist });
    for (const p of t.pages) await p.close();
    const again = await t.context.newPage();
    await again.goto(widgetUrl({ pollSeconds: 6, persist }));
    if (survives) await again.getByText('Ben Baker').first().waitFor({ timeout: 5000 });
    else await again.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor({ timeout: 5000 });
    const log = await requests();
    assert.equal(grants(log, 'authorization_code').length, 1, `${persist}: no second sign-in`);
    assertClean(t);
    await t.context.close();
  }
});

test('an element and a mount() on one page share one session; call-started fires once per widget, across a new leader', async () => {
  const s = await freshPage(env.browser);
  await s.page.addInitScript(() => {
    window.__events = [];
    document.addEventListener('rc-active-calls:call-started', (e) => window.__events.push({ who: e.target.id || e.target.tagName.toLowerCase(), tsid: e.detail.call.telephonySessionId }));
  });
  // The demo CRM page holds the element; a mount() joins it.
  await s.page.goto(`${CRM}?mode=element&pollSeconds=6`);
  const element = s.page.locator('rc-active-calls');
  await element.getByRole('button', { name: 'Sign in with RingCentral' }).waitFor();
  await s.page.evaluate(async ({ embed, server }) => {
    const { mount } = await import(embed);
    const box = document.body.appendChild(document.createElement('div'));
    box.id = 'mounted';
    window.handle = mount(box, { clientId: 'demo-client', server, redirectUri: `${location.origin}/callback.html`, pollSeconds: 6 });
  }, { embed: `${WIDGET}embed.js`, server: 'http://127.0.0.1:18790' });
  const mounted = s.page.locator('#mounted');
  await signInByPopup(s.context, mounted, 'Ben Baker');
  await mounted.getByText('Ben Baker').first().waitFor();
  await element.getByText('Ben Baker').first().waitFor({ timeout: 3000 });
  const { record } = await control('/sandbox/calls', { extension: '102', from: { name: 'ONE PAGE' } });
  await element.getByText('ONE PAGE', { exact: true }).waitFor({ timeout: 10000 });
  await mounted.getByText('ONE PAGE', { exact: true }).waitFor({ timeout: 10000 });
  // The element (which leads: it started first) goes; the mounted widget leads on and says nothing new about the call.
  await s.page.evaluate(() => document.querySelector('rc-active-calls').remove());
  await control('/sandbox/calls', { extension: '102', from: { name: 'NEW LEADER' } });
  await mounted.getByText('NEW LEADER', { exact: true }).waitFor({ timeout: 10000 });
  const started = (await s.page.evaluate(() => window.__events)).filter((e) => e.tsid === record.telephonySessionId);
  assert.deepEqual(started.map((e) => e.who).sort(), ['mounted', 'rc-active-calls'], JSON.stringify(started));
  const log = await requests();
  assert.equal(grants(log, 'authorization_code').length, 1, 'one sign-in for both');
  assertClean(s);
  await s.context.close();
});

// A tab loaded before a release keeps running the old build; its messages cannot be read by the new one, nor the
// new one's by it. Played here by a page of the widget's origin that holds the lead and speaks as the first build
// did (`{v: 1, …}` heartbeats every second). The new tab must wait in line (taking the lock would only have it taken
// back, and two builds would rotate one refresh token between them) and say which tab to reload.
test('a tab of an older build leads: a new tab waits in line, never takes its lock, and says to reload that tab', async () => {
  const s = await freshPage(env.browser);
  await s.context.clock.install();
  const old = s.page;
  await old.goto(`${WIDGET}embed.js`);
  await old.evaluate((lock) => {
    window.stolen = false;
    navigator.locks.request(lock, () => new Promise(() => {})).catch(() => { window.stolen = true; });
    const channel = new BroadcastChannel(lock.replace(':lead:', ':'));
    setInterval(() => channel.postMessage({ v: 1, from: 'old-tab', message: { heartbeat: { term: 7, hidden: false } } }), 1000);
  }, LOCK);
  const fresh = await s.context.newPage();
  await fresh.goto(widgetUrl({ pollSeconds: 6 }));
  await fresh.getByText('An older version of this widget is open in another tab', { exact: false }).waitFor({ timeout: 5000 });
  // Three times the longest a follower waits for a silent leader of its own build.
  for (let i = 0; i < 60; i++) {
    await s.context.clock.runFor(500);
    await sleep(10);
  }
  assert.equal(await old.evaluate(() => window.stolen), false, 'the old tab keeps its lock');
  assert.equal(await holder(fresh), await clientIdOf(old));
  await fresh.getByText('reload that tab', { exact: false }).first().waitFor({ timeout: 1000 });
  assertClean(s, [404]); // the stand-in page's favicon
  await s.context.close();
});

test('without Web Locks each tab works alone and says so, and nothing breaks', async () => {
  const s = await freshPage(env.browser);
  await s.context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined });
  });
  const pages = [s.page, await s.context.newPage()];
  for (const p of pages) await p.goto(widgetUrl({ pollSeconds: 6 }));
  for (const p of pages) {
    await p.getByText('Tabs are not shared here', { exact: false }).waitFor({ timeout: 5000 });
    await p.getByRole('button', { name: 'Sign in with RingCentral' }).click();
    await p.waitForURL(/authorize/);
    await signInOnSandboxPage(p, 'Ben Baker');
    await p.getByText('Ben Baker').first().waitFor();
  }
  await control('/sandbox/calls', { extension: '102', from: { name: 'ALONE' } });
  for (const p of pages) await p.getByText('ALONE', { exact: true }).waitFor({ timeout: 10000 });
  assert.equal(grants(await requests(), 'authorization_code').length, 2, 'each tab signed in itself');
  assertClean(s);
  await s.context.close();
});
