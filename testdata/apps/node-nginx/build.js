// Writes the static site to build/: src/index.html with the build time
// stamped out, so the output is reproducible.
const fs = require("fs");
fs.mkdirSync("build", { recursive: true });
const html = fs.readFileSync("src/index.html", "utf8");
fs.writeFileSync("build/index.html", html.replace("{{node}}", process.version));
console.log("built build/index.html");
