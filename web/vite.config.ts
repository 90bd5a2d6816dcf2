/**
 * The agent console build. Run from the repository root:
 *   vite build --config web/vite.config.ts   → web/dist (served by src/api/static.ts)
 *   vite --config web/vite.config.ts         → dev server, /api and /socket.io proxied to :3000
 */
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const root = decodeURIComponent(new URL(".", import.meta.url).pathname);
const repo = decodeURIComponent(new URL("..", import.meta.url).pathname);
const backend = "http://localhost:3000";

export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    port: 5173,
    // The console imports the domain texts and rules from ../src/domain.
    fs: { allow: [repo] },
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/socket.io": { target: backend, ws: true, changeOrigin: false },
    },
  },
});
