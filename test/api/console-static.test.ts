/**
 * The console's static serving (src/api/static.ts) inside the real server:
 * built files, index.html for client routes, the API's paths untouched, and
 * the notice while the console is not built.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { consoleRoutesFor } from "../../src/api/static.js";
import { createTestDatabase } from "../support/backend.js";

const built = mkdtempSync(join(tmpdir(), "parley-console-"));
const empty = mkdtempSync(join(tmpdir(), "parley-console-empty-"));
mkdirSync(join(built, "assets"));
writeFileSync(join(built, "index.html"), "<!doctype html><div id=root></div>");
writeFileSync(join(built, "assets", "index-abc123.js"), "console.log(1)");
writeFileSync(join(built, "favicon.svg"), "<svg/>");
writeFileSync(join(built, ".secret"), "no");

const apps: App[] = [];
const drops: (() => Promise<void>)[] = [];
async function appWith(dist: string): Promise<App> {
  const db = await createTestDatabase();
  if (db) drops.push(db.drop);
  const app = await createApp({ ...loadConfig({}), dataDir: ":memory:", databaseUrl: db?.url, seedDemo: false }, { runJobs: false, plugins: [consoleRoutesFor(dist)] });
  await app.server.ready();
  apps.push(app);
  return app;
}
let app: App;
let bare: App;

beforeAll(async () => {
  app = await appWith(built);
  bare = await appWith(empty);
});
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const d of drops) await d();
  rmSync(built, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

const get = (a: App, url: string) => a.server.inject({ method: "GET", url });

describe("console static serving", () => {
  it("serves index.html at / and for client routes, never cached", async () => {
    for (const url of ["/", "/inbox/pending_human", "/inbox/my_processing/0196e2f0-0000-7000-8000-000000000000", "/login?next=1"]) {
      const r = await get(app, url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers["content-type"]).toMatch(/text\/html/);
      expect(r.headers["cache-control"]).toBe("no-cache");
      expect(r.body).toContain('<div id=root>');
    }
  });

  it("serves built files; hashed assets are immutable", async () => {
    const js = await get(app, "/assets/index-abc123.js");
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toMatch(/javascript/);
    expect(js.headers["cache-control"]).toMatch(/immutable/);
    expect((await get(app, "/favicon.svg")).statusCode).toBe(200);
  });

  it("answers 404 for missing files, dotfiles and paths outside the build", async () => {
    for (const url of ["/assets/missing.js", "/.secret", "/../package.json", "/%2e%2e/package.json", "/assets/..%2f..%2fpackage.json"]) {
      const r = await get(app, url);
      expect(r.statusCode, url).toBe(404);
    }
  });

  it("leaves /api, /socket.io and /webhooks to the API (JSON errors, real routes)", async () => {
    const health = await get(app, "/api/health");
    expect(health.statusCode).toBe(200);
    expect(health.json().ok).toBe(true);
    for (const url of ["/api/nope", "/api/conversations/x/y/z", "/webhooks/line/x", "/socket.io/x"]) {
      const r = await get(app, url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code).toBe("not_found");
    }
    expect((await get(app, "/api/me")).statusCode).toBe(401);
  });

  it("says how to build the console when web/dist does not exist", async () => {
    const r = await get(bare, "/");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/html/);
    expect(r.body).toContain("Console not built: run npm run build:web");
    expect((await get(bare, "/inbox/pending_human")).statusCode).toBe(404);
    expect((await get(bare, "/api/health")).statusCode).toBe(200);
  });
});
