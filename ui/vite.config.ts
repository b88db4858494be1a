import { defineConfig } from "vitest/config";

// The app is served from Tauri's own origin: relative asset paths, no dev server in
// production, no remote resources, nothing inlined as data: that the CSP would refuse.
export default defineConfig({
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
  },
});
