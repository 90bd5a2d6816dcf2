/**
 * `npm start` as a user runs it (src/main.ts bundled, in its own process, embedded
 * database in a fresh DATA_DIR): the API answers, the agent console is
 * served at / and the website widget's loader too — the two commands of the
 * README give a working inbox. The bundle sits deeper than the sources
 * (dist/test/<pid>/main.js), so this also proves the built assets are found
 * from the project root, whatever the running module's folder.
 */
import { describe, it, expect, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startServer, type ServerProcess } from "../faults/support.js";

const dataDir = mkdtempSync(join(tmpdir(), "parley-start-"));
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// The console is built by `npm ci` (postinstall); CI always has it.
const built = existsSync(join(process.cwd(), "web", "dist", "index.html"));

describe("npm start", () => {
  it.runIf(built || process.env.CI === "true")("serves the API, the agent console at / and at console routes, and the widget loader, with the demo workspace", async () => {
    server = await startServer({ DATA_DIR: dataDir, PARLEY_SEED_DEMO: "1", DATABASE_URL: "" }, await freePort());
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toMatchObject({ ok: true, backend: "pglite" });
    for (const path of ["/", "/login"]) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/text\/html/);
      expect(await page.text()).toContain('<div id="root">');
    }
    const loader = await fetch(`${server.url}/widget/loader.js`);
    expect(loader.status).toBe(200);
    expect(loader.headers.get("content-type")).toMatch(/javascript/);
    const login = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@demo.parley.local", password: "parley-demo" }) });
    expect(login.status).toBe(200);
  }, 60_000);
});
