// Release builds: gives the wasm's imports and exports one- and two-letter names, and the JS glue the same names.
// wasm-bindgen names every import `__wbg_<function>_<16 hex digits>` and every closure export after its full Rust
// type; those names sit twice in what ships (the wasm's import and export sections and the glue's import object and
// `wasm.<export>` uses), and their hex digits barely compress. The sections are rewritten in place (their layout:
// https://webassembly.github.io/spec/core/binary/modules.html#import-section and #export-section); nothing else in
// the wasm changes. Usage: node scripts/short-names.mjs <dir holding the glue and its _bg.wasm>
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const wasmFile = fs.readdirSync(dir).find((f) => f.endsWith('_bg.wasm'));
if (!wasmFile) fail('no _bg.wasm in ' + dir);
const glueFile = path.join(dir, wasmFile.replace(/_bg\.wasm$/, '.js'));
const bytes = fs.readFileSync(path.join(dir, wasmFile));
let glue = fs.readFileSync(glueFile, 'utf8');

function fail(message) {
  console.error('short-names: ' + message);
  process.exit(1);
}

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

// A cursor over the binary: unsigned LEB128 numbers and length-prefixed UTF-8 names.
class Reader {
  constructor(buf, at = 0) {
    this.buf = buf;
    this.at = at;
  }
  u32() {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.buf.length) fail('truncated number');
      const b = this.buf[this.at++];
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
  }
  name() {
    const len = this.u32();
    const s = this.buf.subarray(this.at, this.at + len).toString('utf8');
    this.at += len;
    return s;
  }
  limits() {
    const flags = this.buf[this.at++];
    this.u32();
    if (flags & 1) this.u32();
  }
}

function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
const name = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(b.length), b]);
};

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
    const kind = body[r.at++];
    if (kind === 0) r.u32(); // function: type index
    else if (kind === 1) { r.at++; r.limits(); } // table: reference type, limits
    else if (kind === 2) r.limits(); // memory
    else if (kind === 3) r.at += 2; // global: value type, mutability
    else if (kind === 4) { r.at++; r.u32(); } // tag: attribute, type index
    else fail('unknown import kind ' + kind);
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

if (bytes.readUInt32LE(0) !== 0x6d736100) fail(wasmFile + ' is not a wasm module');
const out = [bytes.subarray(0, 8)];
for (const r = new Reader(bytes, 8); r.at < bytes.length; ) {
  const id = bytes[r.at++];
  const size = r.u32();
  let body = bytes.subarray(r.at, r.at + size);
  r.at += size;
  if (id === 2) body = rewriteImports(body);
  else if (id === 7) body = rewriteExports(body);
  out.push(Buffer.from([id]), u32(body.length), body);
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

fs.writeFileSync(path.join(dir, wasmFile), Buffer.concat(out));
fs.writeFileSync(glueFile, glue);
