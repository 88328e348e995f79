// A tiny site generator: renders every page of src/ into dist/, filling in
// the title and the Node.js version. No dependencies, no network.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const src = path.join(__dirname, 'src');
const out = path.join(__dirname, 'dist');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(src)) {
  const page = fs.readFileSync(path.join(src, name), 'utf8')
    .replaceAll('{{TITLE}}', 'Hello from the node preset')
    .replaceAll('{{NODE}}', process.version);
  fs.writeFileSync(path.join(out, name), page);
  console.log(`dist/${name}: ${page.length} bytes`);
}
