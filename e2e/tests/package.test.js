// The npm package as a CRM developer takes it: the tarball `make package` packed, installed from its file into a
// Vite app (e2e/consumers/vite, Vite pinned by its lock file), built with no plugin, served under a strict
// Content-Security-Policy; the element signs in through the popup and shows a call. And the CDN bundle's entry
// loads its content-hashed files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAll, freshPage, control, signInByPopup, assertClean, serveDir, root, SANDBOX } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

const APP = 'http://127.0.0.1:18082/';
const strict = () => [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
  `connect-src 'self' ${SANDBOX} ${SANDBOX.replace(/^http/, 'ws')}`, "base-uri 'none'", "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

test('a Vite app installs the packed tarball, builds it with no plugin, signs in by popup and shows a call', async () => {
  const dir = join(root, 'e2e', 'consumers', 'vite');
  const packed = join(root, 'target', 'package');
  const tgz = (await readdir(packed)).find((f) => f.endsWith('.tgz'));
  execFileSync('npm', ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(packed, tgz)], { cwd: dir });
  const installed = JSON.parse(await readFile(join(dir, 'node_modules', 'rc-active-calls', 'package.json'), 'utf8'));
  const cargo = (await readFile(join(root, 'Cargo.toml'), 'utf8')).match(/^version = "([^"]+)"/m)[1];
  assert.equal(installed.version, cargo, 'one version for the crate and the package');
  execFileSync(join(dir, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: dir });
  const assets = await readdir(join(dir, 'dist', 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `Vite copied the wasm: ${assets}`);

  const server = await serveDir(join(dir, 'dist'), 18082, strict);
  try {
    const { page, context, problems, network } = await freshPage(env.browser);
    await page.goto(APP);
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    const widget = page.locator('rc-active-calls');
    await signInByPopup(context, widget, 'Ben Baker');
    await widget.getByText('Ben Baker').first().waitFor();
    await control('/sandbox/calls', { extension: '102', from: { name: 'Vite Caller', phoneNumber: '+14155550177' } });
    await widget.locator('bdi.rcac-name', { hasText: 'Vite Caller' }).waitFor({ timeout: 15000 });
    assertClean({ problems, network });
    await context.close();
  } finally {
    server.close();
  }
});

test('the CDN bundle: its embed.js, under a stable name, loads the hashed glue and wasm', async () => {
  const cdnRoot = join(root, 'target', 'package', 'cdn');
  const [folder] = await readdir(cdnRoot);
  const files = await readdir(join(cdnRoot, folder));
  assert.ok(files.includes('embed.js'));
  assert.ok(files.some((f) => /^rc-active-calls\.[0-9a-f]{10}\.js$/.test(f)), `${files}`);
  assert.ok(files.some((f) => /^rc-active-calls_bg\.[0-9a-f]{10}\.wasm$/.test(f)), `${files}`);
  const server = await serveDir(cdnRoot, 18082, strict);
  try {
    const { page, context, problems, network } = await freshPage(env.browser);
    const loaded = [];
    page.on('response', (r) => loaded.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await page.goto(APP); // a page of that origin (the folder has no page: a 404)
    const ok = await page.evaluate(async (u) => {
      const m = await import(u);
      await m.init();
      return typeof m.mount === 'function' && !!customElements.get('rc-active-calls');
    }, `${APP}${folder}/embed.js`);
    assert.ok(ok);
    assert.ok(loaded.some((l) => /^200 .*rc-active-calls_bg\.[0-9a-f]{10}\.wasm$/.test(l)), loaded.join(', '));
    assertClean({ problems, network }, [404]);
    await context.close();
  } finally {
    server.close();
  }
});

test('the Rust crate in a Yew app: the component beside the app’s own content, signs in, shows a call, follows its props', async () => {
  const server = await serveDir(join(root, 'target', 'yew-host-dist'), 18083, strict);
  try {
    const { page, context, problems, network } = await freshPage(env.browser);
    await page.goto(`http://127.0.0.1:18083/?server=${encodeURIComponent(SANDBOX)}`);
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    const panel = page.locator('main > div');
    await signInByPopup(context, panel, 'Ada Admin');
    await panel.getByText('Ada Admin').first().waitFor();
    await control('/sandbox/calls', { extension: '101', from: { name: 'Yew Caller', phoneNumber: '+14155550188' } });
    await panel.locator('bdi.rcac-name', { hasText: 'Yew Caller' }).waitFor({ timeout: 15000 });
    // A prop change (the app's own button) reaches the widget: the account's calls.
    await page.getByRole('button', { name: 'Switch whose calls' }).click();
    await panel.getByRole('table', { name: 'Active calls in the account' }).waitFor();
    assertClean({ problems, network });
    await context.close();
  } finally {
    server.close();
  }
});
