// The HTTP layer: the JSON API, and the static front end in public/.
import path from "node:path";

import express, { NextFunction, Request, Response } from "express";

import { Board, StatusError } from "./status";

export function createApp(board = new Board(), publicDir = path.join(__dirname, "..", "public")): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "4kb" }));

  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok\n");
  });

  app.get("/api/status", (_req, res) => {
    res.json(board.summary());
  });

  app.put("/api/components/:name", (req, res) => {
    const body = req.body ?? {};
    res.json(board.set(String(req.params.name), body.state, body.note ?? ""));
  });

  app.use(express.static(publicDir, { maxAge: "5m" }));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof StatusError || (err instanceof SyntaxError && "body" in err)) {
      res.status(400).json({ error: err.message });
      return;
    }
    console.error(err);
    res.status(500).json({ error: "internal error" });
  });

  return app;
}
