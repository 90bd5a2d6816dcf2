/**
 * Support for the console's browser suite: a real Parley server (HTTP,
 * Socket.IO, job worker, the built console at /) on an embedded database in
 * a temporary folder, so it can be stopped and started again on the same
 * port with the same data; a small HTTP client for the integrator's and the
 * administrator's side; Debian's Chromium through playwright-core.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { createApp, type App } from "../../src/app.js";
import type { Config } from "../../src/config.js";
import { CONSOLE_DIST, consoleRoutes } from "../../src/api/static.js";

export const CHROMIUM = "/usr/bin/chromium";
// Screenshots go to test-results/ on every run; UPDATE_SCREENSHOTS=1 refreshes the ones the README shows.
export const SCREENSHOTS = resolve(process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "test-results/screenshots");

/** A port free now, so the server can be started twice on it (restart scenario). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export function serverConfig(port: number, dataDir: string): Config {
  return {
    port,
    host: "127.0.0.1",
    dataDir,
    testMode: true,
    publicUrl: `http://127.0.0.1:${port}`,
    seedDemo: false,
    secureCookies: false,
    allowPlatformUrls: true,
  };
}

/** The server as `npm start` runs it (worker included), not yet listening. */
export async function createServerApp(config: Config): Promise<App> {
  const app = await createApp(config, { plugins: [consoleRoutes] });
  await app.server.ready();
  return app;
}

/** web/dist is what the server serves; built once if missing. */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(join(CONSOLE_DIST, "index.html"))) return;
  const { build } = await import("vite");
  await build({ configFile: resolve("web/vite.config.ts"), logLevel: "warn" });
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

export interface Http {
  (method: string, path: string, o?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
}

export function httpClient(base: () => string): Http {
  return async (method, path, o = {}) => {
    const res = await fetch(base() + path, {
      method,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body !== undefined ? { "content-type": "application/json" } : {}) },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  };
}

export const WAIT = 10_000;

export async function visible(l: Locator, timeout = WAIT): Promise<Locator> {
  await l.first().waitFor({ state: "visible", timeout });
  return l;
}

export async function hidden(l: Locator, timeout = WAIT): Promise<void> {
  await l.first().waitFor({ state: "hidden", timeout });
}

export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Caret and animations off: the same screen gives the same picture.
  await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: "disabled", caret: "hide" });
}
