// Serves the demo CRM page on its own origin (default 127.0.0.1:8081), apart from the widget (8080), so that
// everything cross-origin is real. /config.js tells the page where the widget and RingCentral (rc-sandbox) are.
//   node examples/crm/serve.mjs [--port 8081] [--widget http://127.0.0.1:8080] [--server http://127.0.0.1:8790]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', '8081'));
const widget = arg('widget', 'http://127.0.0.1:8080').replace(/\/$/, '');
const server = arg('server', 'http://127.0.0.1:8790').replace(/\/$/, '');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };
const ws = (u) => u.replace(/^http/, 'ws');
// What a strict host needs for every way in (README, "Content-Security-Policy"): the widget's scripts and wasm
// from its origin, RingCentral and its WebSocket gateway, the widget's origin as a frame; nothing inline.
const CSP = [
  "default-src 'none'", `script-src 'self' ${widget} 'wasm-unsafe-eval'`, "style-src 'self'",
  `connect-src 'self' ${widget} ${server} ${ws(server)}`, `frame-src ${widget}`, 'img-src data:', "base-uri 'none'",
  "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/config.js') {
    res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' })
      .end(`export const WIDGET = ${JSON.stringify(widget)};\nexport const SERVER = ${JSON.stringify(server)};\n`);
    return;
  }
  const file = normalize(join(here, path === '/' ? 'index.html' : path));
  if (!file.startsWith(here) || file.endsWith('.mjs')) { res.writeHead(404).end('not found'); return; }
  try {
    const body = await readFile(file);
    const headers = { 'content-type': TYPES[extname(file)] || 'application/octet-stream' };
    if (extname(file) === '.html') headers['content-security-policy'] = CSP;
    res.writeHead(200, headers).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`demo CRM page: http://127.0.0.1:${port}/`));
