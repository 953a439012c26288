'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');

const { createApp } = require('../src/app');
const { sign, verify } = require('../src/signature');

test('signatures verify only with the right secret and body', () => {
  const header = sign('s3cret', '{"type":"ping"}');
  assert.match(header, /^sha256=[0-9a-f]{64}$/);
  assert.equal(verify('s3cret', '{"type":"ping"}', header), true);
  assert.equal(verify('other', '{"type":"ping"}', header), false);
  assert.equal(verify('s3cret', '{"type":"pong"}', header), false);
  assert.equal(verify('s3cret', '{"type":"ping"}', undefined), false);
});

test('the app refuses to start without a secret', () => {
  assert.throws(() => createApp({ secret: '' }), /WEBHOOK_SECRET/);
});

test('signed events are queued, unsigned ones rejected', async (t) => {
  const queue = [];
  const server = createApp({ secret: 'test-secret', queue }).listen(0);
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${server.address().port}`;

  assert.equal((await fetch(`${base}/healthz`)).status, 200);

  const body = JSON.stringify({ type: 'invoice.paid' });
  const ok = await fetch(`${base}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign('test-secret', body) },
    body,
  });
  assert.equal(ok.status, 202);
  assert.deepEqual(await ok.json(), { queued: 1 });

  const forged = await fetch(`${base}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign('guess', body) },
    body,
  });
  assert.equal(forged.status, 401);
  assert.equal(queue.length, 1);
  assert.equal(queue[0].type, 'invoice.paid');
});
