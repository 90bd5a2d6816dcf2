/**
 * Where the project's own files are at run time. The server runs either from
 * its sources (tests, `npm run dev`) or bundled into dist/server (`npm start`),
 * so paths are taken from the project root, the nearest folder above this
 * module that holds package.json, not from this module's own depth.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path under the project root, with a trailing separator for folders given one. */
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
