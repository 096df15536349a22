/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import vue from "@vitejs/plugin-vue";
import { ElementPlusResolver } from "unplugin-vue-components/resolvers";
import Components from "unplugin-vue-components/vite";
import { defineConfig } from "vite";

// Development mode (`npm run dev`, hot reload): the API calls go to the running stack's web server
// (`make run` writes its URL to .data/endpoints.json under "web"), which routes them as the gateway does.
const api = process.env.ZC_WEB_API ?? "http://127.0.0.1:24100";

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components and their styles are imported where a page uses them, so that each
    // role's routes carry only what they need (the login route's budget: scripts/check-size.mjs).
    Components({ resolvers: [ElementPlusResolver()], dts: false }),
  ],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: { proxy: { "/api": api, "/.well-known": api } },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 1200, manifest: true },
  // Specs that need a DOM say so in their first line (`// @vitest-environment jsdom`); the rest run in Node.
  test: { environment: "node", include: ["tests/unit/**/*.spec.ts"] },
});
