// Entry point: the components come from $COMPONENTS (comma-separated); listen on $PORT (3000).
import { createApp } from "./app";
import { Board } from "./status";

const names = (process.env.COMPONENTS ?? "website,api,database")
  .split(",")
  .map((n) => n.trim())
  .filter((n) => n !== "");
const port = Number(process.env.PORT ?? 3000);
const server = createApp(new Board(names)).listen(port, () => {
  console.log(`statusboard listening on port ${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
