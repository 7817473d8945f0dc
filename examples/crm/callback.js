// The redirect URI of the element and mount() modes: loading the widget hands RingCentral's answer to the page
// that opened this popup (same origin), then closes it. A file, not an inline script: the page's CSP has no
// 'unsafe-inline'.
import { WIDGET } from './config.js';

const { init } = await import(`${WIDGET}/embed.js`);
await init();
