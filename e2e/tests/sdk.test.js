// RingCentral's own JS SDK (@ringcentral/sdk, unchanged) against rc-sandbox: a confidential app logs in with an
// authorization code (HTTP Basic), reads active calls, refreshes, and logs out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SDK } from '@ringcentral/sdk';
import { startAll, control, approve, SANDBOX } from '../lib/harness.js';

let env;
before(async () => { env = await startAll(); await control('/sandbox/reset', { seed: 7, noTraffic: true }); });
after(async () => { await env?.stop(); });

const REDIRECT = `${SANDBOX}/callback`;

async function codeFor(sdk, user) {
  const back = await approve(sdk.platform().loginUrl({ redirectUri: REDIRECT, state: 's1' }), user);
  assert.equal(back.get('state'), 's1');
  return sdk.platform().parseLoginRedirect(`?${back}`).code;
}

test('@ringcentral/sdk logs in, reads active calls, refreshes and logs out unchanged', async () => {
  const sdk = new SDK({ server: SANDBOX, clientId: 'demo-server-app', clientSecret: 'demo-server-secret', redirectUri: REDIRECT });
  const platform = sdk.platform();
  await platform.login({ code: await codeFor(sdk, '400618687101'), redirect_uri: REDIRECT });
  assert.equal(await platform.loggedIn(), true);
  await control('/sandbox/calls', { extension: '101', from: { name: 'SDK Caller', phoneNumber: '+14155550100' } });
  const calls = await (await platform.get('/restapi/v1.0/account/~/extension/~/active-calls', { view: 'Simple' })).json();
  assert.equal(calls.records.length, 1);
  assert.equal(calls.records[0].from.name, 'SDK Caller');
  assert.equal(calls.records[0].result, 'In Progress');
  const me = await (await platform.get('/restapi/v1.0/account/~/extension/~')).json();
  assert.equal(me.name, 'Ada Admin');
  const before = (await platform.auth().data()).access_token;
  await platform.refresh();
  assert.notEqual((await platform.auth().data()).access_token, before);
  const company = await (await platform.get('/restapi/v1.0/account/~/active-calls')).json();
  assert.equal(company.records.length, 1);
  await platform.logout();
  assert.equal((await control('/sandbox/state', undefined, 'GET')).sessions, 0);
});

test('@ringcentral/sdk surfaces the sandbox\'s RingCentral error bodies', async () => {
  const sdk = new SDK({ server: SANDBOX, clientId: 'demo-server-app', clientSecret: 'wrong', redirectUri: REDIRECT });
  await assert.rejects(sdk.platform().login({ code: 'nope', redirect_uri: REDIRECT }), /Invalid client credentials/);
});
