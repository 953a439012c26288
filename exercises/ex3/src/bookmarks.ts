// The bookmark store: validation and an in-memory list, kept apart from HTTP so it is easy to test.

export interface Bookmark {
  id: number;
  url: string;
  title: string;
  tags: string[];
}

export class BookmarkError extends Error {}

export class BookmarkStore {
  private items: Bookmark[] = [];
  private nextId = 1;

  /** Adds a bookmark after checking its fields; tags are lower-cased and deduplicated. */
  add(input: { url?: unknown; title?: unknown; tags?: unknown }): Bookmark {
    const url = parseUrl(input.url);
    const title = typeof input.title === "string" && input.title.trim() !== "" ? input.title.trim() : url.hostname;
    if (title.length > 200) {
      throw new BookmarkError("title is longer than 200 characters");
    }
    const bookmark: Bookmark = { id: this.nextId++, url: url.href, title, tags: parseTags(input.tags) };
    this.items.push(bookmark);
    return bookmark;
  }

  /** Every bookmark, or those carrying `tag`, newest first. */
  list(tag?: string): Bookmark[] {
    const wanted = tag?.trim().toLowerCase();
    return this.items.filter((b) => !wanted || b.tags.includes(wanted)).reverse();
  }
}

function parseUrl(value: unknown): URL {
  if (typeof value !== "string") {
    throw new BookmarkError("url is required");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BookmarkError(`not a URL: ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BookmarkError("only http and https URLs can be bookmarked");
  }
  return url;
}

function parseTags(value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || !value.every((t) => typeof t === "string")) {
    throw new BookmarkError("tags must be a list of strings");
  }
  const tags = value.map((t: string) => t.trim().toLowerCase()).filter((t) => t !== "");
  return [...new Set(tags)].sort();
}
