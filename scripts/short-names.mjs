// Release builds: gives the wasm's imports and exports one- and two-letter names, and the JS glue the same names.
// wasm-bindgen names every import `__wbg_<function>_<16 hex digits>` and every closure export after its full Rust
// type; those names sit twice in what ships (the wasm's import and export sections and the glue's import object and
// `wasm.<export>` uses), and their hex digits barely compress. The sections are rewritten in place (their layout:
// https://webassembly.github.io/spec/core/binary/modules.html#import-section and #export-section); nothing else in
// the wasm changes. Usage: node scripts/short-names.mjs <dir holding the glue and its _bg.wasm>
import fs from 'node:fs';
import path from 'node:path';
import { Reader, fail as failWith, module, name, sections, u32 } from './wasm-binary.mjs';

const fail = (message) => failWith('short-names', message);

const dir = process.argv[2];
const wasmFile = fs.readdirSync(dir).find((f) => f.endsWith('_bg.wasm'));
if (!wasmFile) fail('no _bg.wasm in ' + dir);
const glueFile = path.join(dir, wasmFile.replace(/_bg\.wasm$/, '.js'));
const bytes = fs.readFileSync(path.join(dir, wasmFile));
let glue = fs.readFileSync(glueFile, 'utf8');

// a, b, …, Z, then aa, ab, …: valid identifiers, so the glue can keep writing `wasm.<name>`.
function shortName(i) {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rest = first + '0123456789_$';
  let name = first[i % first.length];
  for (i = Math.floor(i / first.length); i > 0; i = Math.floor((i - 1) / rest.length)) {
    name += rest[(i - 1) % rest.length];
  }
  return name;
}

const importNames = new Map();
const moduleNames = new Map();
const exportNames = new Map();

// Rewrites one import or export section, keeping each entry's description bytes as they are.
function rewriteImports(body) {
  const r = new Reader(body);
  const count = r.u32();
  const parts = [u32(count)];
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const field = r.name();
    const start = r.at;
    r.importKind();
    if (!moduleNames.has(module)) moduleNames.set(module, shortName(moduleNames.size));
    if (!importNames.has(field)) importNames.set(field, shortName(importNames.size));
    parts.push(name(moduleNames.get(module)), name(importNames.get(field)), body.subarray(start, r.at));
  }
  if (r.at !== body.length) fail('import section longer than its entries');
  return Buffer.concat(parts);
}

function rewriteExports(body) {
  const r = new Reader(body);
  const count = r.u32();
  const parts = [u32(count)];
  for (let i = 0; i < count; i++) {
    const field = r.name();
    const start = r.at;
    r.at++;
    r.u32();
    exportNames.set(field, shortName(exportNames.size));
    parts.push(name(exportNames.get(field)), body.subarray(start, r.at));
  }
  if (r.at !== body.length) fail('export section longer than its entries');
  return Buffer.concat(parts);
}

let secs;
try {
  secs = sections(bytes).map(({ id, body }) => ({
    id,
    body: id === 2 ? rewriteImports(body) : id === 7 ? rewriteExports(body) : body,
  }));
} catch (e) {
  fail(wasmFile + ': ' + e.message);
}

// The glue: the import object's module key and its functions' keys, and every `wasm.<export>`.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
for (const [long, short] of moduleNames) {
  const quoted = new RegExp('(["\'])' + escape(long) + '\\1', 'g');
  if (!quoted.test(glue)) fail('the glue never names the module ' + long);
  glue = glue.replace(quoted, JSON.stringify(short));
}
for (const [long, short] of importNames) {
  glue = glue.replace(new RegExp('(?<![\\w$])' + escape(long) + '(?=\\s*:)', 'g'), short);
}
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, field) =>
  exportNames.has(field) ? 'wasm.' + exportNames.get(field) : all,
);
// A long name left as a property or key would be an import the glue no longer provides, or an export it can no
// longer reach. (The glue also names its own local functions after exports; terser shortens those.)
for (const long of [...importNames.keys(), ...exportNames.keys()]) {
  const e = escape(long);
  if (long.length > 8 && new RegExp('([.\'"])' + e + '(?![\\w$])|(?<![\\w$])' + e + '\\s*:').test(glue)) {
    fail('the glue still uses ' + long + ' in a way this script does not rewrite');
  }
}

fs.writeFileSync(path.join(dir, wasmFile), module(secs));
fs.writeFileSync(glueFile, glue);
