'use strict';
// Webhook signatures: the sender signs the raw request body with a shared secret
// (HMAC-SHA256) and sends `X-Signature: sha256=<hex>`; we recompute and compare.

const crypto = require('node:crypto');

const PREFIX = 'sha256=';

/** The signature header value for `body` (a Buffer or string) under `secret`. */
function sign(secret, body) {
  return PREFIX + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

/** Whether `header` is a valid signature of `body` under `secret` (constant-time compare). */
function verify(secret, body, header) {
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return false;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

module.exports = { sign, verify };
