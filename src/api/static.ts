/**
 * The agent console (web/, built by `npm run build:web` into web/dist),
 * served by the API server: built files as they are, index.html for the
 * console's own paths (/inbox/…, /login) so links and reloads work, and a
 * short notice at / while the console is not built. /api, /socket.io and
 * /webhooks stay the API's: unknown paths there get the API's JSON 404.
 */
import { statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { projectPath } from "../paths.js";

export const CONSOLE_DIST = projectPath("web/dist/");

const API_PATHS = /^\/(?:api|socket\.io|webhooks)(?:\/|$)/;
/** Vite puts content-hashed bundles here: they never change under a name. */
const HASHED = /^assets\//;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1c2128;line-height:1.5}</style>
</head><body>
<h1>Parley</h1>
<p>Console not built: run npm run build:web</p>
<p>The API is running: <a href="/api/health">/api/health</a>, <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file under root a URL path names, or null (missing, a directory, or outside root). */
function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const full = resolve(root, `.${decoded}`);
  if (!full.startsWith(root + sep)) return null;
  const rel = full.slice(root.length + 1);
  // No dotfiles (.env, .git …) even if a build ever left one there.
  if (rel.split(sep).some((part) => part.startsWith("."))) return null;
  return isFile(full) ? rel.split(sep).join("/") : null;
}

/** The plugin for a given build folder (tests use a temporary one). */
export function consoleRoutesFor(dist: string): FastifyPluginAsync {
  const root = resolve(dist);
  return async (app) => {
    // Only reply.sendFile (ranges, ETag, content types); the routes are below.
    await app.register(fastifyStatic, { root, serve: false, dotfiles: "deny" });

    const built = () => isFile(join(root, "index.html"));

    const sendIndex = (reply: FastifyReply) =>
      reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split("?")[0];
      if (API_PATHS.test(path)) return reply.callNotFound();
      if (!built()) {
        if (path === "/" || path === "/index.html") return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(NOT_BUILT);
        return reply.callNotFound();
      }
      if (path === "/" || path === "/index.html") return sendIndex(reply);
      const file = fileIn(root, path);
      if (file) return reply.sendFile(file, HASHED.test(file) ? { maxAge: 365 * 86_400_000, immutable: true } : { maxAge: 0 });
      // A missing file (a name with an extension) is a 404; any other path is a console route.
      if (/\.[a-z0-9]+$/i.test(path)) return reply.callNotFound();
      return sendIndex(reply);
    };

    app.get("/", { schema: { hide: true } }, handler);
    app.get("/*", { schema: { hide: true } }, handler);
  };
}

/**
 * Serves web/dist at /. Register it with the other plugins, e.g.
 * `createApp(config, { plugins: [consoleRoutes] })`.
 */
export const consoleRoutes: FastifyPluginAsync = consoleRoutesFor(CONSOLE_DIST);
