// Tests with Node's built-in runner: `npm test` compiles them to dist-test/ and runs them.
import assert from "node:assert/strict";
import { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { createApp } from "./app";
import { BookmarkError, BookmarkStore } from "./bookmarks";

describe("BookmarkStore", () => {
  it("normalises tags and defaults the title to the host", () => {
    const store = new BookmarkStore();
    const b = store.add({ url: "https://example.org/docs", tags: ["Docs", " docs ", "Web"] });
    assert.deepEqual(b, { id: 1, url: "https://example.org/docs", title: "example.org", tags: ["docs", "web"] });
  });

  it("lists newest first and filters by tag", () => {
    const store = new BookmarkStore();
    store.add({ url: "https://a.example", tags: ["x"] });
    store.add({ url: "https://b.example" });
    assert.deepEqual(store.list().map((b) => b.id), [2, 1]);
    assert.deepEqual(store.list("X").map((b) => b.id), [1]);
  });

  it("refuses what is not an http(s) URL", () => {
    const store = new BookmarkStore();
    for (const url of [undefined, "not a url", "ftp://example.org", 42]) {
      assert.throws(() => store.add({ url }), BookmarkError);
    }
  });
});

describe("HTTP routes", () => {
  let server: ReturnType<ReturnType<typeof createApp>["listen"]>;
  let base: string;

  before(async () => {
    server = createApp().listen(0);
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("answers the health check", async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok\n");
  });

  it("stores and lists bookmarks", async () => {
    const post = await fetch(`${base}/api/bookmarks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://nodejs.org/", title: "Node.js", tags: ["js"] }),
    });
    assert.equal(post.status, 201);
    const list = await (await fetch(`${base}/api/bookmarks?tag=js`)).json();
    assert.deepEqual(list, [{ id: 1, url: "https://nodejs.org/", title: "Node.js", tags: ["js"] }]);
  });

  it("answers 400 to invalid bookmarks and malformed JSON", async () => {
    const bad = await fetch(`${base}/api/bookmarks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "mailto:someone@example.org" }),
    });
    assert.equal(bad.status, 400);
    const malformed = await fetch(`${base}/api/bookmarks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    assert.equal(malformed.status, 400);
  });
});
