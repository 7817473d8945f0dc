// Release builds: names every function of the wasm so that sorting by name puts functions of like code next to
// each other; `wasm-opt --reorder-functions-by-name --strip-debug` (scripts/post-build.sh) then moves them and drops
// the names again. gzip finds repeats only within its last 32 KB, and Rust's generic code is many near-copies of a
// few functions spread over the whole module: side by side they compress to much less. Nothing but the order of
// the functions changes. Usage: node scripts/order-functions.mjs <in.wasm> <out.wasm>
//
// The order: greedily, from the largest function, the next is the one left that shares the most 6-byte runs with
// the last one (runs common to 200 functions or more say nothing and are skipped).
import fs from 'node:fs';
import { Reader, fail, module, name, sections, u32 } from './wasm-binary.mjs';

const [input, output] = process.argv.slice(2);
const RUN = 6;
const COMMON = 200;

let secs;
let imported = 0;
const bodies = [];
try {
  secs = sections(fs.readFileSync(input));
  for (const { id, body } of secs) {
    const r = new Reader(body);
    if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        if (r.importKind() === 0) imported++;
      }
    } else if (id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        const size = r.u32();
        bodies.push(body.subarray(r.at, r.at + size));
        r.at += size;
      }
    }
  }
} catch (e) {
  fail('order-functions', input + ': ' + e.message);
}

// Each function's distinct runs, and for each run the functions holding it (in index order).
const runs = bodies.map((b) => {
  const set = new Set();
  for (let i = 0; i + RUN <= b.length; i++) set.add(b.toString('latin1', i, i + RUN));
  return [...set];
});
const holders = new Map();
runs.forEach((rs, f) => {
  for (const run of rs) {
    const h = holders.get(run);
    if (h) h.push(f);
    else holders.set(run, [f]);
  }
});

const left = new Set(bodies.keys());
const order = [];
let current = 0;
for (const f of left) if (bodies[f].length > bodies[current].length) current = f;
while (left.size) {
  left.delete(current);
  order.push(current);
  const shared = new Map();
  for (const run of runs[current]) {
    const h = holders.get(run);
    if (h.length >= COMMON) continue;
    for (const f of h) if (left.has(f)) shared.set(f, (shared.get(f) || 0) + 1);
  }
  let next = -1;
  let best = -1;
  for (const [f, n] of shared) {
    const score = n / Math.sqrt(runs[f].length + runs[current].length);
    if (score > best || (score === best && f < next)) [next, best] = [f, score];
  }
  // Nothing in common with anything left: carry on from the lowest index.
  current = next >= 0 ? next : left.values().next().value;
}

// Names that sort as `order` says, in a name section (function names: subsection 1) replacing any there was.
const width = String(order.length).length;
const entries = order
  .map((f, rank) => [imported + f, String(rank).padStart(width, '0')])
  .sort((a, b) => a[0] - b[0]);
const names = Buffer.concat([u32(entries.length), ...entries.flatMap(([i, n]) => [u32(i), name(n)])]);
const isNames = ({ id, body }) => id === 0 && new Reader(body).name() === 'name';
const nameSection = { id: 0, body: Buffer.concat([name('name'), Buffer.from([1]), u32(names.length), names]) };
fs.writeFileSync(output, module([...secs.filter((s) => !isNames(s)), nameSection]));
