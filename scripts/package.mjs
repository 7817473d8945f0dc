// make package: from the release build (target/release-dist), the npm package (target/package/npm, packed into
// target/package/rc-active-calls-<version>.tgz, twice, to check the bytes are the same) and the versioned static
// bundle for a CDN (target/package/cdn/rc-active-calls@<version>/: embed.js under its own name, the glue and the
// wasm under content-hashed names, so they can be cached for a year). One version for all: Cargo.toml's.
import { readFileSync, writeFileSync, mkdirSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'target', 'release-dist');
const out = join(root, 'target', 'package');
const version = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
const FILES = ['embed.js', 'embed.d.ts', 'rc-active-calls.js', 'rc-active-calls_bg.wasm'];

rmSync(out, { recursive: true, force: true });
const npm = join(out, 'npm');
mkdirSync(npm, { recursive: true });
for (const f of FILES) copyFileSync(join(dist, f), join(npm, f));
copyFileSync(join(root, 'packaging', 'npm-README.md'), join(npm, 'README.md'));
copyFileSync(join(root, 'LICENSE'), join(npm, 'LICENSE'));
const pkg = {
  name: 'rc-active-calls',
  version,
  description: 'A RingCentral active-calls panel for CRM pages: the <rc-active-calls> element and mount(), in WebAssembly.',
  license: 'MIT',
  type: 'module',
  // embed.js finds the wasm with new URL(…, import.meta.url), which Vite, webpack 5 and browsers understand.
  exports: {
    '.': { types: './embed.d.ts', default: './embed.js' },
    './rc-active-calls_bg.wasm': './rc-active-calls_bg.wasm',
    './package.json': './package.json',
  },
  types: './embed.d.ts',
  files: [...FILES, 'README.md', 'LICENSE'],
  // Importing embed.js registers the element.
  sideEffects: ['./embed.js'],
  keywords: ['ringcentral', 'active-calls', 'crm', 'web-component', 'webassembly'],
};
writeFileSync(join(npm, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

const pack = () => {
  const name = execFileSync('npm', ['pack', npm, '--pack-destination', out, '--silent'], { encoding: 'utf8' }).trim();
  return { path: join(out, name), sha: createHash('sha256').update(readFileSync(join(out, name))).digest('hex') };
};
const first = pack();
const second = pack();
if (first.sha !== second.sha) {
  console.error(`package: npm pack is not reproducible (${first.sha} then ${second.sha})`);
  process.exit(1);
}

// The CDN folder: names that change with the content, but for the entry.
const hash = (file) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10);
const cdn = join(out, 'cdn', `rc-active-calls@${version}`);
mkdirSync(cdn, { recursive: true });
const wasmName = `rc-active-calls_bg.${hash(join(dist, 'rc-active-calls_bg.wasm'))}.wasm`;
copyFileSync(join(dist, 'rc-active-calls_bg.wasm'), join(cdn, wasmName));
const glue = readFileSync(join(dist, 'rc-active-calls.js'), 'utf8').replaceAll('rc-active-calls_bg.wasm', wasmName);
const glueName = `rc-active-calls.${createHash('sha256').update(glue).digest('hex').slice(0, 10)}.js`;
writeFileSync(join(cdn, glueName), glue);
const embed = readFileSync(join(dist, 'embed.js'), 'utf8');
if (!embed.includes('"./rc-active-calls.js"') || !embed.includes('"rc-active-calls_bg.wasm"')) {
  console.error('package: embed.js no longer names the glue and the wasm as this script expects');
  process.exit(1);
}
writeFileSync(join(cdn, 'embed.js'),
  embed.replace('"./rc-active-calls.js"', `"./${glueName}"`).replace('"rc-active-calls_bg.wasm"', `"${wasmName}"`));
copyFileSync(join(dist, 'embed.d.ts'), join(cdn, 'embed.d.ts'));

const sizes = (file) => {
  const b = readFileSync(file);
  return `${b.length} B, gzip ${gzipSync(b, { level: 9 }).length} B, brotli ${brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length} B`;
};
console.log(`npm package: ${first.path.slice(root.length + 1)} (${statSync(first.path).size} B, sha256 ${first.sha.slice(0, 16)}…, the same twice)`);
for (const f of [...FILES, 'README.md', 'LICENSE']) console.log(`  ${f}: ${sizes(join(npm, f))}`);
console.log(`CDN bundle: ${cdn.slice(root.length + 1)}/`);
for (const f of ['embed.js', glueName, wasmName, 'embed.d.ts']) console.log(`  ${f}: ${sizes(join(cdn, f))}`);
