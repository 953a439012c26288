// Tests with Node's built-in runner: `npm test` compiles them to dist-test/ and runs them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { createApp } from "./app";
import { Board, StatusError } from "./status";

const fixedClock = () => new Date("2026-01-02T03:04:05Z");

describe("Board", () => {
  it("starts operational and reports the worst state", () => {
    const board = new Board(["api", "website"], fixedClock);
    assert.equal(board.summary().overall, "operational");
    board.set("api", "degraded", "slow responses");
    assert.equal(board.summary().overall, "degraded");
    board.set("website", "outage");
    assert.deepEqual(board.summary(), {
      overall: "outage",
      components: [
        { name: "api", state: "degraded", note: "slow responses", updatedAt: "2026-01-02T03:04:05.000Z" },
        { name: "website", state: "outage", note: "", updatedAt: "2026-01-02T03:04:05.000Z" },
      ],
    });
  });

  it("refuses unknown states and bad names", () => {
    const board = new Board();
    assert.throws(() => board.set("api", "on fire"), StatusError);
    assert.throws(() => board.set("API!", "outage"), StatusError);
    assert.throws(() => board.set("api", "outage", 42), StatusError);
  });
});

describe("HTTP routes", () => {
  let server: ReturnType<ReturnType<typeof createApp>["listen"]>;
  let base: string;
  // A front end of its own, so the tests need nothing outside src/.
  const publicDir = mkdtempSync(path.join(tmpdir(), "statusboard-"));

  before(async () => {
    writeFileSync(path.join(publicDir, "index.html"), "<!doctype html><title>Status</title>\n");
    server = createApp(new Board(["api"], fixedClock), publicDir).listen(0);
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(publicDir, { recursive: true, force: true });
  });

  it("answers the health check", async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok\n");
  });

  it("updates a component and reports it", async () => {
    const put = await fetch(`${base}/api/components/api`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: "outage", note: "investigating" }),
    });
    assert.equal(put.status, 200);
    const status = await (await fetch(`${base}/api/status`)).json();
    assert.equal(status.overall, "outage");
    const bad = await fetch(`${base}/api/components/api`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: "sideways" }),
    });
    assert.equal(bad.status, 400);
  });

  it("serves the front end", async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>Status<\/title>/);
  });
});
