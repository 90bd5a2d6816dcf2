import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";

function files(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

describe("docs match the code", () => {
  it("every path docs/ARCHITECTURE.md names exists", () => {
    const doc = readFileSync("docs/ARCHITECTURE.md", "utf8");
    const all = files("src");
    const named = [...doc.matchAll(/`([\w./-]+\.ts|(?:src|web|widget)\/[\w./-]*)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(20);
    // A path is from the repository root, or from src/, or (a bare name) a file somewhere under src/.
    const missing = named.filter((p) => !existsSync(p) && !existsSync(`src/${p}`) && !all.some((f) => f.endsWith(`/${p}`)));
    expect(missing).toEqual([]);
  });
});
