// The TypeScript declarations shipped with embed.js compile, and describe what a host page writes (types/usage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const e2e = join(dirname(fileURLToPath(import.meta.url)), '..');

test('embed.d.ts type-checks a host page\'s usage under --strict', () => {
  const tsc = join(e2e, 'node_modules', 'typescript', 'bin', 'tsc');
  let out = '';
  try {
    out = execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022',
      '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--allowJs', 'false', join(e2e, 'types', 'usage.ts')],
    { encoding: 'utf8' });
  } catch (e) {
    out = `${e.stdout}${e.stderr}`;
  }
  assert.equal(out.trim(), '');
});
