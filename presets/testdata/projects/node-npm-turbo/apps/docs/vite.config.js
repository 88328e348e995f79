import { defineConfig } from "vite";

// The site goes to site/, not vite's default dist/.
export default defineConfig({
  build: {
    outDir: "site",
  },
});
