'use strict';
// The HTTP API: `POST /links` shortens a URL, `GET /:code` redirects to it,
// `GET /healthz` says the service is up. Links live in memory.

const crypto = require('node:crypto');
const Fastify = require('fastify');

const CODE_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: easy to read aloud

/** A random short code of `length` characters. */
function newCode(length = 7) {
  const bytes = crypto.randomBytes(length);
  let code = '';
  for (const b of bytes) code += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return code;
}

/** Whether `s` is an absolute http(s) URL. */
function isWebUrl(s) {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Builds the app around a store (a Map from code to URL). */
function buildApp({ store = new Map(), logger = false } = {}) {
  const app = Fastify({ logger });

  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok\n'));

  app.post(
    '/links',
    {
      schema: {
        body: {
          type: 'object',
          required: ['url'],
          properties: { url: { type: 'string', maxLength: 2048 } },
        },
      },
    },
    async (req, reply) => {
      const { url } = req.body;
      if (!isWebUrl(url)) return reply.code(422).send({ error: 'url must be an http(s) URL' });
      let code = newCode();
      while (store.has(code)) code = newCode();
      store.set(code, url);
      return reply.code(201).send({ code, url });
    },
  );

  app.get('/:code', async (req, reply) => {
    const url = store.get(req.params.code);
    if (!url) return reply.code(404).send({ error: 'no such link' });
    return reply.redirect(url, 302);
  });

  return app;
}

module.exports = { buildApp, isWebUrl, newCode };
