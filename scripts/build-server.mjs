// Bundles the server into one ES module (dist/server/main.js) that `npm start`
// runs with plain node. Running the TypeScript sources through the tsx loader
// kept every transformed module and its source map in memory: ≈ 110 MB more
// resident memory for the same server (docs/benchmarks.md, "Memory").
// Packages stay external (node_modules is there at run time); the bundle is
// rebuilt on every start, which takes well under a second, so it never runs
// stale code after an edit.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Bundles `entry` (relative to the project root) into `outfile`. */
export async function buildServer(entry = "src/main.ts", outfile = "dist/server/main.js") {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    logLevel: "warning",
  });
  return `${root}${outfile}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [entry, outfile] = process.argv.slice(2);
  await buildServer(entry, outfile);
}
