/**
 * The website chat widget build. From the repository root:
 *   vite build --config widget/vite.config.ts   → widget/dist (served by src/api/routes/widget.ts)
 * Two entries:
 *   - frame.html + src/frame.ts: the chat inside the iframe, an ordinary app under /widget/;
 *   - src/loader.ts: the script a site embeds, one self-contained IIFE file (dist/loader.js)
 *     with no imports, no chunks and no globals, built right after the frame.
 */
import { build, defineConfig, type Plugin } from "vite";

const root = decodeURIComponent(new URL(".", import.meta.url).pathname);
const repo = decodeURIComponent(new URL("..", import.meta.url).pathname);

/** The loader cannot share the frame's build: a classic <script> needs one IIFE file. */
function loaderBuild(): Plugin {
  return {
    name: "parley-widget-loader",
    apply: "build",
    async closeBundle() {
      await build({
        configFile: false,
        root,
        logLevel: "warn",
        publicDir: false,
        build: {
          outDir: "dist",
          emptyOutDir: false,
          target: "es2019",
          sourcemap: false,
          minify: true,
          lib: { entry: `${root}src/loader.ts`, name: "ParleyWidgetLoader", formats: ["iife"], fileName: () => "loader.js" },
        },
      });
    },
  };
}

export default defineConfig({
  root,
  base: "/widget/",
  publicDir: false,
  plugins: [loaderBuild()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: true,
    rollupOptions: { input: { frame: `${root}frame.html` } },
  },
  server: {
    // The widget imports its wire contract from ../src/channels/webchat.
    fs: { allow: [repo] },
  },
});
