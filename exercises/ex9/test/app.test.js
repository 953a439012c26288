'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');

const { buildApp, isWebUrl, newCode } = require('../src/app');

test('codes use the readable alphabet', () => {
  for (let i = 0; i < 100; i++) assert.match(newCode(), /^[a-km-np-z2-9]{7}$/);
});

test('only http(s) URLs are accepted', () => {
  assert.equal(isWebUrl('https://example.org/a?b=c'), true);
  assert.equal(isWebUrl('javascript:alert(1)'), false);
  assert.equal(isWebUrl('not a url'), false);
});

test('a shortened link redirects', async (t) => {
  const app = buildApp();
  t.after(() => app.close());

  const health = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);

  const created = await app.inject({ method: 'POST', url: '/links', payload: { url: 'https://example.org/docs' } });
  assert.equal(created.statusCode, 201);
  const { code } = created.json();

  const hit = await app.inject({ method: 'GET', url: `/${code}` });
  assert.equal(hit.statusCode, 302);
  assert.equal(hit.headers.location, 'https://example.org/docs');

  assert.equal((await app.inject({ method: 'GET', url: '/nope123' })).statusCode, 404);
  assert.equal((await app.inject({ method: 'POST', url: '/links', payload: { url: 'ftp://x' } })).statusCode, 422);
  assert.equal((await app.inject({ method: 'POST', url: '/links', payload: {} })).statusCode, 400);
});
