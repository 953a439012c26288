// The HTTP layer: routes on top of a BookmarkStore.
import express, { NextFunction, Request, Response } from "express";

import { BookmarkError, BookmarkStore } from "./bookmarks";

export function createApp(store = new BookmarkStore()): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "16kb" }));

  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok\n");
  });

  app.get("/api/bookmarks", (req, res) => {
    const tag = typeof req.query.tag === "string" ? req.query.tag : undefined;
    res.json(store.list(tag));
  });

  app.post("/api/bookmarks", (req, res) => {
    res.status(201).json(store.add(req.body ?? {}));
  });

  // Validation errors are the client's fault (400); anything else is ours (500).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof BookmarkError || (err instanceof SyntaxError && "body" in err)) {
      res.status(400).json({ error: err.message });
      return;
    }
    console.error(err);
    res.status(500).json({ error: "internal error" });
  });

  return app;
}
