// RingCentral's own WebSocket client (@rc-ex/core + @rc-ex/ws, unchanged) against rc-sandbox's gateway: it signs
// in, subscribes to detailed presence, hears a call ring, connect and end, and after a dropped socket recovers with
// its `wsc` and receives the event it missed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import RingCentral from '@rc-ex/core';
import WebSocketExtension from '@rc-ex/ws';
import { startAll, control, approve, requests, SANDBOX } from '../lib/harness.js';

const REDIRECT = `${SANDBOX}/callback`;
const PRESENCE = '/restapi/v1.0/account/~/extension/~/presence?detailedTelephonyState=true';
const ADA = '400618687101';

let env;
before(async () => { env = await startAll(); });
after(async () => { await env?.stop(); });

async function signedIn() {
  const rc = new RingCentral({ server: SANDBOX, clientId: 'demo-server-app', clientSecret: 'demo-server-secret' });
  const url = `${SANDBOX}/restapi/oauth/authorize?${new URLSearchParams({
    response_type: 'code', client_id: 'demo-server-app', redirect_uri: REDIRECT, state: 'ws',
  })}`;
  const back = await approve(url, ADA);
  await rc.authorize({ code: back.get('code'), redirect_uri: REDIRECT });
  return rc;
}

/// Resolves with the first event `pick` accepts (within 10 s).
function next(events, pick) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such event within 10 s')), 10000);
    const look = () => {
      const found = events.find(pick);
      if (found) { clearTimeout(timer); clearInterval(poll); resolve(found); }
    };
    const poll = setInterval(look, 20);
    look();
  });
}

/// Signs out. The gateway then closes the socket with an Error frame; rc-ex arms a 60 s heartbeat timer on every
/// message, that one included, which would keep this process alive for a minute: clear it.
async function signOut(rc, ws) {
  await rc.revoke();
  await new Promise((r) => setTimeout(r, 100));
  clearTimeout(ws.pingServerHandle);
  clearInterval(ws.intervalHandle);
}

const status = (e) => e.body?.activeCalls?.[0]?.telephonyStatus;

test('@rc-ex/ws subscribes to detailed presence and hears a call ring, connect and end', async () => {
  await control('/sandbox/reset', { seed: 7, noTraffic: true });
  const rc = await signedIn();
  const ws = new WebSocketExtension();
  await rc.installExtension(ws);
  const events = [];
  await ws.subscribe([PRESENCE], (e) => events.push(e));
  const { id } = await control('/sandbox/calls', { extension: '101', from: { name: 'Push Caller', phoneNumber: '+14155550100' } });
  const ringing = await next(events, (e) => status(e) === 'Ringing');
  assert.equal(ringing.body.activeCalls[0].fromName, 'Push Caller');
  assert.equal(ringing.body.telephonyStatus, 'Ringing');
  assert.equal(ringing.ownerId, ADA);
  await control(`/sandbox/calls/${id}/answer`, {});
  await next(events, (e) => status(e) === 'CallConnected');
  await control(`/sandbox/calls/${id}/end`, {});
  const ended = await next(events, (e) => status(e) === 'NoCall');
  assert.equal(ended.body.totalActiveCalls, 0);
  // The session's state as the sandbox sees it: one socket, one subscription, RingCentral's frames in the log.
  const state = await control('/sandbox/state', undefined, 'GET');
  assert.equal(state.connections.length, 1);
  assert.deepEqual(state.subscriptions[0].eventFilters, [PRESENCE]);
  const log = await requests();
  assert.ok(log.some((e) => e.path === '/restapi/oauth/wstoken' && e.status === 200));
  assert.ok(log.some((e) => e.frame?.direction === 'in' && e.frame.type === 'ClientRequest'));
  await signOut(rc, ws);
  assert.equal((await control('/sandbox/state', undefined, 'GET')).sessions, 0);
});

test('@rc-ex/ws recovers a dropped socket with its wsc and receives the event it missed', async () => {
  await control('/sandbox/reset', { seed: 7, noTraffic: true });
  // rc-ex reuses a wstoken for 80 % of its lifetime; a short lifetime lets it fetch a fresh one quickly.
  await control('/sandbox/settings', { ws: { tokenTtlSecs: 2 } });
  const rc = await signedIn();
  const ws = new WebSocketExtension();
  await rc.installExtension(ws);
  const events = [];
  const outcomes = [];
  ws.eventEmitter.on('autoRecoverSuccess', () => outcomes.push('success'));
  ws.eventEmitter.on('autoRecoverFailed', () => outcomes.push('failed'));
  await ws.subscribe([PRESENCE], (e) => events.push(e));
  const wscBefore = ws.wsc.token;
  const { dropped } = await control('/sandbox/ws/drop', { extension: '101' });
  assert.equal(dropped, 1);
  // A call rings while the client has no socket.
  await control('/sandbox/calls', { extension: '101', from: { name: 'While Away' } });
  const missed = await next(events, (e) => e.body?.activeCalls?.[0]?.fromName === 'While Away');
  assert.equal(status(missed), 'Ringing');
  await next(outcomes, (o) => o === 'success');
  assert.deepEqual(outcomes, ['success']);
  assert.equal(ws.connectionDetails.recoveryState, 'Successful');
  assert.equal(ws.wsc.token, wscBefore);
  await signOut(rc, ws);
});
