// A small CRM page that embeds the widget one of three ways (?mode=element | mount | iframe), resolves phone
// numbers from its own contacts, opens the matching record when a call is selected, keeps the notes it receives,
// and logs every event.
import { WIDGET, SERVER } from './config.js';

const CONTACTS = [
  { id: 'grace', name: 'Grace Hopper', company: 'Wireless Ltd', phone: '+16504366666' },
  { id: 'nancy', name: 'Nancy Davolio', company: 'Northwind Traders', phone: '+12125550143' },
  { id: 'ana', name: 'Ana Trujillo', company: 'Contoso Ltd', phone: '+14155550199' },
  { id: 'hans', name: 'Hans Müller', company: 'Müller GmbH', phone: '+4930901820' },
  { id: 'tom', name: 'Tom Fabrikam', company: 'Fabrikam Support', phone: '+13125550123' },
];
const notes = []; // { contactId | null, callId, text, at }
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const mode = ['element', 'mount', 'iframe'].includes(params.get('mode')) ? params.get('mode') : 'element';
const widgetConfig = {
  clientId: params.get('clientId') || 'demo-client',
  server: SERVER,
  redirectUri: `${location.origin}/callback.html`,
  pollSeconds: params.get('pollSeconds') || '10',
  live: params.get('live') || 'auto',
};

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** The CRM's contact lookup, as the widget asks for it. */
async function resolveContacts(numbers) {
  const out = {};
  for (const n of numbers) {
    const c = CONTACTS.find((c) => c.phone === n);
    if (c) out[n] = { name: `${c.name} (${c.company})`, url: `/?mode=${mode}#contact-${c.id}` };
  }
  return out;
}

function showRecord(contactId, call) {
  const c = CONTACTS.find((x) => x.id === contactId);
  document.querySelectorAll('.contacts button').forEach((b) => b.setAttribute('aria-current', String(b.dataset.id === contactId)));
  const box = $('record');
  box.replaceChildren();
  if (!c) {
    const who = call ? (call.direction === 'Outbound' ? call.to : call.from) : null;
    box.append(el('p', { className: 'muted', textContent: who ? `No contact for ${who.phoneNumber || who.name || 'this caller'}.` : 'Pick a contact.' }));
    return;
  }
  box.dataset.contact = c.id;
  box.append(el('h3', { textContent: c.name }), el('p', { textContent: `${c.company} · ${c.phone}` }));
  const mine = notes.filter((n) => n.contactId === c.id);
  box.append(el('h4', { textContent: `Call notes (${mine.length})` }),
    el('ul', { className: 'notes' }, ...mine.map((n) => el('li', { textContent: `${n.at}: ${n.text}` }))));
}

function log(type, detail) {
  const li = el('li', { textContent: `${new Date().toLocaleTimeString()} ${type} ${JSON.stringify(detail)}` });
  li.dataset.type = type;
  $('log').prepend(li);
}

const contactOf = (call) => {
  const other = call.direction === 'Outbound' ? call.to : call.from;
  return CONTACTS.find((c) => c.phone === other.phoneNumber) || null;
};

/** Every event, whichever way it arrived. `ack` answers a note. */
function onEvent(type, detail, ack) {
  log(type, detail);
  if (type === 'rc-active-calls:call-selected') showRecord(contactOf(detail.call)?.id, detail.call);
  if (type === 'rc-active-calls:note') {
    const c = contactOf(detail.call);
    notes.push({ contactId: c?.id ?? null, callId: detail.call.id, text: detail.text, at: new Date().toLocaleTimeString() });
    setTimeout(() => {
      ack(detail.noteId, true);
      if (c) showRecord(c.id);
    }, 300); // as if saved to a server
  }
}

const EVENTS = ['signed-in', 'signed-out', 'calls-changed', 'call-started', 'call-updated', 'call-ended', 'call-selected', 'note', 'error']
  .map((e) => `rc-active-calls:${e}`);

async function embedElement(slot) {
  await import(`${WIDGET}/embed.js`); // defines <rc-active-calls>
  const w = document.createElement('rc-active-calls');
  for (const [k, v] of Object.entries({ 'client-id': widgetConfig.clientId, server: SERVER, 'redirect-uri': widgetConfig.redirectUri, 'poll-seconds': widgetConfig.pollSeconds, live: widgetConfig.live })) w.setAttribute(k, v);
  w.resolveContacts = resolveContacts;
  for (const t of EVENTS) w.addEventListener(t, (e) => onEvent(t, e.detail, (id, ok, m) => w.ackNote(id, ok, m)));
  slot.append(w);
  return { refresh: () => w.refresh(), setScope: (s) => w.setAttribute('scope', s) };
}

async function embedMount(slot) {
  const { init, mount } = await import(`${WIDGET}/embed.js`);
  await init();
  const point = el('div', { id: 'mount-point' });
  slot.append(point);
  const w = mount(point, { ...widgetConfig, resolveContacts });
  for (const t of EVENTS) point.addEventListener(t, (e) => onEvent(t, e.detail, (id, ok, m) => w.ackNote(id, ok, m)));
  return { refresh: () => w.refresh(), setScope: (s) => w.setScope(s) };
}

function embedIframe(slot) {
  const widgetOrigin = new URL(WIDGET).origin;
  const q = new URLSearchParams({ embed: '1', parentOrigin: location.origin, clientId: widgetConfig.clientId, server: SERVER,
    pollSeconds: widgetConfig.pollSeconds, live: widgetConfig.live, resolveContacts: '1' });
  const frame = el('iframe', { title: 'RingCentral active calls', src: `${WIDGET}/?${q}` });
  slot.append(frame);
  const send = (m) => frame.contentWindow.postMessage({ target: 'rc-active-calls', ...m }, widgetOrigin);
  addEventListener('message', async (e) => {
    // Only our widget's frame, from its origin, speaking its protocol.
    if (e.origin !== widgetOrigin || e.source !== frame.contentWindow || e.data?.source !== 'rc-active-calls') return;
    const { type, detail } = e.data;
    if (type === 'rc-active-calls:resolve-contacts') {
      send({ command: 'contacts', requestId: detail.requestId, contacts: await resolveContacts(detail.phoneNumbers) });
      return;
    }
    onEvent(type, detail, (noteId, ok, message) => send({ command: 'ackNote', noteId, ok, message }));
  });
  return { refresh: () => send({ command: 'refresh' }), setScope: (scope) => send({ command: 'setScope', scope }) };
}

$('contacts').append(...CONTACTS.map((c) => el('li', {}, el('button', { type: 'button', textContent: c.name, onclick: () => showRecord(c.id) }, ))));
document.querySelectorAll('.contacts button').forEach((b, i) => { b.dataset.id = CONTACTS[i].id; });
document.querySelector(`nav a[data-mode=${mode}]`).setAttribute('aria-current', 'page');
$('mode-name').textContent = `(${{ element: '<rc-active-calls> element', mount: 'mount() API', iframe: 'iframe' }[mode]})`;
const openFromHash = () => { const m = /^#contact-(\w+)$/.exec(location.hash); if (m) showRecord(m[1]); };
addEventListener('hashchange', openFromHash);
openFromHash();

const widget = await { element: embedElement, mount: embedMount, iframe: embedIframe }[mode]($('widget-slot'));
$('refresh').onclick = () => widget.refresh();
$('scope').onchange = (e) => widget.setScope(e.target.value);
window.crmWidget = widget; // for the end-to-end tests
