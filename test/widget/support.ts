/**
 * A listening Parley app with the website widget wired in, for the widget's
 * API and browser tests. Same database choice and test clock as
 * test/support/app.ts; also a TestApp, so makeWorld() works with it.
 * While src/app.ts does not wire the widget yet, this does it the way the
 * report tells app.ts to (routes, adapter, /widget namespace, emitter);
 * once app.ts does, it uses that wiring as it is.
 */
import { rm } from "node:fs/promises";
import { io as connect, type Socket } from "socket.io-client";
import { createApp } from "../../src/app.js";
import { TestClock } from "../../src/clock.js";
import type { Config } from "../../src/config.js";
import { registerAdapter } from "../../src/channels/registry.js";
import { setWebchatEmitter, webchatAdapter } from "../../src/channels/webchat/adapter.js";
import { widgetRoutes, widgetUploadsDir } from "../../src/api/routes/widget.js";
import { attachWidgetNamespace, type WidgetNamespace } from "../../src/realtime/widget-namespace.js";
import { WIDGET_NAMESPACE } from "../../src/channels/webchat/contract.js";
import { widgetSecret } from "../../src/channels/webchat/token.js";
import { createTestDatabase } from "../support/backend.js";
import type { TestApp } from "../support/app.js";

export interface WidgetTestApp extends TestApp {
  base: string;
  /** Where the routes store visitors' images. */
  uploadsDir: string;
  /** The visitor-token secret the routes and the namespace use. */
  secret: string;
  /** Whether src/app.ts wired the widget itself (else this harness did). */
  wiredByApp: boolean;
}

export async function startWidgetApp(o: { runJobs?: boolean; offlineGraceMs?: number; distDir?: string } = {}): Promise<WidgetTestApp> {
  // Read by the widget routes when app.ts registers them (this test file runs in a process of its own).
  if (o.distDir) process.env.PARLEY_WIDGET_DIST = o.distDir;
  const db = await createTestDatabase();
  const config: Config = {
    port: 0,
    host: "127.0.0.1",
    dataDir: ":memory:",
    databaseUrl: db?.url,
    testMode: true,
    publicUrl: "",
    seedDemo: false,
    secureCookies: false,
    allowPlatformUrls: true,
  };
  const clock = new TestClock(new Date("2026-03-02T02:00:00Z"));
  const app = await createApp(config, { clock, runJobs: o.runJobs ?? false });
  const wiredByApp = app.server.hasRoute({ method: "POST", url: "/widget/api/sessions" });
  if (!wiredByApp) await app.server.register(widgetRoutes(app.ctx, { dataDir: config.dataDir, distDir: o.distDir }));
  registerAdapter(webchatAdapter);
  await app.listen();
  let widget: WidgetNamespace | null = null;
  if (!wiredByApp) {
    widget = attachWidgetNamespace(app.realtime!.io, app.ctx, { offlineGraceMs: o.offlineGraceMs ?? 50 });
    setWebchatEmitter(widget.emitter);
  }
  const base = `http://127.0.0.1:${(app.server.server.address() as { port: number }).port}`;
  const uploadsDir = widgetUploadsDir(config.dataDir);
  return {
    app,
    clock,
    base,
    uploadsDir,
    secret: widgetSecret(),
    wiredByApp,
    async close() {
      widget?.close();
      if (widget) setWebchatEmitter(null);
      await app.close();
      await db?.drop();
      await rm(uploadsDir, { recursive: true, force: true });
    },
    async req(method, url, opts = {}) {
      const res = await app.server.inject({
        method: method as "GET",
        url,
        payload: opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : (opts.body as object),
        headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      });
      let body: unknown = res.body;
      try {
        body = res.json();
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body: body as any, headers: res.headers };
    },
  };
}

export interface FrameSocket {
  socket: Socket;
  events: { name: string; data: any }[];
  next(name: string, match?: (d: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

/** A socket.io client acting as the widget frame on the /widget namespace. */
export function frameSocket(base: string, token: unknown): Promise<FrameSocket> {
  const socket = connect(`${base}${WIDGET_NAMESPACE}`, { path: "/socket.io", auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  const events: { name: string; data: any }[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((name: string, data: unknown) => {
    events.push({ name, data });
    for (const w of [...waiters]) w();
  });
  const client: FrameSocket = {
    socket,
    events,
    next(name, match = () => true, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find((e) => e.name === name && match(e.data));
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit.data);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${name}" within ${timeoutMs} ms; got ${JSON.stringify(events).slice(0, 500)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close() {
      socket.disconnect();
    },
  };
  return new Promise((resolve, reject) => {
    socket.once("ready", () => resolve(client));
    socket.once("connect_error", (e: Error) => {
      socket.disconnect();
      reject(e);
    });
  });
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, ms = 5000, what = "condition"): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
