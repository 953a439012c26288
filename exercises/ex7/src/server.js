'use strict';
// Entry point. The secret comes from the environment: `npm run dev` reads it from .env
// (local development only); in a container, pass it at run time (`docker run -e` or
// `--env-file`), never bake it into the image.

const { createApp } = require('./app');

const port = Number(process.env.PORT || 3000);
const app = createApp({ secret: process.env.WEBHOOK_SECRET });
app.listen(port, () => console.log(`hooks listening on ${port}`));
