// The demo CRM page with the widget in its iframe, signed in; a window of another origin (localhost, not
// 127.0.0.1) posts commands, contact answers and junk to the widget's frame at RATE a second. Main-thread busy
// (DevTools TaskDuration, the page and its same-site frame share the renderer) per second, idle and flooded.
import { startAll, freshPage, control, signInByPopup, CRM } from '../e2e/lib/harness.js';

const SECONDS = Number(process.env.SECONDS_EACH ?? 5);
const RATE = Number(process.env.RATE ?? 1000);
const env = await startAll();
try {
  const { page, context } = await freshPage(env.browser);
  await page.goto(`${CRM}?mode=iframe&pollSeconds=30`);
  const frame = page.frameLocator('iframe[title="RingCentral active calls"]');
  await signInByPopup(context, frame.locator('body'), 'Ada Admin');
  await frame.locator('.rcac-status').getByText('Updated').waitFor();
  const [foreign] = await Promise.all([
    context.waitForEvent('page'),
    page.evaluate(() => { window.open('http://localhost:18081/callback.html?noop=1'); }),
  ]);
  await foreign.waitForLoadState();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const measure = async (during) => {
    const a = await busy();
    await during();
    return ((await busy()) - a) * 1000 / SECONDS;
  };
  const idle = await measure(() => page.waitForTimeout(SECONDS * 1000));
  let sent = 0;
  const flooded = await measure(async () => {
    sent = await foreign.evaluate(({ seconds, rate }) => new Promise((done) => {
      const target = window.opener.frames[0];
      const kinds = [
        { target: 'rc-active-calls', command: 'signOut' },
        { target: 'rc-active-calls', command: 'resolveContacts', requestId: '1', contacts: { '+1': { name: 'x' } } },
        'x'.repeat(1000),
      ];
      let n = 0;
      const tick = setInterval(() => {
        for (let i = 0; i < rate / 10; i++) target.postMessage(kinds[n++ % kinds.length], '*');
        if (n >= seconds * rate) { clearInterval(tick); done(n); }
      }, 100);
    }), { seconds: SECONDS, rate: RATE });
  });
  const still = await frame.getByText('Ada Admin', { exact: true }).count();
  console.log(`idle: ${idle.toFixed(1)} ms busy per second`);
  console.log(`flooded (${sent} messages from another origin over ${SECONDS} s): ${flooded.toFixed(1)} ms busy per second `
    + `(+${(flooded - idle).toFixed(1)} ms); still signed in: ${still === 1}`);
  await context.close();
} finally {
  await control('/sandbox/clock', { freeze: false }).catch(() => {});
  await env.stop();
}
