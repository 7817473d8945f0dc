// Release builds: the JS glue builds short ASCII strings from the wasm's memory itself instead of asking
// TextDecoder. Every string the widget hands the page goes through the glue's `getStringFromWasm0` (text, attribute
// names and values, class names, the host's event payloads), and most are short: names, numbers, statuses. In
// headless Chromium a TextDecoder call costs 0.4-0.7 µs whatever the string, a loop over 8-24 ASCII bytes 0.1-0.3 µs;
// from 32 bytes on they are alike. (Emscripten's UTF8ToString decodes short strings itself for the same reason.)
// Anything else, or a non-ASCII byte, still goes to TextDecoder. The function's text is wasm-bindgen's (the version
// pinned in Cargo.lock): if a new version writes it otherwise, the build stops here.
// Usage: node scripts/short-strings.mjs <the glue .js>
import fs from 'node:fs';
import { fail as failWith } from './wasm-binary.mjs';

const file = process.argv[2];
const glue = fs.readFileSync(file, 'utf8');
const before = `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}`;
const after = `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const bytes = getUint8ArrayMemory0();
    if (len < 32) {
        let s = '';
        for (let i = ptr; i < ptr + len; i++) {
            if (bytes[i] > 127) return decodeText(bytes.subarray(ptr, ptr + len));
            s += String.fromCharCode(bytes[i]);
        }
        return s;
    }
    return decodeText(bytes.subarray(ptr, ptr + len));
}`;
if (glue.split(before).length !== 2) failWith('short-strings', `${file}: wasm-bindgen's getStringFromWasm0 is not as expected`);
fs.writeFileSync(file, glue.replace(before, after));
