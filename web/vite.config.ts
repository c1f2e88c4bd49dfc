// Vite: the Preact preset, the typed client from ../openapi/client, and in `npm run dev` a
// proxy sending the API's paths to the service ($API_URL, default http://127.0.0.1:8000).
import { fileURLToPath } from "node:url";

import preact from "@preact/preset-vite";
import { defineConfig, type ProxyOptions } from "vite";

const api = process.env["API_URL"] ?? "http://127.0.0.1:8000";

// Every first path segment of the API (openapi/openapi.json). `/` itself and `/assets` stay
// with Vite; the UI's own routes live in the hash (#/interviews/12), so they never reach here.
const API_PREFIXES = [
  "applications",
  "auth",
  "candidates",
  "catalog",
  "docs",
  "event-subscriptions",
  "healthz",
  "interview-stages",
  "interviews",
  "metrics",
  "openapi.json",
  "outbox",
  "question-banks",
  "questions",
  "readyz",
  "reports",
  "requisitions",
  "role-families",
  "scim",
  "scorecards",
  "users",
  "webhooks",
];
const proxy: Record<string, ProxyOptions> = Object.fromEntries(
  API_PREFIXES.map((prefix) => [`^/${prefix}(/|$|\\?)`, { target: api, changeOrigin: false }]),
);

export default defineConfig({
  plugins: [preact()],
  resolve: {
    // The client in ../openapi/client imports openapi-fetch: take it from web/node_modules.
    dedupe: ["openapi-fetch", "preact"],
  },
  server: {
    proxy,
    fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // No inline <script>: the service's Content-Security-Policy allows script-src 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
