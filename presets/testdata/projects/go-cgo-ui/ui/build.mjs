// Bundles src/main.js into dist/assets/app.js and copies index.html.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist/assets", { recursive: true });
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  outfile: "dist/assets/app.js",
  define: { __BUILT_WITH__: JSON.stringify("esbuild " + (await import("esbuild")).version) },
});
await copyFile("index.html", "dist/index.html");
