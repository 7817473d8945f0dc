// A host page's code written against embed.d.ts: `tsc --strict` must accept it (tests/types.test.js), so the
// declarations stay valid TypeScript that describes config, handle, events and messages.
import { init, mount, type Call, type WidgetCommand, type WidgetMessage } from '../../src/embed/js/embed.js';

async function host(): Promise<void> {
  await init();
  const el = document.createElement('div');
  const widget = mount(el, {
    clientId: 'abc',
    server: 'https://platform.ringcentral.com',
    scope: 'account',
    pollSeconds: 10,
    theme: 'dark',
    sessionKey: 'queue',
    resolveContacts: async (numbers: string[]) => Object.fromEntries(numbers.map((n) => [n, { name: n, url: '/c' }])),
  });
  el.addEventListener('rc-active-calls:call-selected', (e) => {
    const call: Call = e.detail.call;
    const seconds: number = call.durationSeconds;
    const status: 'ringing' | 'connected' | 'ended' = call.status;
    console.log(call.from.phoneNumber, seconds, status, call.contact?.name);
  });
  el.addEventListener('rc-active-calls:note', (e) => widget.ackNote(e.detail.noteId, true));
  el.addEventListener('rc-active-calls:error', (e) => console.log(e.detail.kind, e.detail.code ?? 'none'));
  widget.update({ clientId: 'abc', scope: 'extension' });
  widget.setScope('extension');
  widget.unmount();

  const element = document.createElement('rc-active-calls');
  element.resolveContacts = () => ({});
  element.refresh();

  addEventListener('message', (e: MessageEvent<WidgetMessage>) => {
    if (e.data.type === 'rc-active-calls:resolve-contacts') {
      const reply: WidgetCommand = { target: 'rc-active-calls', command: 'contacts', requestId: e.data.detail.requestId, contacts: {} };
      (e.source as Window).postMessage(reply, e.origin);
    } else if (e.data.type === 'rc-active-calls:calls-changed') {
      const calls: Call[] = e.data.detail.calls;
      console.log(calls.length);
    }
  });
}

void host;
