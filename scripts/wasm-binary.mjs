// Reading and writing the WebAssembly binary format's basic pieces, for the release build's post-build scripts
// (https://webassembly.github.io/spec/core/binary/): unsigned LEB128 numbers, names, sections.

export function fail(script, message) {
  console.error(script + ': ' + message);
  process.exit(1);
}

// A cursor over the binary: unsigned LEB128 numbers and length-prefixed UTF-8 names.
export class Reader {
  constructor(buf, at = 0) {
    this.buf = buf;
    this.at = at;
  }
  u32() {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.buf.length) throw new Error('truncated number');
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
  // One import's description (after its two names): its kind, and the reader moved past it.
  importKind() {
    const kind = this.buf[this.at++];
    if (kind === 0) this.u32(); // function: type index
    else if (kind === 1) { this.at++; this.limits(); } // table: reference type, limits
    else if (kind === 2) this.limits(); // memory
    else if (kind === 3) this.at += 2; // global: value type, mutability
    else if (kind === 4) { this.at++; this.u32(); } // tag: attribute, type index
    else throw new Error('unknown import kind ' + kind);
    return kind;
  }
}

export function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

export const name = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(b.length), b]);
};

// The module's sections in order: { id, body } (a custom section's body starts with its name).
export function sections(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const out = [];
  for (const r = new Reader(bytes, 8); r.at < bytes.length; ) {
    const id = bytes[r.at++];
    const size = r.u32();
    out.push({ id, body: bytes.subarray(r.at, r.at + size) });
    r.at += size;
  }
  return out;
}

export function module(secs) {
  return Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    ...secs.flatMap(({ id, body }) => [Buffer.from([id]), u32(body.length), body]),
  ]);
}
