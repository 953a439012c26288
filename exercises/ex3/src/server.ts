// Entry point: listen on $PORT (default 3000) and stop cleanly on SIGTERM (docker stop).
import { createApp } from "./app";

const port = Number(process.env.PORT ?? 3000);
const server = createApp().listen(port, () => {
  console.log(`bookmarks listening on port ${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
