// Many tabs, one feed: for 1, 4 and 8 standalone tabs of one browser (one context), signed in once, three minutes
// on the tabs' and the sandbox's clocks together; then takeover times after closing the leader and after hanging
// it (a busy loop). Prints what the sandbox's log saw. Needs the release build and rc-sandbox (bench/tabs builds).
import { startAll, control, requests } from '../e2e/lib/harness.js';
import { tabs, holder, leaderOf, until, grants, polls, maxInAnyMinute, advance } from '../e2e/lib/tabs.js';

const env = await startAll();
try {
  for (const n of (process.env.TABS ?? '1,4,8').split(',').map(Number)) {
    const t = await tabs(env.browser, n, { pollSeconds: 6, live: process.env.LIVE ?? 'off' }, { clock: true });
    await control('/sandbox/requests', undefined, 'DELETE');
    await advance(t.context, 180000);
    const log = await requests();
    const times = polls(log).map((r) => r.at);
    const byTab = t.sent.map((s) => s.filter((r) => r.url.includes('/active-calls') && !r.post).length);
    console.log(`${n} tab(s): ${times.length} active-calls requests in 3 min (${(times.length / 3).toFixed(1)}/min), `
      + `at most ${maxInAnyMinute(times)} in any 60 s, ${polls(log).filter((r) => r.status === 429).length} refused; `
      + `sent by ${byTab.filter((c) => c > 0).length} tab(s); token grants ${grants(log, 'authorization_code').length + grants(log, 'refresh_token').length}`);
    await t.context.close();
    await control('/sandbox/clock', { freeze: false });
  }
  for (const how of ['close', 'hang']) {
    const t = await tabs(env.browser, 4);
    const leader = await leaderOf(t.pages);
    const rest = t.pages.filter((p) => p !== leader);
    const before = await holder(rest[0]);
    const at = Date.now();
    if (how === 'close') await leader.close();
    else leader.evaluate(() => { const end = Date.now() + 12000; while (Date.now() < end) { /* hung */ } }).catch(() => {});
    await until(async () => { const h = await holder(rest[0]); return h && h !== before; }, 15000, 'a new leader');
    console.log(`takeover after ${how === 'close' ? 'closing' : 'hanging'} the leader (4 tabs): ${Date.now() - at} ms`);
    await t.context.close();
  }
} finally {
  await control('/sandbox/clock', { freeze: false }).catch(() => {});
  await env.stop();
}
