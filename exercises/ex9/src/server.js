'use strict';
// Entry point: listen on PORT (default 3000) on every interface.

const { buildApp } = require('./app');

const app = buildApp({ logger: true });
app.listen({ port: Number(process.env.PORT || 3000), host: '0.0.0.0' }).catch((err) => {
  app.log.error(err);
  process.exit(1);
});
