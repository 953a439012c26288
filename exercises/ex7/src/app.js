'use strict';
// The HTTP API: `POST /webhooks` accepts an event whose signature checks out,
// `GET /events` lists the accepted ones, `GET /healthz` says the service is up.

const express = require('express');
const { verify } = require('./signature');

/** Builds the app around a secret and an in-memory queue of accepted events. */
function createApp({ secret, queue = [] }) {
  if (!secret) throw new Error('WEBHOOK_SECRET is not set');
  const app = express();

  app.get('/healthz', (_req, res) => res.type('text/plain').send('ok\n'));

  // The signature covers the exact bytes sent, so read the body raw, not parsed.
  app.post('/webhooks', express.raw({ type: '*/*', limit: '64kb' }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verify(secret, body, req.get('x-signature'))) {
      return res.status(401).json({ error: 'bad signature' });
    }
    let event;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return res.status(400).json({ error: 'body is not JSON' });
    }
    queue.push({ type: String(event.type ?? 'unknown'), receivedAt: new Date().toISOString() });
    return res.status(202).json({ queued: queue.length });
  });

  app.get('/events', (_req, res) => res.json(queue));
  return app;
}

module.exports = { createApp };
