// Builds the browser bundles the server serves: the agent console (web/) and,
// when present, the website widget (widget/). Runs after `npm install`, so
// `npm start` finds them ready; skipped when vite is not installed
// (a production install without dev dependencies ships prebuilt assets).
import { existsSync } from "node:fs";

let build;
try {
  ({ build } = await import("vite"));
} catch {
  console.log("build-assets: vite is not installed; skipping the console and widget builds");
  process.exit(0);
}
for (const config of ["web/vite.config.ts", "widget/vite.config.ts"]) {
  if (!existsSync(config)) continue;
  await build({ configFile: config, logLevel: "warn" });
  console.log(`build-assets: built ${config.split("/")[0]}/dist`);
}
